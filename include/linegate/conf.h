/* Config loading: lexer + parser (no I/O, fuzzable) and validation. Every
 * error names file:line:column and what was expected. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "linegate/config.h"

enum {
	CONF_MAX_ERRORS = 32,
	CONF_MSG_MAX = 384,   /* a proposal error lists the algorithms */
	CONF_MAX_FILES = CONF_MAX_INCLUDED + 1,   /* linegate.conf and its includes */
	CONF_MAX_INCLUDE_DEPTH = 8,   /* include chain below linegate.conf */
};

struct conf_error {
	int line;
	int column;
	int file;   /* 0: errs->file, i > 0: errs->included[i - 1] */
	char msg[CONF_MSG_MAX];
};

struct conf_errors {
	char file[CONF_PATH_MAX];
	char included[CONF_MAX_INCLUDED][CONF_PATH_MAX];   /* in include order */
	size_t n_included;
	struct conf_error e[CONF_MAX_ERRORS];
	size_t n;
	size_t dropped;   /* errors beyond CONF_MAX_ERRORS */
};

/* Parses and validates buf (name is used in messages only). Fills *out with
 * defaults first. Returns 0, or -EINVAL with errs filled. No I/O. */
int conf_parse_buffer(const char *name, const char *buf, size_t len,
		      struct config *out, struct conf_errors *errs);
enum { CONF_FILE_MAX = 8 << 20 /* bytes of linegate.conf (a hub: ~60,000 peer blocks) */ };
/* Reads path (size-limited), parses, validates, hashes the bytes into
 * out->hash (followed, per included file in include order, by its path, a
 * NUL, its length as 8 bytes big-endian and its bytes), then checks key files (exist, regular, PSK and private keys not
 * readable or writable by group or others, public keys not writable by them).
 * Relative key, region-db, journal and socket paths are resolved against the
 * config file's directory. Returns 0 or a negative errno with errs filled. */
int conf_load_file(const char *path, struct config *out, struct conf_errors *errs);
enum conf_load_flags {
	/* Key files that do not exist are not errors (those that exist are still
	 * checked): to check a config away from its gateway, e.g. the example. */
	CONF_LOAD_MISSING_KEYS_OK = 1 << 0,
};
int conf_load_file_flags(const char *path, unsigned flags, struct config *out,
			 struct conf_errors *errs);
/* "file:line:col: message" per error, one per line ("file: message" for
 * errors about the file as a whole), then "file: N more errors" if dropped. */
void conf_errors_print(const struct conf_errors *errs, FILE *to);
/* The file an error stands in (linegate.conf or one it includes). */
const char *conf_error_file(const struct conf_errors *errs, const struct conf_error *e);
/* The defaults of every key (see linegate.conf(5)); conf_parse_buffer starts
 * from them. cfg must be zeroed or a config parsed before (its peer and
 * static-SA arrays are released first). */
void conf_init_defaults(struct config *cfg);
/* BLAKE2b-256 of the bytes of a regular file of at most CONF_FILE_MAX
 * bytes (as conf_load_file hashes them), parseable or not. 0 or -errno. */
int conf_file_hash(const char *path, uint8_t out[32]);
/* Same effective settings (what a reload must re-negotiate for); where the
 * values were written does not count. */
bool conf_peer_equal(const struct conf_peer *a, const struct conf_peer *b);
/* Same static SA apart from its keys: the daemon keeps those apart (wiped
 * from the config once installed) and compares them itself. */
bool conf_static_sa_equal(const struct conf_static_sa *a, const struct conf_static_sa *b);
/* Wipes the static-SA keys of cfg (the only secrets a config holds); a
 * refused load has done it already. */
void conf_wipe_keys(struct config *cfg);
/* Wipes the keys and frees the peer and static-SA arrays; cfg itself stays
 * (static, stack or embedded configs), empty of peers and static SAs. */
void conf_release(struct config *cfg);
/* conf_release, then free (NULL is fine): every heap config ends here. */
void conf_free(struct config *cfg);
/* strongSwan notation: "chacha20poly1305-prfsha256-x25519", "aes256gcm16". */
const char *conf_proposal_format(const struct conf_proposal *p, char *out, size_t n);
/* The `auth` word: "psk", "ed25519", "certificate". */
const char *conf_auth_name(enum conf_auth_method m);
/* "gw.corp.example", "10.0.0.1", "2001:db8::1", "keyid:0a1b", "C=CN, O=Corp, CN=gw". */
const char *conf_identity_format(const struct conf_identity *id, char *out, size_t n);

/* Distinguished names (dn.c, through OpenSSL). The text "C=CN, O=Corp,
 * CN=gw" (or "/C=CN/O=Corp/CN=gw"), RDNs in DER order, as DER into der
 * (cap bytes): 0, or -1 with *why and the byte offset in text of the
 * attribute at fault. */
int conf_dn_parse(const char *text, uint8_t *der, size_t cap, size_t *len, size_t *err_off,
		  const char **why);
/* The same name (X509_NAME_cmp: canonical, not byte for byte); false when
 * either does not decode exactly. */
bool conf_dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* The name has an O= and every O= is org (compared as names are). */
bool conf_dn_org_is(const uint8_t *der, size_t len, const char *org);
/* "C=CN, O=Corp, CN=gw" (DER order, RFC 4514 escapes, no control
 * characters), or "(malformed DN)". */
const char *conf_dn_format(const uint8_t *der, size_t len, char *out, size_t n);

/* `show-config` (show.c): the snapshot in force with defaults filled in and
 * secrets redacted (static-SA keys; key files by path only), as a JSON tree
 * {"file","blake2b","lab_only","blocks":[{"block","name"?,"settings"}]} or as
 * text in linegate.conf syntax. */
struct json_t;
struct json_t *conf_show_json(const struct config *cfg);
void conf_show_text(const struct config *cfg, FILE *out);
