/* ICP ports: a web server the public Internet reaches on TCP 80, 8080 or
 * 443 needs an ICP recordal (备案) with MIIT; carriers close those ports on
 * a site that has none. Which listening sockets the Internet reaches is
 * judged here from facts the daemon gathers (sock_diag, uplink addresses):
 * bound to the wildcard or to an address an uplink has, and not pinned to a
 * non-uplink device. Every uplink counts, licensed circuits too: the rule is
 * about what is reachable, and the judgement must not depend on an admin's
 * tagging. A reachable listener without the site's recordal for its port is
 * a violation; it is reported and audited, tunnels are not touched. */
#include <stdio.h>
#include <string.h>
#include "policy_internal.h"

bool policy_icp_port(uint16_t port)
{
	return port == 80 || port == 8080 || port == 443;
}

static bool all_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

/* ::ffff:a.b.c.d listens on the IPv4 address: judge that. */
static void unmapped(const struct policy_listener *l, uint8_t *family, uint8_t addr[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	*family = l->family;
	memcpy(addr, l->addr, 16);
	if (l->family == AF_INET6 && !memcmp(l->addr, mapped, sizeof(mapped))) {
		*family = AF_INET;
		memset(addr, 0, 16);
		memcpy(addr, l->addr + 12, 4);
	}
}

static bool uplink_has(const struct conf_uplink *u, uint8_t family, const uint8_t *addr,
		       const struct policy_uplink_addr *addrs, size_t n_addrs)
{
	size_t len = lg_family_addr_len(family);
	if (u->source.sa.sa_family == family && !memcmp(lg_sockaddr_addr(&u->source), addr, len))
		return true;
	for (size_t i = 0; i < n_addrs; i++)
		if (addrs[i].family == family && !strncmp(addrs[i].ifname, u->ifname, IF_NAMESIZE) &&
		    !memcmp(addrs[i].addr, addr, len))
			return true;
	return false;
}

static void via_add(char *via, size_t cap, const struct conf_uplink *u)
{
	size_t used = strlen(via);
	snprintf(via + used, cap - used, "%s%.*s(%.16s)", used ? ", " : "", lg_utf8_clip(u->name, 40), u->name,
		 u->ifname);
}

/* Which uplinks reach the listener, into out->via; how many. */
static size_t reaching_uplinks(const struct config *cfg, const struct policy_listener *l,
			       const struct policy_uplink_addr *addrs, size_t n_addrs,
			       struct policy_icp_judgement *out)
{
	uint8_t family, addr[16];
	size_t n = 0;

	unmapped(l, &family, addr);
	bool wildcard = all_zero(addr, lg_family_addr_len(family));
	for (size_t i = 0; i < cfg->n_uplinks && i < CONF_MAX_UPLINKS; i++) {
		const struct conf_uplink *u = &cfg->uplinks[i];
		if (l->bound_if[0] && strncmp(l->bound_if, u->ifname, IF_NAMESIZE))
			continue;   /* pinned to another device */
		if (!wildcard && !uplink_has(u, family, addr, addrs, n_addrs))
			continue;
		via_add(out->via, sizeof(out->via), u);
		n++;
	}
	return n;
}

static const struct conf_icp *recordal_for(const struct config *cfg, uint16_t port)
{
	for (size_t i = 0; i < cfg->site.n_icp && i < CONF_MAX_ICP; i++)
		if (cfg->site.icp[i].port == port)
			return &cfg->site.icp[i];
	return NULL;
}

void policy_judge_listener(const struct config *cfg, const struct policy_listener *l,
			   const struct policy_uplink_addr *addrs, size_t n_addrs,
			   struct policy_icp_judgement *out)
{
	char a[LG_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	verdict_ok(&out->verdict);
	out->state = POLICY_ICP_NOT_EXPOSED;
	if (!policy_icp_port(l->port) || !reaching_uplinks(cfg, l, addrs, n_addrs, out))
		return;
	const struct conf_icp *rec = recordal_for(cfg, l->port);
	if (rec) {
		out->state = POLICY_ICP_RECORDED;
		out->recordal = rec->recordal;
		return;
	}
	out->state = POLICY_ICP_UNRECORDED;
	lg_addr_format(l->family, l->addr, a, sizeof(a));
	verdict_set(&out->verdict, POLICY_ICP_NO_RECORDAL,
		    "TCP %s port %u listens where the Internet reaches it (%s) and site \"%s\" has no ICP "
		    "recordal for port %u (icp-recordal %u, \"...\")", a, l->port, out->via,
		    cfg->site.name, l->port, l->port);
	out->verdict.at = cfg->site.at;
}
