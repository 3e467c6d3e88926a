/* SMEM layout (offsets from SMEM_BASE), as drivers/soc/qcom/smem.c reads it:
 *   0x00000  header: initialized = 1, version[SBL] = 12 << 16
 *   0x02000  global partition: "$PRT" header, uncached items grow up from 0x20 after it
 *   0xff000  partition table "$TOC" v1 with one entry, followed by the "SIII" info block */
#include "smem.h"
#include "lib.h"
#include "platform.h"

#define SMEM_VERSION_GLOBAL_PART	12
#define SMEM_MASTER_SBL_VERSION_INDEX	7
#define SMEM_GLOBAL_HOST		0xfffe
#define SMEM_ITEM_COUNT			1024
#define SMEM_PRIVATE_CANARY		0xa5a5
#define GLOBAL_PART_OFFSET		0x2000u
#define PTABLE_OFFSET			(SMEM_SIZE - 0x1000u)
#define GLOBAL_PART_SIZE		(PTABLE_OFFSET - GLOBAL_PART_OFFSET)
#define CACHELINE			64

struct smem_header {
	u32 proc_comm[16];
	u32 version[32];
	u32 initialized;
	u32 free_offset;
	u32 available;
	u32 reserved;
};

struct smem_ptable_entry {
	u32 offset;
	u32 size;
	u32 flags;
	u16 host0;
	u16 host1;
	u32 cacheline;
	u32 reserved[7];
};

struct smem_ptable {
	u8 magic[4];
	u32 version;
	u32 num_entries;
	u32 reserved[5];
	struct smem_ptable_entry entry[1];
};

struct smem_info {
	u8 magic[4];
	u32 size;
	u32 base_addr;
	u32 reserved;
	u16 num_items;
};

struct smem_partition_header {
	u8 magic[4];
	u16 host0;
	u16 host1;
	u32 size;
	u32 offset_free_uncached;
	u32 offset_free_cached;
	u32 reserved[3];
};

struct smem_private_entry {
	u16 canary;
	u16 item;
	u32 size;		/* item size including padding_data */
	u16 padding_data;
	u16 padding_hdr;
	u32 reserved;
};

#define PART ((struct smem_partition_header *)(SMEM_BASE + GLOBAL_PART_OFFSET))

void smem_init(void)
{
	struct smem_header *hdr = (void *)SMEM_BASE;
	struct smem_ptable *pt = (void *)(SMEM_BASE + PTABLE_OFFSET);
	struct smem_info *info = (void *)&pt->entry[1];

	memset((void *)SMEM_BASE, 0, SMEM_SIZE);

	memcpy(pt->magic, "$TOC", 4);
	pt->version = 1;
	pt->num_entries = 1;
	pt->entry[0].offset = GLOBAL_PART_OFFSET;
	pt->entry[0].size = GLOBAL_PART_SIZE;
	pt->entry[0].host0 = SMEM_GLOBAL_HOST;
	pt->entry[0].host1 = SMEM_GLOBAL_HOST;
	pt->entry[0].cacheline = CACHELINE;
	memcpy(info->magic, "SIII", 4);
	info->size = SMEM_SIZE;
	info->base_addr = (u32)SMEM_BASE;
	info->num_items = SMEM_ITEM_COUNT;

	memcpy(PART->magic, "$PRT", 4);
	PART->host0 = SMEM_GLOBAL_HOST;
	PART->host1 = SMEM_GLOBAL_HOST;
	PART->size = GLOBAL_PART_SIZE;
	PART->offset_free_uncached = sizeof(struct smem_partition_header);
	PART->offset_free_cached = GLOBAL_PART_SIZE;

	hdr->version[SMEM_MASTER_SBL_VERSION_INDEX] = SMEM_VERSION_GLOBAL_PART << 16;
	hdr->reserved = 0;
	dsb();
	hdr->initialized = 1;
}

static struct smem_private_entry *first_entry(void)
{
	return (void *)((u8 *)PART + sizeof(struct smem_partition_header));
}

static struct smem_private_entry *next_entry(struct smem_private_entry *e)
{
	return (void *)((u8 *)e + sizeof(*e) + e->padding_hdr + e->size);
}

void *smem_find(u16 item, u32 *size)
{
	struct smem_private_entry *e = first_entry();
	u8 *end = (u8 *)PART + PART->offset_free_uncached;

	if ((u8 *)end > (u8 *)PART + GLOBAL_PART_SIZE)
		return NULL;
	for (; (u8 *)e < end; e = next_entry(e)) {
		if (e->canary != SMEM_PRIVATE_CANARY)
			return NULL;
		if (e->item == item) {
			if (size)
				*size = e->size - e->padding_data;
			return (u8 *)e + sizeof(*e) + e->padding_hdr;
		}
	}
	return NULL;
}

void *smem_alloc(u16 item, u32 size)
{
	struct smem_private_entry *e;
	u32 aligned = (u32)ALIGN_UP(size, 8);

	if (item >= SMEM_ITEM_COUNT || smem_find(item, NULL))
		return NULL;
	e = (void *)((u8 *)PART + PART->offset_free_uncached);
	if (PART->offset_free_uncached + sizeof(*e) + aligned > PART->offset_free_cached)
		return NULL;
	memset(e, 0, sizeof(*e) + aligned);
	e->canary = SMEM_PRIVATE_CANARY;
	e->item = item;
	e->size = aligned;
	e->padding_data = (u16)(aligned - size);
	e->padding_hdr = 0;
	dsb();
	PART->offset_free_uncached += sizeof(*e) + aligned;
	return (u8 *)e + sizeof(*e);
}
