/* Sv39 page tables (see mmu.h). Tables come from the page allocator. */
#include <string.h>
#include "arch/riscv/mmu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "kernel/page.h"
#include "kernel/cpu.h"
#include "pus/err.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define SATP_SV39 (8ull << 60)

typedef uint64_t pte_t;

static pte_t *root;
static size_t table_pages;

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];

static inline size_t vpn(uintptr_t va, int level)
{
    return (va >> (12 + 9 * level)) & 0x1ff;
}

static inline pte_t *pte_table(pte_t pte)
{
    return (pte_t *)((pte >> PTE_PPN_SHIFT) << 12);
}

/* The leaf PTE for va, creating tables on the way when create is set. */
static pte_t *walk(uintptr_t va, bool create)
{
    pte_t *table = root;
    for (int level = 2; level > 0; level--) {
        pte_t *pte = &table[vpn(va, level)];
        if (!(*pte & PTE_V)) {
            if (!create)
                return NULL;
            pte_t *next = page_alloc_zeroed(1);
            if (!next)
                return NULL;
            table_pages++;
            *pte = (((uintptr_t)next >> 12) << PTE_PPN_SHIFT) | PTE_V;
        } else if (*pte & (PTE_R | PTE_W | PTE_X)) {
            return NULL;      /* a superpage: we never make those */
        }
        table = pte_table(*pte);
    }
    return &table[vpn(va, 0)];
}

static int map_range(uintptr_t start, uintptr_t end, uint64_t perms)
{
    start &= ~(PAGE_SIZE - 1);
    for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
        pte_t *pte = walk(va, true);
        if (!pte)
            return ERR_NO_MEMORY;
        /* A and D preset: the kernel never relies on them being tracked. */
        *pte = ((va >> 12) << PTE_PPN_SHIFT) | perms | PTE_V | PTE_G | PTE_A | PTE_D;
    }
    return 0;
}

int mmu_init(uintptr_t ram_base, size_t ram_size)
{
    root = page_alloc_zeroed(1);
    if (!root)
        return ERR_NO_MEMORY;
    table_pages = 1;
    uintptr_t text = (uintptr_t)__text_start, etext = (uintptr_t)__text_end;
    uintptr_t ro = (uintptr_t)__rodata_start, ero = (uintptr_t)__rodata_end;
    int r;
    /* RAM below the kernel (firmware) stays unmapped. */
    if ((r = map_range(text, etext, PTE_R | PTE_X)) < 0)
        return r;
    if ((r = map_range(ro, ero, PTE_R)) < 0)
        return r;
    if ((r = map_range(ero, ram_base + ram_size, PTE_R | PTE_W)) < 0)
        return r;
    return 0;
}

int mmu_map_device(uintptr_t base, size_t size)
{
    return map_range(base, base + size, PTE_R | PTE_W);
}

void mmu_enable(void)
{
    sfence_vma();
    csr_write(satp, SATP_SV39 | ((uintptr_t)root >> 12));
    sfence_vma();
}

int mmu_set_guard(uintptr_t page, bool guard)
{
    pte_t *pte = walk(page, false);
    if (!pte)
        return ERR_NOT_FOUND;
    if (guard)
        *pte &= ~PTE_V;
    else
        *pte |= PTE_V;
    fence();
    sfence_vma_addr(page);
    /* Other harts may hold the old translation in their TLBs. */
    unsigned long mask = 0;
    struct cpu *self = this_cpu();
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].online && &cpus[i] != self && cpus[i].hartid < 64)
            mask |= 1ul << cpus[i].hartid;
    if (mask)
        sbi_remote_sfence_vma(mask, 0, page, PAGE_SIZE);
    return 0;
}

size_t mmu_table_pages(void)
{
    return table_pages;
}
