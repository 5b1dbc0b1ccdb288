/* daemon: AES-GCM proposals on a CPU without AES-NI (daemon_fit_ciphers). */
#include <check.h>
#include <string.h>
#include "linegate/conf.h"
#include "linegate/ikev2.h"
#include "check_main.h"
#include "daemon.h"

static const struct conf_proposal CHACHA = { IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519, 0 };
static const struct conf_proposal AES = { IKEV2_ENCR_AES_GCM_16, 256, IKEV2_PRF_HMAC_SHA2_512, IKEV2_DH_CURVE25519, 0 };
static const struct conf_proposal AES_ESP = { IKEV2_ENCR_AES_GCM_16, 256, 0, 0, 0 };

static struct config *two_peers(void)
{
	static struct config cfg;
	conf_release(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.path, "/etc/linegate/linegate.conf");
	ck_assert_ptr_nonnull(config_add_peer(&cfg));
	ck_assert_ptr_nonnull(config_add_peer(&cfg));
	/* peer 0: AES-GCM first, ChaCha second */
	strcpy(cfg.peers[0].name, "mixed");
	cfg.peers[0].line = 10;
	cfg.peers[0].ike_proposals[0] = AES;
	cfg.peers[0].ike_proposals[1] = CHACHA;
	cfg.peers[0].n_ike_proposals = 2;
	cfg.peers[0].esp_proposals[0] = AES_ESP;
	cfg.peers[0].n_esp_proposals = 1;
	/* peer 1: ChaCha only */
	strcpy(cfg.peers[1].name, "chacha");
	cfg.peers[1].line = 30;
	cfg.peers[1].ike_proposals[0] = CHACHA;
	cfg.peers[1].n_ike_proposals = 1;
	cfg.peers[1].esp_proposals[0] = (struct conf_proposal){ IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 0, 0 };
	cfg.peers[1].n_esp_proposals = 1;
	return &cfg;
}

START_TEST(aes_available_changes_nothing)
{
	struct config *cfg = two_peers();
	struct config before = *cfg;
	struct daemon_refusal notes = { .n = 0 };
	ck_assert_uint_eq(daemon_fit_ciphers(cfg, true, &notes), 0);
	ck_assert_int_eq(memcmp(&before, cfg, sizeof(before)), 0);
	ck_assert_uint_eq(notes.n, 0);
}
END_TEST

START_TEST(aes_unavailable_drops_and_falls_back)
{
	struct config *cfg = two_peers();
	struct daemon_refusal notes = { .n = 0 };
	ck_assert_uint_eq(daemon_fit_ciphers(cfg, false, &notes), 1);
	/* IKE: the ChaCha proposal that was configured second is all that is left */
	ck_assert_uint_eq(cfg->peers[0].n_ike_proposals, 1);
	ck_assert_uint_eq(cfg->peers[0].ike_proposals[0].encr, IKEV2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(cfg->peers[0].ike_proposals[0].prf, IKEV2_PRF_HMAC_SHA2_256);
	/* ESP: nothing left, so ChaCha20-Poly1305 takes AES-GCM's place */
	ck_assert_uint_eq(cfg->peers[0].n_esp_proposals, 1);
	ck_assert_uint_eq(cfg->peers[0].esp_proposals[0].encr, IKEV2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(cfg->peers[0].esp_proposals[0].encr_keybits, 0);
	/* the ChaCha-only peer is untouched and not mentioned */
	ck_assert_uint_eq(cfg->peers[1].n_ike_proposals, 1);
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_ptr_nonnull(strstr(notes.text, "/etc/linegate/linegate.conf:10: warning: peer \"mixed\""));
	ck_assert_ptr_nonnull(strstr(notes.text, "no AES-256-GCM (1 IKE, 1 ESP proposals dropped)"));
	ck_assert_ptr_nonnull(strstr(notes.text, "proposing chacha20poly1305-prfsha256-x25519 / chacha20poly1305"));
	ck_assert_ptr_null(strstr(notes.text, "\"chacha\""));
}
END_TEST

START_TEST(aes_only_peer_keeps_prf_and_pfs)
{
	struct config *cfg = two_peers();
	struct daemon_refusal notes = { .n = 0 };
	cfg->peers[0].n_ike_proposals = 1;        /* AES-GCM with PRF SHA-512 only */
	cfg->peers[0].esp_proposals[0].dh = IKEV2_DH_CURVE25519; /* PFS */
	daemon_fit_ciphers(cfg, false, &notes);
	ck_assert_uint_eq(cfg->peers[0].ike_proposals[0].encr, IKEV2_ENCR_CHACHA20_POLY1305);
	ck_assert_uint_eq(cfg->peers[0].ike_proposals[0].prf, IKEV2_PRF_HMAC_SHA2_512);
	ck_assert_uint_eq(cfg->peers[0].ike_proposals[0].dh, IKEV2_DH_CURVE25519);
	ck_assert_uint_eq(cfg->peers[0].esp_proposals[0].dh, IKEV2_DH_CURVE25519);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon_ciphers");
	TCase *tc = tcase_create("fit");
	tcase_add_test(tc, aes_available_changes_nothing);
	tcase_add_test(tc, aes_unavailable_drops_and_falls_back);
	tcase_add_test(tc, aes_only_peer_keeps_prf_and_pfs);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}
