/* PSCI: VERSION, FEATURES, CPU_ON/CPU_OFF/AFFINITY_INFO for -smp N, CPU_SUSPEND as standby,
 * SYSTEM_OFF/SYSTEM_RESET, MIGRATE_INFO_TYPE. Secondary CPUs are held at EL3 from reset in
 * psci_wait_for_cpu_on() and leave for Linux's entry point at Linux's exception level. */
#include "psci.h"
#include "console.h"
#include "lib.h"
#include "platform.h"
#include "power.h"

#define PSCI_VERSION		0x84000000u
#define PSCI_CPU_SUSPEND	0x01
#define PSCI_CPU_OFF		0x02
#define PSCI_CPU_ON		0x03
#define PSCI_AFFINITY_INFO	0x04
#define PSCI_MIGRATE_INFO_TYPE	0x06
#define PSCI_SYSTEM_OFF		0x08
#define PSCI_SYSTEM_RESET	0x09
#define PSCI_FEATURES		0x0a
#define SMCCC_VERSION		0x80000000u

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMS	(-2)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_ON_PENDING		(-5)

#define MIGRATE_TOS_NOT_PRESENT	2

enum cpu_power { CPU_OFF_STATE, CPU_ON_STATE, CPU_ON_PENDING };

struct cpu_slot {
	volatile u32 power;
	volatile u64 entry;
	volatile u64 context;
};

static struct cpu_slot cpus[MAX_CPUS];

void psci_init(void) { cpus[cpu_index()].power = CPU_ON_STATE; }

static int fid_supported(u32 fid)
{
	u32 fn = fid & 0xffff;
	if (fid == SMCCC_VERSION)
		return 0;
	if ((fid & 0xbfff0000u) != 0x84000000u)
		return 0;
	if (fid & 0x40000000u)	/* SMC64 forms exist for the calls taking addresses/MPIDRs */
		return fn == PSCI_CPU_SUSPEND || fn == PSCI_CPU_ON || fn == PSCI_AFFINITY_INFO;
	return fn == 0 || fn == PSCI_CPU_SUSPEND || fn == PSCI_CPU_OFF || fn == PSCI_CPU_ON ||
	       fn == PSCI_AFFINITY_INFO || fn == PSCI_MIGRATE_INFO_TYPE || fn == PSCI_SYSTEM_OFF ||
	       fn == PSCI_SYSTEM_RESET || fn == PSCI_FEATURES;
}

static s64 target_cpu(u64 mpidr)
{
	u64 aff = mpidr & 0xff00ffffffUL;
	if (aff >= MAX_CPUS)
		return -1;
	return (s64)aff;
}

static s64 cpu_on(u64 mpidr, u64 entry, u64 context)
{
	s64 cpu = target_cpu(mpidr);

	if (cpu < 0) {
		tz_log("psci cpu_on target=0x%lx -> invalid_parameters", mpidr);
		return PSCI_INVALID_PARAMS;
	}
	if (cpus[cpu].power == CPU_ON_STATE)
		return PSCI_ALREADY_ON;
	if (cpus[cpu].power == CPU_ON_PENDING)
		return PSCI_ON_PENDING;
	cpus[cpu].entry = entry;
	cpus[cpu].context = context;
	dsb();
	cpus[cpu].power = CPU_ON_PENDING;
	dsb();
	sev();
	tz_log("psci cpu_on target=0x%lx entry=0x%lx context=0x%lx -> success", mpidr, entry, context);
	return PSCI_SUCCESS;
}

u64 psci_wait_for_cpu_on(u64 cpu)
{
	while (cpus[cpu].power != CPU_ON_PENDING)
		wfe();
	cpu_prepare_entry(cpus[cpu].entry);
	cpus[cpu].power = CPU_ON_STATE;
	dsb();
	return cpus[cpu].context;
}

static void cpu_off(void)
{
	u32 cpu = cpu_index();
	tz_log("psci cpu_off cpu=%u", cpu);
	cpus[cpu].power = CPU_OFF_STATE;
	dsb();
	spin_unlock(&el3_lock);
	el3_cpu_park(cpu);
}

void psci_handle(struct el3_frame *f)
{
	u32 fid = (u32)f->x[0];
	s64 r = PSCI_NOT_SUPPORTED;

	if (fid == SMCCC_VERSION) {
		f->x[0] = (u64)PSCI_NOT_SUPPORTED;	/* SMCCC v1.0: no arch calls */
		return;
	}
	if (!fid_supported(fid)) {
		tz_log("psci unknown fid=0x%x -> not_supported", fid);
		f->x[0] = (u64)PSCI_NOT_SUPPORTED;
		return;
	}
	switch (fid & 0xffff) {
	case 0:
		r = 0x10001;	/* PSCI 1.1 */
		break;
	case PSCI_CPU_SUSPEND:
		/* every power state is treated as standby: wait for an interrupt, then return */
		spin_unlock(&el3_lock);
		wfi();
		spin_lock(&el3_lock);
		r = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		cpu_off();
		break;
	case PSCI_CPU_ON:
		r = cpu_on(f->x[1], f->x[2], f->x[3]);
		break;
	case PSCI_AFFINITY_INFO: {
		s64 cpu = target_cpu(f->x[1]);
		if (cpu < 0 || f->x[2] != 0)
			r = PSCI_INVALID_PARAMS;
		else
			r = cpus[cpu].power == CPU_ON_STATE ? 0 : cpus[cpu].power == CPU_ON_PENDING ? 2 : 1;
		break;
	}
	case PSCI_MIGRATE_INFO_TYPE:
		r = MIGRATE_TOS_NOT_PRESENT;
		break;
	case PSCI_SYSTEM_OFF:
		tz_log("psci system_off");
		power_off();
	case PSCI_SYSTEM_RESET:
		tz_log("psci system_reset");
		power_reset();
	case PSCI_FEATURES:
		r = fid_supported((u32)f->x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	default:
		r = PSCI_NOT_SUPPORTED;	/* MIGRATE, MIGRATE_INFO_UP_CPU */
		break;
	}
	f->x[0] = (u64)r;
}
