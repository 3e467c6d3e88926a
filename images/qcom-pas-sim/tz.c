// SPDX-License-Identifier: GPL-2.0-only
/*
 * The secure world of the simulated SoC. It keeps one PAS context per
 * peripheral, checks the image metadata's stand-in signature at init, checks
 * every loaded segment against the hash table at auth-and-reset, and only
 * then releases the processor from reset. It reads the carve-out through its
 * own mapping, as TrustZone does, never through the processor's IOMMU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": tz: " fmt

#include <crypto/sha2.h>
#include <linux/elf.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dsp.h"
#include "elf.h"
#include "fwfmt.h"
#include "tz.h"

#define TZ_MAX_PAS_ID	64

enum tz_pas_state {
	TZ_PAS_IDLE,
	TZ_PAS_INITIALIZED,
	TZ_PAS_RUNNING,
};

static const char * const tz_state_names[] = {
	[TZ_PAS_IDLE] = "idle",
	[TZ_PAS_INITIALIZED] = "initialized",
	[TZ_PAS_RUNNING] = "running",
};

struct tz_pas {
	struct pas_sim_dsp *dsp;
	phys_addr_t mbox_phys;
	enum tz_pas_state state;

	u8 *meta;
	size_t meta_len;
	struct pas_sim_elf elf;
	const u8 *hashes;	/* points into meta */
	u64 min_addr;
	u64 max_addr;
	bool relocatable;

	bool have_region;
	phys_addr_t region;
	size_t region_size;

	char verdict[96];
};

struct tz_bridge {
	struct list_head node;
	u64 handle;
	phys_addr_t addr;
	size_t size;
};

static DEFINE_MUTEX(tz_lock);
static struct tz_pas *tz_pas_table[TZ_MAX_PAS_ID];
static LIST_HEAD(tz_bridges);
static u64 tz_next_bridge = 1;

static struct tz_pas *tz_pas_get(int pas_id)
{
	if (pas_id <= 0 || pas_id >= TZ_MAX_PAS_ID)
		return NULL;
	return tz_pas_table[pas_id];
}

static void tz_drop_metadata(struct tz_pas *pas)
{
	pas_sim_elf_free(&pas->elf);
	kfree(pas->meta);
	pas->meta = NULL;
	pas->meta_len = 0;
	pas->hashes = NULL;
}

/* Keeps the secure world's last word per peripheral, for debugfs and the log */
static int tz_refuse(struct tz_pas *pas, int pas_id, int err, const char *why)
{
	snprintf(pas->verdict, sizeof(pas->verdict), "%s", why);
	pr_info("pas %d: %s\n", pas_id, why);
	return err;
}

int pas_sim_tz_register(int pas_id, struct pas_sim_dsp *dsp, phys_addr_t mbox_phys)
{
	struct tz_pas *pas;

	if (pas_id <= 0 || pas_id >= TZ_MAX_PAS_ID)
		return -EINVAL;

	pas = kzalloc(sizeof(*pas), GFP_KERNEL);
	if (!pas)
		return -ENOMEM;
	pas->dsp = dsp;
	pas->mbox_phys = mbox_phys;

	mutex_lock(&tz_lock);
	if (tz_pas_table[pas_id]) {
		mutex_unlock(&tz_lock);
		kfree(pas);
		return -EBUSY;
	}
	tz_pas_table[pas_id] = pas;
	mutex_unlock(&tz_lock);
	return 0;
}

void pas_sim_tz_unregister(int pas_id)
{
	struct tz_pas *pas;

	mutex_lock(&tz_lock);
	pas = tz_pas_get(pas_id);
	if (pas) {
		if (pas->state == TZ_PAS_RUNNING)
			pas_sim_dsp_assert_reset(pas->dsp);
		tz_drop_metadata(pas);
		tz_pas_table[pas_id] = NULL;
		kfree(pas);
	}
	mutex_unlock(&tz_lock);
}

static bool tz_signature_ok(const struct pas_sim_hash_header *hdr,
			    const u8 *table, size_t table_len, const u8 *sig)
{
	static const char key[] = PAS_SIM_OEM_KEY;
	u8 digest[PAS_SIM_DIGEST_SIZE];
	struct sha256_state state;

	sha256_init(&state);
	sha256_update(&state, key, sizeof(key) - 1);
	sha256_update(&state, (const u8 *)hdr, sizeof(*hdr));
	sha256_update(&state, table, table_len);
	sha256_final(&state, digest);

	return !memcmp(digest, sig, sizeof(digest));
}

