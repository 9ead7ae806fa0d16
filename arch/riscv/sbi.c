/* SBI calls: the ecall ABI puts the extension in a7 and the function in a6. */
#include "arch/riscv/sbi.h"
#include "arch/riscv/csr.h"

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a3 __asm__("a3") = a3;
    register long r_a6 __asm__("a6") = fid;
    register long r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbiret){ .error = r_a0, .value = r_a1 };
}

int sbi_probe_extension(long ext)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0);
    return r.error == 0 && r.value != 0;
}

void sbi_set_timer(uint64_t deadline_ticks)
{
    sbi_call(SBI_EXT_TIME, 0, (long)deadline_ticks, 0, 0, 0);
}

int sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
    return (int)sbi_call(SBI_EXT_IPI, 0, (long)hart_mask, (long)hart_mask_base, 0, 0).error;
}

int sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
                          unsigned long start, unsigned long size)
{
    return (int)sbi_call(SBI_EXT_RFNC, 1, (long)hart_mask, (long)hart_mask_base,
                         (long)start, (long)size).error;
}

int sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
    return (int)sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start_addr, (long)opaque, 0).error;
}

long sbi_hart_status(unsigned long hartid)
{
    struct sbiret r = sbi_call(SBI_EXT_HSM, 2, (long)hartid, 0, 0, 0);
    return r.error ? r.error : r.value;
}

void sbi_system_reset(uint32_t type, uint32_t reason)
{
    sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0);
    /* SRST missing or refused: nothing left to do but stop this hart. */
    for (;;)
        wfi();
}

void sbi_console_putchar(int c)
{
    sbi_call(0x01, 0, c, 0, 0, 0);
}
