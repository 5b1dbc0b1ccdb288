/* Typed values of linegate.conf: names, paths, numbers, durations, sizes,
 * regions, prefixes, addresses, identities and hex keys. Each reader reports
 * at the value's line:column what it found and what it expected. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "linegate/log.h"
#include "parser.h"

static void bad(struct parser *p, const struct value *v, const char *what, const char *expected)
{
	conf_error(p, v->line, v->col, "invalid %s '%.64s': expected %s", what, v->text, expected);
}

/* Names are used bare elsewhere (uplink internet), so keep them word-like. */
int conf_val_name(struct parser *p, const struct value *v, char *out, size_t cap)
{
	size_t n = strlen(v->text);
	bool ok = n > 0 && n < cap;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char ch = (unsigned char)v->text[i];
		ok = isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
	}
	if (!ok) {
		conf_error(p, v->line, v->col,
			   "invalid name '%.64s': expected 1 to %zu letters, digits, '-', '_' or '.'",
			   v->text, cap - 1);
		return -1;
	}
	memcpy(out, v->text, n + 1);
	return 0;
}

/* Bytes of the white-space character at s (ASCII space, no-break and
 * ideographic spaces, the U+2000 block's spaces), or 0. The lexer already
 * refused control characters and malformed or unprintable UTF-8. */
static size_t space_len(const unsigned char *s)
{
	if (s[0] == ' ')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0)
		return 2;                                             /* U+00A0 */
	if ((s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||       /* U+3000 */
	    (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||       /* U+1680 */
	    (s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xaf)) || /* U+2000-200A, 202F */
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f))         /* U+205F */
		return 3;
	return 0;
}

/* Free text (carrier, circuit id, officer): it is what a contract or an
 * assessor reads, so it must show something and have no white space at
 * either end ("CTC-1 " and "CTC-1" would be two circuits that look alike). */
int conf_val_text(struct parser *p, const struct value *v, char *out, size_t cap)
{
	size_t n = strlen(v->text);
	if (n == 0 || n >= cap) {
		conf_error(p, v->line, v->col, "invalid text: expected 1 to %zu bytes", cap - 1);
		return -1;
	}
	const unsigned char *s = (const unsigned char *)v->text;
	size_t lead = space_len(s), visible = 0, last_space = 0;
	for (size_t i = 0; i < n;) {
		size_t sp = space_len(s + i);
		if (sp) {
			last_space = i + sp;
			i += sp;
		} else {
			visible++;
			i++;
		}
	}
	if (!visible) {
		conf_error(p, v->line, v->col, "invalid text: only white space; expected printable text");
		return -1;
	}
	if (lead || last_space == n) {
		conf_error(p, v->line, v->col, "invalid text '%.64s': white space at the %s; expected "
			   "text without leading or trailing white space", v->text, lead ? "start" : "end");
		return -1;
	}
	memcpy(out, v->text, n + 1);
	return 0;
}

int conf_val_path(struct parser *p, const struct value *v, char *out, size_t cap)
{
	size_t n = strlen(v->text);
	if (n == 0 || n >= cap) {
		conf_error(p, v->line, v->col, "invalid path: expected 1 to %zu bytes", cap - 1);
		return -1;
	}
	memcpy(out, v->text, n + 1);
	return 0;
}

/* Linux interface names: 1..15 bytes, no '/', ':' or white space. */
int conf_val_ifname(struct parser *p, const struct value *v, char out[IF_NAMESIZE])
{
	size_t n = strlen(v->text);
	bool ok = n > 0 && n < IF_NAMESIZE && strcmp(v->text, ".") && strcmp(v->text, "..");
	for (size_t i = 0; ok && i < n; i++)
		ok = isgraph((unsigned char)v->text[i]) && v->text[i] != '/' && v->text[i] != ':';
	if (!ok) {
		bad(p, v, "interface name", "1 to 15 characters without '/' or ':'");
		return -1;
	}
	memcpy(out, v->text, n + 1);
	return 0;
}

