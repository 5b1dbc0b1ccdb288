#!/usr/bin/env bash
# The malformed IKE/ESP corpus (tests/net/ike_corpus.py, ~1,900 datagrams:
# every length at its boundaries, type confusion, small-order X25519 points,
# SK/SKF sizes, port-4500 framing, mutated strongSwan captures) replayed
# against the daemon (the ASan build in CI) from the configured peer's
# address. The bar: the daemon stays up, a valid IKE_SA_INIT is answered
# before and after, no sanitizer report, no leak (LeakSanitizer at a clean
# exit), every refusal counted.
set -u
. "$LG_SOURCE_DIR/tests/lib/responder.sh"
responder_setup lgn-mal- lgmal0
lg_assert_test_target atk "$GW"
python3 "$LG_SOURCE_DIR/tests/net/ike_corpus.py" gen "$T/corpus.txt" || lg_die "corpus generator"
check "the corpus is replayed and a valid IKE_SA_INIT is answered before and after" \
	lg_ns atk timeout 300 python3 "$LG_SOURCE_DIR/tests/net/ike_corpus.py" replay "$T/corpus.txt" "$GW"
check "the daemon is alive and answers on its control socket" daemon_alive
DROPS=$(ike_drops)
echo "ike drops: $DROPS"
has_drop() { [[ " $DROPS" == *" $1="* ]]; }
for reason in malformed payload_placement unsupported_critical bad_version decrypt_failed; do
	check "refusals counted as $reason" has_drop "$reason"
done
responder_stop
check "the daemon exits 0 (LeakSanitizer found no leak)" test "$DAEMON_RC" = 0
check "no sanitizer report" no_sanitizer_report
if [ "$FAILS" -gt 0 ]; then tail -n 30 "$T/daemon.log"; fi
echo "ike_malformed: $FAILS failed"
[ "$FAILS" = 0 ]
