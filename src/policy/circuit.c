/* A licensed circuit must be provably distinct from the ordinary Internet
 * uplink: the run-time egress check compares the kernel's route against the
 * circuit's interface and source, so a circuit declared on the Internet
 * uplink's interface, or with its source address, would pass that check for
 * packets that in fact leave by the Internet. Refused at config time. */
#include <stdio.h>
#include <string.h>
#include "policy_internal.h"

static bool same_source(const struct conf_uplink *a, const struct conf_uplink *b)
{
	int f = a->source.sa.sa_family;
	return f != AF_UNSPEC && f == b->source.sa.sa_family &&
	       !memcmp(lg_sockaddr_addr(&a->source), lg_sockaddr_addr(&b->source), lg_family_addr_len(f));
}

static struct conf_at at_or(struct conf_at a, struct conf_at b)
{
	return a.line ? a : b;
}

size_t policy_circuit_violations(const struct config *cfg, policy_violation_fn fn, void *ctx)
{
	struct policy_verdict v;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_uplinks && i < CONF_MAX_UPLINKS; i++) {
		const struct conf_uplink *c = &cfg->uplinks[i];
		if (!c->licensed)
			continue;
		for (size_t j = 0; j < cfg->n_uplinks && j < CONF_MAX_UPLINKS; j++) {
			const struct conf_uplink *o = &cfg->uplinks[j];
			if (j == i || o->licensed)
				continue;
			bool dev = c->ifname[0] && !strncmp(c->ifname, o->ifname, IF_NAMESIZE);
			if (!dev && !same_source(c, o))
				continue;
			char src[LG_ADDRSTRLEN] = "";
			if (!dev)
				lg_addr_format(c->source.sa.sa_family, lg_sockaddr_addr(&c->source), src, sizeof(src));
			const char *carrier = c->carrier[0] ? c->carrier : "untagged";
			const char *circuit = c->circuit_id[0] ? c->circuit_id : "-";
			verdict_set(&v, POLICY_CIRCUIT_SHARED,
				    "licensed circuit uplink \"%.*s\" (%.*s circuit %.*s) shares its %s %s with "
				    "untagged uplink \"%.*s\": a licensed circuit must be provably distinct from the "
				    "Internet uplink", lg_utf8_clip(c->name, 48), c->name, lg_utf8_clip(carrier, 48),
				    carrier, lg_utf8_clip(circuit, 48), circuit, dev ? "interface" : "source address",
				    dev ? c->ifname : src, lg_utf8_clip(o->name, 48), o->name);
			v.at = at_or(dev ? c->interface_at : c->source_at, c->at);
			fn(ctx, &v);
			n++;
		}
	}
	return n;
}