static int tz_check_metadata(struct tz_pas *pas, int pas_id)
{
	const struct pas_sim_hash_header *hdr;
	const struct pas_sim_phdr *hash_phdr;
	u8 digest[PAS_SIM_DIGEST_SIZE];
	size_t hdr_size, table_len;
	int hash_idx, ret;

	ret = pas_sim_elf_parse(pas->meta, pas->meta_len, &pas->elf);
	if (ret)
		return tz_refuse(pas, pas_id, ret, "metadata is not an ELF image");

	if (pas->elf.phdrs[0].type == PT_LOAD || pas->elf.phdrs[0].offset)
		return tz_refuse(pas, pas_id, -EINVAL, "first segment does not hold the ELF headers");

	hash_idx = pas_sim_elf_hash_segment(&pas->elf);
	if (hash_idx < 0)
		return tz_refuse(pas, pas_id, -EINVAL, "no hash segment");

	hdr_size = pas->elf.phdrs[0].filesz;
	hash_phdr = &pas->elf.phdrs[hash_idx];
	if (hdr_size + hash_phdr->filesz != pas->meta_len ||
	    hash_phdr->filesz < sizeof(*hdr))
		return tz_refuse(pas, pas_id, -EINVAL, "metadata size does not match its headers");

	hdr = (const void *)(pas->meta + hdr_size);
	table_len = (size_t)pas->elf.phnum * PAS_SIM_DIGEST_SIZE;
	if (le32_to_cpu(hdr->magic) != PAS_SIM_HASH_MAGIC ||
	    le32_to_cpu(hdr->version) != PAS_SIM_FORMAT_VERSION ||
	    le32_to_cpu(hdr->num_entries) != pas->elf.phnum ||
	    le32_to_cpu(hdr->entry_size) != PAS_SIM_DIGEST_SIZE ||
	    le32_to_cpu(hdr->sig_size) != PAS_SIM_DIGEST_SIZE ||
	    sizeof(*hdr) + table_len + PAS_SIM_DIGEST_SIZE > hash_phdr->filesz)
		return tz_refuse(pas, pas_id, -EINVAL, "hash segment header is malformed");

	if (le32_to_cpu(hdr->pas_id) != pas_id)
		return tz_refuse(pas, pas_id, -EINVAL, "image is signed for another peripheral");

	pas->hashes = (const u8 *)(hdr + 1);
	if (!tz_signature_ok(hdr, pas->hashes, table_len, pas->hashes + table_len))
		return tz_refuse(pas, pas_id, -EINVAL, "hash table signature does not verify");

	sha256(pas->meta, hdr_size, digest);
	if (memcmp(digest, pas->hashes, sizeof(digest)))
		return tz_refuse(pas, pas_id, -EINVAL, "ELF headers do not match their hash");

	ret = pas_sim_elf_extent(&pas->elf, &pas->min_addr, &pas->max_addr,
				 &pas->relocatable);
	if (ret)
		return tz_refuse(pas, pas_id, ret, "image has no loadable segment");

	return 0;
}

int pas_sim_tz_init_image(int pas_id, const void *metadata, size_t len)
{
	struct tz_pas *pas;
	int ret;

	mutex_lock(&tz_lock);
	pas = tz_pas_get(pas_id);
	if (!pas) {
		ret = -EINVAL;
		goto out;
	}
	if (pas->state == TZ_PAS_RUNNING) {
		ret = tz_refuse(pas, pas_id, -EBUSY, "init while the peripheral is running");
		goto out;
	}

	tz_drop_metadata(pas);
	pas->have_region = false;
	pas->state = TZ_PAS_IDLE;
	pas->meta = kmemdup(metadata, len, GFP_KERNEL);
	if (!pas->meta) {
		ret = -ENOMEM;
		goto out;
	}
	pas->meta_len = len;

	ret = tz_check_metadata(pas, pas_id);
	if (ret) {
		tz_drop_metadata(pas);
		goto out;
	}

	pas->state = TZ_PAS_INITIALIZED;
	snprintf(pas->verdict, sizeof(pas->verdict), "metadata accepted");
out:
	mutex_unlock(&tz_lock);
	return ret;
}

int pas_sim_tz_mem_setup(int pas_id, phys_addr_t addr, size_t size)
{
	struct tz_pas *pas;
	int ret = 0;

	mutex_lock(&tz_lock);
	pas = tz_pas_get(pas_id);
	if (!pas || pas->state != TZ_PAS_INITIALIZED) {
		ret = -EINVAL;
		goto out;
	}
	if (!pas->relocatable || size < pas->max_addr - pas->min_addr ||
	    !PAGE_ALIGNED(addr)) {
		ret = tz_refuse(pas, pas_id, -EINVAL, "relocation region refused");
		goto out;
	}

	pas->region = addr;
	pas->region_size = size;
	pas->have_region = true;
out:
	mutex_unlock(&tz_lock);
	return ret;
}

static int tz_verify_segments(struct tz_pas *pas, int pas_id, const u8 *image)
{
	u8 digest[PAS_SIM_DIGEST_SIZE];
	char why[64];
	unsigned int i;

	for (i = 0; i < pas->elf.phnum; i++) {
		const struct pas_sim_phdr *phdr = &pas->elf.phdrs[i];
		u64 off = phdr->paddr - pas->min_addr;

		if (!pas_sim_phdr_loadable(phdr))
			continue;
		if (phdr->filesz > phdr->memsz || off + phdr->memsz > pas->region_size)
			return tz_refuse(pas, pas_id, -EINVAL, "segment outside the region");

		sha256(image + off, phdr->filesz, digest);
		if (memcmp(digest, pas->hashes + i * PAS_SIM_DIGEST_SIZE, sizeof(digest))) {
			snprintf(why, sizeof(why), "segment %u does not match its hash", i);
			return tz_refuse(pas, pas_id, -EINVAL, why);
		}
	}

	return 0;
}

