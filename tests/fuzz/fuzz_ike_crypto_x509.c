/* libFuzzer target for the certificate path an IKE_AUTH takes (RFC 7296
 * §3.6, RFC 5280): the peer's CERT payloads decoded (exact DER, bounded),
 * the chain validated against a trust anchor with CRLs at a fixed time, the
 * subject described for display, and the peer's identity bound to the end
 * certificate. The anchor and CRLs are a test PKI's (tests/lib/x509_pki.sh),
 * so the seed corpus (its certificates) reaches chain building, signature
 * and revocation checks; mutations reach the decoder and the name checks.
 * Input: ID type u8, ID length u8, ID bytes, then certificates as
 * length u16 | DER (the first is the end certificate, at most 4 more). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/x509.h>

#include "linegate/ike_x509.h"

enum { CHAIN_MAX = 4 };
/* a time when the seed PKI's certificates and CRLs are current */
static const time_t AT = 1796400000;

static const char root_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIEOTCCAqGgAwIBAgIUewdbyiZPptMFU67gCcpzaotj1yYwDQYJKoZIhvcNAQEL\n"
	"BQAwJDELMAkGA1UECgwCaWIxFTATBgNVBAMMDGliIHRlc3Qgcm9vdDAeFw0yNjEy\n"
	"MDMxNzI3MDRaFw0zNjExMzAxNzI3MDRaMCQxCzAJBgNVBAoMAmliMRUwEwYDVQQD\n"
	"DAxpYiB0ZXN0IHJvb3QwggGiMA0GCSqGSIb3DQEBAQUAA4IBjwAwggGKAoIBgQCU\n"
	"6BQrEYn8Ec7Zi3JFXKnvPv4Dos8Fdct9RaQFRskEaq+RF4XjkEEr8sdir1uIDzVL\n"
	"pt2/6ANEX/wdEoKBfRUPvcLeadCf9U940AlX0Bl5CYTzg660VDOLpQM9lmAr4oaR\n"
	"Qb5ncgPcsyR0i3jGRHesBzWfuFsgaaUW94pjbMfJaEclHRu5ZC0iCDE0bOhPB8Ay\n"
	"qRDEn7FtEwzuoIfVQfDBxt2ulDzbQn96Z92hQvpyznCTD7qf+b3fE/NW1R6702x4\n"
	"QE8jlVHpHVUgjBH/VHWYP9C6b5WYXHcO8G4znW7cQLpK+GKQLfV6ui3dcP5caQMh\n"
	"uQBUyatwyLFIivVCtwpGUr5QhSiVEXVagAavwZyavxF4v/Ac7LIljfE5DyI8UVwr\n"
	"wZXNEctalCY/a9htHFqSkgMCC8xvvsrZWgbc/JxX3Ic+yZW61daW/Bp4UpmavGDd\n"
	"hwHExw6DBAvyamCzyprWzZftgJTJe8gtAXS14NkjIrelWcL4exq9sv8WnDo1k+kC\n"
	"AwEAAaNjMGEwHQYDVR0OBBYEFOetjspbjur/xVqptTwkmrTT9qfsMB8GA1UdIwQY\n"
	"MBaAFOetjspbjur/xVqptTwkmrTT9qfsMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P\n"
	"AQH/BAQDAgEGMA0GCSqGSIb3DQEBCwUAA4IBgQBXVzkdNhwEi1axW7quazn+RFTg\n"
	"C1n4W3Zfo29T4H4JGZXriNt+CvDJb75Okvx1ubKDtr+EWtyP3C8B03daI+cNsEKk\n"
	"z3/r92tRqRQP01KMXDbHFVJJYecThHa5X5Pu5tOcxKvzKbdGy9x1bSuZ8K2hnzoy\n"
	"zQvKRGuwp4hoXVwgZqdsyS3JV0PEWMatO6lkLdwVwqaEbLh5hsiDpO8A8+dbUlNX\n"
	"/tIKoYkp5tOGnRAkw+3hfcWgHTZIlLh8CrFbpHY7BAGDqDEzwJRrcn/BuWR8X3dM\n"
	"hTGpVIKbX413i6MGGKfvriCk5VQjclYtGIJQMBQXYYCeNAzMRoolWO6nIg/k88qK\n"
	"SllKF5BSyXBhVUrpkcheub2JapVsKedPtWBvjsVddm4UArdoYrJ/lp4K65O90QbJ\n"
	"2UiiuWjjWSmUPTtoVbGaTmmpZ0xVuzSKM0RcdBEdo4j8pyqKRBT0f1lVJF5BISO3\n"
	"rwRGxTQIjCYuIixocpHrlDDJs+Qn//brzlvStk8=\n"
	"-----END CERTIFICATE-----\n";
