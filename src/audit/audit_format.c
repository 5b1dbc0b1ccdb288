/* Formatting of one audit record: the JSON journal line (hash-chained) and
 * the key=value syslog line. Every value is escaped, so a peer identity or a
 * file name can never forge a field, a record or a line (log injection). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "linegate/log.h"
#include "linegate/utf8.h"
#include "audit_internal.h"

enum { VALUE_ESCAPED_MAX = 600 };

/* Appends tok (n bytes) if it fits with a NUL; false otherwise. */
static bool put(char *out, size_t cap, size_t *pos, const char *tok, size_t n)
{
	if (*pos + n + 1 > cap)
		return false;
	memcpy(out + *pos, tok, n);
	*pos += n;
	out[*pos] = '\0';
	return true;
}

enum escape_style { ESCAPE_JSON, ESCAPE_KV };

/* One character of s, escaped for the style: sets *tok to the bytes to write
 * (in buf or in s itself), returns their count; *adv = input bytes used. */
static size_t escape_one(const unsigned char *s, enum escape_style style, char buf[8],
			 const char **tok, size_t *adv)
{
	*tok = buf;
	*adv = 1;
	if (*s == '"' || *s == '\\') {
		buf[0] = '\\';
		buf[1] = (char)*s;
		return 2;
	}
	if (*s < 0x20 || *s == 0x7f)
		return style == ESCAPE_JSON ? (size_t)snprintf(buf, 8, "\\u%04x", *s)
					    : (size_t)snprintf(buf, 8, "\\x%02x", *s);
	if (*s < 0x80) {
		buf[0] = (char)*s;
		return 1;
	}
	size_t n = lg_utf8_len(s);
	if (n) {
		*tok = (const char *)s;
		*adv = n;
		return n;
	}
	/* invalid UTF-8: never pass raw bytes on */
	if (style == ESCAPE_JSON) {
		*tok = "\\ufffd";
		return 6;
	}
	return (size_t)snprintf(buf, 8, "\\x%02x", *s);
}

/* Escapes s into out from *pos while it fits. */
static void escape_into(const unsigned char *s, enum escape_style style, char *out, size_t cap,
			size_t *pos)
{
	char buf[8];
	while (*s) {
		const char *tok;
		size_t adv, n = escape_one(s, style, buf, &tok, &adv);
		if (!put(out, cap, pos, tok, n))
			break;
		s += adv;
	}
}

size_t audit_escape_json(const char *in, char *out, size_t cap)
{
	size_t pos = 0;
	if (cap)
		out[0] = '\0';
	escape_into((const unsigned char *)in, ESCAPE_JSON, out, cap, &pos);
	return pos;
}

static bool kv_bare(const unsigned char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._:/@+,-", *s)))
			return false;
	}
	return true;
}

/* Bare when only [A-Za-z0-9._:/@+,-]; otherwise "quoted" with \" and \\
 * escaped, control bytes and invalid UTF-8 as \xHH: a parser splits on
 * spaces outside quotes and never has to guess. */
size_t audit_escape_kv(const char *in, char *out, size_t cap)
{
	size_t pos = 0;
	if (cap)
		out[0] = '\0';
	if (kv_bare((const unsigned char *)in)) {
		size_t n = strlen(in);
		if (n + 1 > cap)
			n = cap ? cap - 1 : 0;
		put(out, cap, &pos, in, n);
		return pos;
	}
	if (cap < 3)
		return 0;
	cap--;                          /* room for the closing quote */
	put(out, cap, &pos, "\"", 1);
	escape_into((const unsigned char *)in, ESCAPE_KV, out, cap, &pos);
	out[pos++] = '"';
	out[pos] = '\0';
	return pos;
}

bool audit_key_is_secret(const char *key)
{
	static const char *const words[] = { "secret", "psk", "passw", "private", "skeyseed" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(key, words[i]))
			return true;
	size_t n = strlen(key);
	/* enc_key, sk_ei ... but "pubkey" and "key_id" are public */
	if (n >= 3 && strcmp(key + n - 3, "key") == 0 && strcmp(key, "pubkey") != 0)
		return true;
	return strncmp(key, "sk_", 3) == 0;
}

static bool key_valid(const char *k)
{
	size_t n = 0;
	for (; k[n]; n++)
		if (!((k[n] >= 'a' && k[n] <= 'z') || (k[n] >= '0' && k[n] <= '9') || k[n] == '_'))
			return false;
	return n > 0 && n < AUDIT_KEY_MAX;
}

static const char *safe_key(const char *k)
{
	return k && key_valid(k) ? k : "invalid_name";
}

static const char *safe_value(const struct audit_kv *kv)
{
	if (audit_key_is_secret(safe_key(kv->key)))
		return "[redacted]";
	return kv->value ? kv->value : "";
}

static bool put_json_str(char *out, size_t cap, size_t *pos, const char *v)
{
	char esc[VALUE_ESCAPED_MAX];
	size_t n = audit_escape_json(v ? v : "", esc, sizeof(esc));
	return put(out, cap, pos, "\"", 1) && put(out, cap, pos, esc, n) &&
	       put(out, cap, pos, "\"", 1);
}

static bool put_field(char *out, size_t cap, size_t *pos, const char *name, const char *v)
{
	return put(out, cap, pos, ",\"", 2) && put(out, cap, pos, name, strlen(name)) &&
	       put(out, cap, pos, "\":", 2) && put_json_str(out, cap, pos, v);
}

/* The body: everything the hash covers. n_kv details, then a marker when
 * some had to be left out so the record still fits one line. */
