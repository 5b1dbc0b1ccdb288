/* libFuzzer target: distinguished names (conf/dn.c), both ways in. Byte 0
 * picks the path: even, the rest is linegate.conf text (a local-id or
 * remote-id "C=CN, O=Corp, CN=gw") parsed to DER, which must then decode,
 * print, parse back from its print to the same name and equal itself; odd,
 * the rest is an ID_DER_ASN1_DN body from the wire, printed, compared with
 * itself and tested against the organisation rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void text_path(const uint8_t *data, size_t size)
{
	char text[600], shown[1024];
	uint8_t der[CONF_ID_MAX], back[CONF_ID_MAX];
	size_t len, blen, off;
	const char *why;

	if (size >= sizeof(text))
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_dn_parse(text, der, sizeof(der), &len, &off, &why)) {
		if (!why || off > size)
			abort();
		return;
	}
	if (len == 0 || len > sizeof(der) || !conf_dn_equal(der, len, der, len))
		abort();
	conf_dn_format(der, len, shown, sizeof(shown));
	/* what we print is what an operator copies back into linegate.conf */
	if (strlen(shown) < sizeof(shown) - 1 &&
	    conf_dn_parse(shown, back, sizeof(back), &blen, &off, &why) == 0 &&
	    !conf_dn_equal(der, len, back, blen))
		abort();
}

static void der_path(const uint8_t *data, size_t size)
{
	char shown[256];

	conf_dn_format(data, size, shown, sizeof(shown));
	if (!memchr(shown, '\0', sizeof(shown)))
		abort();
	(void)conf_dn_equal(data, size, data, size);
	(void)conf_dn_org_is(data, size, "Corp Ltd");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		der_path(data + 1, size - 1);
	else
		text_path(data + 1, size - 1);
	return 0;
}