static const char crl_pem[] =
	"-----BEGIN X509 CRL-----\n"
	"MIICFDB+AgEBMA0GCSqGSIb3DQEBCwUAMCQxCzAJBgNVBAoMAmliMRUwEwYDVQQD\n"
	"DAxpYiB0ZXN0IHJvb3QXDTI2MTIwMzE3MjcwOFoXDTI3MDEwMjE3MjcwOFowFTAT\n"
	"AgIQBRcNMjYxMjAzMTcyNzA4WqAPMA0wCwYDVR0UBAQCAhABMA0GCSqGSIb3DQEB\n"
	"CwUAA4IBgQBwXhSPM79tw5MRnQUpwcm9PavhUf0NJ6EixPwteiisVLfdOZADW2TD\n"
	"I8T+ac04iltaEeMOinPjCZtPr6kAhFXrAvFUmigKuM92L0kKP3o2p/mmTgPtCCWA\n"
	"VjjZZ1W2z6O4OJSMYxAA3AW14N/qWWQvgGuSsbyc2tjzaQDv7xVy1T/Ck6cALP8w\n"
	"ZTI4TCL4AOApuV/On3snC49ClXAAolRc/hSmTbVfbCX+NJVkpWX4LnUe4bL3NMyv\n"
	"vi1M6zUZWzY7RORKKRxHais82UzXsacx+k543eZ1TlWdXRzOr35ZYsd6ch7+SINb\n"
	"ukGKgedEtzEHhroWO4gz7PHA0hvgu0ydz5rWXjc0775i6kT0oyNfIHIKiT4URiLm\n"
	"NrKmfirhu5sfRnoVEAjtH0F1Rz6sjn1lWZijG0bDzAPhsM8SQvM1sJ8ces9WyLZ6\n"
	"IGR28h4tfsVlVa4yF3kIbJjfr1GHcaNtd6Qee6X8I/nUFKtDePe/dDkpvFXnaMjn\n"
	"TKmcRAJuYtQ=\n"
	"-----END X509 CRL-----\n"
	"-----BEGIN X509 CRL-----\n"
	"MIHcMIGDAgEBMAoGCCqGSM49BAMCMCwxHTAbBgNVBAMMFGliIHRlc3QgaW50ZXJt\n"
	"ZWRpYXRlMQswCQYDVQQKDAJpYhcNMjYxMjAzMTcyNzA4WhcNMjcwMTAyMTcyNzA4\n"
	"WjAVMBMCAhAFFw0yNjEyMDMxNzI3MDhaoA8wDTALBgNVHRQEBAICEAAwCgYIKoZI\n"
	"zj0EAwIDSAAwRQIhAIAILtAy+ZUVPUsa8UodWQGb8VtxwfquzjzSjnXiO9R7AiAI\n"
	"jY9HbfFKEpm8JKZ246a7PkxCYfVaeFvZstQIjxdFJQ==\n"
	"-----END X509 CRL-----\n";

static struct ike_x509_store *store;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void setup(void)
{
	char dir[] = "/tmp/lg-fuzz-x509-XXXXXX", ca[64], crl[64], path[96], err[256];

	if (store)
		return;
	if (!mkdtemp(dir))
		abort();
	snprintf(ca, sizeof(ca), "%s/ca", dir);
	snprintf(crl, sizeof(crl), "%s/crl", dir);
	if (mkdir(ca, 0700) || mkdir(crl, 0700))
		abort();
	snprintf(path, sizeof(path), "%s/root.crt", ca);
	write_file(path, root_pem);
	snprintf(path, sizeof(path), "%s/all.crl", crl);
	write_file(path, crl_pem);
	if (ike_x509_store_load(ca, crl, &store, err, sizeof(err)))
		abort();
	/* loaded: the files are no longer needed */
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509 *certs[1 + CHAIN_MAX] = { NULL };
	struct ike_x509_info info;
	size_t n = 0, id_len;
	const uint8_t *id;
	uint8_t id_type;

	setup();
	if (size < 2 || (id_len = data[1]) > size - 2)
		return 0;
	id_type = data[0];
	id = data + 2;
	data += 2 + id_len;
	size -= 2 + id_len;
	while (size >= 2 && n < 1 + CHAIN_MAX) {
		size_t len = (size_t)data[0] << 8 | data[1];
		if (len > size - 2)
			len = size - 2;
		certs[n] = ike_x509_from_der(data + 2, len);
		if (certs[n])
			n++;
		data += 2 + len;
		size -= 2 + len;
	}
	if (n) {
		uint8_t der[IKE_X509_DER_MAX];
		int len = ike_x509_to_der(certs[0], der, sizeof(der));
		enum ike_x509_verdict v = ike_x509_verify(store, certs[0], certs + 1, n - 1, AT, &info);
		/* what is printed is printable, and the verdict has a name */
		for (const char *c = info.subject; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		if (len <= 0 || !ike_x509_verdict_name(v)[0])
			abort();
		ike_x509_id_matches(certs[0], id_type, id, id_len);
	}
	for (size_t i = 0; i < n; i++)
		ike_x509_free(certs[i]);
	return 0;
}
