/* Cold boot, per-CPU EL3 set-up, and the C side of the exception vectors. */
#include "bridge.h"
#include "policy.h"
#include "console.h"
#include "el3.h"
#include "gic.h"
#include "host-channel.h"
#include "lib.h"
#include "platform.h"
#include "power.h"
#include "psci.h"
#include "remote.h"
#include "scm.h"
#include "smem.h"

#define FW_VERSION	"1"
#define READY_MAGIC	0x454c3352u	/* "EL3R": secure RAM is set up, secondaries may go on */

#define SCR_NS		BIT(0)
#define SCR_FIQ		BIT(2)
#define SCR_HCE		BIT(8)
#define SCR_RW		BIT(10)
#define SCR_APK		BIT(16)
#define SCR_API		BIT(17)
#define SCR_ENSCXT	BIT(25)
#define SCR_ATA		BIT(26)
#define SCR_FGTEN	BIT(27)
#define SCR_ECVEN	BIT(28)
#define SCR_HXEN	BIT(38)
#define SCR_ENTP2	BIT(41)

#define CPTR_EZ		BIT(8)
#define CPTR_ESM	BIT(12)

#define SPSR_MASK_DAIF	(0xfUL << 6)
#define SPSR_EL2H	(SPSR_MASK_DAIF | 0x9)
#define SPSR_EL1H	(SPSR_MASK_DAIF | 0x5)
#define SCTLR_EL2_RES1	0x30c50830UL	/* MMU, caches off; RES1 bits */
#define SCTLR_EL1_RES1	0x30d00800UL

extern char __bss_start[], __bss_end[];
volatile u32 el3_ready;
u32 linux_el;

u32 cpu_index(void) { return (u32)(read_sysreg(mpidr_el1) & 0xff); }

void cpu_init_el3(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);

	write_sysreg(cptr_el3, CPTR_EZ | CPTR_ESM);	/* no FP/SVE/SME traps to EL3 */
	isb();
	if ((pfr0 >> 32) & 0xf)
		__asm__ volatile("msr s3_6_c1_c2_0, %0" ::"r"(0xfUL));	/* ZCR_EL3: full SVE length */
	if ((pfr1 >> 24) & 0xf)
		__asm__ volatile("msr s3_6_c1_c2_6, %0" ::"r"(0xfUL));	/* SMCR_EL3 */
	write_sysreg(mdcr_el3, 0);
	/* QEMU ignores the bits of features it does not implement */
	write_sysreg(scr_el3, SCR_NS | SCR_FIQ | SCR_HCE | SCR_RW | SCR_APK | SCR_API | SCR_ENSCXT | SCR_ATA |
				      SCR_FGTEN | SCR_ECVEN | SCR_HXEN | SCR_ENTP2);
	isb();
}

void cpu_prepare_entry(u64 entry)
{
	if (linux_el == 2) {
		write_sysreg(sctlr_el2, SCTLR_EL2_RES1);
		write_sysreg(spsr_el3, SPSR_EL2H);
	} else {
		write_sysreg(sctlr_el1, SCTLR_EL1_RES1);
		write_sysreg(spsr_el3, SPSR_EL1H);
	}
	write_sysreg(elr_el3, entry);
	isb();
}

/* Boot CPU: set up the secure world, then return the DTB address for x0 of the ERET. */
u64 el3_boot_primary(void)
{
	memset(__bss_start, 0, (u64)(__bss_end - __bss_start));
	console_init();
	linux_el = ((read_sysreg(id_aa64pfr0_el1) >> 8) & 0xf) ? 2 : 1;
	tz_log("boot pilot-el3 version=" FW_VERSION " cpu=%u linux_el=%u", cpu_index(), linux_el);
	cpu_init_el3();
	gic_init_distributor();
	gic_init_cpu(1);
	smem_init();
	tz_log("boot smem version=12 base=0x%lx size=0x%lx global partition", SMEM_BASE, SMEM_SIZE);
	remote_init_all();
	platform_policy_init(linux_el, NS_DTB_ADDR);
	psci_init();
	timer_tick_arm();
	cpu_prepare_entry(NS_KERNEL_ADDR);
	tz_log("boot entering linux el=%u entry=0x%lx dtb=0x%lx", linux_el, NS_KERNEL_ADDR, NS_DTB_ADDR);
	dsb();
	el3_ready = READY_MAGIC;
	dsb();
	sev();
	return NS_DTB_ADDR;
}

/* Secondary CPUs, straight from reset: wait for the boot CPU, set up, then wait for CPU_ON. */
void el3_boot_secondary(u64 cpu)
{
	while (el3_ready != READY_MAGIC)
		wfe();
	cpu_init_el3();
	gic_init_cpu(0);
	spin_lock(&el3_lock);
	tz_log("boot cpu=%lu held at el3 until cpu_on", cpu);
	spin_unlock(&el3_lock);
}

static void __attribute__((noreturn)) fatal_trap(const char *what, u64 esr, u64 elr, u64 far)
{
	tz_log("panic %s cpu=%u esr=0x%lx elr=0x%lx far=0x%lx", what, cpu_index(), esr, elr, far);
	power_off();
}

void el3_sync_lower(struct el3_frame *f)
{
	u64 esr = read_sysreg(esr_el3);
	u32 ec = (u32)(esr >> 26), fid = (u32)f->x[0], owner = (fid >> 24) & 0x3f;

	if (ec != 0x17)	/* not an SMC from AArch64 */
		fatal_trap("unexpected trap from lower el", esr, f->elr, read_sysreg(far_el3));
	spin_lock(&el3_lock);
	if (owner == SMCCC_OWNER_SIP)
		scm_handle(f);
	else if (owner == 4 || fid == 0x80000000u)	/* standard service (PSCI) / SMCCC_VERSION */
		psci_handle(f);
	else {
		tz_log("smc unknown owner=%u fid=0x%x -> not_supported", owner, fid);
		f->x[0] = (u64)-1;
	}
	spin_unlock(&el3_lock);
}

void el3_fiq_lower(struct el3_frame *f)
{
	u32 iar = gic_ack_fiq(), id = iar & 0x3ff;
	(void)f;
	if (id >= 1020)
		return;
	if (id == PPI_SECURE_TIMER) {
		timer_tick_arm();
		spin_lock(&el3_lock);
		host_channel_poll();
		remote_tick();
		spin_unlock(&el3_lock);
	}
	gic_end_fiq(iar);
}

void el3_trap_current(u64 esr, u64 elr, u64 far) { fatal_trap("exception at el3", esr, elr, far); }
