/* PSCI 1.1 over SMC (Linux's psci driver with method = "smc"), both SMC32 and SMC64 IDs. */
#ifndef EL3_PSCI_H
#define EL3_PSCI_H
#include "el3.h"

void psci_init(void);			/* boot CPU: it is ON, the others OFF */
void psci_handle(struct el3_frame *f);	/* owner 4 (standard service) and SMCCC arch calls */
/* Secondary CPUs wait here (no lock held) until CPU_ON names them; returns the context id
 * after setting up the ERET to the requested entry point. */
u64 psci_wait_for_cpu_on(u64 cpu);

#endif
