/* The statement machinery of linegate.conf: `key value[, value...]` ended by
 * a newline or ';', and top-level blocks `key ["name"] { ... }`. Keys are
 * looked up in per-block tables (block_*.c) which do the typing. Errors are
 * collected, not fatal: after a syntax error the parser skips to the end of
 * the statement (or over a whole block) and carries on. No I/O here. */
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "linegate/utf8.h"
#include "parser.h"

static const struct block_def *const top_blocks[] = {
	&conf_block_site, &conf_block_compliance, &conf_block_uplink, &conf_block_tunnel,
	&conf_block_peer, &conf_block_audit, &conf_block_control, &conf_block_static_sa,
	&conf_block_defaults, &conf_block_branch,
};
enum { N_TOP_BLOCKS = sizeof(top_blocks) / sizeof(top_blocks[0]) };

__attribute__((format(printf, 4, 0)))
static void add_error(struct conf_errors *errs, int line, int col, const char *fmt, va_list ap)
{
	if (errs->n >= CONF_MAX_ERRORS) {
		errs->dropped++;
		return;
	}
	struct conf_error *e = &errs->e[errs->n++];
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	/* values are quoted cut to a byte count ("%.64s"), the message to its size */
	lg_utf8_drop_partial(e->msg);
	e->file = CONF_FILE_OF(line);
	e->line = CONF_LINE_OF(line);
	e->column = col;
}

const char *conf_error_file(const struct conf_errors *errs, const struct conf_error *e)
{
	if (e->file > 0 && (size_t)e->file <= errs->n_included)
		return errs->included[e->file - 1];
	return errs->file;
}

const char *conf_where(const struct parser *p, int line, char *out, size_t n)
{
	struct conf_error e = { .file = CONF_FILE_OF(line) };
	if (e.file == p->cur_file)
		snprintf(out, n, "line %d", CONF_LINE_OF(line));
	else
		snprintf(out, n, "%.96s:%d", conf_error_file(p->errs, &e), CONF_LINE_OF(line));
	return out;
}

void conf_errors_add(struct conf_errors *errs, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_error(errs, line, col, fmt, ap);
	va_end(ap);
}

void conf_error(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_error(p->errs, line, col, fmt, ap);
	va_end(ap);
}

static void next(struct parser *p)
{
	lexer_next(&p->lx, &p->tok);
	while (p->tok.kind == TOK_ERROR) {
		conf_error(p, p->tok.line, p->tok.col, "%s", p->tok.text);
		p->stmt_error = true;
		lexer_next(&p->lx, &p->tok);
	}
}

static bool is_value(const struct token *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_STRING;
}

/* Skips the rest of a bad statement; a '{' on the way is skipped with its
 * whole block. Stops before a '}' that closes the enclosing block. */
static void skip_statement(struct parser *p)
{
	int depth = 0;
	while (p->tok.kind != TOK_EOF) {
		if (p->tok.kind == TOK_LBRACE) {
			depth++;
		} else if (p->tok.kind == TOK_RBRACE) {
			if (depth == 0)
				return;
			if (--depth == 0) {
				next(p);
				return;
			}
		} else if (p->tok.kind == TOK_END && depth == 0) {
			return;
		}
		next(p);
	}
}

/* Reads `value[, value...]` into p->vals. Returns false on a syntax error
 * (reported). */
