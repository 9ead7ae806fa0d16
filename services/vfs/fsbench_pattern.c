/* fsbench's data pattern: see fsbench_pattern.h. */
#include <string.h>
#include "services/vfs/fsbench_pattern.h"

void fsbench_fill(uint8_t *chunk, size_t len)
{
    for (size_t i = 0; i < len; i++)
        chunk[i] = (uint8_t)(i * 7 + (i >> 9));
}

/* Multiplying by an odd constant is a bijection on 64-bit values, so no two
 * offsets share a stamp; the xor keeps offset 0 from stamping zeros (what a
 * blank disk holds). One store per sector: cheap beside the copies timed. */
void fsbench_stamp(uint8_t *chunk, size_t len, uint64_t offset)
{
    for (size_t s = 0; s + 8 <= len; s += 512) {
        uint64_t v = (offset + s) * 0x9e3779b97f4a7c15ull ^ 0xf5b0c4d3a2e19788ull;
        memcpy(chunk + s, &v, sizeof(v));
    }
}
