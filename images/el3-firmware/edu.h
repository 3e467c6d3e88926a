/* QEMU's `edu` PCI device used as a remote processor's bus master (its DMA goes through the
 * SMMUv3 when the machine has one). Transfers are at most EDU_DMA_MAX bytes: QEMU 7.2's edu aborts
 * on a DMA that touches the last byte of its 4 KiB buffer. */
#ifndef EL3_EDU_H
#define EL3_EDU_H
#include "types.h"

#define EDU_BUF_ADDR	0x40000UL	/* the device-side address of its DMA buffer */
#define EDU_DMA_MAX	4095UL

/* Finds the edu at bus 0, device `slot`, function 0; enables memory decoding and bus mastering.
 * Returns its BAR0 address, or 0 when there is no edu there or Linux has not assigned BAR0 yet. */
u64 edu_find(u32 slot);
/* Starts one DMA; to_device: RAM -> edu buffer, else edu buffer -> RAM. Returns 0 or -1 (too big). */
int edu_dma_start(u64 bar, u64 src, u64 dst, u64 len, int to_device);
int edu_dma_busy(u64 bar);

#endif
