/* Peer identities must belong to the organisation: leased circuits may carry
 * only the enterprise's own internal business traffic, so a third party's
 * gateway is refused even when it holds a valid key. An FQDN belongs when it
 * is the identity domain or ends in ".<domain>" (label boundary: evilcorp.example
 * is not in corp.example), compared case-insensitively (DNS names are); any
 * identity belongs when it is on the site's allow-list. Address and key-id
 * identities carry no domain, so they belong only through the allow-list.
 * A distinguished name belongs when it has an O= and every O= is the
 * site's identity-organisation (compared as X.500 names are). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "linegate/conf.h"
#include "linegate/log.h"
#include "policy_internal.h"

/* Length without one trailing root dot. */
static size_t fqdn_len(const uint8_t *s, size_t n)
{
	return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

static bool bytes_casecmp_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return false;
	return true;
}

/* Letters, digits, '-', '_' and dots between non-empty labels. */
static bool fqdn_well_formed(const uint8_t *s, size_t n)
{
	if (n == 0 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return false;
		} else if (!isalnum(s[i]) && s[i] != '-' && s[i] != '_') {
			return false;
		}
	}
	return true;
}

static bool fqdn_in_domain(const uint8_t *id, size_t idlen, const char *domain)
{
	size_t dlen = strlen(domain);
	idlen = fqdn_len(id, idlen);
	dlen = fqdn_len((const uint8_t *)domain, dlen);
	if (dlen == 0 || !fqdn_well_formed(id, idlen))
		return false;
	if (idlen == dlen)
		return bytes_casecmp_eq(id, (const uint8_t *)domain, dlen);
	return idlen > dlen + 1 && id[idlen - dlen - 1] == '.' &&
	       bytes_casecmp_eq(id + idlen - dlen, (const uint8_t *)domain, dlen);
}

static bool identity_equal(const struct conf_identity *a, const struct conf_identity *b)
{
	if (a->type != b->type || a->type == CONF_ID_NONE)
		return false;
	if (a->type == CONF_ID_FQDN) {
		size_t la = fqdn_len(a->data, a->len), lb = fqdn_len(b->data, b->len);
		return la == lb && bytes_casecmp_eq(a->data, b->data, la);
	}
	if (a->type == CONF_ID_DER_ASN1_DN)   /* the canonical form, not the bytes */
		return conf_dn_equal(a->data, a->len, b->data, b->len);
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

bool policy_identity_in_org(const struct config *cfg, const struct conf_identity *id)
{
	for (size_t i = 0; i < cfg->site.n_allowed_ids && i < CONF_MAX_IDENTITIES; i++)
		if (identity_equal(id, &cfg->site.allowed_ids[i]))
			return true;
	if (id->type == CONF_ID_DER_ASN1_DN)
		return conf_dn_org_is(id->data, id->len, cfg->site.identity_org);
	return id->type == CONF_ID_FQDN && fqdn_in_domain(id->data, id->len, cfg->site.identity_domain);
}

const char *policy_identity_format(const struct conf_identity *id, char *out, size_t n)
{
	char a[LG_ADDRSTRLEN], hex[2 * 24 + 1];
	size_t len = id->len;
	switch (id->type) {
	case CONF_ID_IPV4_ADDR:
	case CONF_ID_IPV6_ADDR:
		if (len != (id->type == CONF_ID_IPV4_ADDR ? 4u : 16u))
			snprintf(out, n, "malformed-address");
		else
			snprintf(out, n, "%s", lg_addr_format(id->type == CONF_ID_IPV4_ADDR ? AF_INET : AF_INET6,
							      id->data, a, sizeof(a)));
		return out;
	case CONF_ID_KEY_ID:
		lg_hex(id->data, len > 24 ? 24 : len, hex);
		snprintf(out, n, "keyid:%s%s", hex, len > 24 ? "..." : "");
		return out;
	case CONF_ID_FQDN: {
		/* Printable, bounded: identities come from the wire. */
		size_t o = 0;
		for (size_t i = 0; i < len && o + 5 < n && i < 96; i++) {
			uint8_t ch = id->data[i];
			if (isprint(ch) && ch != '"' && ch != '\\')
				out[o++] = (char)ch;
			else
				o += (size_t)snprintf(out + o, n - o, "\\x%02x", ch);
		}
		if (len > 96 && o + 4 < n)
			o += (size_t)snprintf(out + o, n - o, "...");
		out[o < n ? o : n - 1] = '\0';
		return out;
	}
	case CONF_ID_DER_ASN1_DN:
		return conf_dn_format(id->data, id->len, out, n);
	default:
		snprintf(out, n, "none");
		return out;
	}
}

struct policy_verdict policy_check_identity(const struct config *cfg, const struct conf_peer *peer,
					    const struct conf_identity *presented)
{
	struct policy_verdict v;
	char got[128], want[128];

	if (!peer) {
		verdict_set(&v, POLICY_UNKNOWN_PEER, "identity \"%s\" does not belong to any configured peer",
			    policy_identity_format(presented, got, sizeof(got)));
		return v;
	}
	policy_identity_format(presented, got, sizeof(got));
	if (!policy_identity_in_org(cfg, presented)) {
		verdict_set(&v, POLICY_IDENTITY_FOREIGN,
			    "peer \"%s\" presented identity \"%s\", which is not of the organisation "
			    "(not in identity domain \"%s\" nor on the allow-list)",
			    peer->name, got, cfg->site.identity_domain);
		return v;
	}
	if (!identity_equal(presented, &peer->remote_id)) {
		verdict_set(&v, POLICY_IDENTITY_MISMATCH,
			    "peer \"%s\" presented identity \"%s\" but its configured remote-id is \"%s\"",
			    peer->name, got, policy_identity_format(&peer->remote_id, want, sizeof(want)));
		return v;
	}
	verdict_ok(&v);
	return v;
}
