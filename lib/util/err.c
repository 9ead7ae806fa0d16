/* Human-readable names for the shared status codes in pus/err.h. */
#include "pus/err.h"

static const char *const names[] = {
    [0] = "ok",
    [-ERR_GENERIC] = "generic error",
    [-ERR_NO_MEMORY] = "out of memory",
    [-ERR_INVALID_ARGS] = "invalid arguments",
    [-ERR_NOT_FOUND] = "not found",
    [-ERR_EXISTS] = "already exists",
    [-ERR_TIMED_OUT] = "timed out",
    [-ERR_WOULD_BLOCK] = "would block",
    [-ERR_BUSY] = "busy",
    [-ERR_NOT_SUPPORTED] = "not supported",
    [-ERR_IO] = "i/o error",
    [-ERR_CORRUPT] = "corrupt data",
    [-ERR_NO_SPACE] = "no space left",
    [-ERR_TOO_BIG] = "too big",
    [-ERR_BAD_FORMAT] = "bad format",
    [-ERR_BAD_STATE] = "bad state",
    [-ERR_CANCELLED] = "cancelled",
    [-ERR_NOT_DIR] = "not a directory",
    [-ERR_IS_DIR] = "is a directory",
    [-ERR_NOT_EMPTY] = "directory not empty",
    [-ERR_NAME_TOO_LONG] = "name too long",
    [-ERR_READ_ONLY] = "read-only",
    [-ERR_BAD_HANDLE] = "bad handle",
    [-ERR_CONN_REFUSED] = "connection refused",
    [-ERR_CONN_RESET] = "connection reset",
    [-ERR_NOT_CONNECTED] = "not connected",
    [-ERR_UNREACHABLE] = "unreachable",
    [-ERR_ADDR_IN_USE] = "address in use",
    [-ERR_CLOSED] = "closed",
    [-ERR_RANGE] = "out of range",
    [-ERR_TRAP] = "trap",
    [-ERR_EXHAUSTED] = "exhausted",
    [-ERR_AUTH] = "authentication failed",
    [-ERR_CHECKSUM] = "bad checksum",
    [-ERR_ALREADY] = "already in progress",
    [-ERR_NO_DEVICE] = "no such device",
};

const char *err_str(int err)
{
    if (err > 0)
        return "ok";
    if (err < ERR_LAST || names[-err] == 0)
        return "unknown error";
    return names[-err];
}
