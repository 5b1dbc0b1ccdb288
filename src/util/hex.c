/* Hex encoding for logs, config keys and test vectors. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include "linegate/log.h"

char *lg_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long lg_unhex_any(const char *s, uint8_t *out, size_t cap)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t len = strlen(s);
	if (len % 2 || len / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

int lg_unhex(const char *s, uint8_t *out, size_t n)
{
	const char *digits = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? s + 2 : s;
	if (strlen(digits) != 2 * n)
		return -EINVAL;
	return lg_unhex_any(s, out, n) == (long)n ? 0 : -EINVAL;
}
