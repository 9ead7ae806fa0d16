/*
 * Word-at-a-time memory copy and fill for the kernel (picolibc's release
 * build for rv64 copies one byte at a time). Only aligned 8-byte loads and
 * stores are used, so no access is ever misaligned (those trap on many
 * RISC-V cores) and no word read crosses into a page the caller did not
 * name: every word read holds at least one byte of the source.
 */
#ifndef UTIL_MEMOPS_H
#define UTIL_MEMOPS_H

#include <stddef.h>

void *pus_memcpy(void *dst, const void *src, size_t n);
void *pus_memmove(void *dst, const void *src, size_t n);
void *pus_memset(void *dst, int c, size_t n);

#endif
