/*
 * A stand-in for pusos.elf in the controller's QEMU tests, so the launcher,
 * QMP, kill/relaunch, console and log paths are exercised without the real
 * kernel: it prints the same "pusos: ready" and "pus> " lines on the
 * ns16550 UART of QEMU virt and echoes what it is sent. It never
 * heartbeats (it has no network stack).
 */
#define UART ((volatile unsigned char *)0x10000000)
#define RBR 0
#define THR 0
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

void stub_main(void);

static void putc_(char c)
{
    while (!(UART[LSR] & LSR_THRE))
        ;
    UART[THR] = (unsigned char)c;
}

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

void stub_main(void)
{
    puts_("stub kernel\r\npusos: ready\r\npus> ");
    for (;;) {
        if (!(UART[LSR] & LSR_DR))
            continue;
        char c = (char)UART[RBR];
        if (c == '\r' || c == '\n')
            puts_("\r\npus> ");
        else
            putc_(c);
    }
}
