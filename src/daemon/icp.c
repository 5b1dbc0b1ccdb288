/* ICP ports at run time: the site's listening sockets scanned (net/) and
 * judged (policy/icp.c) at start, after a reload, on every `compliance`
 * request and every DAEMON_ICP_SCAN_MS. An unrecorded web listener the
 * Internet reaches is on the trail once when it appears and once when it
 * goes away (closed, recorded by a reload, or no longer reachable), never
 * once per scan. It is a compliance violation in the report; tunnels are
 * not touched (the rule is about the web server, not the VPN). */
#include <stdio.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/log.h"
#include "daemon.h"

static bool same_listener(const struct policy_listener *a, const struct policy_listener *b)
{
	return a->family == b->family && a->port == b->port && a->inode == b->inode &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static const struct policy_listener *find(const struct policy_listener *set, size_t n,
					  const struct policy_listener *l)
{
	for (size_t i = 0; i < n; i++)
		if (same_listener(&set[i], l))
			return &set[i];
	return NULL;
}

static void record(const struct policy_listener *l, const struct policy_icp_judgement *j, bool open,
		   const char *state)
{
	char a[LG_ADDRSTRLEN], obj[LG_ADDRSTRLEN + 16], port[8], inode[16], uid[16], pid[16];

	lg_addr_format(l->family, l->addr, a, sizeof(a));
	snprintf(obj, sizeof(obj), l->family == AF_INET6 ? "tcp:[%s]:%u" : "tcp:%s:%u", a, l->port);
	snprintf(port, sizeof(port), "%u", l->port);
	snprintf(inode, sizeof(inode), "%u", l->inode);
	snprintf(uid, sizeof(uid), "%u", l->uid);
	snprintf(pid, sizeof(pid), "%d", l->pid);
	audit_emit(AUDIT_ICP_UNRECORDED_LISTENER, open ? AUDIT_FAILURE : AUDIT_SUCCESS, "linegated", obj,
		   "state", state, "reason", policy_reason_name(POLICY_ICP_NO_RECORDAL),
		   "address", a, "port", port, "via", j ? j->via : "", "inode", inode, "uid", uid,
		   "pid", pid, "process", l->process[0] ? l->process : "unknown", NULL);
	lg_log(open ? LOG_WARNING : LOG_NOTICE, "event=icp_unrecorded_listener state=%s address=%s port=%u "
	       "inode=%u", state, a, l->port, l->inode);
}

/* Why a flagged listener is no longer flagged. */
static const char *gone_state(const struct policy_listener *ls, size_t n, const struct policy_listener *was,
			      const struct policy_icp_judgement *now)
{
	if (!find(ls, n, was))
		return "closed";
	return now->state == POLICY_ICP_RECORDED ? "recorded" : "not_exposed";
}

/* Owners come from the flagged set when known: /proc is walked once per
 * new reachable listener, not on every scan. */
static void fill_owner(struct daemon *d, struct policy_listener *l)
{
	const struct policy_listener *k = find(d->icp_flagged, d->n_icp_flagged, l);
	if (k) {
		l->pid = k->pid;
		memcpy(l->process, k->process, sizeof(l->process));
	} else {
		(void)net_socket_owner(l->inode, &l->pid, l->process);
	}
}

static void diff_and_record(struct daemon *d, struct daemon_icp_facts *f)
{
	static struct policy_listener now[POLICY_MAX_LISTENERS];
	size_t n_now = 0;

	for (size_t i = 0; i < f->n_listeners; i++) {
		struct policy_icp_judgement j;
		policy_judge_listener(d->cfg, &f->listeners[i], f->addrs, f->n_addrs, &j);
		if (j.state == POLICY_ICP_NOT_EXPOSED)
			continue;
		fill_owner(d, &f->listeners[i]);
		if (j.state != POLICY_ICP_UNRECORDED)
			continue;
		if (!find(d->icp_flagged, d->n_icp_flagged, &f->listeners[i]))
			record(&f->listeners[i], &j, true, "open");
		now[n_now++] = f->listeners[i];
	}
	for (size_t i = 0; i < d->n_icp_flagged; i++) {
		const struct policy_listener *was = &d->icp_flagged[i];
		struct policy_icp_judgement j;
		if (find(now, n_now, was))
			continue;
		policy_judge_listener(d->cfg, was, f->addrs, f->n_addrs, &j);
		record(was, &j, false, gone_state(f->listeners, f->n_listeners, was, &j));
	}
	memcpy(d->icp_flagged, now, n_now * sizeof(now[0]));
	d->n_icp_flagged = n_now;
}

int daemon_icp_scan(struct daemon *d, struct daemon_icp_facts *f)
{
	char ifnames[CONF_MAX_UPLINKS][IF_NAMESIZE];
	size_t n_if = 0;

	for (size_t i = 0; i < d->cfg->n_uplinks && i < CONF_MAX_UPLINKS; i++)
		memcpy(ifnames[n_if++], d->cfg->uplinks[i].ifname, IF_NAMESIZE);
	f->n_addrs = net_uplink_addrs((const char (*)[IF_NAMESIZE])ifnames, n_if, f->addrs,
				      POLICY_MAX_UPLINK_ADDRS);
	f->scan_error = net_scan_listeners(policy_icp_port, f->listeners, POLICY_MAX_LISTENERS,
					   &f->n_listeners);
	d->icp_last_scan_ms = lg_now_ms();
	/* a failed dump proves nothing closed: the trail waits for a good scan */
	if (!f->scan_error)
		diff_and_record(d, f);
	return f->scan_error;
}

void daemon_icp_check(struct daemon *d)
{
	static struct daemon_icp_facts f;
	(void)daemon_icp_scan(d, &f);
}

void daemon_icp_tick(struct daemon *d)
{
	if (lg_now_ms() - d->icp_last_scan_ms >= DAEMON_ICP_SCAN_MS)
		daemon_icp_check(d);
}
