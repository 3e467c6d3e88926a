// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register-level access to QEMU's edu device (hw/misc/edu.c): identification,
 * the liveness register and its DMA engine. Completion is polled rather than
 * signalled by MSI so the same code runs under Xen, where dom0 may not get
 * MSIs for emulated devices.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/pci.h>

#include "edu.h"

#define EDU_REG_IDENT		0x00
#define EDU_REG_LIVENESS	0x04
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_IDENT_MASK		0x0000ffff
#define EDU_IDENT		0x000000ed

#define EDU_DMA_RUN		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)

/* Device-side address of the edu's 4 KiB DMA buffer */
#define EDU_DMA_BUF		0x40000
#define EDU_DMA_BUF_SIZE	0x1000

/* edu completes a transfer 100 ms (virtual) after it is started */
#define EDU_DMA_TIMEOUT_MS	2000

int pas_sim_edu_init(struct pas_sim_edu *edu, struct pci_dev *pdev)
{
	u32 ident;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	ret = pcim_iomap_regions(pdev, BIT(0), dev_name(&pdev->dev));
	if (ret)
		return ret;

	/* without bus mastering QEMU drops the device's DMA silently */
	pci_set_master(pdev);

	edu->pdev = pdev;
	edu->regs = pcim_iomap_table(pdev)[0];
	edu->dma_timeout_ms = EDU_DMA_TIMEOUT_MS;
	mutex_init(&edu->lock);

	ident = readl(edu->regs + EDU_REG_IDENT);
	if ((ident & EDU_IDENT_MASK) != EDU_IDENT) {
		dev_err(&pdev->dev, "not an edu device (ident %#010x)\n", ident);
		return -ENODEV;
	}

	if (!pas_sim_edu_alive(edu)) {
		dev_err(&pdev->dev, "edu liveness check failed\n");
		return -EIO;
	}

	return 0;
}

bool pas_sim_edu_alive(struct pas_sim_edu *edu)
{
	u32 probe = 0x5a5aa5a5 ^ (u32)jiffies;

	writel(probe, edu->regs + EDU_REG_LIVENESS);
	return readl(edu->regs + EDU_REG_LIVENESS) == ~probe;
}

static bool xfer_fits(u32 buf_off, u32 len)
{
	return len && len <= PAS_SIM_EDU_MAX_XFER &&
	       buf_off < EDU_DMA_BUF_SIZE &&
	       buf_off + len < EDU_DMA_BUF_SIZE;
}

static int edu_dma(struct pas_sim_edu *edu, u64 src, u64 dst, u32 len, u32 cmd)
{
	u64 status;
	int ret;

	mutex_lock(&edu->lock);
	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_CNT);
	writeq(cmd | EDU_DMA_RUN, edu->regs + EDU_REG_DMA_CMD);
	ret = readq_poll_timeout(edu->regs + EDU_REG_DMA_CMD, status,
				 !(status & EDU_DMA_RUN), 1000,
				 edu->dma_timeout_ms * USEC_PER_MSEC);
	mutex_unlock(&edu->lock);

	return ret;
}

/* Copies len bytes at device address src_da into the edu's buffer */
int pas_sim_edu_fetch(struct pas_sim_edu *edu, u64 src_da, u32 buf_off, u32 len)
{
	if (!xfer_fits(buf_off, len))
		return -EINVAL;

	return edu_dma(edu, src_da, EDU_DMA_BUF + buf_off, len, 0);
}

/* Copies len bytes of the edu's buffer to device address dst_da */
int pas_sim_edu_store(struct pas_sim_edu *edu, u32 buf_off, u64 dst_da, u32 len)
{
	if (!xfer_fits(buf_off, len))
		return -EINVAL;

	return edu_dma(edu, EDU_DMA_BUF + buf_off, dst_da, len, EDU_DMA_TO_RAM);
}
