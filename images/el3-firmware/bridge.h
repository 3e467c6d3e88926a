/* SHM bridges (qcom_tzmem / qcom_scm_shm_bridge_*): regions of normal-world memory the secure
 * world agrees to share. A small table; the "bridge required" rule makes auth_and_reset refuse a
 * carve-out no bridge covers (a platform with Linux at EL2 and no hypervisor to make one). */
#ifndef EL3_BRIDGE_H
#define EL3_BRIDGE_H
#include "types.h"

#define BRIDGE_MAX 16

extern int bridge_required;	/* set by the host channel: "rule bridge-required on|off" */
extern int bridge_enabled;	/* set by SHM_BRIDGE_ENABLE */

/* Returns 0 and the new handle, or a qcom SCM error code. */
s64 bridge_create(u64 pfn_and_ns_perm, u64 ipfn_and_s_perm, u64 size_and_flags, u64 ns_vmids, u64 *handle);
s64 bridge_delete(u64 handle);
int bridge_covers(u64 addr, u64 size);
u32 bridge_count(void);

#endif
