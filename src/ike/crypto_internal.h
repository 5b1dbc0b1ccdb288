/* Helpers shared by the src/ike/crypto_*.c files only (not an API). */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* prf(key, a | b | c) without concatenating secrets in a temporary buffer. */
int ike_crypto_prf3(int prf, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
		    const uint8_t *b, size_t blen, const uint8_t *c, size_t clen, uint8_t *out);
/* HMAC-SHA2 over a | b truncated to the transform's ICV (RFC 4868). */
int ike_crypto_hmac(int integ, const uint8_t *key, const uint8_t *a, size_t alen,
		    const uint8_t *b, size_t blen, uint8_t *icv);
/* sodium_init() once; -EIO if libsodium cannot start. */
int ike_crypto_init(void);
/* A key file (owner root or us, writable by nobody else, at most 8 KiB)
 * read into one shared sodium buffer, NUL-terminated; held (a lock) until
 * ike_key_file_release wipes it. 0 or -errno, err says why. */
int ike_key_file_read(const char *path, char **out, size_t *out_len, char *err, size_t errlen);
void ike_key_file_release(char *buf);
