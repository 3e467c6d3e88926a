/* Config space through the ECAM window, then the edu's DMA engine (registers 0x80..0x98). */
#include "edu.h"
#include "platform.h"

#define EDU_VENDOR_DEVICE	0x11e81234u
#define PCI_COMMAND		0x04
#define PCI_BAR0		0x10
#define PCI_CMD_MEMORY		BIT(1)
#define PCI_CMD_MASTER		BIT(2)

#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_CMD_START		BIT(0)
#define EDU_CMD_FROM_DEVICE	BIT(1)	/* direction: edu buffer -> RAM */

static u64 ecam(u32 slot) { return PCIE_ECAM_BASE + ((u64)slot << 15); }

u64 edu_find(u32 slot)
{
	u64 cfg = ecam(slot);
	u32 bar;

	if (mmio_read32(cfg) != EDU_VENDOR_DEVICE)
		return 0;
	bar = mmio_read32(cfg + PCI_BAR0) & ~0xfu;
	if (!bar)
		return 0;
	mmio_write16(cfg + PCI_COMMAND, mmio_read16(cfg + PCI_COMMAND) | PCI_CMD_MEMORY | PCI_CMD_MASTER);
	return bar;
}

int edu_dma_start(u64 bar, u64 src, u64 dst, u64 len, int to_device)
{
	if (!len || len > EDU_DMA_MAX)
		return -1;
	mmio_write64(bar + EDU_DMA_SRC, src);
	mmio_write64(bar + EDU_DMA_DST, dst);
	mmio_write64(bar + EDU_DMA_COUNT, len);
	mmio_write64(bar + EDU_DMA_CMD, EDU_CMD_START | (to_device ? 0 : EDU_CMD_FROM_DEVICE));
	return 0;
}

int edu_dma_busy(u64 bar) { return (int)(mmio_read64(bar + EDU_DMA_CMD) & EDU_CMD_START); }
