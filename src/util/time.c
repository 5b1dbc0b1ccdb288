/* The one time notation of linegate: RFC 3339 with milliseconds and the
 * offset of the local zone (TZ, else /etc/localtime), "+00:00" in UTC, never
 * "Z". Audit records, flow records, control output and ctl share it, so a
 * record or a screen never mixes "+08:00" with "Z" (issue 12). */
#include <stdio.h>
#include <time.h>
#include "linegate/log.h"

int lg_time_format(uint64_t wall_ms, char *out, size_t cap)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return snprintf(out, cap, "1970-01-01T00:00:00.000+00:00");
	long off = tm.tm_gmtoff / 60;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	return snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03u%c%02ld:%02ld",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			tm.tm_min, tm.tm_sec, (unsigned)(wall_ms % 1000), sign,
			off / 60, off % 60);
}
