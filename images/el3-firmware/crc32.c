/* Bitwise CRC-32; the boot block is 192 bytes, so no table is worth its flash. */
#include "crc32.h"

u32 crc32(const void *data, u64 len)
{
	const u8 *p = data;
	u32 crc = 0xffffffffu;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