int conf_val_choice(struct parser *p, const struct value *v, const char *const *words, int *out)
{
	char list[160] = "";
	size_t used = 0;
	for (int i = 0; words[i]; i++) {
		if (!strcmp(v->text, words[i])) {
			*out = i;
			return 0;
		}
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i == 0 ? "" : (words[i + 1] ? ", " : " or "), words[i]);
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
	}
	conf_error(p, v->line, v->col, "invalid value '%.64s': expected %s", v->text, list);
	return -1;
}

int conf_val_bool(struct parser *p, const struct value *v, bool *out)
{
	static const char *const words[] = { "no", "yes", NULL };
	int i;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	*out = i == 1;
	return 0;
}

/* Decimal or 0x hex; octal only where asked for (file modes), so that a
 * leading zero never silently changes an MTU or a port. */
static bool parse_u64(const char *s, bool octal, uint64_t *out)
{
	unsigned base = octal ? 8 : 10;
	uint64_t x = 0;
	if (!octal && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (isdigit((unsigned char)*s))
			d = (unsigned)(*s - '0');
		else if (isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return false;
		if (d >= base || x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*out = x;
	return true;
}

int conf_val_uint(struct parser *p, const struct value *v, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t x;
	if (!parse_u64(v->text, false, &x) || x < min || x > max) {
		conf_error(p, v->line, v->col,
			   "invalid number '%.64s': expected an integer from %llu to %llu", v->text,
			   (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = x;
	return 0;
}

int conf_val_mode(struct parser *p, const struct value *v, unsigned *out)
{
	uint64_t x;
	if (v->text[0] != '0' || !parse_u64(v->text, true, &x) || x > 0777) {
		conf_error(p, v->line, v->col,
			   "invalid mode '%.16s': expected an octal mode with a leading 0, e.g. 0600",
			   v->text);
		return -1;
	}
	*out = (unsigned)x;
	return 0;
}

/* "<decimal><unit>": the unit's multiplier, or 0 when the suffix is unknown. */
static bool split_unit(const char *s, uint64_t *num, char *unit)
{
	const char *u = s;
	uint64_t x = 0;
	while (isdigit((unsigned char)*u)) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*u - '0');
		u++;
	}
	if (u == s || strlen(u) > 1)
		return false;
	*num = x;
	*unit = *u;
	return true;
}

int conf_val_duration(struct parser *p, const struct value *v, uint32_t *seconds)
{
	uint64_t n, mult;
	char unit;
	if (!split_unit(v->text, &n, &unit))
		goto fail;
	switch (unit) {
	case '\0':
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: goto fail;
	}
	if (n > UINT32_MAX / mult) {
		conf_error(p, v->line, v->col, "duration '%.64s' too long: expected at most %us",
			   v->text, UINT32_MAX);
		return -1;
	}
	*seconds = (uint32_t)(n * mult);
	return 0;
fail:
	bad(p, v, "duration", "a number with unit s, m, h or d (e.g. 30s, 4h, 180d)");
	return -1;
}

/* Binary multiples (k = 1024), as strongSwan reads life_bytes/life_packets. */
int conf_val_size(struct parser *p, const struct value *v, uint64_t *out)
{
	uint64_t n, mult;
	char unit;
	if (!split_unit(v->text, &n, &unit))
		goto fail;
	switch (unit) {
	case '\0': mult = 1; break;
	case 'k': case 'K': mult = 1ULL << 10; break;
	case 'M': mult = 1ULL << 20; break;
	case 'G': mult = 1ULL << 30; break;
	case 'T': mult = 1ULL << 40; break;
	default: goto fail;
	}
	if (n > UINT64_MAX / mult)
		goto fail;
	*out = n * mult;
	return 0;
fail:
	bad(p, v, "size", "a number with optional unit k, M, G or T (e.g. 10G)");
	return -1;
}

int conf_val_region(struct parser *p, const struct value *v, char out[CONF_REGION_LEN])
{
	const char *s = v->text;
	if (strlen(s) != 2 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) ||
	    !isascii((unsigned char)s[0]) || !isascii((unsigned char)s[1])) {
		bad(p, v, "region", "two upper-case letters (ISO 3166-1 alpha-2, e.g. CN)");
		return -1;
	}
	memcpy(out, s, 3);
	return 0;
}

int conf_val_prefix(struct parser *p, const struct value *v, struct lg_prefix *out)
{
	if (lg_prefix_parse(v->text, out)) {
		bad(p, v, "prefix", "address/length with the host bits zero (e.g. 10.1.0.0/16)");
		return -1;
	}
	return 0;
}

int conf_val_prefixes(struct parser *p, const struct value *v, size_t n, struct lg_prefix *out,
		      size_t *n_out, struct conf_pos *pos)
{
	int rc = 0;
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		if (conf_val_prefix(p, &v[i], &out[*n_out])) {
			rc = -1;
			continue;
		}
		if (pos)
			pos[*n_out] = (struct conf_pos){ v[i].line, v[i].col };
		(*n_out)++;
	}
	return rc;
}

/* An interface address: "10.1.0.1/24", host bits kept (it is the address
 * assigned to the device, with the length of its on-link prefix). */
int conf_val_ifaddr(struct parser *p, const struct value *v, struct lg_prefix *out)
{
	char addr[LG_ADDRSTRLEN];
	const char *slash = strchr(v->text, '/');
	int family;
	uint64_t len;

	if (!slash || (size_t)(slash - v->text) >= sizeof(addr))
		goto fail;
	memcpy(addr, v->text, (size_t)(slash - v->text));
	addr[slash - v->text] = '\0';
	if (lg_addr_parse(addr, &family, out->addr) || !isdigit((unsigned char)slash[1]) ||
	    !parse_u64(slash + 1, false, &len) || slash[1] == '0' ||
	    len > (family == AF_INET ? 32u : 128u))
		goto fail;
	out->family = (uint8_t)family;
	out->len = (uint8_t)len;
	return 0;
fail:
	bad(p, v, "interface address", "address/length (e.g. 10.1.0.1/24)");
	return -1;
}

int conf_val_address(struct parser *p, const struct value *v, union lg_sockaddr *out)
{
	int family;
	uint8_t a[16];
	if (lg_addr_parse(v->text, &family, a)) {
		bad(p, v, "address", "an IPv4 or IPv6 address");
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->sa.sa_family = (sa_family_t)family;
	memcpy((uint8_t *)lg_sockaddr_addr(out), a, lg_family_addr_len(family));
	return 0;
}

int conf_val_endpoint(struct parser *p, const struct value *v, uint16_t default_port,
		      union lg_sockaddr *out)
{
	if (lg_sockaddr_parse(v->text, default_port, out) || lg_sockaddr_port(out) == 0) {
		conf_error(p, v->line, v->col,
			   "invalid endpoint '%.64s': expected address[:port] with port 1-65535 "
			   "(e.g. 203.0.113.7, 203.0.113.7:4500, [2001:db8::7]:500)", v->text);
		return -1;
	}
	const uint8_t zero[16] = { 0 };
	if (!memcmp(lg_sockaddr_addr(out), zero, lg_family_addr_len(out->sa.sa_family))) {
		bad(p, v, "endpoint", "a specific address, not the unspecified address");
		return -1;
	}
	return 0;
}

static bool fqdn_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!isalnum(ch) && ch != '-' && ch != '.' && ch != '_')
			return false;
	}
	return s[0] != '.' && s[0] != '-' && !strstr(s, "..");
}

