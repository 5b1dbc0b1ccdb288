/* UTF-8 sequence validation (RFC 3629 §4). */
#include <stdint.h>
#include <string.h>
#include "linegate/utf8.h"

size_t lg_utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static size_t seq_len(const unsigned char *s)
{
	size_t n = *s < 0x80 ? 1 : lg_utf8_len(s);
	return n ? n : 1;
}

int lg_utf8_clip(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	while (p[o]) {
		size_t n = seq_len(p + o);
		if (o + n > max)
			break;
		o += n;
	}
	return (int)o;
}

void lg_utf8_trim(char *s)
{
	size_t len = strlen(s);
	for (size_t back = 1; back <= 3 && back <= len; back++) {
		unsigned char c = (unsigned char)s[len - back];
		if ((c & 0xc0) == 0x80)
			continue;                  /* a continuation byte: look further back */
		size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (want > back)
			s[len - back] = '\0';     /* announced more bytes than are left */
		return;
	}
}

/* East Asian Width W and F (Unicode 15 UAX #11), coarse ranges. */
static const struct { uint32_t lo, hi; } wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
	{ 0x2614, 0x2615 }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd },
	{ 0x30000, 0x3fffd },
};
static const struct { uint32_t lo, hi; } zero[] = {
	{ 0x0300, 0x036f }, { 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x2064 },
	{ 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff },
};

static uint32_t decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

static unsigned cp_width(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (cp >= zero[i].lo && cp <= zero[i].hi)
			return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

size_t lg_utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;
	while (*p) {
		if (*p < 0x80) {   /* ASCII, nearly every cell of a report: one column */
			w++;
			p++;
			continue;
		}
		size_t n = lg_utf8_len(p);
		w += n ? cp_width(decode(p, n)) : 1;
		p += n ? n : 1;
	}
	return w;
}

void lg_utf8_pad(FILE *to, const char *s, size_t cols)
{
	fputs(s, to);
	for (size_t w = lg_utf8_width(s); w < cols; w++)
		fputc(' ', to);
}

void lg_utf8_drop_partial(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;
	while (*r) {
		size_t n = *r < 0x80 ? 1 : lg_utf8_len(r);
		if (!n) {
			r++;
			continue;
		}
		memmove(w, r, n);
		w += n;
		r += n;
	}
	*w = '\0';
}