static bool collect_values(struct parser *p)
{
	char d[64];
	p->n_vals = 0;
	if (!is_value(&p->tok))
		return true;
	for (;;) {
		if (p->n_vals < CONF_MAX_VALUES) {
			struct value *v = &p->vals[p->n_vals];
			v->kind = p->tok.kind;
			v->line = p->tok.line;
			v->col = p->tok.col;
			memcpy(v->text, p->tok.text, sizeof(v->text));
		} else if (p->n_vals == CONF_MAX_VALUES) {
			conf_error(p, p->tok.line, p->tok.col, "too many values: expected at most %d",
				   CONF_MAX_VALUES);
		}
		p->n_vals++;
		next(p);
		if (p->tok.kind != TOK_COMMA)
			break;
		next(p);
		/* A list may continue on the next line after a comma. */
		while (p->tok.kind == TOK_END && p->tok.text[0] == '\n')
			next(p);
		if (!is_value(&p->tok)) {
			conf_error(p, p->tok.line, p->tok.col, "expected a value after ',', got %s",
				   token_describe(&p->tok, d, sizeof(d)));
			return false;
		}
	}
	if (p->n_vals > CONF_MAX_VALUES)
		return false;
	if (p->tok.kind == TOK_END || p->tok.kind == TOK_EOF || p->tok.kind == TOK_RBRACE ||
	    p->tok.kind == TOK_LBRACE)
		return true;
	conf_error(p, p->tok.line, p->tok.col,
		   "expected ',' or end of statement (newline or ';'), got %s",
		   token_describe(&p->tok, d, sizeof(d)));
	return false;
}

struct conf_pos parser_key_pos(const struct parser *p, const char *key)
{
	for (size_t i = 0; p->blk && p->blk->keys[i].key; i++)
		if (!strcmp(p->blk->keys[i].key, key))
			return p->key_pos[i].line || p->blk != &conf_block_peer ? p->key_pos[i]
										: p->defaults_key_pos[i];
	return (struct conf_pos){ 0, 0 };
}

/* Levenshtein distance, capped: for "did you mean" hints. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[40];
	/* lengths apart by more than two edits cannot be a hint */
	if (la >= 39 || lb >= 39 || la > lb + 2 || lb > la + 2)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;  /* at most two edits away */
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best;
}

/* The block (other than b) that has this key, for "belongs in" hints. */
static const struct block_def *owner_of(const char *key, const struct block_def *b)
{
	for (size_t i = 0; i < N_TOP_BLOCKS; i++) {
		if (top_blocks[i] == b)
			continue;
		for (size_t j = 0; top_blocks[i]->keys[j].key; j++)
			if (!strcmp(top_blocks[i]->keys[j].key, key))
				return top_blocks[i];
	}
	return NULL;
}

static void unknown_key(struct parser *p, const struct token *key, const struct block_def *b)
{
	const char *cands[CONF_MAX_KEYS + N_TOP_BLOCKS + 2];
	const struct block_def *owner;
	size_t n = 0;
	char where[64];

	if (p->errs->n >= CONF_MAX_ERRORS) {   /* only counted: no hint to look for */
		conf_error(p, key->line, key->col, "unknown key");
		return;
	}
	owner = owner_of(key->text, b);

	if (b) {
		for (size_t i = 0; b->keys[i].key; i++)
			cands[n++] = b->keys[i].key;
		snprintf(where, sizeof(where), "in %s block", b->keyword);
	} else {
		for (size_t i = 0; i < N_TOP_BLOCKS; i++)
			cands[n++] = top_blocks[i]->keyword;
		cands[n++] = "lab-only";
		cands[n++] = "include";
		snprintf(where, sizeof(where), "at top level");
	}
	const char *hint = suggest(key->text, cands, n);
	if (owner)
		conf_error(p, key->line, key->col, "unknown key '%s' %s: it belongs in the %s block",
			   key->text, where, owner->keyword);
	else if (hint)
		conf_error(p, key->line, key->col, "unknown key '%.64s' %s (did you mean '%s'?)",
			   key->text, where, hint);
	else
		conf_error(p, key->line, key->col, "unknown key '%.64s' %s", key->text, where);
}

/* `key = value` or `key=value` (the habit of other formats): one hint, not
 * a cascade about '=' as a value or an unknown key 'device=lg1'. p->tok is
 * the token after the key; true when reported (the statement is skipped). */
