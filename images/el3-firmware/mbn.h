/* The metadata Linux hands to PAS init_image: the image's ELF header and program headers (the
 * bytes of program header 0, the layout segment) followed by the hash segment (program header 1).
 * The hash segment is pilot's MBN shape (harness/images/firmware/format.ts):
 *   header  u32 magic "PSHT", version 1, pas_id, phnum, digest_size 32, digest_size 32, 2 x u32 0
 *   table   phnum SHA-256 digests: [0] the header bytes, [1] zero (itself), [i] segment i's file bytes
 *   sig     SHA-256(OEM key || header || table), the stand-in for a signature */
#ifndef EL3_MBN_H
#define EL3_MBN_H
#include "sha256.h"
#include "types.h"

#define MBN_MAX_PHDRS		16
#define MBN_META_MAX		0x10000	/* no metadata blob is bigger than this */

struct mbn_phdr {
	u32 type;
	u32 flags;
	u64 paddr;
	u64 filesz;
	u64 memsz;
};

struct mbn_meta {
	u32 elf_class;		/* 32 or 64 */
	u32 pas_id;		/* the processor the image is signed for */
	u32 phnum;
	u64 entry;
	int relocatable;
	u64 min_paddr, max_paddr;	/* span of the loadable segments */
	struct mbn_phdr ph[MBN_MAX_PHDRS];
	u8 digest[MBN_MAX_PHDRS][SHA256_DIGEST_SIZE];
};

/* Parses and verifies metadata at `meta` (guest physical == EL3 address, MMU off).
 * Returns 0, or -1 with *why set to a short reason for the log. */
int mbn_parse(const u8 *meta, struct mbn_meta *out, const char **why);
int mbn_is_loadable(const struct mbn_phdr *p);
/* Where segment i lives once Linux has loaded it, given the mem_setup base. */
u64 mbn_segment_addr(const struct mbn_meta *m, u32 i, u64 mem_base);

#endif
