// SPDX-License-Identifier: GPL-2.0-only
/*
 * ADSP and CDSP as real remoteprocs: the remoteproc core owns their state,
 * sysfs, debugfs, crash handling and recovery; these ops follow
 * qcom_q6v5_pas.c (load = init image + mem setup + copy, start =
 * auth-and-reset + wait for the processor, stop = request stop + shutdown)
 * and print its messages.
 */
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/pci.h>
#include <linux/remoteproc.h>
#include <linux/workqueue.h>

#include "dsp.h"
#include "elf.h"
#include "pas_sim.h"
#include "tz.h"

#define HEARTBEAT_ANSWER_MS	1000

struct pas_sim_rproc {
	struct pas_sim_proc *proc;
	struct rproc *rproc;
	struct delayed_work heartbeat;
	bool running;		/* as qcom_q6v5's: cleared once the processor is lost */
};

static void schedule_heartbeat(struct pas_sim_rproc *r)
{
	if (pas_sim_heartbeat_ms)
		schedule_delayed_work(&r->heartbeat, msecs_to_jiffies(pas_sim_heartbeat_ms));
}

/* The module's own watchdog: a processor that stops answering has crashed */
static void heartbeat_work(struct work_struct *work)
{
	struct pas_sim_rproc *r = container_of(to_delayed_work(work),
					       struct pas_sim_rproc, heartbeat);
	struct pas_sim_proc *proc = r->proc;
	int ret = -EIO;

	pas_sim_clear_answer(proc, PAS_SIM_MBOX_PING);
	if (pas_sim_edu_alive(&proc->edu)) {
		pas_sim_dsp_request(proc->dsp, PAS_SIM_DSP_PING);
		ret = pas_sim_wait_for_answer(proc, PAS_SIM_MBOX_PING, HEARTBEAT_ANSWER_MS);
	}

	if (!ret) {
		schedule_heartbeat(r);
		return;
	}

	r->running = false;
	dev_err(proc->dev, "no heartbeat from %s within %u ms (simulated watchdog)\n",
		proc->desc->name, HEARTBEAT_ANSWER_MS);
	rproc_report_crash(r->rproc, RPROC_WATCHDOG);
}

static int pas_sim_rproc_load(struct rproc *rproc, const struct firmware *fw)
{
	struct pas_sim_rproc *r = rproc->priv;

	return pas_sim_load(r->proc, fw, rproc->firmware);
}

static int pas_sim_rproc_start(struct rproc *rproc)
{
	struct pas_sim_rproc *r = rproc->priv;
	struct pas_sim_proc *proc = r->proc;
	int ret;

	ret = pas_sim_auth_and_reset(proc);
	if (ret) {
		dev_err(proc->dev, "failed to authenticate image and release reset\n");
		goto release_pas_metadata;
	}

	ret = pas_sim_wait_for_answer(proc, PAS_SIM_MBOX_BOOT, pas_sim_start_timeout_ms);
	if (ret == -ETIMEDOUT) {
		dev_err(proc->dev, "start timed out\n");
		pas_sim_shutdown(proc);
		goto release_pas_metadata;
	}

	r->running = true;
	schedule_heartbeat(r);
	return 0;

release_pas_metadata:
	pas_sim_tz_metadata_release(proc->desc->pas_id);
	return ret;
}

static int pas_sim_rproc_stop(struct rproc *rproc)
{
	struct pas_sim_rproc *r = rproc->priv;
	struct pas_sim_proc *proc = r->proc;
	int ret;

	cancel_delayed_work_sync(&r->heartbeat);

	if (r->running) {
		pas_sim_clear_answer(proc, PAS_SIM_MBOX_STOP);
		pas_sim_dsp_request(proc->dsp, PAS_SIM_DSP_STOP);
		ret = pas_sim_wait_for_answer(proc, PAS_SIM_MBOX_STOP, pas_sim_stop_timeout_ms);
		if (ret == -ETIMEDOUT)
			dev_err(proc->dev, "timed out on wait\n");
	}
	r->running = false;

	ret = pas_sim_shutdown(proc);
	if (ret)
		dev_err(proc->dev, "failed to shutdown: %d\n", ret);

	return ret;
}

static void *pas_sim_rproc_da_to_va(struct rproc *rproc, u64 da, size_t len, bool *is_iomem)
{
	struct pas_sim_rproc *r = rproc->priv;

	if (is_iomem)
		*is_iomem = false;
	return pas_sim_da_to_va(r->proc, da, len);
}

/* Like qcom_register_dump_segments(): dump what the image loads */
static int pas_sim_rproc_parse_fw(struct rproc *rproc, const struct firmware *fw)
{
	struct pas_sim_elf elf;
	unsigned int i;
	int ret;

	/* a broken image is reported by load, in the loader's words */
	if (pas_sim_elf_parse(fw->data, fw->size, &elf))
		return 0;

	for (i = 0; i < elf.phnum; i++) {
		if (!pas_sim_phdr_loadable(&elf.phdrs[i]))
			continue;
		ret = rproc_coredump_add_segment(rproc, elf.phdrs[i].paddr,
						 elf.phdrs[i].memsz);
		if (ret)
			break;
	}

	pas_sim_elf_free(&elf);
	return 0;
}

static const struct rproc_ops pas_sim_rproc_ops = {
	.start = pas_sim_rproc_start,
	.stop = pas_sim_rproc_stop,
	.da_to_va = pas_sim_rproc_da_to_va,
	.parse_fw = pas_sim_rproc_parse_fw,
	.load = pas_sim_rproc_load,
};

int pas_sim_rproc_probe(struct pas_sim_proc *proc)
{
	struct pas_sim_rproc *r;
	struct rproc *rproc;
	int ret;

	rproc = rproc_alloc(proc->dev, proc->desc->name, &pas_sim_rproc_ops,
			    proc->firmware_name, sizeof(*r));
	if (!rproc) {
		dev_err(proc->dev, "unable to allocate remoteproc\n");
		return -ENOMEM;
	}

	r = rproc->priv;
	r->proc = proc;
	r->rproc = rproc;
	INIT_DELAYED_WORK(&r->heartbeat, heartbeat_work);
	rproc->auto_boot = true;
	proc->role = r;

	ret = rproc_add(rproc);
	if (ret) {
		rproc_free(rproc);
		proc->role = NULL;
	}

	return ret;
}

void pas_sim_rproc_remove(struct pas_sim_proc *proc)
{
	struct pas_sim_rproc *r = proc->role;

	if (!r)
		return;

	rproc_del(r->rproc);
	cancel_delayed_work_sync(&r->heartbeat);
	rproc_free(r->rproc);
	proc->role = NULL;
}
