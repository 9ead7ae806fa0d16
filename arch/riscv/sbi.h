/*
 * Calls into the SBI firmware (OpenSBI) below us: timer, IPIs, remote fences,
 * hart start (HSM) and system reset (SRST). See the RISC-V SBI specification.
 */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include <stdint.h>

struct sbiret { long error; long value; };

#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45
#define SBI_EXT_IPI   0x735049
#define SBI_EXT_RFNC  0x52464E43
#define SBI_EXT_HSM   0x48534D
#define SBI_EXT_SRST  0x53525354

#define SBI_SRST_SHUTDOWN   0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3);
int sbi_probe_extension(long ext);
void sbi_set_timer(uint64_t deadline_ticks);
int sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
int sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
                          unsigned long start, unsigned long size);
int sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
long sbi_hart_status(unsigned long hartid);
void sbi_system_reset(uint32_t type, uint32_t reason) __attribute__((noreturn));
/* Legacy console putchar: usable before the UART driver is up. */
void sbi_console_putchar(int c);

#endif
