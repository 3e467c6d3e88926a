/* SiP call dispatch. Every call is logged; calls the firmware does not implement get
 * QCOM_SCM_EOPNOTSUPP (-> -EOPNOTSUPP in the kernel), and IS_CALL_AVAIL answers 0 for them. */
#include "scm.h"
#include "bridge.h"
#include "console.h"
#include "pas.h"

#define SVC_BOOT		0x01
#define SVC_PIL			0x02
#define SVC_INFO		0x06
#define SVC_MP			0x0c
#define SVC_WAITQ		0x24

#define FN(svc, cmd)		(((svc) << 8) | (cmd))
#define FN_IS_CALL_AVAIL	FN(SVC_INFO, 0x01)
#define FN_QSEECOM_VERSION	FN(SVC_INFO, 0x03)
#define FN_PAS_INIT_IMAGE	FN(SVC_PIL, 0x01)
#define FN_PAS_MEM_SETUP	FN(SVC_PIL, 0x02)
#define FN_PAS_AUTH_AND_RESET	FN(SVC_PIL, 0x05)
#define FN_PAS_SHUTDOWN		FN(SVC_PIL, 0x06)
#define FN_PAS_IS_SUPPORTED	FN(SVC_PIL, 0x07)
#define FN_PAS_MSS_RESET	FN(SVC_PIL, 0x0a)
#define FN_SDI_CONFIG		FN(SVC_BOOT, 0x09)
#define FN_SET_DLOAD_MODE	FN(SVC_BOOT, 0x10)
#define FN_SHM_BRIDGE_ENABLE	FN(SVC_MP, 0x1c)
#define FN_SHM_BRIDGE_DELETE	FN(SVC_MP, 0x1d)
#define FN_SHM_BRIDGE_CREATE	FN(SVC_MP, 0x1e)
#define FN_WAITQ_GET_INFO	FN(SVC_WAITQ, 0x04)

static const u32 implemented[] = {
	FN_IS_CALL_AVAIL, FN_PAS_INIT_IMAGE, FN_PAS_MEM_SETUP, FN_PAS_AUTH_AND_RESET, FN_PAS_SHUTDOWN,
	FN_PAS_IS_SUPPORTED, FN_SHM_BRIDGE_ENABLE, FN_SHM_BRIDGE_DELETE, FN_SHM_BRIDGE_CREATE,
};

/* Calls the 6.12 drivers are known to make that this firmware declines, named for the log. */
static const char *declined_name(u32 fn)
{
	switch (fn) {
	case FN_QSEECOM_VERSION: return "qseecom_version";
	case FN_SDI_CONFIG: return "sdi_config";
	case FN_SET_DLOAD_MODE: return "set_dload_mode";
	case FN_PAS_MSS_RESET: return "pas_mss_reset";
	case FN_WAITQ_GET_INFO: return "waitq_get_info";
	}
	return NULL;
}

static int is_implemented(u32 fn)
{
	u32 i;
	for (i = 0; i < ARRAY_SIZE(implemented); i++)
		if (implemented[i] == fn)
			return 1;
	return 0;
}

static void ret(struct el3_frame *f, s64 status, u64 r1, u64 r2, u64 r3)
{
	f->x[0] = (u64)status;
	f->x[1] = r1;
	f->x[2] = r2;
	f->x[3] = r3;
}

void scm_handle(struct el3_frame *f)
{
	u32 fid = (u32)f->x[0], fn = fid & 0xffff;
	int smc64 = (fid >> 30) & 1;
	u64 a[4] = { f->x[2], f->x[3], f->x[4], f->x[5] };
	u64 handle = 0;
	s64 st;
	u32 i;
	const char *name;

	if (!smc64)
		for (i = 0; i < 4; i++)
			a[i] &= 0xffffffffUL;

	switch (fn) {
	case FN_IS_CALL_AVAIL: {
		u32 q = (u32)a[0];
		int yes = ((q >> 24) & 0x3f) == SMCCC_OWNER_SIP && is_implemented(q & 0xffff);
		tz_log("smc info is_call_avail fid=0x%x query=0x%x -> %d", fid, q, yes);
		ret(f, 0, (u64)yes, 0, 0);
		return;
	}
	case FN_PAS_IS_SUPPORTED:
		st = pas_is_supported((u32)a[0]);
		tz_log("smc pas is_supported pas=%u -> %ld", (u32)a[0], st);
		ret(f, 0, (u64)st, 0, 0);
		return;
	case FN_PAS_INIT_IMAGE:
		ret(f, pas_init_image((u32)a[0], a[1]), 0, 0, 0);
		return;
	case FN_PAS_MEM_SETUP:
		ret(f, pas_mem_setup((u32)a[0], a[1], a[2]), 0, 0, 0);
		return;
	case FN_PAS_AUTH_AND_RESET:
		ret(f, pas_auth_and_reset((u32)a[0]), 0, 0, 0);
		return;
	case FN_PAS_SHUTDOWN:
		ret(f, pas_shutdown((u32)a[0]), 0, 0, 0);
		return;
	case FN_SHM_BRIDGE_ENABLE:
		bridge_enabled = 1;
		tz_log("bridge enable -> 0");
		ret(f, 0, 0, 0, 0);
		return;
	case FN_SHM_BRIDGE_CREATE:
		st = bridge_create(a[0], a[1], a[2], a[3], &handle);
		ret(f, st, 0, handle, 0);
		return;
	case FN_SHM_BRIDGE_DELETE:
		ret(f, bridge_delete(a[0]), 0, 0, 0);
		return;
	}

	name = declined_name(fn);
	if (name)
		tz_log("smc declined %s fid=0x%x args=0x%lx,0x%lx -> not_supported", name, fid, a[0], a[1]);
	else
		tz_log("smc unknown fid=0x%x svc=0x%x cmd=0x%x arginfo=0x%lx args=0x%lx,0x%lx,0x%lx,0x%lx -> not_supported",
		       fid, fn >> 8, fn & 0xff, f->x[1], a[0], a[1], a[2], a[3]);
	ret(f, QCOM_SCM_EOPNOTSUPP, 0, 0, 0);
}
