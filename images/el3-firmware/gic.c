/* GICv2 distributor/CPU interface set-up from the secure side, and the secure timer tick. */
#include "gic.h"
#include "platform.h"

#define GICD_CTLR	0x000
#define GICD_TYPER	0x004
#define GICD_IGROUPR	0x080
#define GICD_ISENABLER	0x100
#define GICD_ISPENDR	0x200
#define GICD_IPRIORITYR	0x400

#define GICC_CTLR	0x000
#define GICC_PMR	0x004
#define GICC_IAR	0x00c
#define GICC_EOIR	0x010

#define GICC_CTLR_ENABLE_GRP0	BIT(0)
#define GICC_CTLR_ENABLE_GRP1	BIT(1)
#define GICC_CTLR_FIQEN		BIT(3)

void gic_init_distributor(void)
{
	u32 words = (mmio_read32(GICD_BASE + GICD_TYPER) & 0x1f) + 1, i;

	/* SPIs: all group 1, Linux configures and enables them itself */
	for (i = 1; i < words; i++)
		mmio_write32(GICD_BASE + GICD_IGROUPR + 4 * i, 0xffffffffu);
	mmio_write32(GICD_BASE + GICD_CTLR, 3);	/* EnableGrp0 | EnableGrp1 */
}

void gic_init_cpu(int is_boot_cpu)
{
	u32 group0 = is_boot_cpu ? (u32)BIT(PPI_SECURE_TIMER) : 0;

	/* SGIs and PPIs are banked per CPU: group 1 except our timer on the boot CPU */
	mmio_write32(GICD_BASE + GICD_IGROUPR, ~group0);
	if (is_boot_cpu) {
		*(volatile u8 *)(GICD_BASE + GICD_IPRIORITYR + PPI_SECURE_TIMER) = 0;
		mmio_write32(GICD_BASE + GICD_ISENABLER, group0);
	}
	mmio_write32(GICC_BASE + GICC_PMR, 0xff);
	mmio_write32(GICC_BASE + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_FIQEN);
}

void gic_set_spi_pending(u32 spi)
{
	u32 id = spi + 32;
	mmio_write32(GICD_BASE + GICD_ISPENDR + 4 * (id / 32), 1u << (id % 32));
}

u32 gic_ack_fiq(void) { return mmio_read32(GICC_BASE + GICC_IAR); }

void gic_end_fiq(u32 iar) { mmio_write32(GICC_BASE + GICC_EOIR, iar); }

void timer_tick_arm(void)
{
	write_sysreg(cntps_tval_el1, read_sysreg(cntfrq_el0) / TICK_HZ);
	write_sysreg(cntps_ctl_el1, 1);	/* enabled, not masked */
	isb();
}
