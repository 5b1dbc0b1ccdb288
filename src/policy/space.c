/* What the internal address space may hold (docs/compliance.md, "Internal
 * space"). Private (RFC 1918), shared (RFC 6598) and ULA space are internal
 * freely; public space only when the site declares it as the organisation's
 * own, with a registration reference, and bounded in size. Coverage is
 * decided on the union of the allowed prefixes, so the public Internet cut
 * into halves, quarters or overlapping pieces is refused like 0.0.0.0/0. */
#include <stdio.h>
#include <string.h>
#include "policy_internal.h"

static const struct lg_prefix nonpublic[] = {
	{ AF_INET, 8, { 10 } },                    /* RFC 1918 */
	{ AF_INET, 12, { 172, 16 } },              /* RFC 1918 */
	{ AF_INET, 16, { 192, 168 } },             /* RFC 1918 */
	{ AF_INET, 10, { 100, 64 } },              /* RFC 6598 shared address space */
	{ AF_INET6, 7, { 0xfc } },                 /* RFC 4193 ULA */
};
enum { N_NONPUBLIC = sizeof(nonpublic) / sizeof(nonpublic[0]) };

static bool halve(const struct lg_prefix *p, struct lg_prefix half[2])
{
	unsigned max = p->family == AF_INET ? 32 : 128;
	if (p->len >= max)
		return false;
	half[0] = half[1] = *p;
	half[0].len = half[1].len = (uint8_t)(p->len + 1);
	half[1].addr[p->len / 8] |= (uint8_t)(0x80 >> (p->len % 8));
	return true;
}

/* p inside the union of set[]: split p only where a member lies strictly
 * inside it, so the cost is bounded by n x the address length. */
static bool covered(const struct lg_prefix *p, const struct lg_prefix *set, size_t n,
		    struct lg_prefix *gap)
{
	bool inner = false;
	for (size_t i = 0; i < n; i++) {
		if (set[i].family != p->family)
			continue;
		if (lg_prefix_within(p, &set[i]))
			return true;
		if (lg_prefix_within(&set[i], p))
			inner = true;
	}
	struct lg_prefix half[2];
	if (!inner || !halve(p, half)) {
		if (gap)
			*gap = *p;
		return false;
	}
	return covered(&half[0], set, n, gap) && covered(&half[1], set, n, gap);
}

bool policy_space_nonpublic(const struct lg_prefix *p)
{
	struct lg_prefix v4[POLICY_MAX_EMBEDDED];
	if (p->len == 0)
		return false;
	size_t n = policy_embedded_v4(p, v4, POLICY_MAX_EMBEDDED);
	if (!n)
		return covered(p, nonpublic, N_NONPUBLIC, NULL);
	for (size_t i = 0; i < n; i++)
		if (!covered(&v4[i], nonpublic, N_NONPUBLIC, NULL))
			return false;
	return true;
}

static void sat_add(unsigned __int128 *sum, unsigned __int128 x)
{
	*sum = *sum + x < *sum ? ~(unsigned __int128)0 : *sum + x;
}

/* Adds the addresses of p to the totals; IPv6 that embeds IPv4 counts its
 * IPv4 addresses against the IPv4 total. */
static void count_space(const struct lg_prefix *p, unsigned __int128 *v4, unsigned __int128 *v6)
{
	struct lg_prefix e[POLICY_MAX_EMBEDDED];
	size_t n = policy_embedded_v4(p, e, POLICY_MAX_EMBEDDED);
	if (p->family == AF_INET) {
		sat_add(v4, (unsigned __int128)1 << (32 - p->len));
		return;
	}
	for (size_t i = 0; i < n; i++)
		sat_add(v4, (unsigned __int128)1 << (32 - e[i].len));
	if (!n)   /* /0 counted as 2^127: far above any bound anyway */
		sat_add(v6, (unsigned __int128)1 << (p->len ? 128 - p->len : 127));
}

bool policy_public_space_valid(const struct config *cfg)
{
	const struct conf_site *s = &cfg->site;
	unsigned __int128 v4 = 0, v6 = 0;
	if (!s->n_public_space || !s->public_registration[0])
		return false;
	for (size_t i = 0; i < s->n_public_space && i < CONF_MAX_PUBLIC; i++) {
		if (s->public_space[i].len == 0)
			return false;
		count_space(&s->public_space[i], &v4, &v6);
	}
	return v4 <= ((unsigned __int128)1 << POLICY_PUBLIC_V4_MAX_BITS) &&
	       v6 <= ((unsigned __int128)1 << POLICY_PUBLIC_V6_MAX_BITS);
}

/* Non-public ranges plus, when valid, the declared public space. */
static size_t allowed_set(const struct config *cfg, struct lg_prefix *set)
{
	size_t n = 0;
	for (; n < N_NONPUBLIC; n++)
		set[n] = nonpublic[n];
	if (policy_public_space_valid(cfg))
		for (size_t i = 0; i < cfg->site.n_public_space && i < CONF_MAX_PUBLIC; i++)
			set[n++] = cfg->site.public_space[i];
	return n;
}

