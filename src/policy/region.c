/* Where a peer is. A peer is cross-border when its region differs from the
 * site's; from mainland China (CN), Hong Kong (HK), Macau (MO) and Taiwan
 * (TW) are cross-border, which distinct ISO 3166-1 codes give for free. The
 * effective region is the stricter of the declared one and the one the
 * database gives for the endpoint: if either is cross-border, so is the peer
 * (a wrong declaration cannot turn a foreign peer domestic). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "policy_internal.h"

/* ISO 3166-1 alpha-2, officially assigned codes (249). */
static const char iso_codes[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
	"BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	"DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
	"GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
	"JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
	"MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
	"NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
	"SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
	"TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

bool policy_region_valid(const char *cc)
{
	if (!cc || !isalpha((unsigned char)cc[0]) || !isalpha((unsigned char)cc[1]) || cc[2])
		return false;
	for (size_t i = 0; i + 2 < sizeof(iso_codes); i += 3)
		if (toupper((unsigned char)cc[0]) == iso_codes[i] && toupper((unsigned char)cc[1]) == iso_codes[i + 1])
			return true;
	return false;
}

/* An unknown or malformed region is cross-border: fail closed. */
bool policy_is_cross_border(const char *site_region, const char *peer_region)
{
	if (!policy_region_valid(site_region) || !policy_region_valid(peer_region))
		return true;
	return strcasecmp(site_region, peer_region) != 0;
}

/* Address space a public registry cannot place in a country: the carrier
 * MPLS network of a leased circuit is typically RFC 1918 or RFC 6598. */
static const struct lg_prefix private_space[] = {
	{ AF_INET, 8, { 10 } },                    /* RFC 1918 */
	{ AF_INET, 12, { 172, 16 } },              /* RFC 1918 */
	{ AF_INET, 16, { 192, 168 } },             /* RFC 1918 */
	{ AF_INET, 10, { 100, 64 } },              /* RFC 6598 shared address space */
	{ AF_INET, 8, { 127 } },                   /* loopback */
	{ AF_INET, 16, { 169, 254 } },             /* link-local */
	{ AF_INET6, 7, { 0xfc } },                 /* RFC 4193 ULA */
	{ AF_INET6, 10, { 0xfe, 0x80 } },          /* link-local */
	{ AF_INET6, 128, { [15] = 1 } },           /* ::1 */
};

/* An IPv6 address that embeds IPv4 (embedded.c) is private only when every
 * IPv4 it embeds is. */
bool policy_endpoint_is_private(int family, const uint8_t *addr)
{
	uint8_t v4[POLICY_MAX_EMBEDDED][4];
	for (size_t i = 0; i < sizeof(private_space) / sizeof(private_space[0]); i++)
		if (lg_prefix_contains_addr(&private_space[i], family, addr))
			return true;
	if (family != AF_INET6)
		return false;
	size_t n = policy_addr_embedded_v4(addr, v4, POLICY_MAX_EMBEDDED);
	for (size_t i = 0; i < n; i++)
		if (!policy_endpoint_is_private(AF_INET, v4[i]))
			return false;
	return n > 0;
}

struct candidate {
	int family;
	uint8_t addr[16];
};

/* The address, each IPv4 it embeds, and the IPv6 forms of each IPv4. */
static size_t candidates(int family, const uint8_t *addr, struct candidate *c, size_t max)
{
	uint8_t v4[POLICY_MAX_EMBEDDED + 1][4], forms[4][16];
	size_t n = 0, n4 = 0;
	c[n].family = family;
	memset(c[n].addr, 0, 16);
	memcpy(c[n++].addr, addr, lg_family_addr_len(family));
	if (family == AF_INET)
		memcpy(v4[n4++], addr, 4);
	else
		n4 = policy_addr_embedded_v4(addr, v4, POLICY_MAX_EMBEDDED);
	for (size_t i = 0; i < n4; i++) {
		if (family == AF_INET6 && n < max) {
			c[n].family = AF_INET;
			memset(c[n].addr, 0, 16);
			memcpy(c[n++].addr, v4[i], 4);
		}
		size_t nf = policy_v4_forms(v4[i], forms, 4);
		for (size_t f = 0; f < nf && n < max; f++) {
			c[n].family = AF_INET6;
			memcpy(c[n++].addr, forms[f], 16);
		}
	}
	return n;
}

bool policy_addr_region(const char *site_region, const struct regiondb *db, int family,
			const uint8_t *addr, char cc[3], struct lg_prefix *matched, bool *private_)
{
	struct candidate c[1 + POLICY_MAX_EMBEDDED * 5];
	bool all_private = true;
	cc[0] = '\0';
	if (matched)
		memset(matched, 0, sizeof(*matched));
	if (family != AF_INET && family != AF_INET6) {
		if (private_)
			*private_ = false;
		return false;
	}
	size_t n = candidates(family, addr, c, sizeof(c) / sizeof(c[0]));
	for (size_t i = 0; i < n; i++) {
		char got[3];
		struct lg_prefix where;
		/* Private space has no region of its own: the forms derived from a
		 * private address are not looked up (a database's broad 6to4 or
		 * NAT64 entry must not give 10.1.1.1 a region). A private IPv4
		 * endpoint as written is, though: an entry for it (a lab, a
		 * carrier's CGN range) is still an answer. */
		if (policy_endpoint_is_private(c[i].family, c[i].addr)) {
			if (i != 0 || c[i].family != AF_INET)
				continue;
		} else {
			all_private = false;
		}
		if (!regiondb_lookup_prefix(db, c[i].family, c[i].addr, got, &where))
			continue;
		/* The first answer, replaced only by one that is cross-border
		 * when the kept one is not: the stricter answer wins. */
		if (!cc[0] || (policy_is_cross_border(site_region, got) &&
			       !policy_is_cross_border(site_region, cc))) {
			memcpy(cc, got, 3);
			if (matched)
				*matched = where;
		}
	}
	if (private_)
		*private_ = all_private;
	return cc[0] != '\0';
}

static void region_copy(char dst[3], const char *src)
{
	dst[0] = dst[1] = dst[2] = '\0';
	for (int i = 0; i < 2 && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	if (src[0] && src[1] && src[2])
		dst[0] = dst[1] = '?';    /* longer than two letters: never valid */
}

void policy_peer_region(const struct config *cfg, const struct conf_peer *peer,
			const struct regiondb *db, struct policy_region *out)
{
	const char *site = cfg->site.region;
	int family = peer->endpoint.sa.sa_family;

	memset(out, 0, sizeof(*out));
	region_copy(out->declared, peer->region);
	if (family == AF_INET || family == AF_INET6)
		policy_addr_region(site, db, family, lg_sockaddr_addr(&peer->endpoint), out->database,
				   &out->db_prefix, &out->private_endpoint);
	if (policy_is_cross_border(site, out->declared) || !out->database[0] ||
	    !policy_is_cross_border(site, out->database))
		memcpy(out->effective, out->declared, 3);
	else
		memcpy(out->effective, out->database, 3);
	out->cross_border = policy_is_cross_border(site, out->effective);
	out->mismatch = out->database[0] && strcasecmp(out->database, out->declared) != 0;
}

void policy_region_why(const struct config *cfg, const struct policy_region *r, char *out, size_t n)
{
	const char *site = cfg->site.region;
	char pfx[LG_ADDRSTRLEN];
	if (!policy_region_valid(r->declared))
		snprintf(out, n, "declared region \"%s\" is not an ISO 3166-1 code: treated as cross-border",
			 r->declared);
	else if (r->cross_border && policy_is_cross_border(site, r->declared))
		snprintf(out, n, "declared region %s differs from site region %s%s%s%s", r->declared, site,
			 r->mismatch ? " (database says " : r->private_endpoint ? " (private endpoint address" : "",
			 r->mismatch ? r->database : "", r->mismatch || r->private_endpoint ? ")" : "");
	else if (r->cross_border)
		snprintf(out, n, "declared %s, database %s for prefix %s: stricter wins", r->declared,
			 r->database, lg_prefix_format(&r->db_prefix, pfx, sizeof(pfx)));
	else if (r->private_endpoint)
		snprintf(out, n, "declared region %s = site region; private endpoint address, declared region kept",
			 r->declared);
	else if (r->database[0])
		snprintf(out, n, "declared region %s = site region, region database agrees", r->declared);
	else
		snprintf(out, n, "declared region %s = site region; endpoint not in the region database",
			 r->declared);
}
