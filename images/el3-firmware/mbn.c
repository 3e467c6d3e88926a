/* Metadata checks at init_image: structure, hash-segment format, signature, header digest. */
#include "mbn.h"
#include "lib.h"

#define PT_NULL			0
#define PT_LOAD			1
#define QCOM_MDT_TYPE_MASK	(7u << 24)
#define QCOM_MDT_TYPE_HASH	(2u << 24)
#define QCOM_MDT_RELOCATABLE	(1u << 27)

#define HASH_MAGIC		0x54485350u	/* "PSHT" */
#define HASH_VERSION		1
#define HASH_HEADER_SIZE	32

static const char oem_key[] = "pilot-qcom-pas-sim-oem-key-v1";

static u64 le(const u8 *p, int n)
{
	u64 v = 0;
	while (n--)
		v = (v << 8) | p[n];
	return v;
}

int mbn_is_loadable(const struct mbn_phdr *p)
{
	return p->type == PT_LOAD && (p->flags & QCOM_MDT_TYPE_MASK) != QCOM_MDT_TYPE_HASH && p->memsz;
}

u64 mbn_segment_addr(const struct mbn_meta *m, u32 i, u64 mem_base)
{
	return m->relocatable ? mem_base + (m->ph[i].paddr - m->min_paddr) : m->ph[i].paddr;
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

int mbn_parse(const u8 *meta, struct mbn_meta *m, const char **why)
{
	u64 phoff, headers_size, hash_size;
	u32 phentsize, i;
	const u8 *hash, *table;
	u8 digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	memset(m, 0, sizeof(*m));
	if (meta[0] != 0x7f || meta[1] != 'E' || meta[2] != 'L' || meta[3] != 'F')
		return fail(why, "not an ELF image");
	if (meta[5] != 1)
		return fail(why, "not little-endian");
	if (meta[4] == 1) {
		m->elf_class = 32;
		m->entry = le(meta + 24, 4);
		phoff = le(meta + 28, 4);
		phentsize = (u32)le(meta + 42, 2);
		m->phnum = (u32)le(meta + 44, 2);
	} else if (meta[4] == 2) {
		m->elf_class = 64;
		m->entry = le(meta + 24, 8);
		phoff = le(meta + 32, 8);
		phentsize = (u32)le(meta + 54, 2);
		m->phnum = (u32)le(meta + 56, 2);
	} else {
		return fail(why, "unknown ELF class");
	}
	if (phentsize != (m->elf_class == 32 ? 32u : 56u))
		return fail(why, "bad program header size");
	if (m->phnum < 3 || m->phnum > MBN_MAX_PHDRS)
		return fail(why, "program header count out of range");
	if (phoff + (u64)phentsize * m->phnum > MBN_META_MAX)
		return fail(why, "program headers outside the metadata");

	m->min_paddr = ~0UL;
	for (i = 0; i < m->phnum; i++) {
		const u8 *p = meta + phoff + (u64)i * phentsize;
		struct mbn_phdr *ph = &m->ph[i];
		ph->type = (u32)le(p, 4);
		if (m->elf_class == 32) {
			ph->paddr = le(p + 12, 4);
			ph->filesz = le(p + 16, 4);
			ph->memsz = le(p + 20, 4);
			ph->flags = (u32)le(p + 24, 4);
		} else {
			ph->flags = (u32)le(p + 4, 4);
			ph->paddr = le(p + 24, 8);
			ph->filesz = le(p + 32, 8);
			ph->memsz = le(p + 40, 8);
		}
		if (!mbn_is_loadable(ph))
			continue;
		if (ph->filesz > ph->memsz)
			return fail(why, "segment holds more file bytes than memory");
		if (ph->flags & QCOM_MDT_RELOCATABLE)
			m->relocatable = 1;
		if (ph->paddr < m->min_paddr)
			m->min_paddr = ph->paddr;
		if (ph->paddr + ph->memsz > m->max_paddr)
			m->max_paddr = ph->paddr + ph->memsz;
	}
	if (m->max_paddr == 0)
		return fail(why, "no loadable segment");
	if (m->ph[0].type == PT_LOAD)
		return fail(why, "program header 0 is not the layout segment");
	if ((m->ph[1].flags & QCOM_MDT_TYPE_MASK) != QCOM_MDT_TYPE_HASH)
		return fail(why, "program header 1 is not a hash segment");

	headers_size = m->ph[0].filesz;
	hash_size = m->ph[1].filesz;
	if (headers_size < phoff + (u64)phentsize * m->phnum || headers_size + hash_size > MBN_META_MAX)
		return fail(why, "layout segment does not cover the headers");
	if (hash_size < HASH_HEADER_SIZE + (u64)(m->phnum + 1) * SHA256_DIGEST_SIZE)
		return fail(why, "hash segment truncated");
	hash = meta + headers_size;
	table = hash + HASH_HEADER_SIZE;
	if (le(hash, 4) != HASH_MAGIC)
		return fail(why, "hash segment magic");
	if (le(hash + 4, 4) != HASH_VERSION)
		return fail(why, "hash segment version");
	if (le(hash + 12, 4) != m->phnum)
		return fail(why, "hash table size differs from the program header count");
	if (le(hash + 16, 4) != SHA256_DIGEST_SIZE || le(hash + 20, 4) != SHA256_DIGEST_SIZE)
		return fail(why, "hash segment digest size");
	m->pas_id = (u32)le(hash + 8, 4);

	sha256_init(&ctx);
	sha256_update(&ctx, oem_key, sizeof(oem_key) - 1);
	sha256_update(&ctx, hash, HASH_HEADER_SIZE);
	sha256_update(&ctx, table, (u64)m->phnum * SHA256_DIGEST_SIZE);
	sha256_final(&ctx, digest);
	if (memcmp(digest, table + (u64)m->phnum * SHA256_DIGEST_SIZE, SHA256_DIGEST_SIZE))
		return fail(why, "signature does not verify with the OEM key");

	sha256(meta, headers_size, digest);
	if (memcmp(digest, table, SHA256_DIGEST_SIZE))
		return fail(why, "ELF header digest mismatch");

	for (i = 0; i < m->phnum; i++)
		memcpy(m->digest[i], table + (u64)i * SHA256_DIGEST_SIZE, SHA256_DIGEST_SIZE);
	return 0;
}
