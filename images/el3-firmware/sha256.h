/* SHA-256 (FIPS 180-4), streaming. */
#ifndef EL3_SHA256_H
#define EL3_SHA256_H
#include "types.h"

#define SHA256_DIGEST_SIZE 32

struct sha256_ctx {
	u32 state[8];
	u64 length;		/* bytes hashed so far */
	u8 block[64];
	u32 used;		/* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, u64 len);
void sha256_final(struct sha256_ctx *ctx, u8 digest[SHA256_DIGEST_SIZE]);
void sha256(const void *data, u64 len, u8 digest[SHA256_DIGEST_SIZE]);

#endif