static bool equals_hint(struct parser *p, const struct token *key)
{
	const char *eq = strchr(key->text, '=');
	struct token at = *key;
	char val[65] = "";
	int klen = eq ? (int)(eq - key->text) : (int)strlen(key->text);

	if (eq) {
		snprintf(val, sizeof(val), "%.64s", eq + 1);
	} else if (p->tok.kind == TOK_WORD && p->tok.text[0] == '=') {
		at = p->tok;
		snprintf(val, sizeof(val), "%.64s", p->tok.text + 1);
		if (!val[0]) {   /* `key = value`: the value is the next token */
			next(p);
			if (is_value(&p->tok))
				snprintf(val, sizeof(val), "%.64s", p->tok.text);
		}
	} else {
		return false;
	}
	conf_error(p, at.line, at.col, "unexpected '=': write '%.*s %s', without '='",
		   klen > 64 ? 64 : klen, key->text, val[0] ? val : "VALUE");
	skip_statement(p);
	return true;
}

/* A block's '{' on the line after its keyword (Allman style): p->tok is the
 * end of that line; moves to the '{' if only blank lines lie between. */
static void brace_on_next_line(struct parser *p)
{
	struct lexer saved = p->lx;
	struct token tok = p->tok;

	while (p->tok.kind == TOK_END && p->tok.text[0] == '\n')
		lexer_next(&p->lx, &p->tok);
	if (p->tok.kind == TOK_LBRACE)
		return;
	p->lx = saved;
	p->tok = tok;
}

static void apply_key(struct parser *p, void *obj, const struct token *key, size_t idx)
{
	const struct key_def *k = &p->blk->keys[idx];
	if (idx >= CONF_MAX_KEYS) {   /* a table outgrew key_pos: never write past it */
		conf_error(p, key->line, key->col, "key '%s': more than %d keys in %s block",
			   k->key, CONF_MAX_KEYS, p->blk->keyword);
		return;
	}
	if (p->key_pos[idx].line) {
		char w[128];
		conf_error(p, key->line, key->col, "duplicate key '%s' (first set at %s)", k->key,
			   conf_where(p, p->key_pos[idx].line, w, sizeof(w)));
		return;
	}
	p->key_pos[idx] = (struct conf_pos){ key->line, key->col };
	if (p->n_vals < k->min_values) {
		conf_error(p, key->line, key->col, "'%s' expects a value", k->key);
		return;
	}
	if (p->n_vals > k->max_values) {
		const struct value *extra = &p->vals[k->max_values];
		if (k->max_values == 1)
			conf_error(p, extra->line, extra->col, "'%s' takes one value", k->key);
		else
			conf_error(p, extra->line, extra->col, "'%s' takes at most %u values", k->key,
				   k->max_values);
		return;
	}
	if (obj)
		k->set(p, obj, p->vals, p->n_vals);
}

static int top_block_index(const char *keyword)
{
	for (size_t i = 0; i < N_TOP_BLOCKS; i++)
		if (!strcmp(top_blocks[i]->keyword, keyword))
			return (int)i;
	return -1;
}

/* One statement inside a block; p->tok is its first token. Returns the
 * index of a top-level block that starts here when the current block was
 * left unclosed (its keyword in *key), else -1. */
static int block_statement(struct parser *p, void *obj, struct token *key_out)
{
	struct token key = p->tok;
	char d[64];

	p->stmt_error = false;
	if (key.kind != TOK_WORD) {
		conf_error(p, key.line, key.col, "expected a key, got %s",
			   token_describe(&key, d, sizeof(d)));
		next(p);
		skip_statement(p);
		return -1;
	}
	next(p);
	if (equals_hint(p, &key))
		return -1;
	if (!collect_values(p) || p->stmt_error) {
		skip_statement(p);
		return -1;
	}
	if (p->tok.kind == TOK_LBRACE) {
		int top = top_block_index(key.text);
		if (top >= 0) {
			/* The usual cause: a forgotten '}'. Close and carry on. */
			conf_error(p, key.line, key.col, "missing '}' before this %s block: the %s "
				   "block opened at line %d is not closed", key.text,
				   p->blk->keyword, CONF_LINE_OF(p->blk_pos.line));
			*key_out = key;
			return top;
		}
		conf_error(p, p->tok.line, p->tok.col,
			   "blocks do not nest: expected a statement inside %s block, got '{'",
			   p->blk->keyword);
		skip_statement(p);
		return -1;
	}
	for (size_t i = 0; p->blk->keys[i].key; i++) {
		if (!strcmp(p->blk->keys[i].key, key.text)) {
			apply_key(p, obj, &key, i);
			return -1;
		}
	}
	unknown_key(p, &key, p->blk);
	return -1;
}

