/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated remote processor. It sees memory only through its DMA master
 * (an edu device): at reset release it fetches its boot block from the
 * carve-out and reports by writing data back into the carve-out's mailbox.
 */
#ifndef PAS_SIM_DSP_H
#define PAS_SIM_DSP_H

#include <linux/types.h>

struct device;
struct pas_sim_dsp;
struct pas_sim_edu;

/* Mailbox slots, as offsets into the mailbox page at the end of the carve-out */
#define PAS_SIM_MBOX_SIZE	0x1000
#define PAS_SIM_MBOX_BOOT	0x000	/* copy of the whole boot block */
#define PAS_SIM_MBOX_PING	0x800	/* copy of the boot header */
#define PAS_SIM_MBOX_STOP	0x840	/* copy of the boot header */

enum pas_sim_dsp_request {
	PAS_SIM_DSP_PING,
	PAS_SIM_DSP_STOP,
};

struct pas_sim_dsp *pas_sim_dsp_create(struct device *dev, const char *name,
				       struct pas_sim_edu *edu);
void pas_sim_dsp_destroy(struct pas_sim_dsp *dsp);

/* Driven by "TrustZone" */
void pas_sim_dsp_release_reset(struct pas_sim_dsp *dsp, u64 boot_da, u64 mbox_da);
void pas_sim_dsp_assert_reset(struct pas_sim_dsp *dsp);

/* Driven by Linux, as an interrupt or SMP2P bit would be */
void pas_sim_dsp_request(struct pas_sim_dsp *dsp, enum pas_sim_dsp_request req);

/* Fault injection: a hung processor answers nothing until its next reset */
void pas_sim_dsp_set_hung(struct pas_sim_dsp *dsp, bool hung);
const char *pas_sim_dsp_state(struct pas_sim_dsp *dsp);
unsigned int pas_sim_dsp_dma_errors(struct pas_sim_dsp *dsp);

#endif
