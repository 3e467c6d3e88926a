/* CRC-32 (IEEE 802.3, reflected, as zlib): checks the boot block the remote fetched by DMA. */
#ifndef EL3_CRC32_H
#define EL3_CRC32_H
#include "types.h"
u32 crc32(const void *data, u64 len);
#endif
