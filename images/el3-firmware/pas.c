/* PAS policy. init_image verifies the metadata (structure, hash-segment format, signature, header
 * digest, target processor) and keeps a copy; mem_setup fixes where the image goes; auth_and_reset
 * hashes every loaded segment in the carve-out against the kept table, applies the bridge rule and
 * the host's faults, then releases the remote. Refusals carry status codes that make the kernel's
 * own drivers print their own lines:
 *   init_image     QCOM_SCM_EINVAL_ARG -> -EINVAL: "error -22 initializing firmware <name>"
 *   auth_and_reset QCOM_SCM_ERROR      -> -EIO:    "failed to authenticate image and release reset" */
#include "pas.h"
#include "bridge.h"
#include "console.h"
#include "lib.h"
#include "platform.h"
#include "remote.h"
#include "scm.h"

static struct mbn_meta scratch;	/* parsed here first, so a refused image leaves the old one alone */

static int ranges_overlap(u64 a, u64 alen, u64 b, u64 blen) { return a < b + blen && b < a + alen; }

/* Metadata must be ordinary normal-world RAM: not SMEM, not a carve-out. */
static int metadata_address_ok(u64 addr)
{
	u32 i;
	struct remote *r;

	if (addr < NS_DRAM_BASE || addr + MBN_META_MAX > 0x80000000UL)
		return 0;
	if (ranges_overlap(addr, MBN_META_MAX, SMEM_BASE, SMEM_SIZE))
		return 0;
	for (i = 0; (r = remote_at(i)); i++)
		if (ranges_overlap(addr, MBN_META_MAX, r->mem_base, r->mem_size))
			return 0;
	return 1;
}

int pas_is_supported(u32 pas_id) { return remote_by_pas(pas_id) != NULL; }

s64 pas_init_image(u32 pas_id, u64 metadata)
{
	struct remote *r = remote_by_pas(pas_id);
	const char *why;

	if (!r) {
		tz_log("smc pas init_image pas=%u meta=0x%lx refused: unknown processor", pas_id, metadata);
		return QCOM_SCM_EINVAL_ARG;
	}
	if (r->state == RS_BOOTING || r->state == RS_RUNNING || r->state == RS_CRASHED) {
		tz_log("smc pas init_image pas=%u meta=0x%lx refused: %s is %s", pas_id, metadata, r->name,
		       remote_state_name(r->state));
		return QCOM_SCM_EINVAL_ARG;
	}
	if (!metadata_address_ok(metadata)) {
		tz_log("smc pas init_image pas=%u meta=0x%lx refused: metadata outside normal-world RAM", pas_id, metadata);
		return QCOM_SCM_EINVAL_ADDR;
	}
	if (mbn_parse((const u8 *)metadata, &scratch, &why)) {
		tz_log("smc pas init_image pas=%u meta=0x%lx refused: %s", pas_id, metadata, why);
		return QCOM_SCM_EINVAL_ARG;
	}
	if (scratch.pas_id != pas_id) {
		tz_log("smc pas init_image pas=%u meta=0x%lx refused: image signed for pas=%u", pas_id, metadata,
		       scratch.pas_id);
		return QCOM_SCM_EINVAL_ARG;
	}
	memcpy(&r->meta, &scratch, sizeof(scratch));
	r->mem_set = 0;
	if (r->state != RS_LOADED) {
		r->state = RS_LOADED;
		r->ticks = 0;
	}
	tz_log("smc pas init_image pas=%u meta=0x%lx ok %s elf%u phnum=%u entry=0x%lx span=0x%lx%s", pas_id, metadata,
	       r->name, r->meta.elf_class, r->meta.phnum, r->meta.entry, r->meta.max_paddr - r->meta.min_paddr,
	       r->meta.relocatable ? " relocatable" : "");
	return 0;
}

