/* SMP2P item layout (version 1, no features negotiated): header then 16 named 32-bit entries. */
#include "smp2p.h"
#include "gic.h"
#include "lib.h"
#include "smem.h"

#define SMP2P_MAGIC		0x504d5324	/* "$SMP" */
#define SMP2P_VERSION		1
#define SMP2P_MAX_ENTRY		16
#define SMP2P_NAME_LEN		16
#define APPS_PID		0

struct smp2p_item {
	u32 magic;
	u8 version;
	u8 features[3];
	u16 local_pid;
	u16 remote_pid;
	u16 total_entries;
	u16 valid_entries;
	u32 flags;
	struct {
		char name[SMP2P_NAME_LEN];
		u32 value;
	} entries[SMP2P_MAX_ENTRY];
};

int smp2p_edge_init(struct smp2p_edge *edge)
{
	struct smp2p_item *it = smem_alloc(edge->in_item, sizeof(*it));

	if (!it)
		return -1;
	it->magic = SMP2P_MAGIC;
	it->version = SMP2P_VERSION;
	it->local_pid = edge->remote_pid;	/* from the remote's point of view */
	it->remote_pid = APPS_PID;
	it->total_entries = SMP2P_MAX_ENTRY;
	memcpy(it->entries[0].name, "slave-kernel", sizeof("slave-kernel"));
	it->entries[0].value = 0;
	dsb();
	it->valid_entries = 1;
	edge->value = &it->entries[0].value;
	return 0;
}

void smp2p_update(struct smp2p_edge *edge, u32 clear, u32 set)
{
	*(volatile u32 *)edge->value = (*(volatile u32 *)edge->value & ~clear) | set;
	dsb();
	gic_set_spi_pending(edge->spi);
}

u32 smp2p_host_value(struct smp2p_edge *edge)
{
	struct smp2p_item *it = smem_find(edge->out_item, NULL);
	u32 i, n;

	if (!it || *(volatile u32 *)&it->magic != SMP2P_MAGIC)
		return 0;
	n = *(volatile u16 *)&it->valid_entries;
	for (i = 0; i < n && i < SMP2P_MAX_ENTRY; i++)
		if (strneq(it->entries[i].name, "master-kernel", SMP2P_NAME_LEN))
			return *(volatile u32 *)&it->entries[i].value;
	return 0;
}
