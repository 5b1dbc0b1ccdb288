/* Civil time for the audit trail. Journal files and retention use UTC day
 * numbers computed here, so neither a TZ change nor a DST jump can make a
 * file look older than it is; record timestamps carry the local offset
 * (RFC 3339 §5.6, lg_time_format) so an assessor reads local time without
 * guessing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "audit_internal.h"

/* Howard Hinnant's days_from_civil: days since 1970-01-01. */
int64_t audit_days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void audit_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

int64_t audit_day_of_ms(int64_t wall_ms)
{
	int64_t s = wall_ms >= 0 ? wall_ms / 1000 : -((-wall_ms + 999) / 1000);
	return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static bool valid_date(int y, int m, int d)
{
	if (m < 1 || m > 12 || d < 1 || (unsigned)d > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

static int parse_offset(const char *p, int *off_min)
{
	int hh, mm;
	if (p[0] == 'Z' && p[1] == '\0') {
		*off_min = 0;
		return 0;
	}
	if ((p[0] != '+' && p[0] != '-') || !digits(p + 1, 2, &hh) || p[3] != ':' ||
	    !digits(p + 4, 2, &mm) || p[6] != '\0' || hh > 23 || mm > 59)
		return -EINVAL;
	*off_min = (p[0] == '-' ? -1 : 1) * (hh * 60 + mm);
	return 0;
}

int audit_time_parse(const char *s, int64_t *wall_ms)
{
	int y, mo, d, h = 0, mi = 0, se = 0, ms = 0, off = 0;
	size_t n = strnlen(s, 64);
	if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || !valid_date(y, mo, d))
		return -EINVAL;
	const char *p = s + 10;
	if (*p != '\0') {
		if ((*p != 'T' && *p != 't' && *p != ' ') || !digits(p + 1, 2, &h) ||
		    p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
		    !digits(p + 7, 2, &se) || h > 23 || mi > 59 || se > 60)
			return -EINVAL;
		p += 9;
		if (*p == '.') {
			int scale = 100, nd = 0;
			for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
				ms += (*p - '0') * scale;
				scale /= 10;
			}
			if (nd == 0)
				return -EINVAL;
		}
		if (parse_offset(p, &off))
			return -EINVAL;
	}
	int64_t days = audit_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*wall_ms = ((days * 86400 + h * 3600 + mi * 60 + se) - (int64_t)off * 60) * 1000 + ms;
	return 0;
}
