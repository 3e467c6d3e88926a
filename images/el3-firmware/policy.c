/* Who makes the SHM bridge: on a Qualcomm SoC with Gunyah/QHEE the hypervisor does, and Linux at
 * EL2 with no hypervisor must do it itself. The firmware tells the two apart as a real one would:
 * by the exception level it enters, and, at EL2, by whether the image it enters is a hypervisor
 * (the device tree it passes carries Xen's "xen,…" /chosen properties). */
#include "policy.h"
#include "bridge.h"
#include "console.h"
#include "lib.h"

#define FDT_MAGIC 0xd00dfeedU

static u32 be32_at(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }

/* True when a property name in the DT's strings block starts with `prefix`. */
static int dt_has_property_prefix(u64 dtb, const char *prefix)
{
	const u8 *fdt = (const u8 *)dtb;
	u64 n = strlen(prefix);

	if (be32_at(fdt) != FDT_MAGIC)
		return 0;
	const char *s = (const char *)fdt + be32_at(fdt + 12);
	const char *end = s + be32_at(fdt + 32);
	while (s < end) {
		if (strneq(s, prefix, n))
			return 1;
		s += strlen(s) + 1;
	}
	return 0;
}

void platform_policy_init(u32 next_el, u64 dtb)
{
	if (next_el == 1) {
		bridge_required = 0;
		tz_log("boot platform hypervisor-present (Linux at EL1, as under Gunyah): the hypervisor makes shm bridges, rule bridge-required=off");
	} else if (dt_has_property_prefix(dtb, "xen,")) {
		bridge_required = 0;
		tz_log("boot platform hypervisor-present (Xen at EL2): the hypervisor makes shm bridges, rule bridge-required=off");
	} else {
		bridge_required = 1;
		tz_log("boot platform el2-no-hypervisor (Linux at EL2): Linux must make an shm bridge over each carve-out, rule bridge-required=on");
	}
}