bool policy_space_allowed(const struct config *cfg, const struct lg_prefix *p, struct lg_prefix *gap)
{
	struct lg_prefix set[N_NONPUBLIC + CONF_MAX_PUBLIC], v4[POLICY_MAX_EMBEDDED];
	size_t n = allowed_set(cfg, set);
	if (p->len == 0) {
		if (gap)
			*gap = *p;
		return false;
	}
	/* IPv6 that embeds IPv4 is judged by the IPv4 as well: its own IPv6
	 * bits say nothing about where the packets go. */
	size_t k = policy_embedded_v4(p, v4, POLICY_MAX_EMBEDDED);
	bool in_embedding = false;
	for (size_t i = 0; i < k; i++) {
		if (!covered(&v4[i], set, n, gap))
			return false;
		in_embedding = true;
	}
	return in_embedding || covered(p, set, n, gap);
}

bool policy_prefix_internal(const struct config *cfg, const struct lg_prefix *p)
{
	struct lg_prefix ok[CONF_MAX_PREFIXES];
	size_t n = 0;
	for (size_t i = 0; i < cfg->site.n_internal && i < CONF_MAX_PREFIXES; i++)
		if (policy_space_allowed(cfg, &cfg->site.internal[i], NULL))
			ok[n++] = cfg->site.internal[i];
	return p->len > 0 && covered(p, ok, n, NULL);
}

size_t policy_selector_violations(const struct config *cfg, const char *what, const char *name,
				  const char *side, const struct lg_prefix *ts, const struct conf_at *at,
				  size_t n, struct conf_at fallback, policy_violation_fn fn, void *ctx)
{
	size_t bad = 0;
	for (size_t i = 0; i < n && i < CONF_MAX_TS; i++) {
		struct policy_verdict v;
		char buf[LG_ADDRSTRLEN];
		lg_prefix_format(&ts[i], buf, sizeof(buf));
		if (ts[i].len == 0)
			verdict_set(&v, POLICY_SELECTOR_DEFAULT_ROUTE,
				    "%s \"%s\" %s subnet %s is a default route: Internet breakout over the "
				    "tunnel is not internal business traffic", what, name, side, buf);
		else if (!policy_prefix_internal(cfg, &ts[i]))
			verdict_set(&v, POLICY_SELECTOR_OUTSIDE_INTERNAL,
				    "%s \"%s\" %s subnet %s is outside the internal address space of site \"%s\"",
				    what, name, side, buf, cfg->site.name);
		else
			continue;
		v.at = at && at[i].line > 0 ? at[i] : fallback;
		fn(ctx, &v);
		bad++;
	}
	return bad;
}

/* Site-wide: the declaration of public space and each internal-space entry. */
size_t policy_space_violations(const struct config *cfg, policy_violation_fn fn, void *ctx)
{
	const struct conf_site *s = &cfg->site;
	struct policy_verdict v;
	size_t n = 0;
	char buf[LG_ADDRSTRLEN], gapbuf[LG_ADDRSTRLEN];

	if (s->n_public_space && !s->public_registration[0]) {
		verdict_set(&v, POLICY_PUBLIC_SPACE_UNREGISTERED,
			    "site \"%s\" declares public-space %s as the organisation's own but gives no "
			    "public-space-registration (the registry's reference for it)", s->name,
			    lg_prefix_format(&s->public_space[0], buf, sizeof(buf)));
		v.at = s->public_space_at[0].line ? s->public_space_at[0] : s->at;
		fn(ctx, &v);
		n++;
	}
	if (s->n_public_space && s->public_registration[0] && !policy_public_space_valid(cfg)) {
		verdict_set(&v, POLICY_PUBLIC_SPACE_TOO_LARGE,
			    "site \"%s\" public-space (%zu prefixes, first %s) exceeds what an organisation may "
			    "declare its own: at most a /%d of IPv4 (IPv6 embedding IPv4 included) and a /%d "
			    "of IPv6 in total", s->name, s->n_public_space,
			    lg_prefix_format(&s->public_space[0], buf, sizeof(buf)),
			    32 - POLICY_PUBLIC_V4_MAX_BITS, 128 - POLICY_PUBLIC_V6_MAX_BITS);
		v.at = s->public_space_at[0].line ? s->public_space_at[0] : s->at;
		fn(ctx, &v);
		n++;
	}
	for (size_t i = 0; i < s->n_internal && i < CONF_MAX_PREFIXES; i++) {
		struct lg_prefix gap;
		if (s->internal[i].len == 0 || policy_space_allowed(cfg, &s->internal[i], &gap))
			continue;   /* /0 has its own code (guardrails.c) */
		verdict_set(&v, POLICY_INTERNAL_SPACE_PUBLIC,
			    "site \"%s\" internal-space %s reaches public address space (%s%s) that is not "
			    "declared as the organisation's own (public-space with public-space-registration)",
			    s->name, lg_prefix_format(&s->internal[i], buf, sizeof(buf)),
			    lg_prefix_format(&gap, gapbuf, sizeof(gapbuf)),
			    gap.family != s->internal[i].family ? ", embedded IPv4" : "");
		v.at = s->internal_at[i].line ? s->internal_at[i] : s->at;
		fn(ctx, &v);
		n++;
	}
	return n;
}
