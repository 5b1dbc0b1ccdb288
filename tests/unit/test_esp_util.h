/* Helpers shared by the ESP unit tests: building child parameters and ESP
 * packets from hex, and one sender/receiver pair of tables. */
#pragma once
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/log.h"
#include "esp_internal.h"

static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	long n = lg_unhex_any(s, out, cap);
	ck_assert_int_ge(n, 0);
	return (size_t)n;
}

static inline void prefix(struct lg_prefix *p, const char *s)
{
	ck_assert_int_eq(lg_prefix_parse(s, p), 0);
}

/* A child with one local and one remote selector, ChaCha20-Poly1305, the
 * same key/salt both ways unless the caller changes them. */
static inline struct esp_child_params child(uint32_t id, uint32_t spi_in, uint32_t spi_out,
					    const char *local, const char *remote)
{
	struct esp_child_params p;

	memset(&p, 0, sizeof(p));
	p.child_id = id;
	p.cipher = ESP_CIPHER_CHACHA20_POLY1305;
	p.spi_in = spi_in;
	p.spi_out = spi_out;
	for (int i = 0; i < 32; i++)
		p.key_in[i] = p.key_out[i] = (uint8_t)(0x40 + i);
	memcpy(p.salt_in, "\x01\x02\x03\x04", 4);
	memcpy(p.salt_out, "\x01\x02\x03\x04", 4);
	prefix(&p.local_ts[p.n_local_ts++], local);
	prefix(&p.remote_ts[p.n_remote_ts++], remote);
	lg_sockaddr_parse("192.0.2.99:4500", 4500, &p.peer);
	p.uplink = 1;
	return p;
}

/* The mirror image: what the peer installs for the same CHILD SA. */
static inline struct esp_child_params mirror(const struct esp_child_params *a)
{
	struct esp_child_params b = *a;

	b.spi_in = a->spi_out;
	b.spi_out = a->spi_in;
	memcpy(b.key_in, a->key_out, 32);
	memcpy(b.key_out, a->key_in, 32);
	memcpy(b.salt_in, a->salt_out, 4);
	memcpy(b.salt_out, a->salt_in, 4);
	memcpy(b.local_ts, a->remote_ts, sizeof(b.local_ts));
	memcpy(b.remote_ts, a->local_ts, sizeof(b.remote_ts));
	b.n_local_ts = a->n_remote_ts;
	b.n_remote_ts = a->n_local_ts;
	return b;
}

/* Writes an IPv4 (or IPv6 if src contains ':') packet of total length len
 * at buf + ESP_HEADROOM; returns len. */
static inline size_t make_inner(uint8_t *buf, const char *src, const char *dst, size_t len)
{
	uint8_t *p = buf + ESP_HEADROOM;
	int fam;
	uint8_t a[16];

	memset(p, 0, len);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	if (strchr(src, ':')) {
		ck_assert_uint_ge(len, 40);
		p[0] = 0x60;
		p[1] = p[2] = p[3] = 0;
		p[4] = (uint8_t)((len - 40) >> 8);
		p[5] = (uint8_t)(len - 40);
		p[6] = 59;
		p[7] = 64;
		ck_assert_int_eq(lg_addr_parse(src, &fam, a), 0);
		memcpy(p + 8, a, 16);
		ck_assert_int_eq(lg_addr_parse(dst, &fam, a), 0);
		memcpy(p + 24, a, 16);
	} else {
		ck_assert_uint_ge(len, 20);
		p[0] = 0x45;
		p[1] = 0;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[8] = 64;
		p[9] = 17;
		ck_assert_int_eq(lg_addr_parse(src, &fam, a), 0);
		memcpy(p + 12, a, 4);
		ck_assert_int_eq(lg_addr_parse(dst, &fam, a), 0);
		memcpy(p + 16, a, 4);
	}
	return len;
}
