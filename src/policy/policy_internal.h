/* Helpers shared by the files of the policy module (not an API). */
#pragma once
#include <stdarg.h>
#include <string.h>
#include "linegate/cursor.h"
#include "linegate/policy.h"
#include "linegate/utf8.h"
#include <jansson.h>

/* report_meta.c: the report's "document" block and its text header. */
struct lg_report_meta;
void policy_meta_json(json_t *doc, const struct lg_report_meta *m);
void policy_meta_text(FILE *to, const struct lg_report_meta *m);

/* Fills a verdict: reason plus one printf-formatted sentence. */
void verdict_set(struct policy_verdict *v, enum policy_reason r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void verdict_ok(struct policy_verdict *v);

/* Every static violation of one peer, in a fixed order (region, uplink,
 * selectors, identity); returns how many. */
size_t policy_peer_violations(const struct config *cfg, const struct conf_peer *peer,
			      const struct regiondb *db, policy_violation_fn fn, void *ctx);
/* Public-space declaration and internal-space entries (space.c). */
size_t policy_space_violations(const struct config *cfg, policy_violation_fn fn, void *ctx);
/* circuit.c: a licensed circuit must be provably distinct from the Internet. */
size_t policy_circuit_violations(const struct config *cfg, policy_violation_fn fn, void *ctx);
/* The same for a static SA's peer view (policy_static_sa_view), messages
 * naming the static-sa. */
size_t policy_static_sa_violations(const struct config *cfg, const struct conf_peer *view,
				   const struct regiondb *db, policy_violation_fn fn, void *ctx);
void policy_verdict_as_static_sa(struct policy_verdict *v);
/* Site-wide violations (internal space declaring a default route, site region). */
size_t policy_site_violations(const struct config *cfg, policy_violation_fn fn, void *ctx);

/* The peer's uplink, or NULL when the index is out of range. */
const struct conf_uplink *policy_peer_uplink(const struct config *cfg, const struct conf_peer *peer);
/* policy_carrier_licensed and policy_region_why are in policy.h (the
 * assessor report uses them). */

/* Next line of a text buffer through the bounded cursor (without the '\n');
 * false at the end. */
static inline bool policy_next_line(struct cursor *c, const char **line, size_t *len)
{
	size_t rem = cursor_remaining(c);
	if (rem == 0)
		return false;
	const char *start = (const char *)cursor_get_ref(c, 0);
	const char *nl = memchr(start, '\n', rem);
	*len = nl ? (size_t)(nl - start) : rem;
	*line = (const char *)cursor_get_ref(c, nl ? *len + 1 : *len);
	return *line != NULL;
}
