// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reads the program headers of an ELF32 or ELF64 image into one shape, so the
 * loader and "TrustZone" share a single, bounds-checked parser.
 */
#include <linux/elf.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "elf.h"
#include "fwfmt.h"

/* Same guard as upstream's mdt loader: split images name segments .b00-.b99 */
#define PAS_SIM_MAX_PHDRS	100

static void read_phdr32(const struct elf32_phdr *src, struct pas_sim_phdr *dst)
{
	dst->type = le32_to_cpu(src->p_type);
	dst->flags = le32_to_cpu(src->p_flags);
	dst->offset = le32_to_cpu(src->p_offset);
	dst->paddr = le32_to_cpu(src->p_paddr);
	dst->filesz = le32_to_cpu(src->p_filesz);
	dst->memsz = le32_to_cpu(src->p_memsz);
}

static void read_phdr64(const struct elf64_phdr *src, struct pas_sim_phdr *dst)
{
	dst->type = le32_to_cpu(src->p_type);
	dst->flags = le32_to_cpu(src->p_flags);
	dst->offset = le64_to_cpu(src->p_offset);
	dst->paddr = le64_to_cpu(src->p_paddr);
	dst->filesz = le64_to_cpu(src->p_filesz);
	dst->memsz = le64_to_cpu(src->p_memsz);
}

int pas_sim_elf_parse(const u8 *data, size_t len, struct pas_sim_elf *elf)
{
	size_t ehdr_size, phent_size, phoff, phend;
	unsigned int i;

	memset(elf, 0, sizeof(*elf));
	if (len < EI_NIDENT || memcmp(data, ELFMAG, SELFMAG))
		return -EINVAL;
	if (data[EI_DATA] != ELFDATA2LSB)
		return -EINVAL;

	switch (data[EI_CLASS]) {
	case ELFCLASS32: {
		const struct elf32_hdr *ehdr = (const void *)data;

		if (len < sizeof(*ehdr))
			return -EINVAL;
		ehdr_size = sizeof(*ehdr);
		phent_size = sizeof(struct elf32_phdr);
		if (le16_to_cpu(ehdr->e_phentsize) != phent_size)
			return -EINVAL;
		phoff = le32_to_cpu(ehdr->e_phoff);
		elf->phnum = le16_to_cpu(ehdr->e_phnum);
		elf->entry = le32_to_cpu(ehdr->e_entry);
		break;
	}
	case ELFCLASS64: {
		const struct elf64_hdr *ehdr = (const void *)data;

		if (len < sizeof(*ehdr))
			return -EINVAL;
		ehdr_size = sizeof(*ehdr);
		phent_size = sizeof(struct elf64_phdr);
		if (le16_to_cpu(ehdr->e_phentsize) != phent_size)
			return -EINVAL;
		phoff = le64_to_cpu(ehdr->e_phoff);
		elf->phnum = le16_to_cpu(ehdr->e_phnum);
		elf->entry = le64_to_cpu(ehdr->e_entry);
		elf->is64 = true;
		break;
	}
	default:
		return -EINVAL;
	}

	if (!elf->phnum || elf->phnum > PAS_SIM_MAX_PHDRS || phoff < ehdr_size)
		return -EINVAL;
	phend = size_add(phoff, size_mul(elf->phnum, phent_size));
	if (phend > len)
		return -EINVAL;

	elf->phdrs = kcalloc(elf->phnum, sizeof(*elf->phdrs), GFP_KERNEL);
	if (!elf->phdrs)
		return -ENOMEM;

	for (i = 0; i < elf->phnum; i++) {
		const void *src = data + phoff + i * phent_size;

		if (elf->is64)
			read_phdr64(src, &elf->phdrs[i]);
		else
			read_phdr32(src, &elf->phdrs[i]);
	}

	return 0;
}

void pas_sim_elf_free(struct pas_sim_elf *elf)
{
	kfree(elf->phdrs);
	elf->phdrs = NULL;
	elf->phnum = 0;
}

/* Mirrors mdt_phdr_loadable(): what gets placed into the carve-out */
bool pas_sim_phdr_loadable(const struct pas_sim_phdr *phdr)
{
	if (phdr->type != PT_LOAD)
		return false;
	if ((phdr->flags & QCOM_MDT_TYPE_MASK) == QCOM_MDT_TYPE_HASH)
		return false;
	return phdr->memsz != 0;
}

int pas_sim_elf_hash_segment(const struct pas_sim_elf *elf)
{
	unsigned int i;

	for (i = 1; i < elf->phnum; i++)
		if ((elf->phdrs[i].flags & QCOM_MDT_TYPE_MASK) == QCOM_MDT_TYPE_HASH)
			return i;

	return -ENOENT;
}

/* The span the loadable segments cover, with the end rounded up to 4 KiB */
int pas_sim_elf_extent(const struct pas_sim_elf *elf, u64 *min_addr,
		       u64 *max_addr, bool *relocatable)
{
	u64 lo = U64_MAX, hi = 0;
	bool reloc = false;
	unsigned int i;

	for (i = 0; i < elf->phnum; i++) {
		const struct pas_sim_phdr *phdr = &elf->phdrs[i];

		if (!pas_sim_phdr_loadable(phdr))
			continue;
		if (phdr->paddr + phdr->memsz < phdr->paddr)
			return -EINVAL;
		if (phdr->flags & QCOM_MDT_RELOCATABLE)
			reloc = true;
		lo = min(lo, phdr->paddr);
		hi = max(hi, ALIGN(phdr->paddr + phdr->memsz, SZ_4K));
	}

	if (lo >= hi)
		return -EINVAL;

	*min_addr = lo;
	*max_addr = hi;
	if (relocatable)
		*relocatable = reloc;
	return 0;
}
