/* `branch "IDENTITY" { template NAME; remote-subnets ... }`: a template's
 * branch bound to its own subnets, as a FlexVPN hub gives each spoke its
 * route set (per-peer AAA authorisation) and strongSwan a per-conn
 * remote_ts. Without it a template's pool is first come; with it each
 * instance is narrowed to its own subnets. Checked once the file is read:
 * the template exists, the identity is one of its pattern, each subnet lies
 * in its pool, no two branches overlap. Applied by template.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/hash.h"
#include "parser.h"

#define BRANCH(obj) ((struct branch_def *)(obj))

static void *branch_open(struct parser *p, const struct value *name)
{
	struct branch_def *b;
	struct conf_identity id;

	if (conf_val_identity(p, name, &id))
		return NULL;
	if (id.type != CONF_ID_FQDN) {
		conf_error(p, name->line, name->col, "branch '%s': expected a host name identity "
			   "(key files in key-dir are named by it)", name->text);
		return NULL;
	}
	if (lg_grow((void **)&p->branches, &p->cap_branches, p->n_branches + 1, sizeof(*b))) {
		conf_error(p, name->line, name->col, "out of memory for branch '%s'", name->text);
		return NULL;
	}
	b = &p->branches[p->n_branches++];
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->at = (struct conf_pos){ name->line, name->col };
	b->line = p->blk_pos.line;
	return b;
}

static int branch_template(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	BRANCH(obj)->template_at = (struct conf_pos){ v->line, v->col };
	return conf_val_name(p, v, BRANCH(obj)->template_name, sizeof(BRANCH(obj)->template_name));
}

static int branch_remote_ts(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct branch_def *b = obj;
	return conf_val_prefixes(p, v, n, b->remote_ts, &b->n_remote_ts, b->remote_ts_at);
}

static const struct key_def branch_keys[] = {
	{ "template", 1, 1, true, branch_template },
	{ "remote-subnets", 1, CONF_MAX_TS, true, branch_remote_ts },
	{ NULL, 0, 0, false, NULL },
};

/* Its instance's name, TEMPLATE/identity in lower case (template.c). */
static void branch_close(struct parser *p, void *obj)
{
	struct branch_def *b = obj;
	int w;

	if (!b->template_name[0] || !b->n_remote_ts) {
		b->name[0] = '\0';   /* missing keys, reported by the block: not checked further */
		return;
	}
	w = snprintf(b->name, sizeof(b->name), "%s/%.*s", b->template_name, (int)b->id.len,
			 (const char *)b->id.data);

	if (w < 0 || (size_t)w >= sizeof(b->name)) {
		conf_error(p, b->at.line, b->at.col, "branch '%.96s': the instance name "
			   "TEMPLATE/IDENTITY is too long (at most %d bytes)",
			   (const char *)b->id.data, CONF_NAME_MAX - 1);
		b->name[0] = '\0';
		return;
	}
	for (size_t i = strlen(b->template_name) + 1; b->name[i]; i++)
		b->name[i] = (char)tolower((unsigned char)b->name[i]);
}

const struct block_def conf_block_branch = { "branch", true, true, branch_keys, branch_open,
					     branch_close, false };

static uint64_t name_hash(const char *name)
{
	return lg_hash_bytes(name, strlen(name));
}

const struct branch_def *conf_find_branch(const struct parser *p, const char *instance)
{
	const struct branch_def *b;
	size_t pos = 0;

	while ((b = lg_hash_next(&p->branch_names, name_hash(instance), &pos)))
		if (!strcmp(b->name, instance))
			return b;
	return NULL;
}

/* The template it names, its pattern, its pool. */
static void check_one(struct parser *p, const struct branch_def *b)
{
	const struct conf_peer *t = config_find_peer(p->cfg, b->template_name);
	char a[LG_ADDRSTRLEN];

	if (!t || !t->is_template) {
		conf_error(p, b->template_at.line, b->template_at.col, "%s '%s': expected the name "
			   "of a template peer (endpoint %%any)", t ? "peer is no template" :
			   "undefined template", b->template_name);
		return;
	}
	p->peer_x[t - p->cfg->peers].has_branches = true;
	if (!config_identity_matches(&t->remote_id, &b->id))
		conf_error(p, b->at.line, b->at.col, "branch '%.*s' does not match the remote-id "
			   "%.*s of template '%s'", (int)b->id.len, (const char *)b->id.data,
			   (int)t->remote_id.len, (const char *)t->remote_id.data, t->name);
	for (size_t i = 0; i < b->n_remote_ts; i++) {
		bool in = false;
		for (size_t j = 0; !in && j < t->n_remote_ts; j++)
			in = lg_prefix_within(&b->remote_ts[i], &t->remote_ts[j]);
		if (!in)
			conf_error(p, b->remote_ts_at[i].line, b->remote_ts_at[i].col, "remote subnet "
				   "%s of branch '%.*s' is outside the remote-subnets of template '%s'",
				   lg_prefix_format(&b->remote_ts[i], a, sizeof(a)), (int)b->id.len,
				   (const char *)b->id.data, t->name);
	}
}

/* Index by instance name, refusing a branch written twice. */
static void index_one(struct parser *p, struct branch_def *b)
{
	const struct branch_def *first = conf_find_branch(p, b->name);
	char w[128];

	if (first) {
		conf_error(p, b->at.line, b->at.col, "branch '%.*s' of template '%s' is also "
			   "written at %s (identities ignore case)", (int)b->id.len,
			   (const char *)b->id.data, b->template_name,
			   conf_where(p, first->line, w, sizeof(w)));
		return;
	}
	if (lg_hash_add(&p->branch_names, name_hash(b->name), b))
		conf_error(p, b->at.line, b->at.col, "out of memory indexing branches");
}

void conf_check_branches(struct parser *p)
{
	size_t max = 0;

	if (!p->n_branches)
		return;
	if (lg_hash_init(&p->branch_names, p->n_branches)) {
		conf_error(p, p->eof_pos.line, p->eof_pos.col, "out of memory indexing branches");
		return;
	}
	for (size_t i = 0; i < p->n_branches; i++) {
		if (!p->branches[i].name[0])
			continue;   /* refused at its block */
		check_one(p, &p->branches[i]);
		index_one(p, &p->branches[i]);
		max += p->branches[i].n_remote_ts;
	}
	struct remote_entry *e = calloc(max ? max : 1, sizeof(*e));
	size_t n = 0;
	if (!e) {
		conf_error(p, p->eof_pos.line, p->eof_pos.col, "out of memory checking branches");
		return;
	}
	for (size_t i = 0; i < p->n_branches; i++)
		for (size_t j = 0; p->branches[i].name[0] && j < p->branches[i].n_remote_ts; j++)
			e[n++] = (struct remote_entry){ "branch", p->branches[i].name,
							p->branches[i].line,
							&p->branches[i].remote_ts[j],
							p->branches[i].remote_ts_at[j] };
	conf_report_overlaps(p, e, n);
	free(e);
}