static void required_keys(struct parser *p)
{
	char list[CONF_MSG_MAX / 2] = "", what[CONF_NAME_MAX + 16];
	size_t used = 0, missing = 0;
	if (p->blk->template)
		return;
	for (size_t i = 0; p->blk->keys[i].key; i++) {
		if (!p->blk->keys[i].required || parser_key_pos(p, p->blk->keys[i].key).line)
			continue;
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", missing ? ", " : "",
				 p->blk->keys[i].key);
		if (w > 0 && (size_t)w < sizeof(list) - used)
			used += (size_t)w;
		missing++;
	}
	if (!missing)
		return;
	if (p->blk->named)
		snprintf(what, sizeof(what), "%s '%s'", p->blk->keyword, p->blk_name);
	else
		snprintf(what, sizeof(what), "%s block", p->blk->keyword);
	conf_error(p, p->blk_pos.line, p->blk_pos.col, "%s: missing required key%s %s", what,
		   missing > 1 ? "s" : "", list);
}

/* p->tok is the '{'; name is p->vals[0] when n_vals == 1. Returns the index
 * of a top-level block found inside this unclosed one (its keyword in
 * *next_kw, p->tok at its '{'), else -1: the caller loops, so a file of
 * unclosed blocks costs no stack. */
static int parse_block(struct parser *p, const struct block_def *b, const struct token *kw,
		       size_t kind, struct token *next_kw)
{
	const struct value *name = p->n_vals ? &p->vals[0] : NULL;
	struct value name_copy;
	void *obj = NULL;

	p->blk = b;
	p->blk_pos = (struct conf_pos){ kw->line, kw->col };
	memset(p->key_pos, 0, sizeof(p->key_pos));
	p->blk_name[0] = '\0';
	if (name) {
		name_copy = *name;
		name = &name_copy;
		snprintf(p->blk_name, sizeof(p->blk_name), "%.63s", name->text);
	}
	if (p->n_vals > 1) {
		conf_error(p, p->vals[1].line, p->vals[1].col, "%s block takes one name: expected '{'",
			   b->keyword);
	} else if (b->named && !name) {
		conf_error(p, p->tok.line, p->tok.col, "%s block needs a name: expected %s \"name\" {",
			   b->keyword, b->keyword);
	} else if (!b->named && name) {
		conf_error(p, name->line, name->col, "%s block takes no name: expected '{'", b->keyword);
	} else if (!b->repeat && p->block_seen[kind].line) {
		char w[128];
		conf_error(p, kw->line, kw->col, "duplicate %s block (first at %s)", b->keyword,
			   conf_where(p, p->block_seen[kind].line, w, sizeof(w)));
	} else {
		p->block_seen[kind] = p->blk_pos;
		obj = b->open(p, name);
	}
	next(p); /* '{' */
	int next_block = -1;
	while (next_block < 0 && p->tok.kind != TOK_RBRACE && p->tok.kind != TOK_EOF) {
		if (p->tok.kind == TOK_END)
			next(p);
		else
			next_block = block_statement(p, obj, next_kw);
	}
	if (p->tok.kind == TOK_EOF)
		conf_error(p, p->tok.line, p->tok.col,
			   "missing '}' to close the %s block opened at line %d", b->keyword,
			   CONF_LINE_OF(kw->line));
	else if (next_block < 0)
		next(p);
	if (obj) {
		required_keys(p);
		if (b->close)
			b->close(p, obj);
	}
	p->blk = NULL;
	return next_block;
}

