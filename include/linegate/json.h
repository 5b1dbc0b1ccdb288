/* The control plane's one JSON writer: every --json answer (daemon
 * commands, the compliance report, audit verify) is built as a jansson tree
 * and printed here. jansson (Debian libjansson4) because it is maintained,
 * small, has no dependencies, keeps object keys in insertion order and
 * escapes per RFC 8259 by construction, so no caller writes a quote or a
 * backslash by hand (four hand-written escapers disagreed on UTF-8 and
 * length before). The journal keeps its own canonical serializer
 * (audit_format.c): its bytes are hashed and must never change with a library. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* A JSON string of s: valid UTF-8 kept as is (a circuit id in Chinese stays
 * readable), each invalid byte replaced by U+FFFD as the journal does, NULL
 * taken as "". Never NULL unless out of memory. */
json_t *lg_json_string(const char *s);

/* obj[key] = value. The key goes through the same UTF-8 repair as values;
 * counters above INT64_MAX (JSON integers are signed here) are clamped.
 * lg_json_set takes value (freed on failure) and returns it borrowed or NULL. */
json_t *lg_json_set(json_t *obj, const char *key, json_t *value);
void lg_json_set_str(json_t *obj, const char *key, const char *val);
void lg_json_set_u64(json_t *obj, const char *key, uint64_t v);
void lg_json_set_int(json_t *obj, const char *key, int64_t v);
void lg_json_set_bool(json_t *obj, const char *key, bool v);
/* A new object or array stored at obj[key]; returned borrowed (owned by obj). */
json_t *lg_json_set_object(json_t *obj, const char *key);
json_t *lg_json_set_array(json_t *obj, const char *key);
/* A new object appended to an array; returned borrowed. */
json_t *lg_json_append_object(json_t *array);
void lg_json_append_str(json_t *array, const char *s);

/* Writes doc compactly, UTF-8 unescaped, with a final '\n', then frees it.
 * 0, or -ENOMEM when doc is NULL (a build step ran out of memory), or -EIO. */
int lg_json_print(FILE *out, json_t *doc);
