/*
 * libFuzzer target for lib/fdt: any input is walked through the whole API
 * (tests/unit/fdt/fdt_exercise.c). An input starting with the FDT magic is
 * taken as a whole blob; any other input becomes the structure block of a
 * blob with a valid header and a strings block holding the usual property
 * names, so the fuzzer spends its time inside the tree walk rather than
 * on the header checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../unit/fdt/fdt_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static const char strings[] = "compatible\0reg\0#address-cells\0#size-cells\0phandle\0"
                              "status\0interrupts\0bootargs\0linux,phandle";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && data[0] == 0xd0 && data[1] == 0x0d && data[2] == 0xfe && data[3] == 0xed) {
        /* exact-size copy: libFuzzer's buffer is exact already, but keep
         * the blob unaligned-or-not as given */
        fdt_exercise(data, size, 1);
        return 0;
    }
    if (size > 1 << 20)
        return 0;
    size_t off_strings = 56, off_struct = off_strings + ((sizeof(strings) + 3) & ~(size_t)3);
    size_t total = off_struct + size;
    uint8_t *blob = calloc(1, total);
    if (!blob)
        return 0;
    put32(blob + 0, 0xd00dfeed);
    put32(blob + 4, (uint32_t)total);
    put32(blob + 8, (uint32_t)off_struct);
    put32(blob + 12, (uint32_t)off_strings);
    put32(blob + 16, 40);
    put32(blob + 20, 17);
    put32(blob + 24, 16);
    put32(blob + 32, sizeof(strings));
    put32(blob + 36, (uint32_t)size);
    memcpy(blob + off_strings, strings, sizeof(strings));
    memcpy(blob + off_struct, data, size);
    fdt_exercise(blob, total, 1);
    free(blob);
    return 0;
}