/* "dn:C=CN, O=Corp, CN=gw", or text with an '=' (no host name has one, as
 * strongSwan tells them apart): an ID_DER_ASN1_DN, kept as DER. */
static int val_dn(struct parser *p, const struct value *v, struct conf_identity *out)
{
	const char *s = v->text, *why;
	size_t skip = strncasecmp(s, "dn:", 3) ? 0 : 3, off, len;
	/* the column of the text's first byte: after the opening quote */
	int col = v->col + (v->kind == TOK_STRING ? 1 : 0);

	if (conf_dn_parse(s + skip, out->data, sizeof(out->data), &len, &off, &why)) {
		conf_error(p, v->line, col + (int)(skip + off),
			   "invalid distinguished name '%.64s': %s (expected e.g. \"C=CN, O=Corp, CN=gw\")",
			   s, why);
		return -1;
	}
	out->type = CONF_ID_DER_ASN1_DN;
	out->len = (uint8_t)len;
	return 0;
}

/* RFC 7296 §3.5: an address is an ID_IPV4_ADDR / ID_IPV6_ADDR, "keyid:<hex>"
 * an ID_KEY_ID, a DN (val_dn) an ID_DER_ASN1_DN, anything else an ID_FQDN
 * ("@name" as strongSwan writes it). */
