/* Internal to conf/: the parser state shared by the statement machinery
 * (parser.c), the typed value readers (values.c), the block handlers
 * (block_*.c) and the cross-checks (validate.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "lexer.h"
#include "linegate/conf.h"
#include "linegate/hash.h"

/* CONF_MAX_KEYS: the most keys of one block (key_pos is indexed by a key's
 * place in its block's table; apply_key refuses past it). */
enum { CONF_MAX_VALUES = 64, CONF_MAX_KEYS = 40 };

/* Positions inside conf/ carry the file they stand in: its index (0 = the
 * file loaded, then included files in include order) in the bits of a line
 * number above CONF_LINE_BITS (a file of CONF_FILE_MAX bytes has fewer
 * lines). conf_error() splits them into struct conf_error's file and line. */
enum { CONF_LINE_BITS = 24 };
#define CONF_LINE_OF(l) ((l) & ((1 << CONF_LINE_BITS) - 1))
#define CONF_FILE_OF(l) ((l) >> CONF_LINE_BITS)

struct value {
	enum tok_kind kind;   /* TOK_WORD or TOK_STRING */
	int line;
	int col;
	char text[CONF_TOKEN_MAX];
};

struct parser;

struct key_def {
	const char *key;
	unsigned min_values;
	unsigned max_values;
	bool required;
	/* obj is what the block's open() returned; 0 or -1 (error reported). */
	int (*set)(struct parser *p, void *obj, const struct value *v, size_t n);
};

struct block_def {
	const char *keyword;
	bool named;           /* needs `keyword "name" {` */
	bool repeat;          /* may appear more than once */
	const struct key_def *keys;
	/* NULL when the object cannot be created (error reported): the block is
	 * still parsed, for its errors, but nothing is stored. */
	void *(*open)(struct parser *p, const struct value *name);
	/* Conditional requirements, once every key of the block is known. */
	void (*close)(struct parser *p, void *obj);
	bool template;        /* `defaults`: no key is required here */
};

/* Where something was written, for messages emitted after the block ended. */
struct conf_pos {
	int line;
	int col;
};

struct uplink_ref {
	char name[CONF_NAME_MAX];
	struct conf_pos pos;
};

/* Positions the cross-checks cite, per peer / static SA. */
struct peer_extra {
	struct conf_pos endpoint;
	struct uplink_ref uplink;
	struct conf_pos remote_ts[CONF_MAX_TS];
	/* psk-file, private-key, peer-public-key, certificate, ca-dir, crl-dir */
	struct conf_pos key_file[6];
	struct conf_pos retry[2];     /* values of retry-min, retry-max */
	struct conf_pos mode;         /* value of mode */
	bool has_branches;            /* a template with branch blocks: each instance needs one */
};

/* `branch "IDENTITY" { ... }` (block_branch.c): one template instance's own
 * subnets, applied when key-dir is read (template.c). */
struct branch_def {
	char name[CONF_NAME_MAX];          /* its instance's: TEMPLATE/identity, lower case */
	char template_name[CONF_NAME_MAX];
	struct conf_identity id;
	struct conf_pos at, template_at;   /* the identity, the template's name */
	struct lg_prefix remote_ts[CONF_MAX_TS];
	struct conf_pos remote_ts_at[CONF_MAX_TS];
	size_t n_remote_ts;
	int line;
};

/* One remote subnet and who claims it, for the overlap checks. */
struct remote_entry {
	const char *kind;       /* "peer", "static-sa" or "branch" */
	const char *owner;
	int owner_line;
	const struct lg_prefix *prefix;
	struct conf_pos pos;
};

struct sa_extra {
	struct conf_pos block;
	struct uplink_ref uplink;
	struct conf_pos remote_ts[CONF_MAX_TS];
	struct conf_pos spi_in;
	struct conf_pos key[2];   /* key-in, key-out values: a readable config refuses them */
	size_t key_len[2];        /* bytes written, checked against the cipher at the end */
};

struct parser {
	struct lexer lx;
	struct token tok;
	struct config *cfg;
	struct conf_errors *errs;
	bool stmt_error;     /* a lexical error in this statement: no follow-on errors */
	struct value vals[CONF_MAX_VALUES];
	size_t n_vals;
	/* The block being parsed. */
	const struct block_def *blk;
	char blk_name[CONF_NAME_MAX];
	struct conf_pos blk_pos;
	struct conf_pos key_pos[CONF_MAX_KEYS];   /* line 0 = key not set */
	/* Whole file. */
	struct conf_pos block_seen[16];           /* per top-level block kind */
	struct conf_pos lab_only_pos;
	struct conf_pos eof_pos;
	struct peer_extra *peer_x;                /* one per cfg->peers[i] */
	size_t cap_peer_x;
	struct sa_extra *sa_x;                    /* one per cfg->static_sas[i] */
	size_t cap_sa_x;
	struct branch_def *branches;              /* in file order */
	size_t n_branches, cap_branches;
	struct lg_hash branch_names;              /* by instance name, once the file is read */
	/* The `defaults` block: every peer below it starts as this template,
	 * and a key set there counts as set in the peer (required keys,
	 * positions of messages). */
	bool have_defaults;
	struct conf_peer defaults;
	struct peer_extra defaults_x;
	struct conf_pos defaults_key_pos[CONF_MAX_KEYS];
	/* `include PATTERN` at top level: load.c reads and parses the files
	 * (conf_parse_file); NULL when parsing a buffer, where include is
	 * refused (no I/O in the parser, nor in the fuzz target). */
	void (*include)(struct parser *p, const struct value *pattern);
	void *include_ctx;
	int cur_file;   /* index of the file being parsed */
};

