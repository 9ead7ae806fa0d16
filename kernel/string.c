/*
 * The kernel's memcpy, memmove and memset: lib/util/memops (word at a
 * time) instead of picolibc's byte loops. The file system and the network
 * stack copy every byte through these.
 */
#include <string.h>
#include "util/memops.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    return pus_memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
    return pus_memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
    return pus_memset(dst, c, n);
}
