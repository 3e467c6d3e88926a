/* The platform's policy, decided at boot from what the firmware hands over to: whether a hypervisor
 * stands between it and Linux, and so who must make the SHM bridge before auth_and_reset. */
#ifndef EL3_POLICY_H
#define EL3_POLICY_H
#include "types.h"

/* Sets the bridge rule's default: on when Linux runs at EL2 with no hypervisor (it must make the
 * bridge itself), off when a hypervisor does (Xen in the DT, or Linux at EL1 standing for Gunyah). */
void platform_policy_init(u32 next_el, u64 dtb);

#endif
