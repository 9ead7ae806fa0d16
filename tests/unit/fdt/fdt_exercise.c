/* Drives a blob through the whole fdt API; see fdt_exercise.h. */
#include "fdt_exercise.h"

#include <string.h>

#include "fdt/fdt.h"

/* Results are folded into this so the calls are not optimised away. */
static volatile unsigned long sink;

static void touch_string(const char *s)
{
    if (s)
        sink += strlen(s);
}

static void visit(const struct fdt *fdt, int node, int thorough)
{
    int len = 0;
    uint32_t u32;
    uint64_t u64, a, s;
    touch_string(fdt_name(fdt, node));
    static const char *const props[] = {"compatible", "reg", "#address-cells", "#size-cells",
                                        "phandle", "status", "interrupts", "bootargs"};
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        const unsigned char *v = fdt_prop(fdt, node, props[i], &len);
        if (v && len > 0)
            sink += v[0] + v[len - 1];
        sink += fdt_prop_u32(fdt, node, props[i], &u32);
        sink += fdt_prop_u64(fdt, node, props[i], &u64);
        touch_string(fdt_prop_str(fdt, node, props[i]));
    }
    for (int i = 0; i < 4; i++)
        touch_string(fdt_prop_str_index(fdt, node, "compatible", i));
    int budget = (int)fdt->size_struct / 12 + 1;
    for (int p = fdt_first_prop(fdt, node); p >= 0 && budget-- > 0; p = fdt_next_prop(fdt, p)) {
        const char *name = NULL;
        const unsigned char *v = fdt_prop_at(fdt, p, &name, &len);
        touch_string(name);
        if (v && len > 0)
            sink += v[len - 1];
    }
    sink += fdt_is_compatible(fdt, node, "virtio,mmio");
    sink += fdt_cells(fdt, node, "#address-cells", 2);
    if (thorough) {
        sink += fdt_parent(fdt, node);
        for (int i = 0; i < 3; i++)
            sink += fdt_reg(fdt, node, i, &a, &s);
    }
}

int fdt_exercise(const void *blob, size_t len, int thorough)
{
    struct fdt fdt;
    int err = fdt_init(&fdt, blob, len);
    if (err < 0)
        return err;

    /* Depth-first with an explicit stack; the budget bounds the walk even
     * if the library were to hand back a cycle. */
    int stack[FDT_MAX_DEPTH + 8];
    int depth = 0, count = 0, budget = (int)fdt.size_struct / 4 + 1;
    int node = fdt_root(&fdt);
    while (node >= 0 && budget-- > 0) {
        visit(&fdt, node, thorough);
        count++;
        int child = fdt_first_child(&fdt, node);
        if (child >= 0 && depth < (int)(sizeof(stack) / sizeof(stack[0]))) {
            stack[depth++] = node;
            node = child;
            continue;
        }
        int next = fdt_next_sibling(&fdt, node);
        while (next < 0 && depth > 0)
            next = fdt_next_sibling(&fdt, stack[--depth]);
        node = next;
    }

    static const char *const compats[] = {"virtio,mmio", "ns16550a", "riscv", "sifive,plic-1.0.0"};
    for (size_t i = 0; i < 4; i++) {
        int n = -1, steps = 0;
        while ((n = fdt_next_compatible(&fdt, n, compats[i])) >= 0 && steps++ < 1000)
            sink += n;
    }
    for (uint32_t ph = 0; ph < 10; ph++)
        sink += fdt_node_by_phandle(&fdt, ph);
    static const char *const paths[] = {"/", "/cpus", "/cpus/cpu@0", "/soc/serial", "/chosen",
                                        "/memory", "//soc//", "/soc/virtio_mmio@10008000"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        sink += fdt_path(&fdt, paths[i]);
    uint64_t a, s;
    for (int i = 0; i < 4; i++)
        sink += fdt_rsv_entry(&fdt, i, &a, &s);
    return count;
}
