/* libFuzzer target for IKE fragments (RFC 7383): the input is a series of
 * fragments of one IKE SA. Each is sealed here with the SA's key, so that
 * mutations get past the integrity check into the reassembly (numbering,
 * duplicates, Total Fragments changing, the byte and count bounds), or,
 * flag bit 0, handed over as raw bytes (numbering and integrity checks). A
 * message made whole goes through the inner payload split and validation,
 * as ike_input would take it.
 * Record: flags u8 (bit 0 raw, bit 1 retransmitted request, bit 2
 * response, bit 3 the SA's suite is AES-256-CBC + HMAC-SHA2-256-128 rather
 * than ChaCha20-Poly1305), message ID u8, Fragment Number u16, Total Fragments u16, Next
 * Payload u8, length u16, then the bytes (plaintext, or the whole raw
 * datagram). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ike_internal.h"

enum { REC_HEAD = 9, AAD = IKEV2_HEADER_LEN + IKE_SKF_HEADER_LEN };

static struct ike ike;
static struct ike_sa sa;

static void setup(void)
{
	if (sa.keys)
		return;
	sa.keys = ike_keys_new();
	if (!sa.keys)
		abort();
	sa.keys->encr = IKEV2_ENCR_CHACHA20_POLY1305;
	for (size_t i = 0; i < sizeof(sa.keys->sk_ei); i++)
		sa.keys->sk_ei[i] = (uint8_t)(0x40 + i);
	for (size_t i = 0; i < sizeof(sa.keys->sk_ai); i++)
		sa.keys->sk_ai[i] = (uint8_t)(0x80 + i);
	sa.ike = &ike;
	sa.frag = true;
	snprintf(sa.peer_name, sizeof(sa.peer_name), "fuzz");
}

/* Both suites key from SK_ei (SK_ai): we are the responder. */
static void suite(bool cbc)
{
	sa.keys->encr = cbc ? IKEV2_ENCR_AES_CBC : IKEV2_ENCR_CHACHA20_POLY1305;
	sa.keys->encr_keybits = cbc ? 256 : 0;
	sa.keys->integ = cbc ? IKEV2_INTEG_HMAC_SHA2_256_128 : 0;
}

static size_t seal(uint8_t *msg, size_t cap, const uint8_t *rec, const uint8_t *plain, size_t len)
{
	struct ike_sk_key k = ike_sk_key_in(&sa);
	size_t out;

	if (AAD + IKEV2_AEAD_IV_LEN + len > cap)
		return 0;
	memset(msg, 0, AAD);
	memset(msg, 0x11, 8);
	memset(msg + 8, 0x22, 8);
	msg[16] = IKEV2_PAYLOAD_SKF;
	msg[17] = IKEV2_VERSION;
	msg[18] = IKEV2_EXCHANGE_IKE_AUTH;
	msg[19] = IKEV2_FLAG_INITIATOR | (rec[0] & 4 ? IKEV2_FLAG_RESPONSE : 0);
	msg[23] = rec[1];
	msg[IKEV2_HEADER_LEN] = rec[6];
	memcpy(msg + IKEV2_HEADER_LEN + 4, rec + 2, 4);   /* number, total */
	memcpy(msg + AAD + IKEV2_AEAD_IV_LEN, plain, len);
	if (ike_sk_seal_payload(&k, msg, IKEV2_HEADER_LEN, AAD, len, cap, &out))
		return 0;
	return out;
}

static void feed(const uint8_t *msg, size_t len, bool again)
{
	struct ike_payload_list *pl = malloc(sizeof(*pl)), *inner = malloc(sizeof(*inner));
	struct ike_datagram d = { .data = msg, .len = len };
	struct ike_header h;
	uint8_t *plain = NULL, first;
	size_t plain_len;

	if (!pl || !inner || ike_header_parse(msg, len, &h) < 0 ||
	    ike_payloads_split(h.next_payload, msg + IKEV2_HEADER_LEN, len - IKEV2_HEADER_LEN, pl) < 0 ||
	    !pl->n || pl->p[pl->n - 1].type != IKEV2_PAYLOAD_SKF)
		goto out;
	if (ike_frag_input(&sa, &d, &h, pl, again, &plain, &plain_len, &first) == 1) {
		if (plain_len > IKE_REASM_MAX)
			abort();
		if (ike_payloads_split(first, plain, plain_len, inner) == 0)
			ike_payloads_validate(inner);
		free(plain);
	}
out:
	free(inner);
	free(pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[IKEV2_MAX_MESSAGE];

	setup();
	while (size >= REC_HEAD) {
		const uint8_t *rec = data;
		size_t len = (size_t)rec[7] << 8 | rec[8];

		data += REC_HEAD;
		size -= REC_HEAD;
		if (len > size)
			len = size;
		suite(rec[0] & 8);
		if (rec[0] & 1) {
			memcpy(msg, data, len);
			feed(msg, len, rec[0] & 2);
		} else {
			size_t n = seal(msg, sizeof(msg), rec, data, len);
			if (n)
				feed(msg, n, rec[0] & 2);
		}
		data += len;
		size -= len;
	}
	ike_reasm_free(&sa.reasm[0]);
	ike_reasm_free(&sa.reasm[1]);
	return 0;
}