void conf_error(struct parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* For errors outside a parse (load.c); line 0 = about the whole file. */
void conf_errors_add(struct conf_errors *errs, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void conf_errors_sort(struct conf_errors *errs);
/* Position of key `key` in the current block, or {0,0}. */
struct conf_pos parser_key_pos(const struct parser *p, const char *key);

/* Typed readers: 0, or -1 with the error reported at the value. */
int conf_val_name(struct parser *p, const struct value *v, char *out, size_t cap);
int conf_val_text(struct parser *p, const struct value *v, char *out, size_t cap);
int conf_val_path(struct parser *p, const struct value *v, char *out, size_t cap);
int conf_val_ifname(struct parser *p, const struct value *v, char out[IF_NAMESIZE]);
int conf_val_bool(struct parser *p, const struct value *v, bool *out);
int conf_val_uint(struct parser *p, const struct value *v, uint64_t min, uint64_t max, uint64_t *out);
/* An octal file mode, 0 to 0777, written with a leading 0. */
int conf_val_mode(struct parser *p, const struct value *v, unsigned *out);
int conf_val_duration(struct parser *p, const struct value *v, uint32_t *seconds);
int conf_val_size(struct parser *p, const struct value *v, uint64_t *out);
int conf_val_region(struct parser *p, const struct value *v, char out[CONF_REGION_LEN]);
int conf_val_prefix(struct parser *p, const struct value *v, struct lg_prefix *out);
int conf_val_ifaddr(struct parser *p, const struct value *v, struct lg_prefix *out);
int conf_val_address(struct parser *p, const struct value *v, union lg_sockaddr *out);
int conf_val_endpoint(struct parser *p, const struct value *v, uint16_t default_port,
		      union lg_sockaddr *out);
int conf_val_identity(struct parser *p, const struct value *v, struct conf_identity *out);
int conf_val_identity_pattern(struct parser *p, const struct value *v, struct conf_identity *out);
int conf_val_proposal(struct parser *p, const struct value *v, bool ike, struct conf_proposal *out);
/* One of `words` (NULL-terminated); *out = its index. */
int conf_val_choice(struct parser *p, const struct value *v, const char *const *words, int *out);
/* A list of prefixes into out[], n checked by the caller's max_values. */
int conf_val_prefixes(struct parser *p, const struct value *v, size_t n,
		      struct lg_prefix *out, size_t *n_out, struct conf_pos *pos);

/* Block tables (block_site.c, block_peer.c, block_misc.c). */
extern const struct block_def conf_block_site, conf_block_compliance, conf_block_uplink,
	conf_block_tunnel, conf_block_peer, conf_block_audit, conf_block_control,
	conf_block_static_sa, conf_block_defaults, conf_block_branch;

/* Cross-checks after the whole file is read (validate.c). */
void conf_validate(struct parser *p);
/* Marks each entry that overlaps another with an error citing the first. */
void conf_report_overlaps(struct parser *p, struct remote_entry *e, size_t n);
/* The branch blocks against their templates and one another (block_branch.c). */
void conf_check_branches(struct parser *p);
/* The branch block of an instance name (after conf_check_branches), or NULL. */
const struct branch_def *conf_find_branch(const struct parser *p, const char *instance);
/* Template peers (template.c): after load.c resolved key-dir, one instance
 * per identity file in it, appended to cfg->peers (I/O: readdir). */
void conf_expand_templates(struct parser *p, unsigned flags, struct conf_errors *errs);

/* "line 12" in the file being parsed, "peers.d/a.conf:12" in another. */
const char *conf_where(const struct parser *p, int line, char *out, size_t n);
/* Parses the top-level statements of buf as file number idx (its name
 * already in p->errs), then goes back to the file that included it. */
void conf_parse_file(struct parser *p, int idx, const char *buf, size_t len);

/* Parses into *out with *p prepared by the caller (load.c keeps the
 * positions of key files for its permission checks). */
/* Frees a parser from calloc and what it grew (wiped: values may hold
 * lab-only static-SA keys). */
/* Frees what the parser grew and wipes it: as calloc'd again. */
void parser_reset(struct parser *p);
void parser_free(struct parser *p);
int conf_parse_with(struct parser *p, const char *name, const char *buf, size_t len,
		    struct config *out, struct conf_errors *errs);
