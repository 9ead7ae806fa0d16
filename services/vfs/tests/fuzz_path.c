/* libFuzzer: vfs_normalize on any bytes, into buffers of any size; the
 * result is canonical and normalizing it again changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../path.h"
#include "../vfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t out_size = data[0] % (VFS_PATH_MAX + 8);
    char *in = malloc(size);
    char *out = malloc(out_size ? out_size : 1);
    memcpy(in, data + 1, size - 1);
    in[size - 1] = '\0';
    if (vfs_normalize(in, out, out_size) == 0) {
        size_t len = strlen(out);
        if (len >= out_size || len >= VFS_PATH_MAX || out[0] != '/')
            abort();
        if (len > 1 && (out[len - 1] == '/' || strstr(out, "//") || strstr(out, "/./") ||
                        strstr(out, "/../")))
            abort();
        char *again = malloc(VFS_PATH_MAX);
        if (vfs_normalize(out, again, VFS_PATH_MAX) != 0 || strcmp(out, again) != 0)
            abort();
        free(again);
    }
    free(in);
    free(out);
    return 0;
}
