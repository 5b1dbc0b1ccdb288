/* libFuzzer: an IKE datagram as it arrives (RFC 7296 §3.1-§3.2): header,
 * payload chain (lengths only), then every typed decoder. */
#include <stddef.h>
#include <stdint.h>
#include "ike_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_payload_list l;
	struct ike_header h;

	if (ike_header_parse(data, size, &h) < 0)
		return 0;
	if (ike_payloads_split(h.next_payload, data + IKEV2_HEADER_LEN, size - IKEV2_HEADER_LEN,
			       &l) < 0)
		return 0;
	ike_payloads_validate(&l);
	ike_first_error_notify(&l);
	ike_find_notify(&l, IKEV2_NOTIFY_REKEY_SA, NULL);
	return 0;
}
