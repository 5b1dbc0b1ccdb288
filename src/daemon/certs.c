/* Our own X.509 certificate (auth certificate), checked at start, reload
 * and by --check-config as the peer will check it: the chain to a trust
 * anchor of ca-dir (with crl-dir's CRLs) at this moment, local-id bound to
 * it, private-key its key. Each problem names the value's file:line:col;
 * a chain that verifies says when it expires (a warning within 30 days). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "linegate/conf.h"
#include "linegate/ike_x509.h"
#include "daemon.h"

enum { EXPIRY_WARN_DAYS = 30 };

static void peer_certificate(const struct config *cfg, const struct conf_peer *p,
			     struct daemon_refusal *why, struct daemon_refusal *warn, size_t *bad)
{
	char where[CONF_PATH_MAX + 32], err[512] = "", until[32];
	struct ike_x509_store *store = NULL;
	struct ike_x509_info info;
	struct x509_st *cert = NULL;
	struct evp_pkey_st *key = NULL;
	time_t now = time(NULL);

	if (ike_x509_store_load(p->ca_dir, NULL, &store, err, sizeof(err))) {
		daemon_refusal_add(why, "%s: peer \"%s\": %s",
				   config_at_format(cfg, p->ca_dir_at, where, sizeof(where)), p->name, err);
		(*bad)++;
		return;
	}
	if (p->crl_dir[0] && ike_x509_store_add_crls(store, p->crl_dir, err, sizeof(err))) {
		daemon_refusal_add(why, "%s: peer \"%s\": %s",
				   config_at_format(cfg, p->crl_dir_at, where, sizeof(where)), p->name, err);
		(*bad)++;
		goto out;
	}
	config_at_format(cfg, p->certificate_at, where, sizeof(where));
	if (ike_x509_load_cert(p->certificate_file, &cert, err, sizeof(err))) {
		daemon_refusal_add(why, "%s: peer \"%s\": %s", where, p->name, err);
		(*bad)++;
		goto out;
	}
	enum ike_x509_verdict v = ike_x509_verify(store, cert, NULL, 0, now, &info);
	struct tm tm;
	gmtime_r(&info.not_after, &tm);
	strftime(until, sizeof(until), "%Y-%m-%d %H:%M UTC", &tm);
	if (v != IKE_X509_OK) {
		daemon_refusal_add(why, "%s: peer \"%s\": certificate %s (%s, valid until %s)", where,
				   p->name, ike_x509_verdict_name(v), info.subject, until);
		(*bad)++;
		goto out;
	}
	/* conf_id_type values are the IKE ID types (RFC 7296 §3.5) */
	if (!ike_x509_id_matches(cert, (uint8_t)p->local_id.type, p->local_id.data,
				 p->local_id.len)) {
		daemon_refusal_add(why, "%s: peer \"%s\": certificate %s: local-id is not %s", where,
				   p->name, info.subject, p->local_id.type == CONF_ID_DER_ASN1_DN
				   ? "its subject" : "one of its subjectAltNames");
		(*bad)++;
	}
	char key_at[CONF_PATH_MAX + 32];
	config_at_format(cfg, p->private_key_at, key_at, sizeof(key_at));
	if (ike_x509_load_key(p->private_key_file, &key, err, sizeof(err))) {
		daemon_refusal_add(why, "%s: peer \"%s\": %s", key_at, p->name, err);
		(*bad)++;
	} else if (!ike_x509_key_matches(cert, key)) {
		daemon_refusal_add(why, "%s: peer \"%s\": private-key %s is not the key of the "
				   "certificate %s", key_at, p->name, p->private_key_file,
				   p->certificate_file);
		(*bad)++;
	}
	long days = (long)((info.not_after - now) / 86400);
	if (warn)
		daemon_refusal_add(warn, "%s: peer \"%s\": certificate %s valid until %s (%ld days)%s",
				   where, p->name, info.subject, until, days,
				   days < EXPIRY_WARN_DAYS ? ": renew it soon" : "");
out:
	ike_x509_key_free(key);
	ike_x509_free(cert);
	ike_x509_store_free(store);
}

size_t daemon_check_certificates(const struct config *cfg, struct daemon_refusal *why,
				 struct daemon_refusal *warn)
{
	size_t bad = 0;

	for (size_t i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].auth == CONF_AUTH_CERTIFICATE)
			peer_certificate(cfg, &cfg->peers[i], why, warn, &bad);
	return bad;
}
