/*
 * The CRC littlefs uses: reflected CRC-32 (polynomial 0x04c11db7, reversed
 * 0xedb88320), started by the caller (usually at 0xffffffff) and with no
 * final inversion. A 16-entry table keeps it small for the kernel.
 */
#include "fs/fs_internal.h"

static const uint32_t nibble_table[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
    0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t fs_crc32(uint32_t crc, const void *buf, size_t size)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < size; i++) {
        crc = (crc >> 4) ^ nibble_table[(crc ^ p[i]) & 0xf];
        crc = (crc >> 4) ^ nibble_table[(crc ^ (p[i] >> 4)) & 0xf];
    }
    return crc;
}
