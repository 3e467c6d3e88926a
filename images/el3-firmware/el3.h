/* What the exception entry code hands to C, and the cross-file entry points of the monitor. */
#ifndef EL3_EL3_H
#define EL3_EL3_H
#include "types.h"

/* Saved lower-EL context, laid out by entry.S: x0..x30, ELR_EL3, SPSR_EL3, one pad slot. */
struct el3_frame {
	u64 x[31];
	u64 elr;
	u64 spsr;
	u64 pad;
};

/* Which exception level Linux runs at: decided once on the boot CPU, used for every CPU. */
extern u32 linux_el;

u32 cpu_index(void);				/* Aff0 of MPIDR_EL1 */
void cpu_init_el3(void);			/* per-CPU EL3 control registers */
void cpu_prepare_entry(u64 entry);		/* ELR/SPSR (and the target EL's SCTLR) for an ERET into Linux */
void el3_cpu_park(u64 cpu) __attribute__((noreturn));	/* entry.S: fresh stack, wait for CPU_ON */

#endif
