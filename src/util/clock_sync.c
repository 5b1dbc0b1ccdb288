/* NTP synchronisation state from adjtimex(2). The kernel sets STA_UNSYNC
 * (and answers TIME_ERROR) until an NTP daemon (chronyd, ntpd,
 * systemd-timesyncd) disciplines the clock, and again when maxerror reaches
 * 16 s without an update; that is the flag `timedatectl` reports. */
#include <errno.h>
#include <string.h>
#include <sys/timex.h>
#include "linegate/clock_sync.h"

void lg_clock_sync_decode(int state, unsigned status, long maxerror, long esterror,
			  long offset, struct lg_clock_sync *out)
{
	memset(out, 0, sizeof(*out));
	out->state = state;
	out->status = status;
	out->maxerror_us = maxerror;
	out->esterror_us = esterror;
	out->offset_ns = (status & STA_NANO) ? (int64_t)offset : (int64_t)offset * 1000;
	out->synchronised = !(status & STA_UNSYNC) && state != TIME_ERROR;
}

int lg_clock_sync_read(struct lg_clock_sync *out)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx)); /* modes 0: read only */
	int state = adjtimex(&tx);
	if (state < 0) {
		int err = errno;
		memset(out, 0, sizeof(*out));
		return -err;
	}
	lg_clock_sync_decode(state, (unsigned)tx.status, tx.maxerror, tx.esterror,
			     tx.offset, out);
	return 0;
}

const char *lg_clock_sync_word(const struct lg_clock_sync *c)
{
	return c->synchronised ? "synchronised" : "unsynchronised";
}

const char *lg_clock_sync_state_name(int state)
{
	switch (state) {
	case TIME_OK: return "ok";
	case TIME_INS: return "insert";
	case TIME_DEL: return "delete";
	case TIME_OOP: return "oop";
	case TIME_WAIT: return "wait";
	case TIME_ERROR: return "error";
	default: return "unknown";
	}
}