/* `include FILE-OR-PATTERN`: between blocks only (a block cannot span
 * files); load.c does the reading. */
static void include_statement(struct parser *p, const struct token *key)
{
	if (p->n_vals != 1) {
		conf_error(p, key->line, key->col,
			   "'include' takes one value: expected include \"FILE-OR-PATTERN\"");
		return;
	}
	if (!p->include) {
		conf_error(p, p->vals[0].line, p->vals[0].col,
			   "include is only available in a configuration file");
		return;
	}
	struct value v = p->vals[0];   /* the included file's statements reuse vals */
	p->include(p, &v);
}

static void top_statement_value(struct parser *p, const struct token *key)
{
	bool yes;
	if (!strcmp(key->text, "include")) {
		include_statement(p, key);
		return;
	}
	if (strcmp(key->text, "lab-only")) {
		unknown_key(p, key, NULL);
		return;
	}
	if (p->lab_only_pos.line) {
		char w[128];
		conf_error(p, key->line, key->col, "duplicate key 'lab-only' (first set at %s)",
			   conf_where(p, p->lab_only_pos.line, w, sizeof(w)));
		return;
	}
	p->lab_only_pos = (struct conf_pos){ key->line, key->col };
	if (p->n_vals != 1) {
		conf_error(p, key->line, key->col, "'lab-only' takes one value: expected yes or no");
		return;
	}
	if (conf_val_bool(p, &p->vals[0], &yes) == 0)
		p->cfg->lab_only = yes;
}

static void top_statement(struct parser *p)
{
	struct token key = p->tok;
	char d[64];

	p->stmt_error = false;
	if (key.kind != TOK_WORD) {
		if (key.kind == TOK_RBRACE)
			conf_error(p, key.line, key.col, "unexpected '}' with no block open");
		else
			conf_error(p, key.line, key.col, "expected a key or block, got %s",
				   token_describe(&key, d, sizeof(d)));
		next(p);
		skip_statement(p);
		return;
	}
	next(p);
	if (equals_hint(p, &key))
		return;
	if (!collect_values(p) || (p->stmt_error && p->tok.kind != TOK_LBRACE)) {
		skip_statement(p);
		return;
	}
	if (top_block_index(key.text) >= 0)
		brace_on_next_line(p);
	for (size_t i = 0; i < N_TOP_BLOCKS; i++) {
		if (strcmp(top_blocks[i]->keyword, key.text))
			continue;
		if (p->tok.kind == TOK_LBRACE) {
			struct token kw[2] = { key };
			int k = (int)i;
			for (int cur = 0; k >= 0; cur ^= 1)
				k = parse_block(p, top_blocks[k], &kw[cur], (size_t)k, &kw[cur ^ 1]);
		} else {
			conf_error(p, p->tok.line, p->tok.col, "'%s' is a block: expected '{', got %s",
				   key.text, token_describe(&p->tok, d, sizeof(d)));
		}
		return;
	}
	if (p->tok.kind == TOK_LBRACE) {
		if (!strcmp(key.text, "lab-only"))
			conf_error(p, p->tok.line, p->tok.col,
				   "'lab-only' is not a block: expected lab-only yes or no");
		else
			unknown_key(p, &key, NULL);
		skip_statement(p);
		return;
	}
	top_statement_value(p, &key);
}

static void set_defaults_site(struct config *cfg)
{
	static const char *const carriers[] = { "china-telecom", "china-unicom", "china-mobile" };
	for (size_t i = 0; i < 3; i++)
		snprintf(cfg->compliance.carriers[i], CONF_NAME_MAX, "%s", carriers[i]);
	cfg->compliance.n_carriers = 3;
}