static bool json_body(const struct audit_rec_in *r, size_t n_kv, char *out, size_t cap, size_t *pos)
{
	char ts[64], num[32], hex[AUDIT_HEX_HASH + 1];
	static const uint8_t zero[AUDIT_HASH_LEN];
	lg_time_format(r->wall_ms, ts, sizeof(ts));
	int k = snprintf(num, sizeof(num), "{\"seq\":%llu", (unsigned long long)r->seq);
	bool ok = put(out, cap, pos, num, (size_t)k) && put_field(out, cap, pos, "ts", ts) &&
		  put_field(out, cap, pos, "host", r->host) &&
		  put_field(out, cap, pos, "subject", r->subject) &&
		  put_field(out, cap, pos, "event", audit_event_name(r->ev)) &&
		  put_field(out, cap, pos, "object", r->object) &&
		  put_field(out, cap, pos, "outcome", r->outcome == AUDIT_SUCCESS ? "success" : "failure") &&
		  put(out, cap, pos, ",\"details\":{", 12);
	for (size_t i = 0; ok && i < n_kv; i++) {
		ok = (i == 0 || put(out, cap, pos, ",", 1)) &&
		     put_json_str(out, cap, pos, safe_key(r->kv[i].key)) &&
		     put(out, cap, pos, ":", 1) && put_json_str(out, cap, pos, safe_value(&r->kv[i]));
	}
	if (ok && n_kv < r->n_kv) {
		k = snprintf(num, sizeof(num), "%zu", r->n_kv - n_kv);
		ok = put(out, cap, pos, n_kv ? "," : "", n_kv ? 1 : 0) &&
		     put_json_str(out, cap, pos, "truncated") && put(out, cap, pos, ":", 1) &&
		     put_json_str(out, cap, pos, num);
	}
	lg_hex(r->prev ? r->prev : zero, AUDIT_HASH_LEN, hex);
	return ok && put(out, cap, pos, "}", 1) && put_field(out, cap, pos, "prev", hex);
}

int audit_format_json(const struct audit_rec_in *r, char *out, size_t cap,
		      uint8_t hash_out[AUDIT_HASH_LEN])
{
	size_t n_kv = r->n_kv > AUDIT_MAX_DETAILS ? AUDIT_MAX_DETAILS : r->n_kv;
	size_t pos;
	char hex[AUDIT_HEX_HASH + 1];
	if (cap > AUDIT_LINE_MAX)
		cap = AUDIT_LINE_MAX;
	for (;;) {
		pos = 0;
		/* room for the hash suffix and '\n' */
		if (cap > AUDIT_HASH_SUFFIX_LEN + 1 &&
		    json_body(r, n_kv, out, cap - AUDIT_HASH_SUFFIX_LEN - 1, &pos))
			break;
		if (n_kv == 0)
			return -ENOSPC;
		n_kv--;
	}
	crypto_generichash(hash_out, AUDIT_HASH_LEN, (const uint8_t *)out, pos, NULL, 0);
	lg_hex(hash_out, AUDIT_HASH_LEN, hex);
	pos += (size_t)snprintf(out + pos, cap - pos, ",\"hash\":\"%s\"}\n", hex);
	return (int)pos;
}

static bool put_kv(char *out, size_t cap, size_t *pos, const char *key, const char *v)
{
	char esc[VALUE_ESCAPED_MAX];
	size_t n = audit_escape_kv(v ? v : "", esc, sizeof(esc));
	return put(out, cap, pos, " ", 1) && put(out, cap, pos, key, strlen(key)) &&
	       put(out, cap, pos, "=", 1) && put(out, cap, pos, esc, n);
}

static const char *const reserved[] = { "type", "seq", "ts", "host", "event", "outcome",
					"subject", "object", "journal", "unwritten" };

int audit_format_syslog(const struct audit_rec_in *r, const char *extra, char *out, size_t cap)
{
	char ts[64], key[AUDIT_KEY_MAX + 2];
	size_t pos = 0;
	lg_time_format(r->wall_ms, ts, sizeof(ts));
	int k = snprintf(out, cap, "type=audit seq=%llu", (unsigned long long)r->seq);
	if (k < 0 || (size_t)k >= cap)
		return -ENOSPC;
	pos = (size_t)k;
	bool ok = put_kv(out, cap, &pos, "ts", ts) && put_kv(out, cap, &pos, "host", r->host) &&
		  put_kv(out, cap, &pos, "event", audit_event_name(r->ev)) &&
		  put_kv(out, cap, &pos, "outcome", r->outcome == AUDIT_SUCCESS ? "success" : "failure") &&
		  put_kv(out, cap, &pos, "subject", r->subject) &&
		  put_kv(out, cap, &pos, "object", r->object);
	for (size_t i = 0; ok && i < r->n_kv && i < AUDIT_MAX_DETAILS; i++) {
		const char *kname = safe_key(r->kv[i].key);
		/* a detail never shadows a record field: d_<key> */
		for (size_t j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++) {
			if (strcmp(kname, reserved[j]) == 0) {
				snprintf(key, sizeof(key), "d_%s", kname);
				kname = key;
				break;
			}
		}
		ok = put_kv(out, cap, &pos, kname, safe_value(&r->kv[i]));
	}
	if (ok && extra && *extra)
		ok = put(out, cap, &pos, " ", 1) && put(out, cap, &pos, extra, strlen(extra));
	if (!ok)
		put(out, cap, &pos, " truncated=1", 12);   /* best effort: still one line */
	return (int)pos;
}
