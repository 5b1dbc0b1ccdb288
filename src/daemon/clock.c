/* Clock evidence (issue 14): a record's time is only as good as the system
 * clock, so the trail says whether NTP disciplines it (adjtimex(2), read
 * only): one clock_sync record at start and one each time the kernel's
 * answer changes, polled by the audit tick. Never one per poll. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/log.h"
#include "daemon.h"

bool daemon_clock_changed(bool known, const struct lg_clock_sync *was, int was_err,
			  const struct lg_clock_sync *now, int now_err)
{
	if (!known)
		return true;
	if ((was_err != 0) != (now_err != 0))
		return true;
	return !now_err && (was->synchronised != now->synchronised || was->state != now->state);
}

void daemon_clock_check(struct daemon *d, const char *trigger)
{
	struct lg_clock_sync now;
	char maxerr[24], esterr[24], offset[24];
	int err = lg_clock_sync_read(&now);
	if (!daemon_clock_changed(d->clock_known, &d->clock, d->clock_err, &now, err))
		return;
	d->clock = now;
	d->clock_err = err;
	d->clock_known = true;
	snprintf(maxerr, sizeof(maxerr), "%" PRId64, now.maxerror_us);
	snprintf(esterr, sizeof(esterr), "%" PRId64, now.esterror_us);
	snprintf(offset, sizeof(offset), "%" PRId64, now.offset_ns);
	/* unreadable (a seccomp filter, a container): said so, never "synchronised" */
	audit_emit(AUDIT_CLOCK_SYNC, now.synchronised ? AUDIT_SUCCESS : AUDIT_FAILURE,
		   "linegated", "system_clock", "trigger", trigger,
		   "synchronised", now.synchronised ? "yes" : "no",
		   "kernel_state", err ? "unreadable" : lg_clock_sync_state_name(now.state),
		   "error", err ? strerror(-err) : "none",
		   "maxerror_us", maxerr, "esterror_us", esterr, "offset_ns", offset, NULL);
}
