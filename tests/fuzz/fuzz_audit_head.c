/* Fuzzes the signed-head parser (audit.head is untrusted bytes: verify and
 * the daemon at start read it): a head that parses re-formats to the same
 * bytes, so there is one spelling per head. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "audit_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_head h;
	char out[AUDIT_HEAD_TEXT_MAX + 1];
	if (audit_head_parse((const char *)data, size, &h) != 0)
		return 0;
	int n = audit_head_format(&h, out, sizeof(out));
	if (n <= 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
