// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loads an MBN-shaped image the way drivers/soc/qcom/mdt_loader.c does:
 * hand the ELF headers and hash segment to the secure world, set up
 * relocation, then copy each loadable segment into the carve-out. Messages
 * use mdt_loader.c's format strings. Only single-file images are handled.
 */
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "elf.h"
#include "mdt.h"
#include "tz.h"

ssize_t pas_sim_mdt_get_size(const struct firmware *fw)
{
	struct pas_sim_elf elf;
	u64 min_addr, max_addr;
	int ret;

	ret = pas_sim_elf_parse(fw->data, fw->size, &elf);
	if (ret)
		return ret;
	ret = pas_sim_elf_extent(&elf, &min_addr, &max_addr, NULL);
	pas_sim_elf_free(&elf);

	return ret ? ret : (ssize_t)(max_addr - min_addr);
}

/* The ELF headers (segment 0) directly followed by the hash segment */
static void *read_metadata(struct device *dev, const struct firmware *fw,
			   const struct pas_sim_elf *elf, const char *fw_name,
			   size_t *len)
{
	const struct pas_sim_phdr *hash;
	size_t ehdr_size;
	int hash_idx;
	void *data;

	if (elf->phnum < 2 || elf->phdrs[0].type == PT_LOAD)
		return ERR_PTR(-EINVAL);

	hash_idx = pas_sim_elf_hash_segment(elf);
	if (hash_idx < 0) {
		dev_err(dev, "no hash segment found in %s\n", fw_name);
		return ERR_PTR(-EINVAL);
	}

	hash = &elf->phdrs[hash_idx];
	ehdr_size = elf->phdrs[0].filesz;
	if (ehdr_size > fw->size || hash->offset > fw->size ||
	    hash->filesz > fw->size - hash->offset)
		return ERR_PTR(-EINVAL);

	data = kmalloc(ehdr_size + hash->filesz, GFP_KERNEL);
	if (!data)
		return ERR_PTR(-ENOMEM);

	memcpy(data, fw->data, ehdr_size);
	memcpy(data + ehdr_size, fw->data + hash->offset, hash->filesz);
	*len = ehdr_size + hash->filesz;
	return data;
}

int pas_sim_mdt_pas_init(struct device *dev, const struct firmware *fw,
			 const char *fw_name, int pas_id, phys_addr_t mem_phys)
{
	struct pas_sim_elf elf;
	u64 min_addr, max_addr;
	bool relocate;
	size_t metadata_len;
	void *metadata;
	int ret;

	ret = pas_sim_elf_parse(fw->data, fw->size, &elf);
	if (ret)
		return ret;

	ret = pas_sim_elf_extent(&elf, &min_addr, &max_addr, &relocate);
	if (ret)
		goto out;

	metadata = read_metadata(dev, fw, &elf, fw_name, &metadata_len);
	if (IS_ERR(metadata)) {
		ret = PTR_ERR(metadata);
		dev_err(dev, "error %d reading firmware %s metadata\n", ret, fw_name);
		goto out;
	}

	ret = pas_sim_tz_init_image(pas_id, metadata, metadata_len);
	kfree(metadata);
	if (ret) {
		/* Invalid firmware metadata */
		dev_err(dev, "error %d initializing firmware %s\n", ret, fw_name);
		goto out;
	}

	if (relocate) {
		ret = pas_sim_tz_mem_setup(pas_id, mem_phys, max_addr - min_addr);
		if (ret) {
			/* Unable to set up relocation */
			dev_err(dev, "error %d setting up firmware %s\n", ret, fw_name);
			goto out;
		}
	}
out:
	pas_sim_elf_free(&elf);
	return ret;
}

int pas_sim_mdt_load_no_init(struct device *dev, const struct firmware *fw,
			     const char *fw_name, void *mem_region,
			     phys_addr_t mem_phys, size_t mem_size,
			     phys_addr_t *reloc_base, u64 *entry)
{
	struct pas_sim_elf elf;
	u64 min_addr, max_addr;
	phys_addr_t mem_reloc;
	bool relocate;
	unsigned int i;
	int ret;

	ret = pas_sim_elf_parse(fw->data, fw->size, &elf);
	if (ret)
		return ret;

	ret = pas_sim_elf_extent(&elf, &min_addr, &max_addr, &relocate);
	if (ret)
		goto out;

	/* relocatable images are placed relative to their lowest segment */
	mem_reloc = relocate ? min_addr : mem_phys;

	for (i = 0; i < elf.phnum; i++) {
		const struct pas_sim_phdr *phdr = &elf.phdrs[i];
		s64 offset;
		void *ptr;

		if (!pas_sim_phdr_loadable(phdr))
			continue;

		offset = phdr->paddr - mem_reloc;
		if (offset < 0 || offset + phdr->memsz > mem_size) {
			dev_err(dev, "segment outside memory range\n");
			ret = -EINVAL;
			break;
		}

		if (phdr->filesz > phdr->memsz) {
			dev_err(dev, "refusing to load segment %d with p_filesz > p_memsz\n", i);
			ret = -EINVAL;
			break;
		}

		ptr = mem_region + offset;
		if (phdr->filesz) {
			if (phdr->offset > fw->size || phdr->filesz > fw->size - phdr->offset) {
				dev_err(dev, "file %s segment %d would be truncated\n", fw_name, i);
				ret = -EINVAL;
				break;
			}
			memcpy(ptr, fw->data + phdr->offset, phdr->filesz);
		}

		if (phdr->memsz > phdr->filesz)
			memset(ptr + phdr->filesz, 0, phdr->memsz - phdr->filesz);
	}

	if (reloc_base)
		*reloc_base = mem_reloc;
	if (entry)
		*entry = elf.entry;
out:
	pas_sim_elf_free(&elf);
	return ret;
}
