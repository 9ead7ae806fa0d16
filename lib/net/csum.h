/*
 * The Internet checksum (RFC 1071). The one's-complement sum does not care
 * about byte order, so it is accumulated in native order and the result is
 * stored with csum_store(), never with put16().
 */
#ifndef NET_CSUM_H
#define NET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes to a running sum. Every chunk but the last must be even. */
uint32_t csum_add(uint32_t sum, const void *buf, size_t len);
/* Adds len bytes that sit at an odd offset of the summed data. */
uint32_t csum_add_odd(uint32_t sum, const void *buf, size_t len);
/* Folds and complements: the value to place in a checksum field. */
uint16_t csum_finish(uint32_t sum);
/* Stores a csum_finish() value at p (2 bytes, any alignment). */
void csum_store(uint8_t *p, uint16_t csum);
/* Sum of the IPv4 pseudo-header for TCP/UDP (addresses in host order). */
uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* Checksum of a whole buffer (IP header, ICMP message). */
uint16_t csum_buf(const void *buf, size_t len);

#endif
