/* conf: the parser and validator over buffers (no I/O): a numbered table of
 * good and bad inputs with exact messages (conf_cases.h), the shipped example,
 * error limits and the formatting helpers. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "linegate/conf.h"
#include "linegate/ikev2.h"
#include "conf_cases.h"
#include "check_main.h"

static struct config cfg;
static struct conf_errors errs;

static int parse(const char *text)
{
	return conf_parse_buffer("t.conf", text, strlen(text), &cfg, &errs);
}

static void errors_text(char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < errs.n && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%d:%d: %s\n", errs.e[i].line,
					 errs.e[i].column, errs.e[i].msg);
}

static void assert_prefix(const struct lg_prefix *p, const char *want)
{
	char buf[LG_ADDRSTRLEN];
	ck_assert_str_eq(lg_prefix_format(p, buf, sizeof(buf)), want);
}

static void assert_endpoint(const union lg_sockaddr *a, const char *want)
{
	char buf[LG_ADDRSTRLEN];
	ck_assert_str_eq(lg_sockaddr_format(a, buf, sizeof(buf)), want);
}

/* ---- checks of the good cases ---- */

void check_defaults(const struct config *c)
{
	const struct conf_peer *p = &c->peers[0];
	ck_assert_str_eq(c->site.name, "s");
	ck_assert_str_eq(c->site.region, "CN");
	ck_assert_uint_eq(c->site.n_internal, 2);
	assert_prefix(&c->site.internal[1], "fd00::/8");
	ck_assert_uint_eq(c->n_uplinks, 1);
	ck_assert_str_eq(c->uplinks[0].ifname, "eth0");
	ck_assert(!c->uplinks[0].licensed);
	ck_assert_int_eq(c->uplinks[0].source.sa.sa_family, AF_UNSPEC);
	ck_assert_str_eq(c->tunnel.ifname, "lg0");
	ck_assert_uint_eq(c->tunnel.mtu, 1400);
	ck_assert_uint_eq(c->tunnel.gso_segments, 16);
	ck_assert_uint_eq(c->tunnel.pace_mbit, 0);   /* not paced: docs/robustness.md */
	ck_assert_uint_eq(c->n_peers, 1);
	ck_assert_str_eq(p->name, "p");
	assert_endpoint(&p->endpoint, "192.0.2.1:500");
	ck_assert_int_eq(p->uplink, 0);
	ck_assert_int_eq(p->auth, CONF_AUTH_PSK);
	ck_assert_str_eq(p->psk_file, "/k/p.psk");
	ck_assert_uint_eq(p->ike_lifetime_s, 4 * 3600);
	ck_assert_uint_eq(p->child_lifetime_s, 3600);
	ck_assert_uint_eq(p->dpd_s, 30);
	ck_assert_uint_eq(p->natt_port, 4500);
	ck_assert_int_eq(p->role, CONF_ROLE_BOTH);
	ck_assert_uint_eq(p->child_lifetime_bytes, 0);
	ck_assert_uint_eq(p->n_ike_proposals, 2);
	ck_assert_uint_eq(p->ike_proposals[0].encr, IKEV2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(p->ike_proposals[1].encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(p->ike_proposals[1].encr_keybits, 256);
	ck_assert_uint_eq(p->n_esp_proposals, 2);
	ck_assert_uint_eq(p->esp_proposals[0].dh, IKEV2_DH_NONE);
	ck_assert_uint_eq(c->audit.retention_days, 180);
	ck_assert_int_eq(c->audit.syslog_facility, LOG_DAEMON);
	ck_assert_int_eq(c->audit.mlps_level, 3);
	ck_assert_uint_eq(c->audit.flow_interval_s, 300);
	ck_assert_uint_eq(c->audit.checkpoint_interval_s, 60);
	ck_assert_str_eq(c->audit.journal_dir, "/var/lib/linegate/audit");
	ck_assert_int_eq(c->audit.on_failure, CONF_JOURNAL_FAIL_KEEP_TUNNELS);
	ck_assert_uint_eq(c->compliance.n_carriers, 3);
	ck_assert_str_eq(c->compliance.carriers[0], "china-telecom");
	ck_assert_str_eq(c->compliance.carriers[1], "china-unicom");
	ck_assert_str_eq(c->compliance.carriers[2], "china-mobile");
	ck_assert_str_eq(c->compliance.region_db, "");
	ck_assert_str_eq(c->control.socket_path, "/run/linegate/control.sock");
	ck_assert_uint_eq(c->control.socket_mode, 0600);
	ck_assert_int_eq(c->control.workers, 0);
	ck_assert(!c->lab_only);
	ck_assert_uint_eq(c->n_static_sas, 0);
}

void check_durations(const struct config *c)
{
	ck_assert_uint_eq(c->peers[0].ike_lifetime_s, 7200);
	ck_assert_uint_eq(c->peers[0].child_lifetime_s, 1800);
	ck_assert_uint_eq(c->peers[0].dpd_s, 0);
	ck_assert_uint_eq(c->audit.retention_days, 365);
	ck_assert_uint_eq(c->audit.flow_interval_s, 0);
	ck_assert_uint_eq(c->audit.checkpoint_interval_s, 60);
}

void check_sizes(const struct config *c)
{
	ck_assert_uint_eq(c->peers[0].child_lifetime_bytes, 10ULL << 30);
	ck_assert_uint_eq(c->peers[0].child_lifetime_packets, 100ULL << 20);
}

void check_identities(const struct config *c)
{
	const struct conf_peer *p = &c->peers[0], *q = &c->peers[1];
	const uint8_t v4[4] = { 10, 1, 0, 1 }, keyid[3] = { 0x0a, 0x0b, 0x10 };
	uint8_t v6[16];
	inet_pton(AF_INET6, "2001:db8::1", v6);
	ck_assert_int_eq(p->local_id.type, CONF_ID_IPV4_ADDR);
	ck_assert_uint_eq(p->local_id.len, 4);
	ck_assert_mem_eq(p->local_id.data, v4, 4);
	ck_assert_int_eq(p->remote_id.type, CONF_ID_IPV6_ADDR);
	ck_assert_uint_eq(p->remote_id.len, 16);
	ck_assert_mem_eq(p->remote_id.data, v6, 16);
	ck_assert_int_eq(q->local_id.type, CONF_ID_KEY_ID);
	ck_assert_uint_eq(q->local_id.len, 3);
	ck_assert_mem_eq(q->local_id.data, keyid, 3);
	ck_assert_int_eq(q->remote_id.type, CONF_ID_FQDN);
	ck_assert_uint_eq(q->remote_id.len, strlen("gw.corp.example"));
	ck_assert_mem_eq(q->remote_id.data, "gw.corp.example", q->remote_id.len);
}

void check_proposals(const struct config *c)
{
	const struct conf_peer *p = &c->peers[0];
	ck_assert_uint_eq(p->n_ike_proposals, 2);
	ck_assert_uint_eq(p->ike_proposals[0].encr, 28);
	ck_assert_uint_eq(p->ike_proposals[0].encr_keybits, 0);
	ck_assert_uint_eq(p->ike_proposals[0].prf, 5);
	ck_assert_uint_eq(p->ike_proposals[0].dh, 31);
	ck_assert_uint_eq(p->ike_proposals[1].encr, 20);
	ck_assert_uint_eq(p->ike_proposals[1].encr_keybits, 256);
	ck_assert_uint_eq(p->ike_proposals[1].prf, 7);
	ck_assert_uint_eq(p->ike_proposals[1].dh, 31);
	ck_assert_uint_eq(p->n_esp_proposals, 2);
	ck_assert_uint_eq(p->esp_proposals[0].encr, 20);
	ck_assert_uint_eq(p->esp_proposals[0].encr_keybits, 256);
	ck_assert_uint_eq(p->esp_proposals[0].prf, 0);
	ck_assert_uint_eq(p->esp_proposals[0].dh, 31);
	ck_assert_uint_eq(p->esp_proposals[1].encr, 28);
	ck_assert_uint_eq(p->esp_proposals[1].dh, 0);
}

/* strongSwan's notation: the PRF follows the integrity algorithm unless named. */
void check_classic_proposals(const struct config *c)
{
	static const struct conf_proposal want[] = {
		{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_MODP2048,
		  IKEV2_INTEG_HMAC_SHA2_256_128 },
		{ IKEV2_ENCR_AES_CBC, 128, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_ECP256,
		  IKEV2_INTEG_HMAC_SHA2_256_128 },
		{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_384, IKEV2_DH_ECP384,
		  IKEV2_INTEG_HMAC_SHA2_384_192 },
		{ IKEV2_ENCR_AES_GCM_16, 256, IKEV2_PRF_HMAC_SHA2_384, IKEV2_DH_ECP384, 0 },
		{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_MODP3072,
		  IKEV2_INTEG_HMAC_SHA2_512_256 },
	};
	const struct conf_peer *p = &c->peers[0];
	ck_assert_uint_eq(p->n_ike_proposals, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct conf_proposal *g = &p->ike_proposals[i];
		ck_assert_uint_eq(g->encr, want[i].encr);
		ck_assert_uint_eq(g->encr_keybits, want[i].encr_keybits);
		ck_assert_uint_eq(g->integ, want[i].integ);
		ck_assert_uint_eq(g->prf, want[i].prf);
		ck_assert_uint_eq(g->dh, want[i].dh);
	}
	ck_assert_uint_eq(p->n_esp_proposals, 4);
	ck_assert_uint_eq(p->esp_proposals[0].dh, IKEV2_DH_ECP384);
	ck_assert_uint_eq(p->esp_proposals[1].dh, IKEV2_DH_MODP2048);
	/* ESP AES-CBC: encryption + integrity, no PRF, PFS group optional */
	const struct conf_proposal *e = &p->esp_proposals[2];
	ck_assert_uint_eq(e->encr, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(e->encr_keybits, 256);
	ck_assert_uint_eq(e->integ, IKEV2_INTEG_HMAC_SHA2_256_128);
	ck_assert_uint_eq(e->prf, 0);
	ck_assert_uint_eq(e->dh, 0);
	e = &p->esp_proposals[3];
	ck_assert_uint_eq(e->encr_keybits, 128);
	ck_assert_uint_eq(e->integ, IKEV2_INTEG_HMAC_SHA2_512_256);
	ck_assert_uint_eq(e->prf, 0);
	ck_assert_uint_eq(e->dh, IKEV2_DH_ECP256);
	char buf[64];
	ck_assert_str_eq(conf_proposal_format(e, buf, sizeof(buf)), "aes128-sha512-ecp256");
	ck_assert_str_eq(conf_proposal_format(&p->ike_proposals[0], buf, sizeof(buf)),
			 "aes256-sha256-prfsha256-modp2048");
	ck_assert_str_eq(conf_proposal_format(&p->ike_proposals[3], buf, sizeof(buf)),
			 "aes256gcm16-prfsha384-ecp384");
}

void check_endpoint_v6(const struct config *c)
{
	assert_endpoint(&c->peers[0].endpoint, "[2001:db8::7]:4501");
	ck_assert_uint_eq(c->peers[0].natt_port, 4600);
	ck_assert_str_eq(c->peers[0].region, "DE");
	assert_prefix(&c->peers[0].remote_ts[0], "fd00:2::/64");
}

void check_syntax_forms(const struct config *c)
{
	ck_assert_uint_eq(c->site.n_internal, 2);
	assert_prefix(&c->site.internal[0], "10.0.0.0/8");
	assert_prefix(&c->site.internal[1], "172.16.0.0/12");
	ck_assert_str_eq(c->uplinks[0].ifname, "eth0");
	ck_assert_str_eq(c->uplinks[0].carrier, "say \"hi\" \\");
}

void check_audit(const struct config *c)
{
	ck_assert_str_eq(c->audit.journal_dir, "/srv/audit");
	ck_assert_uint_eq(c->audit.retention_days, 183);
	ck_assert_int_eq(c->audit.syslog_facility, LOG_LOCAL4);
	ck_assert_int_eq(c->audit.mlps_level, 4);
	ck_assert_str_eq(c->audit.security_officer, "\xe5\xbc\xa0\xe4\xbc\x9f");
	ck_assert_int_eq(c->audit.on_failure, CONF_JOURNAL_FAIL_STOP_TUNNELS);
}

void check_control(const struct config *c)
{
	ck_assert_str_eq(c->control.socket_path, "/tmp/lg.sock");
	ck_assert_uint_eq(c->control.socket_mode, 0660);
	ck_assert_int_eq(c->control.workers, 4);
}

void check_compliance(const struct config *c)
{
	ck_assert_uint_eq(c->compliance.n_carriers, 2);
	ck_assert_str_eq(c->compliance.carriers[1], "cn-carrier-x");
	ck_assert_str_eq(c->compliance.region_db, "/etc/linegate/regions.txt");
}

void check_uplink(const struct config *c)
{
	const struct conf_uplink *u = &c->uplinks[0];
	ck_assert_str_eq(u->name, "ctc");
	ck_assert_str_eq(u->ifname, "eth1");
	ck_assert_str_eq(u->carrier, "china-telecom");
	ck_assert_str_eq(u->circuit_id, "CTC-IPLC-SH-0042");
	ck_assert(u->licensed);
	ck_assert_int_eq(u->line, 2);
	ck_assert_int_eq(u->source.sa.sa_family, AF_INET);
	assert_endpoint(&u->source, "192.0.2.10:0");
}

void check_tunnel(const struct config *c)
{
	ck_assert_str_eq(c->tunnel.ifname, "lgt1");
	ck_assert_uint_eq(c->tunnel.n_addrs, 2);
	assert_prefix(&c->tunnel.addrs[0], "10.1.0.1/24");   /* host bits kept */
	assert_prefix(&c->tunnel.addrs[1], "fd00:1::1/64");
	ck_assert_uint_eq(c->tunnel.mtu, 1500);
	ck_assert_uint_eq(c->tunnel.gso_segments, 64);
	ck_assert_uint_eq(c->tunnel.pace_mbit, 0);
}

void check_forward_uplink(const struct config *c)
{
	ck_assert_int_eq(c->peers[0].uplink, 1);
	ck_assert_str_eq(c->uplinks[1].name, "inet");
}

void check_static_sa_cbc(const struct config *c)
{
	const struct conf_static_sa *sa = &c->static_sas[0];
	ck_assert_uint_eq(sa->encr, IKEV2_ENCR_AES_CBC);
	ck_assert_uint_eq(sa->encr_keybits, 128);
	ck_assert_uint_eq(sa->integ, IKEV2_INTEG_HMAC_SHA2_512_256);
	ck_assert_uint_eq(sa->key_in[79], 79);
	ck_assert_uint_eq(sa->key_out[16], 16);
}

void check_static_sa(const struct config *c)
{
	const struct conf_static_sa *sa = &c->static_sas[0];
	ck_assert(c->lab_only);
	ck_assert_uint_eq(c->n_static_sas, 1);
	ck_assert_str_eq(sa->name, "bench");
	assert_endpoint(&sa->peer, "10.201.0.2:4500");
	ck_assert_int_eq(sa->uplink, 0);
	ck_assert_uint_eq(sa->encr, IKEV2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(sa->spi_in, 0x1001);
	ck_assert_uint_eq(sa->spi_out, 0x2001);
	ck_assert_uint_eq(sa->key_in[0], 0x00);
	ck_assert_uint_eq(sa->key_in[35], 0x23);
	ck_assert_uint_eq(sa->key_out[17], 0x11);
	assert_prefix(&sa->remote_ts[0], "10.2.0.0/16");
	ck_assert_int_eq(sa->line, 4);
}

void check_ed25519(const struct config *c)
{
	ck_assert_int_eq(c->peers[0].auth, CONF_AUTH_ED25519);
	ck_assert_str_eq(c->peers[0].private_key_file, "/k/local.pem");
	ck_assert_str_eq(c->peers[0].peer_public_key_file, "/k/peer.pub.pem");
	ck_assert_str_eq(c->peers[0].psk_file, "");
}

void check_modes(const struct config *c)
{
	ck_assert_int_eq(c->peers[0].role, CONF_ROLE_INITIATOR);
	ck_assert_int_eq(c->peers[1].role, CONF_ROLE_RESPONDER);
}

void check_fragmentation(const struct config *c)
{
	ck_assert(!c->peers[0].fragmentation);
	ck_assert_uint_eq(c->peers[0].fragment_size, 576);
	ck_assert(c->peers[1].fragmentation);              /* RFC 7383 offered by default */
	ck_assert_uint_eq(c->peers[1].fragment_size, 1280);
}

void check_allow_identity(const struct config *c)
{
	ck_assert_str_eq(c->site.identity_domain, "corp.example");
	ck_assert_uint_eq(c->site.n_allowed_ids, 3);
	ck_assert_int_eq(c->site.allowed_ids[0].type, CONF_ID_FQDN);
	ck_assert_int_eq(c->site.allowed_ids[1].type, CONF_ID_IPV4_ADDR);
	ck_assert_int_eq(c->site.allowed_ids[2].type, CONF_ID_KEY_ID);
}

void check_two_peers(const struct config *c)
{
	ck_assert_uint_eq(c->n_peers, 2);
	ck_assert_int_eq(c->peers[1].line, 9);
	ck_assert_uint_eq(c->peers[1].n_remote_ts, 2);
	assert_prefix(&c->peers[1].remote_ts[1], "10.4.0.0/15");
}

void check_bare_numbers(const struct config *c)
{
	ck_assert_uint_eq(c->peers[0].ike_lifetime_s, 7200);
	ck_assert_uint_eq(c->peers[0].dpd_s, 45);
	ck_assert_uint_eq(c->peers[0].child_lifetime_bytes, 1000);
}

void check_recovery(const struct config *c)
{
	ck_assert_uint_eq(c->peers[0].retry_min_s, 2);
	ck_assert_uint_eq(c->peers[0].retry_max_s, 120);
	ck_assert_int_eq(c->peers[0].dpd_action, CONF_ACTION_CLEAR);
	ck_assert_int_eq(c->peers[0].close_action, CONF_ACTION_CLEAR);
}

void check_recovery_defaults(const struct config *c)
{
	ck_assert_uint_eq(c->peers[0].retry_min_s, 1);
	ck_assert_uint_eq(c->peers[0].retry_max_s, 30);
	ck_assert_int_eq(c->peers[0].dpd_action, CONF_ACTION_RESTART);
	ck_assert_int_eq(c->peers[0].close_action, CONF_ACTION_RESTART);
}

void check_defaults_block(const struct config *c)
{
	const struct conf_peer *p = &c->peers[0], *q = &c->peers[1];
	char s[64];
	ck_assert_uint_eq(c->n_peers, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(c->peers[i].uplink, 0);
		ck_assert_int_eq(c->peers[i].auth, CONF_AUTH_PSK);
		ck_assert_str_eq(c->peers[i].region, "CN");
		ck_assert_uint_eq(c->peers[i].retry_max_s, 60);
		ck_assert_uint_eq(c->peers[i].n_ike_proposals, 2);   /* the built-in defaults */
	}
	ck_assert_str_eq(p->name, "p");
	ck_assert_uint_eq(p->dpd_s, 10);
	ck_assert_uint_eq(q->dpd_s, 20);
	lg_prefix_format(&p->local_ts[0], s, sizeof(s));
	ck_assert_str_eq(s, "10.1.0.0/16");
	ck_assert_uint_eq(q->n_local_ts, 1);
	lg_prefix_format(&q->local_ts[0], s, sizeof(s));
	ck_assert_str_eq(s, "10.5.0.0/16");
	ck_assert_str_eq(conf_identity_format(&p->local_id, s, sizeof(s)), "a.corp.example");
	ck_assert_str_eq(conf_identity_format(&q->local_id, s, sizeof(s)), "d.corp.example");
	ck_assert_str_eq(p->psk_file, "/k/p");
	ck_assert_str_eq(q->psk_file, "/k/q");
}

void check_log_debug(const struct config *c)
{
	ck_assert_int_eq(c->audit.log_level, LOG_DEBUG);
}

void check_log_default(const struct config *c)
{
	ck_assert_int_eq(c->audit.log_level, LOG_INFO);
}

void check_units(const struct config *c)
{
	assert_endpoint(&c->peers[0].endpoint, "[2001:db8::9]:500");
	ck_assert_uint_eq(c->peers[0].child_lifetime_bytes, 2ULL << 40);
	ck_assert_uint_eq(c->peers[0].child_lifetime_packets, 1024);
}

void check_numbers(const struct config *c)
{
	const struct conf_static_sa *sa = &c->static_sas[0];
	assert_endpoint(&sa->peer, "[fd00::2]:4501");
	ck_assert_uint_eq(sa->encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(sa->spi_in, 4097);
	ck_assert_uint_eq(sa->spi_out, 0xffffffffu);
	ck_assert_uint_eq(c->control.socket_mode, 0);
	ck_assert_int_eq(c->control.workers, 16);
}

void check_leading_zero(const struct config *c)
{
	ck_assert_uint_eq(c->tunnel.mtu, 1400);
}

void check_noesn(const struct config *c)
{
	const struct conf_peer *p = &c->peers[0];
	ck_assert_uint_eq(p->n_esp_proposals, 2);
	ck_assert_uint_eq(p->esp_proposals[0].encr, IKEV2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(p->esp_proposals[0].dh, 0);
	ck_assert_uint_eq(p->esp_proposals[1].encr, IKEV2_ENCR_AES_GCM_16);
	ck_assert_uint_eq(p->esp_proposals[1].dh, IKEV2_DH_CURVE25519);
}

void check_icp(const struct config *c)
{
	ck_assert_uint_eq(c->site.n_icp, 2);
	ck_assert_uint_eq(c->site.icp[0].port, 443);
	ck_assert_str_eq(c->site.icp[0].recordal, "京ICP备12345678号-1");
	ck_assert_int_eq(c->site.icp[0].at.line, 2);
	ck_assert_int_eq(c->site.icp[0].at.col, 16);
	ck_assert_uint_eq(c->site.icp[1].port, 80);
	ck_assert_int_eq(c->site.icp[1].at.line, 3);
	ck_assert_int_eq(c->site.icp[1].at.col, 5);
}

void check_paperwork(const struct config *c)
{
	const struct conf_uplink *u = &c->uplinks[0];
	ck_assert_str_eq(u->contract, "沪电信合同2026-0042号");
	ck_assert_str_eq(u->carrier_licence, "A1.A2-20090001");
	ck_assert_int_eq(u->contract_at.line, 4);
	ck_assert_int_eq(u->contract_at.col, 19);
	ck_assert_int_eq(u->carrier_licence_at.line, 4);
}

void check_public_space(const struct config *c)
{
	ck_assert_uint_eq(c->site.n_public_space, 2);
	assert_prefix(&c->site.public_space[0], "203.0.113.0/24");
	assert_prefix(&c->site.public_space[1], "2001:db8:100::/48");
	ck_assert_str_eq(c->site.public_registration, "APNIC ORG-CORP1-AP");
	ck_assert_int_eq(c->site.public_space_at[1].line, 3);
	ck_assert_int_eq(c->site.public_space_at[1].col, 32);
	ck_assert_int_eq(c->site.internal_at[1].line, 2);
	ck_assert_int_eq(c->site.internal_at[1].col, 41);
	ck_assert_int_eq(c->site.region_at.col, 10);
	ck_assert_int_eq(c->site.public_registration_at.line, 4);
}

void check_mlps_stop(const struct config *c)
{
	ck_assert_int_eq(c->audit.on_failure, CONF_JOURNAL_FAIL_STOP_TUNNELS);
	ck_assert_str_eq(c->audit.on_failure_set_by, "mlps-level");
}

void check_mlps_keep(const struct config *c)
{
	ck_assert_int_eq(c->audit.mlps_level, 4);
	ck_assert_int_eq(c->audit.on_failure, CONF_JOURNAL_FAIL_KEEP_TUNNELS);
	ck_assert_str_eq(c->audit.on_failure_set_by, "configuration");
}

void check_mlps_two(const struct config *c)
{
	ck_assert_int_eq(c->audit.on_failure, CONF_JOURNAL_FAIL_KEEP_TUNNELS);
	ck_assert_str_eq(c->audit.on_failure_set_by, "default");
}

/* ---- the table ---- */

START_TEST(conf_case_table)
{
	const struct conf_case *c = &conf_cases[_i];
	char got[CONF_MAX_ERRORS * (CONF_MSG_MAX + 16)];
	int rc = parse(c->text);
	errors_text(got, sizeof(got));
	ck_assert_msg(errs.dropped == 0, "case %s: %zu errors dropped", c->name, errs.dropped);
	if (!c->errors) {
		ck_assert_msg(rc == 0, "case %s: expected success, got:\n%s", c->name, got);
		if (c->check)
			c->check(&cfg);
	} else {
		ck_assert_msg(rc == -EINVAL, "case %s: expected -EINVAL, got %d", c->name, rc);
		ck_assert_msg(!strcmp(got, c->errors), "case %s:\nexpected:\n%sgot:\n%s", c->name,
			      c->errors, got);
	}
}
END_TEST

static size_t n_cases(void)
{
	size_t n = 0;
	while (conf_cases[n].name)
		n++;
	return n;
}

START_TEST(table_is_big_enough)
{
	size_t good = 0, bad = 0;
	for (size_t i = 0; i < n_cases(); i++)
		conf_cases[i].errors ? bad++ : good++;
	ck_assert_uint_ge(good, 20);
	ck_assert_uint_ge(bad, 60);
}
END_TEST

/* The example documents the syntax; it must parse as shipped. */
START_TEST(example_parses)
{
	const char *src = getenv("LG_SOURCE_DIR");
	char path[4096];
	static char buf[CONF_FILE_MAX];
	ck_assert_msg(src != NULL, "LG_SOURCE_DIR not set");
	snprintf(path, sizeof(path), "%s/conf/linegate.conf.example", src);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	int rc = conf_parse_buffer(path, buf, n, &cfg, &errs);
	char got[4096];
	errors_text(got, sizeof(got));
	ck_assert_msg(rc == 0, "example does not parse:\n%s", got);
	ck_assert_str_eq(cfg.site.name, "shanghai-branch");
	ck_assert_str_eq(cfg.site.region, "CN");
	ck_assert_uint_eq(cfg.site.n_internal, 3);
	ck_assert_uint_eq(cfg.n_uplinks, 2);
	ck_assert(cfg.uplinks[1].licensed);
	ck_assert_uint_eq(cfg.n_peers, 3);   /* a template's instances come from its key-dir at load */
	ck_assert_uint_eq(cfg.n_templates, 1);
	ck_assert(cfg.peers[cfg.templates[0]].is_template);
	ck_assert_int_eq(cfg.peers[cfg.templates[0]].role, CONF_ROLE_RESPONDER);
	const struct conf_peer *fr = config_find_peer(&cfg, "frankfurt-hq");
	ck_assert_ptr_nonnull(fr);
	ck_assert_str_eq(fr->region, "DE");
	ck_assert_int_eq(fr->uplink, config_find_uplink(&cfg, "ctc-circuit"));
	ck_assert_int_eq(fr->auth, CONF_AUTH_ED25519);
	ck_assert_uint_eq(fr->ike_proposals[0].prf, IKEV2_PRF_HMAC_SHA2_512);
	ck_assert_uint_eq(fr->esp_proposals[0].dh, IKEV2_DH_CURVE25519);
	ck_assert_int_eq(fr->role, CONF_ROLE_INITIATOR);
	ck_assert_int_eq(cfg.audit.syslog_facility, LOG_LOCAL4);
	ck_assert_uint_eq(cfg.audit.flow_interval_s, 300);
	ck_assert_str_eq(cfg.compliance.region_db, "/etc/linegate/regions.txt");
}
END_TEST

/* Embedded NUL bytes are input like any other: refused, with a position. */
START_TEST(nul_byte)
{
	static const char text[] = "site \"s\" { region CN; internal-space 10.0.0.0/8 }\n\0\n";
	int rc = conf_parse_buffer("t.conf", text, sizeof(text) - 1, &cfg, &errs);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_int_eq(errs.e[0].line, 2);
	ck_assert_int_eq(errs.e[0].column, 1);
	ck_assert_str_eq(errs.e[0].msg, "unexpected character 0x00");
}
END_TEST

/* The parser keeps going: 40 bad keys give CONF_MAX_ERRORS messages and a
 * count of the rest. */
START_TEST(error_limit)
{
	char text[4096];
	size_t used = (size_t)snprintf(text, sizeof(text), "%s", SITE);
	for (int i = 0; i < 40; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "bogus%d 1\n", i);
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_uint_eq(errs.n, CONF_MAX_ERRORS);
	ck_assert_uint_eq(errs.dropped, 40 - CONF_MAX_ERRORS);
	ck_assert_int_eq(errs.e[0].line, 2);
	ck_assert_str_eq(errs.e[0].msg, "unknown key 'bogus0' at top level");
}
END_TEST

START_TEST(errors_print_format)
{
	char *out = NULL;
	size_t n = 0;
	ck_assert_int_eq(parse("site \"s\" { region cn; internal-space 10.0.0.0/8 }\n"), -EINVAL);
	FILE *f = open_memstream(&out, &n);
	conf_errors_print(&errs, f);
	fclose(f);
	ck_assert_str_eq(out, "t.conf:1:19: invalid region 'cn': expected two upper-case letters "
			      "(ISO 3166-1 alpha-2, e.g. CN)\n");
	free(out);
}
END_TEST

START_TEST(format_helpers)
{
	char buf[128];
	struct conf_proposal p = { IKEV2_ENCR_AES_GCM_16, 256, IKEV2_PRF_HMAC_SHA2_512,
				   IKEV2_DH_CURVE25519, 0 };
	ck_assert_str_eq(conf_proposal_format(&p, buf, sizeof(buf)), "aes256gcm16-prfsha512-x25519");
	p = (struct conf_proposal){ IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 0, 0 };
	ck_assert_str_eq(conf_proposal_format(&p, buf, sizeof(buf)), "chacha20poly1305");
	ck_assert_int_eq(parse(BASE PEER_OPEN "  endpoint 192.0.2.1; region CN; uplink inet\n"
			       "  local-id keyid:0aff; remote-id fd00::2; auth psk; psk-file /k\n"
			       "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n"), 0);
	ck_assert_str_eq(conf_identity_format(&cfg.peers[0].local_id, buf, sizeof(buf)), "keyid:0aff");
	ck_assert_str_eq(conf_identity_format(&cfg.peers[0].remote_id, buf, sizeof(buf)), "fd00::2");
}
END_TEST

/* A value never overruns its field: the longest word the lexer accepts. */
START_TEST(long_values)
{
	char text[2048], word[600];
	memset(word, 'a', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	snprintf(text, sizeof(text), "%saudit { security-officer %s }\n", SITE, word);
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_str_eq(errs.e[0].msg, "word too long: expected at most 511 bytes");
	snprintf(text, sizeof(text), "%saudit { security-officer \"%s\" }\n", SITE, word);
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_str_eq(errs.e[0].msg, "string too long: expected at most 511 bytes");
	word[300] = '\0';
	snprintf(text, sizeof(text), "%saudit { security-officer \"%s\" }\n", SITE, word);
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_str_eq(errs.e[0].msg, "invalid text: expected 1 to 127 bytes");
}
END_TEST

/* Bounded parsing: the 65th value of a key is refused by name. */
START_TEST(limits)
{
	static char text[64 * 1024];
	size_t used = (size_t)snprintf(text, sizeof(text), "%s", "site \"s\" { region CN\n"
				       "  internal-space 10.0.0.0/8");
	for (int i = 1; i <= 64; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, ", 11.%d.0.0/16", i);
	snprintf(text + used, sizeof(text) - used, "\n}\n");
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_int_eq(errs.e[0].line, 1);
	ck_assert_str_eq(errs.e[0].msg, "site 's': missing required key internal-space");
	ck_assert_int_eq(errs.e[1].line, 2);
	ck_assert_str_eq(errs.e[1].msg, "too many values: expected at most 64");
}
END_TEST

/* No cap on peers: a hub's 1,000 branches load, each found by name, and a
 * duplicate name or endpoint among them is still named file:line:col. */
START_TEST(many_peers)
{
	static char text[CONF_FILE_MAX];
	size_t used = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	enum { N = 1000 };

	for (int i = 0; i < N; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "peer \"p%d\" { endpoint 192.0.%d.%d; region CN; uplink inet\n"
					 "  local-id a.corp.example; remote-id b.corp.example\n"
					 "  auth psk; psk-file /k; local-subnets 10.1.0.0/16\n"
					 "  remote-subnets 10.%d.%d.0/24 }\n", i, i / 200, i % 200 + 1,
					 2 + i / 256, i % 256);
	ck_assert_int_eq(parse(text), 0);
	ck_assert_uint_eq(cfg.n_peers, N);
	for (int i = 0; i < N; i += 97) {
		char name[16];
		snprintf(name, sizeof(name), "p%d", i);
		ck_assert_ptr_eq(config_find_peer(&cfg, name), &cfg.peers[i]);
	}
	ck_assert_ptr_null(config_find_peer(&cfg, "p1000"));
	/* the last peer reuses the first one's endpoint and subnet */
	used += (size_t)snprintf(text + used, sizeof(text) - used,
				 "peer \"dup\" { endpoint 192.0.0.1; region CN; uplink inet\n"
				 "  local-id a.corp.example; remote-id b.corp.example\n"
				 "  auth psk; psk-file /k; local-subnets 10.1.0.0/16\n"
				 "  remote-subnets 10.2.0.128/25 }\n");
	ck_assert_int_eq(parse(text), -EINVAL);
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_int_eq(errs.e[0].line, 3 + 4 * N);
	ck_assert_str_eq(errs.e[0].msg, "endpoint 192.0.0.1 is also the endpoint of peer 'p0' "
					"(line 3): expected one peer per address");
	ck_assert_int_eq(errs.e[1].line, 6 + 4 * N);
	ck_assert_str_eq(errs.e[1].msg, "remote subnet 10.2.0.128/25 overlaps 10.2.0.0/24 of peer "
					"'p0' (line 3)");
}
END_TEST

/* 100000 unclosed blocks: recovery is a loop, not recursion, so the stack
 * stays flat whatever the input. */
START_TEST(unclosed_blocks)
{
	static char text[CONF_FILE_MAX];
	size_t used = 0;
	while (used + 16 < sizeof(text))
		used += (size_t)snprintf(text + used, sizeof(text) - used, "tunnel {\n");
	int rc = conf_parse_buffer("t.conf", text, used, &cfg, &errs);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_uint_eq(errs.n, CONF_MAX_ERRORS);
	ck_assert_uint_gt(errs.dropped, 100000);
	ck_assert_str_eq(errs.e[0].msg, "missing '}' before this tunnel block: the tunnel block "
			 "opened at line 1 is not closed");
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf_parse");
	TCase *tc = tcase_create("table");
	tcase_add_loop_test(tc, conf_case_table, 0, (int)n_cases());
	tcase_add_test(tc, table_is_big_enough);
	suite_add_tcase(s, tc);
	tc = tcase_create("misc");
	tcase_add_test(tc, example_parses);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, error_limit);
	tcase_add_test(tc, errors_print_format);
	tcase_add_test(tc, format_helpers);
	tcase_add_test(tc, long_values);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, many_peers);
	tcase_add_test(tc, unclosed_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return lg_check_run(conf_suite());
}