int conf_val_identity(struct parser *p, const struct value *v, struct conf_identity *out)
{
	const char *s = v->text;
	int family;
	uint8_t a[16];

	memset(out, 0, sizeof(*out));
	if (lg_addr_parse(s, &family, a) == 0) {
		out->type = family == AF_INET ? CONF_ID_IPV4_ADDR : CONF_ID_IPV6_ADDR;
		out->len = (uint8_t)lg_family_addr_len(family);
		memcpy(out->data, a, out->len);
		return 0;
	}
	if (!strncmp(s, "keyid:", 6)) {
		long n = lg_unhex_any(s + 6, out->data, sizeof(out->data));
		if (n <= 0) {
			bad(p, v, "key id", "keyid: followed by an even number of hex digits");
			return -1;
		}
		out->type = CONF_ID_KEY_ID;
		out->len = (uint8_t)n;
		return 0;
	}
	if (!strncasecmp(s, "dn:", 3) || strchr(s, '='))
		return val_dn(p, v, out);
	if (s[0] == '@')
		s++;
	if (!fqdn_ok(s)) {
		bad(p, v, "identity",
		    "an IPv4/IPv6 address, keyid:<hex>, a host name (letters, digits, '-', '.') "
		    "or a distinguished name (C=CN, O=Corp, CN=gw)");
		return -1;
	}
	out->type = CONF_ID_FQDN;
	out->len = (uint8_t)strlen(s);
	memcpy(out->data, s, out->len);
	return 0;
}

/* A template's remote-id: an identity as above, or "*.domain" for every
 * FQDN one label below domain (config_identity_matches). */
int conf_val_identity_pattern(struct parser *p, const struct value *v, struct conf_identity *out)
{
	const char *s = v->text[0] == '@' ? v->text + 1 : v->text;

	if (strncmp(s, "*.", 2) != 0)
		return conf_val_identity(p, v, out);
	memset(out, 0, sizeof(*out));
	if (!fqdn_ok(s + 2) || strlen(s) > CONF_ID_MAX) {
		bad(p, v, "identity pattern", "*. followed by a domain name (e.g. *.branches.corp.example)");
		return -1;
	}
	out->type = CONF_ID_FQDN;
	out->len = (uint8_t)strlen(s);
	memcpy(out->data, s, out->len);
	return 0;
}

const char *conf_identity_format(const struct conf_identity *id, char *out, size_t n)
{
	char hex[2 * CONF_ID_MAX + 1];
	switch (id->type) {
	case CONF_ID_IPV4_ADDR:
		return lg_addr_format(AF_INET, id->data, out, n);
	case CONF_ID_IPV6_ADDR:
		return lg_addr_format(AF_INET6, id->data, out, n);
	case CONF_ID_KEY_ID:
		snprintf(out, n, "keyid:%s", lg_hex(id->data, id->len, hex));
		return out;
	case CONF_ID_FQDN:
		snprintf(out, n, "%.*s", (int)id->len, (const char *)id->data);
		return out;
	case CONF_ID_DER_ASN1_DN:
		return conf_dn_format(id->data, id->len, out, n);
	default:
		snprintf(out, n, "(none)");
		return out;
	}
}
