/* The control plane's JSON writer over jansson (see linegate/json.h for why
 * jansson and why the journal does not use it). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/json.h"
#include "linegate/utf8.h"

/* s with every byte that does not start a valid UTF-8 sequence replaced by
 * U+FFFD (EF BF BD): at most three output bytes per input byte. */
static char *utf8_repair(const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = malloc(3 * len + 1);
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : lg_utf8_len(p);
		if (n) {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	out[o] = '\0';
	return out;
}

static bool utf8_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = *p < 0x80 ? 1 : lg_utf8_len(p);
		if (!n)
			return false;
		p += n;
	}
	return true;
}

json_t *lg_json_string(const char *s)
{
	if (!s)
		return json_string("");
	if (utf8_valid(s))
		return json_string(s);
	char *fixed = utf8_repair(s);
	json_t *j = fixed ? json_string(fixed) : NULL;
	free(fixed);
	return j;
}

/* jansson's set_new takes value even when it fails (and it fails on a key
 * that is not UTF-8), so the key is repaired first. */
json_t *lg_json_set(json_t *obj, const char *key, json_t *value)
{
	char *fixed = utf8_valid(key) ? NULL : utf8_repair(key);
	int rc = json_object_set_new(obj, fixed ? fixed : key, value);
	free(fixed);
	return rc == 0 ? value : NULL;
}

void lg_json_set_str(json_t *obj, const char *key, const char *val)
{
	lg_json_set(obj, key, lg_json_string(val));
}

void lg_json_set_u64(json_t *obj, const char *key, uint64_t v)
{
	lg_json_set(obj, key, json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v));
}

void lg_json_set_int(json_t *obj, const char *key, int64_t v)
{
	lg_json_set(obj, key, json_integer((json_int_t)v));
}

void lg_json_set_bool(json_t *obj, const char *key, bool v)
{
	lg_json_set(obj, key, json_boolean(v));
}

json_t *lg_json_set_object(json_t *obj, const char *key)
{
	return lg_json_set(obj, key, json_object());
}

json_t *lg_json_set_array(json_t *obj, const char *key)
{
	return lg_json_set(obj, key, json_array());
}

json_t *lg_json_append_object(json_t *array)
{
	json_t *o = json_object();
	return json_array_append_new(array, o) == 0 ? o : NULL;   /* appends or frees o */
}

void lg_json_append_str(json_t *array, const char *s)
{
	json_array_append_new(array, lg_json_string(s));
}

int lg_json_print(FILE *out, json_t *doc)
{
	if (!doc)
		return -ENOMEM;
	int rc = json_dumpf(doc, out, JSON_COMPACT) == 0 && fputc('\n', out) != EOF ? 0 : -EIO;
	json_decref(doc);
	return rc;
}
