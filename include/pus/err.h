/*
 * One set of status codes for the whole of PusOS: kernel, drivers, services
 * and every portable library. Functions return 0 (or a non-negative count) on
 * success and one of these negative values on failure, in the style of
 * LittleKernel's status_t. Callers check them; assert() is for invariants.
 *
 * Keep the list append-only and in step with err_str() in lib/util/err.c so
 * that numbers seen in logs, snapshots and API replies keep their meaning.
 */
#ifndef PUS_ERR_H
#define PUS_ERR_H

#define ERR_OK                0
#define ERR_GENERIC          -1   /* a failure with no better code */
#define ERR_NO_MEMORY        -2   /* allocation failed */
#define ERR_INVALID_ARGS     -3   /* caller passed something meaningless */
#define ERR_NOT_FOUND        -4   /* no such file, key, node, route... */
#define ERR_EXISTS           -5   /* already there (exclusive create, bind) */
#define ERR_TIMED_OUT        -6   /* a deadline passed */
#define ERR_WOULD_BLOCK      -7   /* non-blocking call could not proceed */
#define ERR_BUSY             -8   /* resource in use */
#define ERR_NOT_SUPPORTED    -9   /* valid request we do not implement */
#define ERR_IO              -10   /* device reported an error */
#define ERR_CORRUPT         -11   /* stored data failed a checksum or rule */
#define ERR_NO_SPACE        -12   /* device or table full */
#define ERR_TOO_BIG         -13   /* input exceeds a limit */
#define ERR_BAD_FORMAT      -14   /* input does not follow its grammar */
#define ERR_BAD_STATE       -15   /* call not valid in the object's state */
#define ERR_CANCELLED       -16   /* wait ended because the object went away */
#define ERR_NOT_DIR         -17
#define ERR_IS_DIR          -18
#define ERR_NOT_EMPTY       -19
#define ERR_NAME_TOO_LONG   -20
#define ERR_READ_ONLY       -21
#define ERR_BAD_HANDLE      -22   /* closed or unknown descriptor */
#define ERR_CONN_REFUSED    -23
#define ERR_CONN_RESET      -24
#define ERR_NOT_CONNECTED   -25
#define ERR_UNREACHABLE     -26   /* no route or ARP/neighbour failure */
#define ERR_ADDR_IN_USE     -27
#define ERR_CLOSED          -28   /* peer closed; no more data */
#define ERR_RANGE           -29   /* value outside its domain */
#define ERR_TRAP            -30   /* a sandboxed app trapped */
#define ERR_EXHAUSTED       -31   /* a budget (fuel, stack, depth) ran out */
#define ERR_AUTH            -32   /* authentication failed */
#define ERR_CHECKSUM        -33   /* checksum mismatch on received data */
#define ERR_ALREADY         -34   /* operation already in progress or done */
#define ERR_NO_DEVICE       -35   /* hardware absent */
#define ERR_LAST            -35

/* A short English name for a status code, e.g. "no memory". Never NULL. */
const char *err_str(int err);

#endif
