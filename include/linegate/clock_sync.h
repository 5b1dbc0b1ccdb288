/* Is the system clock disciplined by NTP? The kernel's answer (adjtimex(2)
 * read-only: STA_UNSYNC, the state code, maxerror, offset), shared by the
 * assessor report's header and the journal's clock evidence so both judge
 * the same bits the same way: audit timestamps are only as good as this. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct lg_clock_sync {
	bool synchronised;   /* STA_UNSYNC clear and state is not TIME_ERROR */
	int state;           /* adjtimex return: TIME_OK, TIME_INS, ..., TIME_ERROR */
	unsigned status;     /* raw STA_* bits */
	int64_t maxerror_us; /* kernel's bound on the error; grows 500 ppm while unsynced */
	int64_t esterror_us;
	int64_t offset_ns;   /* last offset applied by the NTP daemon (STA_NANO aware) */
};

/* Reads the kernel's NTP state without changing it (modes = 0; no privilege
 * needed). 0 or -errno (out is then zeroed, synchronised false). */
int lg_clock_sync_read(struct lg_clock_sync *out);

/* The decision alone, from raw adjtimex fields (unit-tested by table). */
void lg_clock_sync_decode(int state, unsigned status, long maxerror, long esterror,
			  long offset, struct lg_clock_sync *out);

/* "synchronised" / "unsynchronised": the word used in records and reports. */
const char *lg_clock_sync_word(const struct lg_clock_sync *c);
/* The kernel's state code by name ("ok", "insert", "delete", "oop", "wait", "error"). */
const char *lg_clock_sync_state_name(int state);
