/* Peripheral Authentication Service (SCM service 0x02): TrustZone's side of loading a remote. */
#ifndef EL3_PAS_H
#define EL3_PAS_H
#include "types.h"

int pas_is_supported(u32 pas_id);
s64 pas_init_image(u32 pas_id, u64 metadata);
s64 pas_mem_setup(u32 pas_id, u64 addr, u64 size);
s64 pas_auth_and_reset(u32 pas_id);
s64 pas_shutdown(u32 pas_id);

#endif
