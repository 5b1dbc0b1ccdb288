/* systemd readiness protocol (sd_notify(3)) without libsystemd: one datagram
 * of "KEY=VALUE\n..." to the unix socket named by $NOTIFY_SOCKET. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Sends state to path ("@name" = abstract namespace). 0 or -errno. */
int sdnotify_send_to(const char *path, const char *state);
/* Sends to $NOTIFY_SOCKET; 0 without doing anything when it is unset. */
int sdnotify_send(const char *state);
/* "RELOADING=1\nMONOTONIC_USEC=<now>" (Type=notify-reload in systemd 253+
 * wants the timestamp; older systemd ignores it). Returns length or -ENOSPC. */
int sdnotify_format_reloading(char *out, size_t n, uint64_t monotonic_usec);
/* "STATUS=<text>" with newlines replaced (one field per line). */
int sdnotify_format_status(char *out, size_t n, const char *text);
/* Watchdog period asked by systemd ($WATCHDOG_USEC, for us if $WATCHDOG_PID
 * is unset or ours), 0 when off. */
uint64_t sdnotify_watchdog_usec(void);
uint64_t sdnotify_monotonic_usec(void);
