/* The machine this firmware runs on: QEMU `-M virt,secure=on` (gic-version=2), as laid out by
 * QEMU 7.2, plus the Qualcomm-shaped regions pilot's board DTS reserves for SMEM and the remote
 * processors. Keep these numbers and board-qcom.dtsi in step. */
#ifndef EL3_PLATFORM_H
#define EL3_PLATFORM_H

/* Secure world (only EL3 sees these). */
#define SEC_FLASH_BASE		0x00000000UL	/* -bios image: code and rodata */
#define SEC_RAM_BASE		0x0e000000UL	/* 16 MiB secure RAM: bss and stacks */
#define SEC_UART_BASE		0x09040000UL	/* PL011, second -serial: the host channel */
#define SEC_GPIO_BASE		0x090b0000UL	/* PL061 wired to QEMU's power controls */

/* Shared with the normal world. */
#define GICD_BASE		0x08000000UL
#define GICC_BASE		0x08010000UL
#define PCIE_ECAM_BASE		0x4010000000UL	/* high ECAM, bus 0 at offset 0 */

#define NS_DRAM_BASE		0x40000000UL
#define NS_KERNEL_ADDR		0x40200000UL	/* -device loader,file=Image,addr=… */
#define NS_DTB_ADDR		0x4c000000UL	/* -device loader,file=board.dtb,addr=… */

/* Reserved by the board DTS (no-map): SMEM, the TCSR mutex page, the IPC page, carve-outs. */
#define SMEM_BASE		0x7c000000UL
#define SMEM_SIZE		0x00100000UL
#define ADSP_MEM_BASE		0x7c200000UL
#define ADSP_MEM_SIZE		0x00200000UL
#define CDSP_MEM_BASE		0x7c400000UL
#define CDSP_MEM_SIZE		0x00200000UL

/* GIC SPIs the firmware raises towards Linux (edge, rising). */
#define SPI_ADSP_SMP2P		80
#define SPI_ADSP_WDOG		81
#define SPI_CDSP_SMP2P		82
#define SPI_CDSP_WDOG		83

/* PPI of the secure physical timer, routed as group 0 (FIQ) to EL3. */
#define PPI_SECURE_TIMER	29
#define TICK_HZ			100

#define MAX_CPUS		8	/* GICv2 limit; QEMU virt with gic-version=2 */
#define EL3_STACK_SIZE		0x4000

#endif
