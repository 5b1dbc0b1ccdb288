/* Reader for the flat `name hex` vector files (tests/vectors/ike_*.txt, made
 * by tests/vectors/tools/ike_crypto_vectors.py), shared by the ike_crypto
 * unit tests. Test-only: aborts the test on malformed files. */
#pragma once
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"

struct vec_entry {
	char name[48];
	uint8_t *val;
	size_t len;
};

struct vec_file {
	struct vec_entry *e;
	size_t n;
};

static inline void vec_load(struct vec_file *vf, const char *file)
{
	const char *dir = getenv("LG_VECTORS");
	char path[512], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "../vectors", file);
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s", path);
	memset(vf, 0, sizeof(*vf));
	while (getline(&line, &cap, f) > 0) {
		char *sp, *hex;
		size_t hlen;
		struct vec_entry *e;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		sp = strchr(line, ' ');
		ck_assert_msg(sp && (size_t)(sp - line) < sizeof(e->name), "bad line in %s", path);
		hex = sp + 1;
		hlen = strcspn(hex, "\r\n");
		vf->e = realloc(vf->e, (vf->n + 1) * sizeof(*vf->e));
		ck_assert_ptr_nonnull(vf->e);
		e = &vf->e[vf->n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->name, line, (size_t)(sp - line));
		e->val = malloc(hlen / 2 + 1);
		ck_assert_ptr_nonnull(e->val);
		ck_assert_int_eq(sodium_hex2bin(e->val, hlen / 2 + 1, hex, hlen, NULL, &e->len, NULL), 0);
		ck_assert_uint_eq(e->len * 2, hlen);
	}
	free(line);
	fclose(f);
	ck_assert_uint_gt(vf->n, 0);
}

static inline void vec_free(struct vec_file *vf)
{
	for (size_t i = 0; i < vf->n; i++)
		free(vf->e[i].val);
	free(vf->e);
	memset(vf, 0, sizeof(*vf));
}

static inline const struct vec_entry *vec_vfind(const struct vec_file *vf, char name[64],
						  const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static inline const struct vec_entry *vec_vfind(const struct vec_file *vf, char name[64],
						  const char *fmt, va_list ap)
{
	vsnprintf(name, 64, fmt, ap);
	for (size_t i = 0; i < vf->n; i++)
		if (strcmp(vf->e[i].name, name) == 0)
			return &vf->e[i];
	return NULL;
}

/* NULL when absent. */
static inline const struct vec_entry *vec_find(const struct vec_file *vf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline const struct vec_entry *vec_find(const struct vec_file *vf, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	const struct vec_entry *e = vec_vfind(vf, name, fmt, ap);
	va_end(ap);
	return e;
}

/* The entry, which must exist. */
static inline const struct vec_entry *vec_get(const struct vec_file *vf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline const struct vec_entry *vec_get(const struct vec_file *vf, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	const struct vec_entry *e = vec_vfind(vf, name, fmt, ap);
	va_end(ap);
	if (!e)
		ck_abort_msg("missing vector entry %s", name);
	return e;
}
#define VEC(vf, ...) vec_get((vf), __VA_ARGS__)

/* A one-byte integer entry. */
static inline unsigned vec_u8(const struct vec_entry *e)
{
	ck_assert_uint_eq(e->len, 1);
	return e->val[0];
}
#define VEC_U8(vf, ...) vec_u8(vec_get((vf), __VA_ARGS__))

static inline void vec_hex(const uint8_t *b, size_t n, char *out, size_t cap)
{
	sodium_bin2hex(out, cap, b, n < (cap - 1) / 2 ? n : (cap - 1) / 2);
}

/* Compares bytes and prints both as hex on mismatch. */
#define ck_assert_bytes(got, want, n, what)                                          \
	do {                                                                         \
		if (memcmp((got), (want), (n)) != 0) {                               \
			char g_[257], w_[257];                                       \
			vec_hex((got), (n), g_, sizeof(g_));                         \
			vec_hex((want), (n), w_, sizeof(w_));                        \
			ck_abort_msg("%s differs:\n got %s\nwant %s", (what), g_, w_); \
		}                                                                    \
	} while (0)

/* AUTH octets of one side of a captured session (RFC 7296 §2.15): its
 * IKE_SA_INIT message | the peer's nonce | prf(SK_p, its ID body). */
static inline void vec_auth_octets(const struct vec_file *vf, bool initiator, uint8_t **oct,
				   size_t *oct_len)
{
	int prf = (int)VEC_U8(vf, "prf");
	const struct vec_entry *first = VEC(vf, initiator ? "init_req" : "init_resp");
	const struct vec_entry *nonce = VEC(vf, initiator ? "ike0.nr" : "ike0.ni");
	const struct vec_entry *skp = VEC(vf, initiator ? "ike0.sk_pi" : "ike0.sk_pr");
	const struct vec_entry *id = VEC(vf, initiator ? "auth_i.id" : "auth_r.id");

	ck_assert_int_eq(ike_auth_octets(prf, skp->val, first->val, first->len, nonce->val,
					 nonce->len, id->val, id->len, oct, oct_len), 0);
	ck_assert_uint_eq(*oct_len, first->len + nonce->len + ike_prf_len(prf));
	ck_assert_bytes(*oct, first->val, first->len, "octets: first message");
}
