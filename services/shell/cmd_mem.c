/* mem: page allocator and heap statistics. */
#include "services/shell/shell.h"
#include "kernel/console.h"
#include "kernel/heap.h"
#include "kernel/page.h"
#include "arch/riscv/mmu.h"
#include "pus/err.h"

static int cmd_mem(int argc, char **argv)
{
    struct page_stats ps;
    struct heap_stats hs;
    page_get_stats(&ps);
    kheap_get_stats(&hs);
    kprintf("RAM     %8zu KiB at %#lx\n", (ps.total * PAGE_SIZE) >> 10, (unsigned long)page_ram_base());
    kprintf("pages   %8zu total, %zu free, %zu reserved (firmware, kernel), %zu allocated, %zu failed requests\n",
            ps.total, ps.free, ps.reserved, ps.allocated, ps.failures);
    kprintf("tables  %8zu pages of Sv39 page tables\n", mmu_table_pages());
    kprintf("heap    %8zu KiB total, %zu KiB used (peak %zu), %zu KiB free, largest free %zu KiB\n",
            hs.total >> 10, hs.used >> 10, hs.peak_used >> 10, hs.free >> 10, hs.largest_free >> 10);
    kprintf("        %8zu allocations, %zu frees, %zu failures\n", hs.allocs, hs.frees, hs.failures);
    if (argc > 1) {
        int r = kheap_check();
        kprintf("heap check: %s\n", r == 0 ? "ok" : err_str(r));
    }
    return 0;
}
SHELL_COMMAND(mem, "mem [check]", "memory use: pages and heap (check: verify the heap)", cmd_mem);