void conf_init_defaults(struct config *cfg)
{
	conf_release(cfg);   /* a config parsed into before: its arrays go */
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->tunnel.ifname, sizeof(cfg->tunnel.ifname), "lg0");
	cfg->tunnel.mtu = 1400;
	cfg->tunnel.gso_segments = 16;
	snprintf(cfg->audit.journal_dir, sizeof(cfg->audit.journal_dir), "/var/lib/linegate/audit");
	cfg->audit.retention_days = 180;
	cfg->audit.syslog_facility = LOG_DAEMON;
	cfg->audit.log_level = LOG_INFO;
	cfg->audit.mlps_level = 3;
	snprintf(cfg->audit.journal_group, sizeof(cfg->audit.journal_group), "linegate-audit");
	cfg->audit.flow_interval_s = 300;
	cfg->audit.checkpoint_interval_s = 60;
	cfg->audit.on_failure = CONF_JOURNAL_FAIL_KEEP_TUNNELS;
	cfg->audit.on_failure_set_by = "default";
	set_defaults_site(cfg);
	snprintf(cfg->control.socket_path, sizeof(cfg->control.socket_path),
		 "/run/linegate/control.sock");
	cfg->control.socket_mode = 0600;
	cfg->control.workers = 0;
	snprintf(cfg->control.read_only_group, sizeof(cfg->control.read_only_group), "linegate");
}

/* Stable sort by position, so that cross-check errors land in file order. */
void conf_errors_sort(struct conf_errors *errs)
{
	for (size_t i = 1; i < errs->n; i++) {
		struct conf_error e = errs->e[i];
		size_t j = i;
		while (j > 0 && (errs->e[j - 1].file > e.file ||
				 (errs->e[j - 1].file == e.file && errs->e[j - 1].line > e.line) ||
				 (errs->e[j - 1].file == e.file && errs->e[j - 1].line == e.line &&
				  errs->e[j - 1].column > e.column))) {
			errs->e[j] = errs->e[j - 1];
			j--;
		}
		errs->e[j] = e;
	}
}

static void parse_top(struct parser *p)
{
	while (p->tok.kind != TOK_EOF) {
		if (p->tok.kind == TOK_END)
			next(p);
		else
			top_statement(p);
	}
}

void conf_parse_file(struct parser *p, int idx, const char *buf, size_t len)
{
	struct lexer lx = p->lx;
	struct token tok = p->tok;
	int file = p->cur_file;

	p->cur_file = idx;
	lexer_init(&p->lx, buf, len);
	p->lx.line |= idx << CONF_LINE_BITS;
	next(p);
	parse_top(p);
	p->lx = lx;
	p->tok = tok;
	p->cur_file = file;
}

int conf_parse_with(struct parser *p, const char *name, const char *buf, size_t len,
		    struct config *out, struct conf_errors *errs)
{
	memset(errs, 0, sizeof(*errs));
	snprintf(errs->file, sizeof(errs->file), "%s", name ? name : "-");
	conf_init_defaults(out);
	p->cfg = out;
	p->errs = errs;
	p->cur_file = 0;
	lexer_init(&p->lx, buf, len);
	next(p);
	parse_top(p);
	p->eof_pos = (struct conf_pos){ p->tok.line, p->tok.col };
	conf_validate(p);
	conf_errors_sort(errs);
	return errs->n || errs->dropped ? -EINVAL : 0;
}

int conf_parse_buffer(const char *name, const char *buf, size_t len, struct config *out,
		      struct conf_errors *errs)
{
	struct parser *p = calloc(1, sizeof(*p));
	if (!p) {
		memset(errs, 0, sizeof(*errs));
		return -ENOMEM;
	}
	int rc = conf_parse_with(p, name, buf, len, out, errs);
	parser_free(p);
	if (rc)
		conf_wipe_keys(out);
	return rc;
}

void parser_reset(struct parser *p)
{
	free(p->peer_x);
	free(p->branches);
	lg_hash_free(&p->branch_names);
	if (p->sa_x)
		sodium_memzero(p->sa_x, p->cap_sa_x * sizeof(*p->sa_x));
	free(p->sa_x);
	sodium_memzero(p, sizeof(*p)); /* values may hold lab-only static SA keys */
}

void parser_free(struct parser *p)
{
	if (!p)
		return;
	parser_reset(p);
	free(p);
}
