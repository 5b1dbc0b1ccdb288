/* Distinguished names as IKE identities (ID_DER_ASN1_DN, RFC 7296 §3.5):
 * the text of linegate.conf ("C=CN, O=Corp, CN=hq-gw", RDNs in DER order
 * as strongSwan and `openssl req -subj` write them) becomes DER through
 * OpenSSL's X509_NAME, and names are compared as OpenSSL compares them
 * (X509_NAME_cmp: the canonical form, so a PrintableString and a
 * UTF8String of the same text, or "Corp" and "CORP", are one name). Only
 * the text is split here; every byte of ASN.1 is OpenSSL's. DER from the
 * wire is untrusted: it must decode exactly, within CONF_ID_MAX bytes. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include "linegate/conf.h"

enum { ATTR_MAX = 64, VALUE_MAX = 256 };

static X509_NAME *from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_NAME *n;

	if (!der || len == 0 || len > CONF_ID_MAX)
		return NULL;
	n = d2i_X509_NAME(NULL, &p, (long)len);
	if (n && p != der + len) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

/* RFC 4514's printable set: such values go as PrintableString, as
 * strongSwan and most CAs encode them; anything else as UTF8String. */
static bool printable_string(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" '()+,-./:=?", *s))
			return false;
	return true;
}

/* The attribute type: OpenSSL's short or long name ("CN", "commonName"),
 * in either case, "E"/"Email" (strongSwan's) or a dotted OID. */
