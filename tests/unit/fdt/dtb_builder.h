/*
 * Builds small devicetree blobs by hand for tests, including broken ones:
 * raw words can be emitted anywhere and the header patched afterwards.
 */
#ifndef DTB_BUILDER_H
#define DTB_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define DTB_MAX_STRUCT 65536
#define DTB_MAX_STRINGS 4096

struct dtb {
    uint8_t st[DTB_MAX_STRUCT];
    size_t st_len;
    char str[DTB_MAX_STRINGS];
    size_t str_len;
};

void dtb_start(struct dtb *d);
void dtb_word(struct dtb *d, uint32_t w);              /* raw big-endian word */
void dtb_bytes(struct dtb *d, const void *p, size_t n); /* raw, padded to 4 */
void dtb_begin(struct dtb *d, const char *name);
void dtb_end_node(struct dtb *d);
void dtb_end(struct dtb *d);                             /* FDT_END */
uint32_t dtb_string(struct dtb *d, const char *name);    /* offset in strings */
void dtb_prop(struct dtb *d, const char *name, const void *val, size_t len);
void dtb_prop_u32(struct dtb *d, const char *name, uint32_t v);
void dtb_prop_cells(struct dtb *d, const char *name, const uint32_t *cells, size_t n);
void dtb_prop_str(struct dtb *d, const char *name, const char *s);

/* A malloc'd blob of exactly *len bytes (header, empty reservation map,
 * structure block, strings block), so ASan sees any read past its end. */
uint8_t *dtb_finish(const struct dtb *d, size_t *len);
/* Header word n (0 = magic) of a blob, for patching. */
void dtb_set_header(uint8_t *blob, int n, uint32_t v);
uint32_t dtb_get_header(const uint8_t *blob, int n);

#endif
