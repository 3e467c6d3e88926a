/* The bridge table. Argument encoding as qcom_tzmem.c builds it: address | permissions in the low
 * bits of the first two words, size | (number of VMs << 9) in the third, VMID list in the fourth. */
#include "bridge.h"
#include "console.h"
#include "scm.h"

#define PAGE_MASK_LOW	0xfffUL

struct bridge {
	u64 handle;		/* 0: free slot */
	u64 addr;
	u64 size;
	u32 ns_perm, s_perm;
	u64 vmids;
};

static struct bridge table[BRIDGE_MAX];
static u64 next_handle;
int bridge_required;
int bridge_enabled;

s64 bridge_create(u64 pfn_and_ns_perm, u64 ipfn_and_s_perm, u64 size_and_flags, u64 ns_vmids, u64 *handle)
{
	u64 addr = pfn_and_ns_perm & ~PAGE_MASK_LOW, size = size_and_flags & ~PAGE_MASK_LOW;
	struct bridge *free = NULL;
	u32 i;

	if (!size || addr + size < addr || (ipfn_and_s_perm & ~PAGE_MASK_LOW) != addr) {
		tz_log("bridge create addr=0x%lx size=0x%lx refused: bad arguments", addr, size);
		return QCOM_SCM_EINVAL_ARG;
	}
	for (i = 0; i < BRIDGE_MAX; i++) {
		struct bridge *b = &table[i];
		if (!b->handle) {
			if (!free)
				free = b;
			continue;
		}
		if (addr < b->addr + b->size && b->addr < addr + size) {
			tz_log("bridge create addr=0x%lx size=0x%lx refused: overlaps handle=0x%lx", addr, size, b->handle);
			return QCOM_SCM_EINVAL_ARG;
		}
	}
	if (!free) {
		tz_log("bridge create addr=0x%lx size=0x%lx refused: table full", addr, size);
		return QCOM_SCM_ENOMEM;
	}
	free->handle = 0x5b000000UL + ++next_handle;
	free->addr = addr;
	free->size = size;
	free->ns_perm = (u32)(pfn_and_ns_perm & PAGE_MASK_LOW);
	free->s_perm = (u32)(ipfn_and_s_perm & PAGE_MASK_LOW);
	free->vmids = ns_vmids;
	*handle = free->handle;
	tz_log("bridge create handle=0x%lx addr=0x%lx size=0x%lx ns_perm=0x%x s_perm=0x%x vmids=0x%lx",
	       free->handle, addr, size, free->ns_perm, free->s_perm, ns_vmids);
	return 0;
}

s64 bridge_delete(u64 handle)
{
	u32 i;
	for (i = 0; i < BRIDGE_MAX; i++) {
		if (handle && table[i].handle == handle) {
			tz_log("bridge delete handle=0x%lx addr=0x%lx size=0x%lx", handle, table[i].addr, table[i].size);
			table[i].handle = 0;
			return 0;
		}
	}
	tz_log("bridge delete handle=0x%lx refused: no such bridge", handle);
	return QCOM_SCM_EINVAL_ARG;
}

int bridge_covers(u64 addr, u64 size)
{
	u32 i;
	for (i = 0; i < BRIDGE_MAX; i++)
		if (table[i].handle && table[i].addr <= addr && addr + size <= table[i].addr + table[i].size)
			return 1;
	return 0;
}

u32 bridge_count(void)
{
	u32 i, n = 0;
	for (i = 0; i < BRIDGE_MAX; i++)
		n += table[i].handle != 0;
	return n;
}
