/* Remote-processor behaviour: boot by DMA through its edu, signal ready/handover over SMP2P,
 * answer the stop request, crash on demand. Runs from the secure timer tick. */
#include "remote.h"
#include "console.h"
#include "crc32.h"
#include "edu.h"
#include "gic.h"
#include "lib.h"
#include "platform.h"
#include "smem.h"

#define CRASH_REASON_SIZE	128
#define BOOT_BLOCK_SIZE		256
#define BOOT_HEADER_SIZE	64
#define BOOT_SETTLE_TICKS	3	/* let Linux see the cleared bits before ready rises */
#define MAILBOX_OFFSET		0x1000	/* from the end of the carve-out: where the edu writes back */

/* Fixed per-processor facts (flash); the live copies are in secure RAM. */
static const struct remote remote_defaults[] = {
	{ .name = "adsp", .pas_id = 1, .edu_slot = 0x10, .mem_base = ADSP_MEM_BASE, .mem_size = ADSP_MEM_SIZE,
	  .crash_item = 423, .wdog_spi = SPI_ADSP_WDOG,
	  .edge = { .remote_pid = 2, .in_item = 443, .out_item = 429, .spi = SPI_ADSP_SMP2P } },
	{ .name = "cdsp", .pas_id = 18, .edu_slot = 0x11, .mem_base = CDSP_MEM_BASE, .mem_size = CDSP_MEM_SIZE,
	  .crash_item = 601, .wdog_spi = SPI_CDSP_WDOG,
	  .edge = { .remote_pid = 5, .in_item = 94, .out_item = 432, .spi = SPI_CDSP_SMP2P } },
};

static struct remote remotes[ARRAY_SIZE(remote_defaults)];

