/*
 * Fatal errors. panic() prints the message, the registers if a trap caused
 * it, a symbolized backtrace, then follows the panic policy from bootargs:
 * panic=reboot (the default) resets the machine through SBI SRST, and
 * panic=halt stops every hart.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

struct trap_frame;

enum panic_policy { PANIC_REBOOT, PANIC_HALT };

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_trap(struct trap_frame *f, const char *why) __attribute__((noreturn));
void panic_set_policy(enum panic_policy p);
enum panic_policy panic_get_policy(void);
/* Print a backtrace starting from a frame pointer and pc. */
void backtrace_print(unsigned long pc, unsigned long fp);

#define assert(x) do { if (__builtin_expect(!(x), 0)) \
    panic("assertion failed: %s at %s:%d", #x, __FILE__, __LINE__); } while (0)

#endif