s64 pas_mem_setup(u32 pas_id, u64 addr, u64 size)
{
	struct remote *r = remote_by_pas(pas_id);

	if (!r || r->state != RS_LOADED) {
		tz_log("smc pas mem_setup pas=%u addr=0x%lx size=0x%lx refused: no image initialised", pas_id, addr, size);
		return QCOM_SCM_EINVAL_ARG;
	}
	if (addr < r->mem_base || addr + size > r->mem_base + r->mem_size || addr + size < addr) {
		tz_log("smc pas mem_setup pas=%u addr=0x%lx size=0x%lx refused: outside the %s carve-out 0x%lx+0x%lx",
		       pas_id, addr, size, r->name, r->mem_base, r->mem_size);
		return QCOM_SCM_EINVAL_ADDR;
	}
	if (size < r->meta.max_paddr - r->meta.min_paddr) {
		tz_log("smc pas mem_setup pas=%u addr=0x%lx size=0x%lx refused: smaller than the image span 0x%lx", pas_id,
		       addr, size, r->meta.max_paddr - r->meta.min_paddr);
		return QCOM_SCM_EINVAL_ARG;
	}
	r->mem_addr = addr;
	r->mem_len = size;
	r->mem_set = 1;
	tz_log("smc pas mem_setup pas=%u addr=0x%lx size=0x%lx ok", pas_id, addr, size);
	return 0;
}

static s64 refuse_auth(u32 pas_id, const char *why)
{
	tz_log("smc pas auth_and_reset pas=%u refused: %s", pas_id, why);
	return QCOM_SCM_ERROR;
}

s64 pas_auth_and_reset(u32 pas_id)
{
	struct remote *r = remote_by_pas(pas_id);
	u64 base, span;
	u8 digest[SHA256_DIGEST_SIZE];
	u32 i, checked = 0;

	if (!r || r->state != RS_LOADED)
		return refuse_auth(pas_id, "no image initialised");
	if (r->meta.relocatable && !r->mem_set)
		return refuse_auth(pas_id, "no mem_setup for a relocatable image");
	base = r->meta.relocatable ? r->mem_addr : r->meta.min_paddr;
	span = r->meta.max_paddr - r->meta.min_paddr;
	if (base < r->mem_base || base + span > r->mem_base + r->mem_size)
		return refuse_auth(pas_id, "image outside the carve-out");
	if (r->refuse_auth)
		return refuse_auth(pas_id, "fault refuse-auth");
	if (bridge_required && !bridge_covers(base, span)) {
		tz_log("smc pas auth_and_reset pas=%u refused: no shm bridge over carve-out 0x%lx+0x%lx (bridges=%u)",
		       pas_id, base, span, bridge_count());
		return QCOM_SCM_ERROR;
	}
	for (i = 0; i < r->meta.phnum; i++) {
		const struct mbn_phdr *p = &r->meta.ph[i];
		if (!mbn_is_loadable(p))
			continue;
		sha256((const void *)mbn_segment_addr(&r->meta, i, base), p->filesz, digest);
		if (memcmp(digest, r->meta.digest[i], SHA256_DIGEST_SIZE)) {
			tz_log("smc pas auth_and_reset pas=%u refused: segment %u hash mismatch (paddr=0x%lx filesz=0x%lx)",
			       pas_id, i, p->paddr, p->filesz);
			return QCOM_SCM_ERROR;
		}
		checked++;
	}
	tz_log("smc pas auth_and_reset pas=%u ok %s segments=%u verified base=0x%lx", pas_id, r->name, checked, base);
	remote_reset(r);
	return 0;
}

s64 pas_shutdown(u32 pas_id)
{
	struct remote *r = remote_by_pas(pas_id);

	if (!r) {
		tz_log("smc pas shutdown pas=%u refused: unknown processor", pas_id);
		return QCOM_SCM_EINVAL_ARG;
	}
	tz_log("smc pas shutdown pas=%u ok %s was %s", pas_id, r->name, remote_state_name(r->state));
	remote_shutdown(r);
	return 0;
}
