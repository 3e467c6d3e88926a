/* GICv2 as the secure world sees it: everything group 1 (Linux's) except the secure timer PPI,
 * which is group 0 and so signals FIQ, routed to EL3 by SCR_EL3.FIQ. */
#ifndef EL3_GIC_H
#define EL3_GIC_H
#include "types.h"

void gic_init_distributor(void);	/* once, on the boot CPU */
void gic_init_cpu(int is_boot_cpu);	/* on every CPU: banked SGI/PPI groups, CPU interface */
void gic_set_spi_pending(u32 spi);	/* raise an edge SPI towards Linux */
u32 gic_ack_fiq(void);			/* GICC_IAR; 1020..1023 are spurious */
void gic_end_fiq(u32 iar);

void timer_tick_arm(void);		/* (re)arm the secure physical timer for 1/TICK_HZ s */

#endif
