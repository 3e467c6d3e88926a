// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Linux side of the PAS flow, in upstream's order: init image and mem
 * setup (at load), then - with the IOMMU path - map the carve-out and set up
 * the SHM bridge, auth-and-reset, tear the bridge down, and wait for the
 * processor's answer in the mailbox. Shutdown undoes it.
 */
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/firmware.h>
#include <linux/io.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#include "dsp.h"
#include "fwfmt.h"
#include "mdt.h"
#include "pas_sim.h"
#include "tz.h"

#define ANSWER_POLL_MS	10

int pas_sim_carveout_init(struct pas_sim_proc *proc)
{
	struct device_node *node;
	struct reserved_mem *rmem;

	node = of_parse_phandle(proc->dev->of_node, "memory-region", 0);
	if (!node) {
		dev_err(proc->dev, "no memory-region specified\n");
		return -EINVAL;
	}

	rmem = of_reserved_mem_lookup(node);
	of_node_put(node);
	if (!rmem) {
		dev_err(proc->dev, "unable to resolve memory-region\n");
		return -EINVAL;
	}

	if (rmem->size < 2 * PAS_SIM_MBOX_SIZE || !PAGE_ALIGNED(rmem->base) ||
	    !PAGE_ALIGNED(rmem->size)) {
		dev_err(proc->dev, "memory-region %pa+%pa is too small or unaligned\n",
			&rmem->base, &rmem->size);
		return -EINVAL;
	}

	proc->mem_phys = rmem->base;
	proc->mem_reloc = rmem->base;
	proc->mem_size = rmem->size;
	proc->mem_region = devm_memremap(proc->dev, proc->mem_phys, proc->mem_size,
					 MEMREMAP_WC);
	if (IS_ERR(proc->mem_region)) {
		dev_err(proc->dev, "unable to map memory region: %pa+%zx\n",
			&rmem->base, proc->mem_size);
		return PTR_ERR(proc->mem_region);
	}

	return 0;
}

/* Firmware may use all of the carve-out except the mailbox page */
size_t pas_sim_load_size(struct pas_sim_proc *proc)
{
	return proc->mem_size - PAS_SIM_MBOX_SIZE;
}

static void *mailbox(struct pas_sim_proc *proc)
{
	return proc->mem_region + pas_sim_load_size(proc);
}

int pas_sim_load(struct pas_sim_proc *proc, const struct firmware *fw, const char *fw_name)
{
	int pas_id = proc->desc->pas_id;
	int ret;

	ret = pas_sim_mdt_pas_init(proc->dev, fw, fw_name, pas_id, proc->mem_phys);
	if (ret)
		return ret;

	ret = pas_sim_mdt_load_no_init(proc->dev, fw, fw_name, proc->mem_region,
				       proc->mem_phys, pas_sim_load_size(proc),
				       &proc->mem_reloc, &proc->entry);
	if (ret)
		pas_sim_tz_metadata_release(pas_id);

	return ret;
}

int pas_sim_auth_and_reset(struct pas_sim_proc *proc)
{
	bool bridge = false;
	u64 handle = 0;
	int ret;

	/* a stale answer from an earlier boot must not count */
	memset(mailbox(proc), 0, PAS_SIM_MBOX_SIZE);
	wmb();

	ret = pas_sim_iommu_map(&proc->iommu, proc->pdev, proc->mem_phys, proc->mem_size);
	if (ret)
		return ret;

	if (proc->iommu.managed) {
		/* what qcom_scm does when no hypervisor sets up the bridge for Linux */
		ret = pas_sim_tz_shm_bridge_create(proc->mem_phys, proc->mem_size, &handle);
		if (ret) {
			dev_err(proc->dev, "failed to create SHM bridge: %d\n", ret);
			goto unmap;
		}
		bridge = true;
		dev_info(proc->dev, "SHM bridge %llu created for %pa+%#zx (simulated)\n",
			 handle, &proc->mem_phys, proc->mem_size);
	}

	ret = pas_sim_tz_auth_and_reset(proc->desc->pas_id);

	if (bridge) {
		pas_sim_tz_shm_bridge_delete(handle);
		dev_info(proc->dev, "SHM bridge %llu deleted (simulated)\n", handle);
	}
	if (!ret)
		return 0;
unmap:
	pas_sim_iommu_unmap(&proc->iommu, proc->pdev);
	return ret;
}

static const u8 *boot_block(struct pas_sim_proc *proc)
{
	return pas_sim_da_to_va(proc, proc->entry, PAS_SIM_BOOT_BLOCK_SIZE);
}

/* The answer in a slot must be the loaded boot block (or its header), intact */
static bool answer_valid(struct pas_sim_proc *proc, unsigned int slot)
{
	const struct pas_sim_boot_header *hdr = mailbox(proc) + slot;
	size_t len = slot == PAS_SIM_MBOX_BOOT ? PAS_SIM_BOOT_BLOCK_SIZE : sizeof(*hdr);
	const u8 *loaded = boot_block(proc);
	u32 crc;

	if (!loaded)
		return false;

	if (memcmp(hdr->magic, PAS_SIM_BOOT_MAGIC, sizeof(hdr->magic)))
		return false;
	if (le32_to_cpu(hdr->pas_id) != proc->desc->pas_id ||
	    le32_to_cpu(hdr->size) != PAS_SIM_BOOT_BLOCK_SIZE)
		return false;
	if (memcmp(hdr, loaded, len))
		return false;
	if (slot != PAS_SIM_MBOX_BOOT)
		return true;

	crc = ~crc32_le(~0, (const u8 *)(hdr + 1), len - sizeof(*hdr));
	return crc == le32_to_cpu(hdr->crc32);
}

int pas_sim_wait_for_answer(struct pas_sim_proc *proc, unsigned int slot,
			    unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);

	for (;;) {
		rmb();
		if (answer_valid(proc, slot))
			return 0;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		msleep(ANSWER_POLL_MS);
	}
}

/* Clears a slot before asking the processor to fill it again */
void pas_sim_clear_answer(struct pas_sim_proc *proc, unsigned int slot)
{
	memset(mailbox(proc) + slot, 0, sizeof(struct pas_sim_boot_header));
	wmb();
}

int pas_sim_shutdown(struct pas_sim_proc *proc)
{
	int ret;

	ret = pas_sim_tz_shutdown(proc->desc->pas_id);
	pas_sim_iommu_unmap(&proc->iommu, proc->pdev);
	return ret;
}

void *pas_sim_da_to_va(struct pas_sim_proc *proc, u64 da, size_t len)
{
	s64 offset = da - proc->mem_reloc;

	if (offset < 0 || offset + len > pas_sim_load_size(proc))
		return NULL;

	return proc->mem_region + offset;
}
