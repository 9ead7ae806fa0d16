/*
 * The run directory (default ./run/cluster) and what lives in it:
 *
 *   state.db           controller state (SQLite)
 *   cluster.key        cluster key, hex, mode 0600
 *   daemon.pid/.lock   controller daemon; daemon.log its log
 *   switch.pid/.lock   Ethernet switch; switch.sock, switch.log
 *   nodeN.qmp          QMP socket of node N's QEMU
 *   nodeN.console      serial console socket; nodeN.log the console log
 *   nodeN.qemu.log     QEMU's own stderr
 *   nodeN.img          node N's disk image (made with pusfs when available)
 *
 * A lock file is held (flock) for as long as its process lives, so "is the
 * daemon up?" never trusts a stale pid file.
 */
#ifndef PUSCTL_RUNFILES_H
#define PUSCTL_RUNFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Creates dir (and parents) if needed and turns *dir into an absolute path. */
int  run_dir_prepare(char *dir);
/* Takes dir/NAME.lock for the life of the process; -1 if someone has it. */
int  run_lock(const char *dir, const char *name);
/* True if a live process holds dir/NAME.lock. */
bool run_is_locked(const char *dir, const char *name);

void  pid_file_write(const char *dir, const char *name, pid_t pid);
pid_t pid_file_read(const char *dir, const char *name);
void  pid_file_remove(const char *dir, const char *name);

int  key_read(const char *path, uint8_t *key, size_t cap);   /* length or -1 */
int  key_create(const char *path, size_t len);                /* random key */

/* dir/node<id>.<suffix> */
bool node_path(const char *dir, uint32_t id, const char *suffix, char *out, size_t cap);

#endif
