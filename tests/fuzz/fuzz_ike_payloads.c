/* libFuzzer: the inner payloads of an SK payload after decryption (what an
 * authenticated peer can send): byte 0 = the SK payload's next-payload type,
 * the rest = the plaintext chain. */
#include <stddef.h>
#include <stdint.h>
#include "ike_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_payload_list l;

	if (size < 1)
		return 0;
	if (ike_payloads_split(data[0], data + 1, size - 1, &l) < 0)
		return 0;
	ike_payloads_validate(&l);
	ike_first_error_notify(&l);
	ike_find_notify(&l, IKEV2_NOTIFY_REKEY_SA, NULL);
	return 0;
}
