/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Layout of the simulated SoC's firmware images. harness/images/firmware/
 * writes exactly this layout; keep both sides in step (FORMAT_VERSION).
 *
 * An image is an ELF32 or ELF64 file shaped like a Qualcomm MBN:
 *   phdr[0]  PT_NULL, covers the ELF header and program headers
 *   phdr[1]  PT_NULL, flagged QCOM_MDT_TYPE_HASH: the hash segment
 *   phdr[2+] PT_LOAD segments, flagged QCOM_MDT_RELOCATABLE
 * The hash segment holds one SHA-256 per program header (zeros for the
 * hash segment itself) and a stand-in signature over that table. The first
 * loadable segment starts with a boot block the processor fetches at reset.
 */
#ifndef PAS_SIM_FWFMT_H
#define PAS_SIM_FWFMT_H

#include <linux/bits.h>
#include <linux/types.h>

/* Program header flags, as include/linux/soc/qcom/mdt_loader.h defines them */
#define QCOM_MDT_TYPE_MASK	(7 << 24)
#define QCOM_MDT_TYPE_HASH	(2 << 24)
#define QCOM_MDT_RELOCATABLE	BIT(27)

#define PAS_SIM_FORMAT_VERSION	1

/* "PSHT" read as a little-endian word */
#define PAS_SIM_HASH_MAGIC	0x54485350
#define PAS_SIM_DIGEST_SIZE	32

struct pas_sim_hash_header {
	__le32 magic;
	__le32 version;
	__le32 pas_id;
	__le32 num_entries;	/* one per program header */
	__le32 entry_size;	/* PAS_SIM_DIGEST_SIZE */
	__le32 sig_size;	/* PAS_SIM_DIGEST_SIZE */
	__le32 reserved[2];
} __packed;

/*
 * Stand-in for the OEM signature: SHA-256 over this key followed by the hash
 * header and table. Only the holder of the key (the image generator) can
 * produce a table "TrustZone" accepts; no real cryptographic claim is made.
 */
#define PAS_SIM_OEM_KEY		"pilot-qcom-pas-sim-oem-key-v1"

#define PAS_SIM_BOOT_MAGIC	"PSIMBOOT"
/*
 * Small on purpose: with no IOMMU mapping every 4-byte access of the fetch
 * and of the write-back is one SMMU event, so a failed boot costs 2 * 64.
 */
#define PAS_SIM_BOOT_BLOCK_SIZE	256

struct pas_sim_boot_header {
	u8 magic[8];
	__le32 version;
	__le32 pas_id;
	__le32 size;		/* bytes in the whole block */
	__le32 crc32;		/* CRC-32 (IEEE 802.3) of the bytes after this header */
	char name[8];
	char banner[32];
} __packed;

#endif