const char *remote_state_name(enum remote_state s)
{
	static const char *const names[] = { "off", "loaded", "booting", "running", "crashed", "failed" };
	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

static void set_state(struct remote *r, enum remote_state s, const char *why)
{
	tz_log("remote %s state %s->%s (%s)", r->name, remote_state_name(r->state), remote_state_name(s), why);
	r->state = s;
	r->ticks = 0;
	r->boot_step = 0;
}

void remote_init_all(void)
{
	u32 i;
	memcpy(remotes, remote_defaults, sizeof(remotes));
	for (i = 0; i < ARRAY_SIZE(remotes); i++) {
		struct remote *r = &remotes[i];
		if (smp2p_edge_init(&r->edge))
			tz_log("remote %s smem item %u allocation failed", r->name, r->edge.in_item);
		r->crash_reason = smem_alloc(r->crash_item, CRASH_REASON_SIZE);
		tz_log("remote %s pas=%u carveout=0x%lx+0x%lx edu=00:%x.0 smp2p in=%u out=%u spi=%u wdog_spi=%u crash_item=%u",
		       r->name, r->pas_id, r->mem_base, r->mem_size, r->edu_slot, r->edge.in_item, r->edge.out_item,
		       r->edge.spi, r->wdog_spi, r->crash_item);
	}
}

struct remote *remote_at(u32 index) { return index < ARRAY_SIZE(remotes) ? &remotes[index] : NULL; }

struct remote *remote_by_pas(u32 pas_id)
{
	u32 i;
	for (i = 0; i < ARRAY_SIZE(remotes); i++)
		if (remotes[i].pas_id == pas_id)
			return &remotes[i];
	return NULL;
}

struct remote *remote_by_name(const char *name)
{
	u32 i;
	for (i = 0; i < ARRAY_SIZE(remotes); i++)
		if (streq(remotes[i].name, name))
			return &remotes[i];
	return NULL;
}

void remote_reset(struct remote *r)
{
	if (r->crash_reason)
		memset(r->crash_reason, 0, CRASH_REASON_SIZE);
	r->stop_acked = 0;
	smp2p_update(&r->edge, ~0u, 0);
	set_state(r, RS_BOOTING, "auth_and_reset");
}

void remote_shutdown(struct remote *r)
{
	if (r->state != RS_OFF)
		set_state(r, RS_OFF, "shutdown");
	r->mem_set = 0;
	smp2p_update(&r->edge, ~0u, 0);
}

int remote_crash(struct remote *r, int watchdog, const char *reason)
{
	u64 n;

	if (r->state != RS_RUNNING)
		return -1;
	if (r->crash_reason) {
		n = strlen(reason);
		if (n > CRASH_REASON_SIZE - 1)
			n = CRASH_REASON_SIZE - 1;
		memset(r->crash_reason, 0, CRASH_REASON_SIZE);
		memcpy(r->crash_reason, reason, n);
		dsb();
	}
	set_state(r, RS_CRASHED, watchdog ? "watchdog bite" : "fatal error");
	if (watchdog) {
		tz_log("remote %s watchdog spi=%u reason=\"%s\"", r->name, r->wdog_spi, reason);
		gic_set_spi_pending(r->wdog_spi);
	} else {
		tz_log("remote %s fatal smp2p bit=0 reason=\"%s\"", r->name, reason);
		smp2p_update(&r->edge, 0, RBIT_FATAL);
	}
	return 0;
}

/* The boot block sits at the image's entry point; its header is checked the way the generator
 * (harness/images/firmware/mbn.ts, buildBootBlock) writes it. */
static const char *check_boot_block(struct remote *r, const u8 *b)
{
	u32 crc = (u32)b[20] | (u32)b[21] << 8 | (u32)b[22] << 16 | (u32)b[23] << 24;
	u32 pas = (u32)b[12] | (u32)b[13] << 8 | (u32)b[14] << 16 | (u32)b[15] << 24;

	if (memcmp(b, "PSIMBOOT", 8))
		return "no boot block magic";
	if (pas != r->pas_id)
		return "boot block is for another processor";
	if (crc32(b + BOOT_HEADER_SIZE, BOOT_BLOCK_SIZE - BOOT_HEADER_SIZE) != crc)
		return "boot block CRC mismatch";
	return NULL;
}

static void boot_fail(struct remote *r, const char *why)
{
	tz_log("remote %s boot failed: %s", r->name, why);
	set_state(r, RS_FAILED, "boot failed");
}

/* BOOTING, one step per tick once the DMA engine is idle:
 *   0  find the edu; DMA the boot block carve-out -> edu buffer
 *   1  (corrupt-boot-dma) DMA one stray byte over the payload in the edu buffer
 *   2  DMA edu buffer -> mailbox page at the end of the carve-out
 *   3  check what arrived; up: ready + handover */
static void boot_step(struct remote *r)
{
	u64 mailbox = r->mem_base + r->mem_size - MAILBOX_OFFSET;
	u64 block;
	const char *why;
	u32 i;

	/* the boot block is at the entry point, inside the loaded image */
	for (i = 0; i < r->meta.phnum; i++)
		if (mbn_is_loadable(&r->meta.ph[i]) && r->meta.entry >= r->meta.ph[i].paddr &&
		    r->meta.entry + BOOT_BLOCK_SIZE <= r->meta.ph[i].paddr + r->meta.ph[i].filesz)
			break;
	if (i == r->meta.phnum) {
		boot_fail(r, "entry point is not in a loaded segment");
		return;
	}
	block = mbn_segment_addr(&r->meta, i, r->mem_addr) + (r->meta.entry - r->meta.ph[i].paddr);

	if (r->boot_step > 0 && edu_dma_busy(r->edu_bar))
		return;
	switch (r->boot_step) {
	case 0:
		if (r->ticks < BOOT_SETTLE_TICKS)
			return;
		r->edu_bar = edu_find(r->edu_slot);
		if (!r->edu_bar) {
			boot_fail(r, "no edu bus master at its slot (or BAR0 unassigned)");
			return;
		}
		memset((void *)mailbox, 0, BOOT_BLOCK_SIZE);
		tz_log("remote %s dma fetch boot block 0x%lx -> edu 00:%x.0 (bar 0x%lx) len=%u", r->name, block,
		       r->edu_slot, r->edu_bar, BOOT_BLOCK_SIZE);
		edu_dma_start(r->edu_bar, block, EDU_BUF_ADDR, BOOT_BLOCK_SIZE, 1);
		r->boot_step = r->corrupt_dma ? 1 : 2;
		return;
	case 1:
		/* the complement of a payload byte, staged in the mailbox page, lands over that byte */
		*(volatile u8 *)(mailbox + BOOT_BLOCK_SIZE) = (u8)~*(volatile u8 *)(block + BOOT_HEADER_SIZE + 7);
		tz_log("remote %s dma corrupting boot block in the edu buffer (fault corrupt-boot-dma)", r->name);
		edu_dma_start(r->edu_bar, mailbox + BOOT_BLOCK_SIZE, EDU_BUF_ADDR + BOOT_HEADER_SIZE + 7, 1, 1);
		r->boot_step = 2;
		return;
	case 2:
		edu_dma_start(r->edu_bar, EDU_BUF_ADDR, mailbox, BOOT_BLOCK_SIZE, 0);
		r->boot_step = 3;
		return;
	case 3:
		why = check_boot_block(r, (const u8 *)mailbox);
		if (why) {
			boot_fail(r, why);
			return;
		}
		tz_log("remote %s dma boot block ok (round trip through the edu, crc verified)", r->name);
		set_state(r, RS_RUNNING, "booted");
		tz_log("remote %s smp2p ready+handover spi=%u", r->name, r->edge.spi);
		smp2p_update(&r->edge, 0, RBIT_READY | RBIT_HANDOVER);
		return;
	}
}

static void running_step(struct remote *r)
{
	u32 host = smp2p_host_value(&r->edge);

	if (!(host & HBIT_STOP)) {
		r->stop_acked = 0;
		return;
	}
	if (r->stop_acked)
		return;
	r->stop_acked = 1;
	if (r->no_stop_ack) {
		tz_log("remote %s stop requested: not acking (fault no-stop-ack)", r->name);
		return;
	}
	tz_log("remote %s stop requested: smp2p stop-ack", r->name);
	smp2p_update(&r->edge, 0, RBIT_STOP_ACK);
}

void remote_tick(void)
{
	u32 i;
	for (i = 0; i < ARRAY_SIZE(remotes); i++) {
		struct remote *r = &remotes[i];
		r->ticks++;
		if (r->state == RS_BOOTING)
			boot_step(r);
		else if (r->state == RS_RUNNING)
			running_step(r);
	}
}