int pas_sim_tz_auth_and_reset(int pas_id)
{
	struct tz_pas *pas;
	u64 entry_off;
	void *image;
	int ret;

	mutex_lock(&tz_lock);
	pas = tz_pas_get(pas_id);
	if (!pas || pas->state != TZ_PAS_INITIALIZED) {
		ret = -EINVAL;
		goto out;
	}

	if (!pas->have_region) {
		if (pas->relocatable) {
			ret = tz_refuse(pas, pas_id, -EINVAL, "relocatable image without a region");
			goto out;
		}
		pas->region = pas->min_addr;
		pas->region_size = pas->max_addr - pas->min_addr;
	}

	entry_off = pas->elf.entry - pas->min_addr;
	if (pas->elf.entry < pas->min_addr ||
	    entry_off + PAS_SIM_BOOT_BLOCK_SIZE > pas->region_size) {
		ret = tz_refuse(pas, pas_id, -EINVAL, "entry point outside the image");
		goto out;
	}

	image = memremap(pas->region, pas->region_size, MEMREMAP_WC);
	if (!image) {
		ret = tz_refuse(pas, pas_id, -ENOMEM, "cannot map the region");
		goto out;
	}
	ret = tz_verify_segments(pas, pas_id, image);
	memunmap(image);
	if (ret)
		goto out;

	/* the processor sees physical addresses: its IOMMU, if any, is Linux's business */
	pas_sim_dsp_release_reset(pas->dsp, pas->region + entry_off, pas->mbox_phys);
	pas->state = TZ_PAS_RUNNING;
	tz_drop_metadata(pas);
	snprintf(pas->verdict, sizeof(pas->verdict), "authenticated, reset released");
out:
	mutex_unlock(&tz_lock);
	return ret;
}

int pas_sim_tz_shutdown(int pas_id)
{
	struct tz_pas *pas;
	int ret = 0;

	mutex_lock(&tz_lock);
	pas = tz_pas_get(pas_id);
	if (!pas || pas->state != TZ_PAS_RUNNING) {
		ret = -EINVAL;
		goto out;
	}

	pas_sim_dsp_assert_reset(pas->dsp);
	pas->state = TZ_PAS_IDLE;
	snprintf(pas->verdict, sizeof(pas->verdict), "shut down");
out:
	mutex_unlock(&tz_lock);
	return ret;
}

void pas_sim_tz_metadata_release(int pas_id)
{
	struct tz_pas *pas;

	mutex_lock(&tz_lock);
	pas = tz_pas_get(pas_id);
	if (pas && pas->state != TZ_PAS_RUNNING) {
		tz_drop_metadata(pas);
		pas->state = TZ_PAS_IDLE;
	}
	mutex_unlock(&tz_lock);
}

int pas_sim_tz_shm_bridge_create(phys_addr_t addr, size_t size, u64 *handle)
{
	struct tz_bridge *bridge;

	if (!size || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(size))
		return -EINVAL;

	bridge = kzalloc(sizeof(*bridge), GFP_KERNEL);
	if (!bridge)
		return -ENOMEM;
	bridge->addr = addr;
	bridge->size = size;

	mutex_lock(&tz_lock);
	bridge->handle = tz_next_bridge++;
	list_add_tail(&bridge->node, &tz_bridges);
	mutex_unlock(&tz_lock);

	*handle = bridge->handle;
	return 0;
}

int pas_sim_tz_shm_bridge_delete(u64 handle)
{
	struct tz_bridge *bridge;
	int ret = -ENOENT;

	mutex_lock(&tz_lock);
	list_for_each_entry(bridge, &tz_bridges, node) {
		if (bridge->handle == handle) {
			list_del(&bridge->node);
			kfree(bridge);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&tz_lock);
	return ret;
}

void pas_sim_tz_show(struct seq_file *s, int pas_id)
{
	struct tz_bridge *bridge;
	unsigned int bridges = 0;
	struct tz_pas *pas;

	mutex_lock(&tz_lock);
	list_for_each_entry(bridge, &tz_bridges, node)
		bridges++;
	pas = tz_pas_get(pas_id);
	if (pas)
		seq_printf(s, "tz_state: %s\ntz_verdict: %s\n",
			   tz_state_names[pas->state], pas->verdict);
	seq_printf(s, "tz_shm_bridges: %u\n", bridges);
	mutex_unlock(&tz_lock);
}

void pas_sim_tz_exit(void)
{
	struct tz_bridge *bridge, *tmp;

	mutex_lock(&tz_lock);
	list_for_each_entry_safe(bridge, tmp, &tz_bridges, node) {
		pr_warn("SHM bridge %llu for %pa+%#zx was never deleted\n",
			bridge->handle, &bridge->addr, bridge->size);
		list_del(&bridge->node);
		kfree(bridge);
	}
	mutex_unlock(&tz_lock);
}
