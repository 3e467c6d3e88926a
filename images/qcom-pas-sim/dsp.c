// SPDX-License-Identifier: GPL-2.0-only
/*
 * The remote side of the simulated SoC. Everything here acts as the processor
 * would: it never touches the carve-out through the CPU, only through its edu
 * DMA master, so a missing IOMMU mapping really starves it.
 */
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "dsp.h"
#include "edu.h"
#include "fwfmt.h"

#define REQ_BOOT	BIT(0)
#define REQ_PING	BIT(1)
#define REQ_STOP	BIT(2)

struct pas_sim_dsp {
	struct device *dev;
	struct pas_sim_edu *edu;
	struct workqueue_struct *wq;
	struct work_struct work;

	spinlock_t lock;	/* protects the fields below */
	unsigned long pending;
	bool powered;
	bool hung;
	u64 boot_da;
	u64 mbox_da;
	unsigned int dma_errors;
};

/* One exchange: read len bytes of the boot block, write them into a mailbox slot */
static void dsp_echo(struct pas_sim_dsp *dsp, u64 boot_da, u64 dst_da, u32 len)
{
	int ret;

	ret = pas_sim_edu_fetch(dsp->edu, boot_da, 0, len);
	if (!ret)
		ret = pas_sim_edu_store(dsp->edu, 0, dst_da, len);
	if (ret) {
		spin_lock(&dsp->lock);
		dsp->dma_errors++;
		spin_unlock(&dsp->lock);
		dev_dbg(dsp->dev, "edu transfer did not complete: %d\n", ret);
	}
}

static void dsp_work(struct work_struct *work)
{
	struct pas_sim_dsp *dsp = container_of(work, struct pas_sim_dsp, work);
	unsigned long pending;
	u64 boot_da, mbox_da;

	spin_lock(&dsp->lock);
	pending = dsp->pending;
	dsp->pending = 0;
	boot_da = dsp->boot_da;
	mbox_da = dsp->mbox_da;
	if (!dsp->powered || dsp->hung)
		pending = 0;
	spin_unlock(&dsp->lock);

	if (pending & REQ_BOOT)
		dsp_echo(dsp, boot_da, mbox_da + PAS_SIM_MBOX_BOOT,
			 PAS_SIM_BOOT_BLOCK_SIZE);
	if (pending & REQ_PING)
		dsp_echo(dsp, boot_da, mbox_da + PAS_SIM_MBOX_PING,
			 sizeof(struct pas_sim_boot_header));
	if (pending & REQ_STOP)
		dsp_echo(dsp, boot_da, mbox_da + PAS_SIM_MBOX_STOP,
			 sizeof(struct pas_sim_boot_header));
}

static void dsp_queue(struct pas_sim_dsp *dsp, unsigned long req)
{
	spin_lock(&dsp->lock);
	dsp->pending |= req;
	spin_unlock(&dsp->lock);
	queue_work(dsp->wq, &dsp->work);
}

struct pas_sim_dsp *pas_sim_dsp_create(struct device *dev, const char *name,
				       struct pas_sim_edu *edu)
{
	struct pas_sim_dsp *dsp;

	dsp = kzalloc(sizeof(*dsp), GFP_KERNEL);
	if (!dsp)
		return ERR_PTR(-ENOMEM);

	dsp->wq = alloc_ordered_workqueue("pas-sim-%s", 0, name);
	if (!dsp->wq) {
		kfree(dsp);
		return ERR_PTR(-ENOMEM);
	}

	dsp->dev = dev;
	dsp->edu = edu;
	spin_lock_init(&dsp->lock);
	INIT_WORK(&dsp->work, dsp_work);
	return dsp;
}

void pas_sim_dsp_destroy(struct pas_sim_dsp *dsp)
{
	if (IS_ERR_OR_NULL(dsp))
		return;
	pas_sim_dsp_assert_reset(dsp);
	destroy_workqueue(dsp->wq);
	kfree(dsp);
}

void pas_sim_dsp_release_reset(struct pas_sim_dsp *dsp, u64 boot_da, u64 mbox_da)
{
	spin_lock(&dsp->lock);
	dsp->powered = true;
	dsp->hung = false;
	dsp->boot_da = boot_da;
	dsp->mbox_da = mbox_da;
	dsp->pending = 0;
	spin_unlock(&dsp->lock);

	dsp_queue(dsp, REQ_BOOT);
}

void pas_sim_dsp_assert_reset(struct pas_sim_dsp *dsp)
{
	spin_lock(&dsp->lock);
	dsp->powered = false;
	dsp->hung = false;
	dsp->pending = 0;
	spin_unlock(&dsp->lock);

	/* a transfer in flight still lands; wait so the next boot starts clean */
	flush_workqueue(dsp->wq);
}

void pas_sim_dsp_request(struct pas_sim_dsp *dsp, enum pas_sim_dsp_request req)
{
	dsp_queue(dsp, req == PAS_SIM_DSP_STOP ? REQ_STOP : REQ_PING);
}

void pas_sim_dsp_set_hung(struct pas_sim_dsp *dsp, bool hung)
{
	spin_lock(&dsp->lock);
	dsp->hung = hung && dsp->powered;
	spin_unlock(&dsp->lock);
}

const char *pas_sim_dsp_state(struct pas_sim_dsp *dsp)
{
	const char *state;

	spin_lock(&dsp->lock);
	if (!dsp->powered)
		state = "reset";
	else if (dsp->hung)
		state = "hung";
	else
		state = "running";
	spin_unlock(&dsp->lock);

	return state;
}

unsigned int pas_sim_dsp_dma_errors(struct pas_sim_dsp *dsp)
{
	unsigned int errors;

	spin_lock(&dsp->lock);
	errors = dsp->dma_errors;
	spin_unlock(&dsp->lock);

	return errors;
}
