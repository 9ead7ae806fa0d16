/*
 * spin: a runaway test app. It announces itself, then loops forever without
 * sleeping or calling the host, so only fuel limits, pause or stop end it.
 */
#include <stdio.h>

int main(void)
{
    printf("spinning\n");
    fflush(stdout);
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
