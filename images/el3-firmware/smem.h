/* Shared memory as the boot loader (SBL) leaves it on a Qualcomm SoC: version 12, one global
 * partition (host 0xfffe/0xfffe) described by a partition table in the last 4 KiB, and an info
 * block raising the item count past 512 so that items such as 601 (CDSP crash reason) exist. */
#ifndef EL3_SMEM_H
#define EL3_SMEM_H
#include "types.h"

void smem_init(void);
/* Allocates an item in the global partition (boot time only, before Linux runs: no hwspinlock).
 * Returns its address, or NULL. The item is zeroed. */
void *smem_alloc(u16 item, u32 size);
/* Looks an item up in the global partition (Linux allocates its SMP2P items there). */
void *smem_find(u16 item, u32 *size);

#endif