static ASN1_OBJECT *attr_object(const char *name)
{
	char up[ATTR_MAX];
	size_t i;

	if (!strcasecmp(name, "E") || !strcasecmp(name, "Email"))
		name = "emailAddress";
	ASN1_OBJECT *o = OBJ_txt2obj(name, 0);
	if (o)
		return o;
	for (i = 0; name[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = '\0';
	return OBJ_txt2obj(up, 0);
}

/* One attribute appended to n; NULL or why not. The string type and its
 * size limits (C is two letters, CN at most 64) are OpenSSL's table's. */
static const char *add_attr(X509_NAME *n, const char *type, const char *value)
{
	ASN1_OBJECT *o = attr_object(type);
	ASN1_STRING *s = NULL;
	const char *why = NULL;
	int nid;

	if (!o)
		return "unknown attribute type";
	nid = OBJ_obj2nid(o);
	const ASN1_STRING_TABLE *t = nid != NID_undef ? ASN1_STRING_TABLE_get(nid) : NULL;
	unsigned long mask = printable_string(value) ? B_ASN1_PRINTABLESTRING : B_ASN1_UTF8STRING;
	if (t && (t->flags & STABLE_NO_MASK))   /* a fixed type: C, emailAddress, DC ... */
		s = ASN1_STRING_set_by_NID(NULL, (const unsigned char *)value, -1, MBSTRING_UTF8, nid);
	else
		(void)ASN1_mbstring_ncopy(&s, (const unsigned char *)value, -1, MBSTRING_UTF8, mask,
					t ? t->minsize : 1, t && t->maxsize > 0 ? t->maxsize : 0);
	if (!s)
		why = "value not allowed for this attribute (length or characters)";
	else if (!X509_NAME_add_entry_by_OBJ(n, o, ASN1_STRING_type(s), ASN1_STRING_get0_data(s),
					     ASN1_STRING_length(s), -1, 0))
		why = "value not allowed for this attribute";
	ASN1_STRING_free(s);
	ASN1_OBJECT_free(o);
	return why;
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0'
	       : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* Copies up to an unescaped stop character (or the end) into out, with
 * RFC 4514 escapes (\, or \2C) undone and outer blanks trimmed; returns
 * the characters consumed, or -1 with *why. */
static int token(const char *s, const char *stops, char *out, size_t cap, const char **why)
{
	size_t i = 0, o = 0, keep = 0;

	while (s[i] == ' ')
		i++;
	for (; s[i] && !strchr(stops, s[i]); i++) {
		char c = s[i];
		if (c == '\\') {
			if (hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
				c = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
				i += 2;
			} else if (s[i + 1]) {
				c = s[++i];
			} else {
				*why = "a '\\' at the end";
				return -1;
			}
			if (o + 1 >= cap)
				break;
			out[o++] = c;
			keep = o;   /* an escaped blank is kept */
			continue;
		}
		if (c == '+' && stops[0] != '=') {
			*why = "multi-valued RDN ('+'): write one attribute per RDN or escape it as \\+";
			return -1;
		}
		if (o + 1 >= cap)
			break;
		out[o++] = c;
		if (c != ' ')
			keep = o;
	}
	if (o + 1 >= cap && s[i] && !strchr(stops, s[i])) {
		*why = "attribute too long";
		return -1;
	}
	out[keep] = '\0';
	return (int)i;
}

int conf_dn_parse(const char *text, uint8_t *der, size_t cap, size_t *len, size_t *err_off,
		  const char **why)
{
	X509_NAME *n = X509_NAME_new();
	char type[ATTR_MAX], value[VALUE_MAX];
	size_t i = 0;
	int r = -1, k;
	/* strongSwan writes "C=CN, O=Corp" and also "/C=CN/O=Corp": one or the other */
	const char *sep = text[strspn(text, " ")] == '/' ? "/" : ",";

	*why = NULL;
	*err_off = 0;
	if (!n) {
		*why = "out of memory";
		return -1;
	}
	if (*sep == '/')
		i = strspn(text, " ") + 1;
	while (text[i]) {
		i += strspn(text + i, " ");
		*err_off = i;
		if ((k = token(text + i, "=", type, sizeof(type), why)) < 0)
			goto out;
		if (text[i + (size_t)k] != '=' || !type[0]) {
			*why = "an attribute (TYPE=value)";
			goto out;
		}
		i += (size_t)k + 1;
		char stops[3] = { sep[0], sep[0] == ',' ? ';' : '\0', '\0' };
		if ((k = token(text + i, stops, value, sizeof(value), why)) < 0)
			goto out;
		if (!value[0]) {
			*why = "an empty value";
			goto out;
		}
		if ((*why = add_attr(n, type, value)) != NULL)
			goto out;
		i += (size_t)k;
		if (text[i])
			i++;   /* the separator */
	}
	*err_off = 0;
	int dl = i2d_X509_NAME(n, NULL);
	unsigned char *p = der;
	if (X509_NAME_entry_count(n) == 0)
		*why = "at least one attribute (e.g. C=CN, O=Corp, CN=gw)";
	else if (dl <= 0 || (size_t)dl > cap)
		*why = "a name of at most 255 bytes as DER";
	else if (i2d_X509_NAME(n, &p) == dl) {
		*len = (size_t)dl;
		r = 0;
	}
out:
	X509_NAME_free(n);
	ERR_clear_error();   /* a name OBJ_txt2obj did not know leaves an error queued */
	return r;
}

bool conf_dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	X509_NAME *x = from_der(a, alen), *y = from_der(b, blen);
	bool eq = x && y && X509_NAME_cmp(x, y) == 0;

	X509_NAME_free(x);
	X509_NAME_free(y);
	return eq;
}

bool conf_dn_org_is(const uint8_t *der, size_t len, const char *org)
{
	X509_NAME *dn = from_der(der, len), *want = X509_NAME_new(), *one = NULL;
	int pos = -1, seen = 0;
	bool ok = dn && want && org && org[0] && !add_attr(want, "O", org);

	/* every O of the name is the organisation's, and there is one */
	while (ok && (pos = X509_NAME_get_index_by_NID(dn, NID_organizationName, pos)) >= 0) {
		one = X509_NAME_new();
		ok = one && X509_NAME_add_entry(one, X509_NAME_get_entry(dn, pos), -1, 0) &&
		     X509_NAME_cmp(one, want) == 0;
		X509_NAME_free(one);
		seen++;
	}
	X509_NAME_free(dn);
	X509_NAME_free(want);
	return ok && seen > 0;
}

const char *conf_dn_format(const uint8_t *der, size_t len, char *out, size_t n)
{
	X509_NAME *dn = from_der(der, len);
	BIO *b = dn ? BIO_new(BIO_s_mem()) : NULL;
	const unsigned long flags = (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253) &
				    ~ASN1_STRFLGS_ESC_MSB;
	int got = 0;

	if (n == 0)
		return out;
	if (b && X509_NAME_print_ex(b, dn, 0, flags) >= 0)
		got = BIO_read(b, out, (int)(n - 1));
	if (got > 0) {
		out[got] = '\0';
		for (int i = 0; i < got; i++)   /* goes into logs: no control characters */
			if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
				out[i] = '?';
	} else {
		snprintf(out, n, "%s", dn ? "(empty DN)" : "(malformed DN)");
	}
	BIO_free(b);
	X509_NAME_free(dn);
	return out;
}
