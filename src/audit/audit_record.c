/* The parser of journal lines. A journal on disk is untrusted (the point of
 * the verifier is that someone may have edited it), so lines are read
 * through the bounded cursor, strictly in the one shape the writer emits:
 * a flat JSON object of strings and one integer, with a flat "details"
 * object, no whitespace, ending in ,"hash":"<64 hex>"}. */
#include <errno.h>
#include <string.h>
#include <sodium.h>
#include "linegate/cursor.h"
#include "linegate/log.h"
#include "audit_internal.h"

static int peek(const struct cursor *c)
{
	uint8_t b;
	return cursor_peek_bytes(c, &b, 1) ? b : -1;
}

static bool expect(struct cursor *c, char ch)
{
	if (peek(c) != (unsigned char)ch)
		return false;
	cursor_skip(c, 1);
	return true;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void emit(char *out, size_t cap, size_t *n, const char *b, size_t k)
{
	/* values longer than the buffer are kept truncated: the hash is over
	 * the raw bytes anyway */
	if (*n + k < cap) {
		memcpy(out + *n, b, k);
		*n += k;
	}
}

/* \uXXXX to UTF-8; NUL and surrogates are refused (the writer emits
 * neither). */
static bool unicode_escape(struct cursor *c, char *out, size_t cap, size_t *n)
{
	unsigned cp = 0;
	for (int i = 0; i < 4; i++) {
		int v = hexval(cursor_get_u8(c));
		if (v < 0 || !cursor_ok(c))
			return false;
		cp = cp << 4 | (unsigned)v;
	}
	char b[3];
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	if (cp < 0x80) {
		b[0] = (char)cp;
		emit(out, cap, n, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		emit(out, cap, n, b, 2);
	} else {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		emit(out, cap, n, b, 3);
	}
	return true;
}

static bool get_string(struct cursor *c, char *out, size_t cap)
{
	size_t n = 0;
	if (!expect(c, '"'))
		return false;
	for (;;) {
		uint8_t ch = cursor_get_u8(c);
		if (!cursor_ok(c) || ch < 0x20)
			return false;
		if (ch == '"')
			break;
		if (ch != '\\') {
			emit(out, cap, &n, (const char *)&ch, 1);
			continue;
		}
		ch = cursor_get_u8(c);
		const char *map = strchr("\"\\/bfnrt", ch);
		if (ch && map) {
			static const char repl[] = "\"\\/\b\f\n\r\t";
			emit(out, cap, &n, &repl[map - "\"\\/bfnrt"], 1);
		} else if (ch != 'u' || !unicode_escape(c, out, cap, &n)) {
			return false;
		}
	}
	out[n] = '\0';
	return true;
}

static bool get_uint(struct cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;
	for (int ch; (ch = peek(c)) >= '0' && ch <= '9'; digits++) {
		if (v > (UINT64_MAX - 9) / 10 || (digits == 1 && v == 0))
			return false;   /* overflow or leading zero */
		v = v * 10 + (uint64_t)(ch - '0');
		cursor_skip(c, 1);
	}
	*out = v;
	return digits > 0;
}

static bool get_hash(struct cursor *c, uint8_t out[AUDIT_HASH_LEN])
{
	char hex[AUDIT_HEX_HASH + 2];
	return get_string(c, hex, sizeof(hex)) && strlen(hex) == AUDIT_HEX_HASH &&
	       lg_unhex(hex, out, AUDIT_HASH_LEN) == 0;
}

static bool get_details(struct cursor *c, struct audit_record *r)
{
	if (!expect(c, '{'))
		return false;
	if (expect(c, '}'))
		return true;
	do {
		if (r->n_details == AUDIT_MAX_DETAILS)
			return false;
		size_t i = r->n_details++;
		if (!get_string(c, r->dkey[i], AUDIT_KEY_MAX) || !expect(c, ':') ||
		    !get_string(c, r->dval[i], AUDIT_VALUE_MAX))
			return false;
	} while (expect(c, ','));
	return expect(c, '}');
}

enum { F_SEQ = 1, F_TS = 2, F_HOST = 4, F_SUBJ = 8, F_EVENT = 16, F_OBJ = 32,
       F_OUT = 64, F_DET = 128, F_PREV = 256, F_HASH = 512, F_ALL = 1023 };

static bool get_member(struct cursor *c, struct audit_record *r, unsigned *seen)
{
	char key[16];
	unsigned bit;
	bool ok;
	if (!get_string(c, key, sizeof(key)) || !expect(c, ':'))
		return false;
	if (!strcmp(key, "seq")) { bit = F_SEQ; ok = get_uint(c, &r->seq); }
	else if (!strcmp(key, "ts")) { bit = F_TS; ok = get_string(c, r->ts, sizeof(r->ts)); }
	else if (!strcmp(key, "host")) { bit = F_HOST; ok = get_string(c, r->host, sizeof(r->host)); }
	else if (!strcmp(key, "subject")) { bit = F_SUBJ; ok = get_string(c, r->subject, sizeof(r->subject)); }
	else if (!strcmp(key, "event")) { bit = F_EVENT; ok = get_string(c, r->event, sizeof(r->event)); }
	else if (!strcmp(key, "object")) { bit = F_OBJ; ok = get_string(c, r->object, sizeof(r->object)); }
	else if (!strcmp(key, "outcome")) { bit = F_OUT; ok = get_string(c, r->outcome, sizeof(r->outcome)); }
	else if (!strcmp(key, "details")) { bit = F_DET; ok = get_details(c, r); }
	else if (!strcmp(key, "prev")) { bit = F_PREV; ok = get_hash(c, r->prev); }
	else if (!strcmp(key, "hash")) { bit = F_HASH; ok = get_hash(c, r->hash); }
	else return false;
	if (!ok || (*seen & bit))
		return false;   /* duplicate keys would let two readers disagree */
	*seen |= bit;
	return true;
}

int audit_record_parse(const char *line, size_t len, struct audit_record *r)
{
	struct cursor c;
	unsigned seen = 0;
	memset(r, 0, offsetof(struct audit_record, dkey));
	r->n_details = 0;
	if (len < AUDIT_HASH_SUFFIX_LEN + 2 || len >= AUDIT_LINE_MAX)
		return -EINVAL;
	cursor_init(&c, line, len);
	if (!expect(&c, '{'))
		return -EINVAL;
	do {
		if (!get_member(&c, r, &seen))
			return -EINVAL;
	} while (expect(&c, ','));
	if (!expect(&c, '}') || cursor_remaining(&c) != 0 || seen != F_ALL)
		return -EINVAL;
	/* the hash must be the last member, so the covered body is exact */
	if (memcmp(line + len - AUDIT_HASH_SUFFIX_LEN, ",\"hash\":\"", 9) != 0)
		return -EINVAL;
	if (audit_time_parse(r->ts, &r->ts_ms))
		return -EINVAL;
	uint8_t h[AUDIT_HASH_LEN];
	crypto_generichash(h, sizeof(h), (const uint8_t *)line, len - AUDIT_HASH_SUFFIX_LEN, NULL, 0);
	return sodium_memcmp(h, r->hash, sizeof(h)) == 0 ? 0 : -EBADMSG;
}

const char *audit_record_detail(const struct audit_record *r, const char *key)
{
	for (size_t i = 0; i < r->n_details; i++)
		if (strcmp(r->dkey[i], key) == 0)
			return r->dval[i];
	return NULL;
}

void audit_checkpoint_message(uint64_t seq, const uint8_t prev[AUDIT_HASH_LEN], int64_t ts_ms,
			      uint8_t msg[AUDIT_SIG_MSG_LEN])
{
	size_t d = sizeof(AUDIT_SIG_DOMAIN) - 1;
	memcpy(msg, AUDIT_SIG_DOMAIN, d);
	audit_put_be64(msg + d, seq);
	memcpy(msg + d + 8, prev, AUDIT_HASH_LEN);
	audit_put_be64(msg + d + 8 + AUDIT_HASH_LEN, (uint64_t)ts_ms);
}

void audit_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}
