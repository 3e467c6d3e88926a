/* SPDX-License-Identifier: GPL-2.0-only */
/* QEMU's "edu" PCI device, used as a remote processor's DMA master. */
#ifndef PAS_SIM_EDU_H
#define PAS_SIM_EDU_H

#include <linux/mutex.h>
#include <linux/types.h>

struct pci_dev;

/*
 * QEMU 7.2 aborts the whole machine on a transfer that reaches the last byte
 * of the device's 4 KiB buffer, so no transfer may be longer than this.
 */
#define PAS_SIM_EDU_MAX_XFER	4095

struct pas_sim_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex lock;	/* one DMA engine per device */
	unsigned int dma_timeout_ms;
};

int pas_sim_edu_init(struct pas_sim_edu *edu, struct pci_dev *pdev);
int pas_sim_edu_fetch(struct pas_sim_edu *edu, u64 src_da, u32 buf_off, u32 len);
int pas_sim_edu_store(struct pas_sim_edu *edu, u32 buf_off, u64 dst_da, u32 len);
bool pas_sim_edu_alive(struct pas_sim_edu *edu);

#endif
