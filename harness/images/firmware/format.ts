// The simulated SoC's firmware format; mirrors images/qcom-pas-sim/fwfmt.h, so change both together.

export const FORMAT_VERSION = 1;

/** Program header flags as include/linux/soc/qcom/mdt_loader.h defines them. */
export const QCOM_MDT_TYPE_MASK = 7 << 24;
export const QCOM_MDT_TYPE_LAYOUT = 7 << 24;
export const QCOM_MDT_TYPE_HASH = 2 << 24;
export const QCOM_MDT_RELOCATABLE = 1 << 27;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** "PSHT" as a little-endian word. */
export const HASH_MAGIC = 0x54485350;
export const DIGEST_SIZE = 32;
export const HASH_HEADER_SIZE = 32;

/** Key of the stand-in signature: SHA-256(key || hash header || hash table). */
export const OEM_KEY = 'pilot-qcom-pas-sim-oem-key-v1';

export const BOOT_MAGIC = 'PSIMBOOT';
export const BOOT_BLOCK_SIZE = 256;
export const BOOT_HEADER_SIZE = 64;
