/* Relative times in control output: "3m12s ago", "in 47m10s". Absolute
 * times come from daemon_format_time, the one notation of the daemon; a
 * text line gives both, JSON the absolute time and plain seconds. */
#include <inttypes.h>
#include <stdio.h>
#include "linegate/ike.h"
#include "linegate/json.h"
#include "daemon.h"

const char *daemon_format_span(uint64_t ms, char out[24])
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(out, 24, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(out, 24, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, 24, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(out, 24, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
	return out;
}

const char *daemon_format_ago(uint64_t wall_ms, uint64_t now_wall_ms, char out[40])
{
	char span[24];

	if (!wall_ms)
		snprintf(out, 40, "never");
	else
		snprintf(out, 40, "%s ago", daemon_format_span(now_wall_ms > wall_ms ? now_wall_ms - wall_ms
										     : 0, span));
	return out;
}

const char *daemon_format_countdown(int64_t in_ms, char out[40])
{
	char span[24];

	if (in_ms == IKE_INFO_NEVER)
		snprintf(out, 40, "never");
	else if (in_ms <= 0)
		snprintf(out, 40, "due now");
	else
		snprintf(out, 40, "in %s", daemon_format_span((uint64_t)in_ms, span));
	return out;
}

void daemon_json_time(json_t *obj, const char *key, uint64_t wall_ms)
{
	char t[40];

	if (wall_ms)
		lg_json_set_str(obj, key, daemon_format_time(wall_ms, t));
	else
		lg_json_set(obj, key, json_null());
}

void daemon_json_countdown(json_t *obj, const char *key, int64_t in_ms)
{
	if (in_ms == IKE_INFO_NEVER)
		lg_json_set(obj, key, json_null());
	else
		lg_json_set_int(obj, key, in_ms > 0 ? in_ms / 1000 : 0);
}
