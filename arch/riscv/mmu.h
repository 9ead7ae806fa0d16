/*
 * Sv39 paging. The kernel runs on an identity map (virtual = physical) so
 * that device and DMA addresses need no translation, but with permissions:
 * text is read-execute, rodata read-only, everything else read-write and
 * never executable, and one unmapped guard page sits under every thread
 * stack. Only what the devicetree describes is mapped at all.
 */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MMU_READ   (1u << 1)
#define MMU_WRITE  (1u << 2)
#define MMU_EXEC   (1u << 3)

/* Build the kernel page table: RAM [ram_base, +ram_size) and the kernel
   sections with their permissions. Devices are added with mmu_map_device. */
int mmu_init(uintptr_t ram_base, size_t ram_size);
int mmu_map_device(uintptr_t base, size_t size);
/* Turn paging on for the calling hart (every hart calls it once). */
void mmu_enable(void);
/* Unmap (guard) or map again one page of RAM, on every hart. */
int mmu_set_guard(uintptr_t page, bool guard);
/* Pages used by page tables, for the mem command. */
size_t mmu_table_pages(void);

#endif
