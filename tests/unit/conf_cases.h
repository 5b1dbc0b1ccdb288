/* Numbered configuration inputs for test_conf_parse.c: each bad input with
 * the exact errors it must produce ("line:col: message", one per line), each
 * good input with a function asserting the parsed values. */
#pragma once
#include "linegate/config.h"

#ifdef CONF_CASES_NO_CHECKS
#define CHECK(f) NULL
#else
#define CHECK(f) f
#endif

struct conf_case {
	const char *name;
	const char *text;
	const char *errors;   /* NULL: must parse */
	void (*check)(const struct config *cfg);
};

/* Line 1: the site; line 2: an uplink. */
#define SITE "site \"s\" { region CN; internal-space 10.0.0.0/8, fd00::/8 }\n"
#define UPLINK "uplink \"inet\" { interface eth0 }\n"
#define BASE SITE UPLINK
/* A complete PSK peer at 192.0.2.<host> over five lines, the closing brace
 * on the sixth. */
#define PEER_AT(name, host, remote) \
	"peer \"" name "\" {\n" \
	"  endpoint 192.0.2." host "; region CN; uplink inet\n" \
	"  local-id a.corp.example; remote-id b.corp.example\n" \
	"  auth psk; psk-file /k/" name ".psk\n" \
	"  local-subnets 10.1.0.0/16; remote-subnets " remote "\n" \
	"}\n"
#define PEER(name, remote) PEER_AT(name, "1", remote)
/* A peer whose body is given whole (no closing brace in the macro). */
#define PEER_OPEN "peer \"p\" {\n"
#define PEER_MIN "  endpoint 192.0.2.1; region CN; uplink inet; local-id a.corp.example\n" \
		 "  remote-id b.corp.example; local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"
#define KEY72 "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
#define STATIC_SA(name, spi, remote) \
	"static-sa \"" name "\" {\n" \
	"  peer 10.201.0.2; region CN; remote-id lab.corp.example; uplink inet; cipher chacha20poly1305\n" \
	"  spi-in " spi "; spi-out 0x2001\n" \
	"  key-in " KEY72 "\n" \
	"  key-out " KEY72 "\n" \
	"  local-subnets 10.1.0.0/16; remote-subnets " remote "\n" \
	"}\n"

void check_defaults(const struct config *cfg);
void check_durations(const struct config *cfg);
void check_sizes(const struct config *cfg);
void check_identities(const struct config *cfg);
void check_proposals(const struct config *cfg);
void check_classic_proposals(const struct config *cfg);
void check_endpoint_v6(const struct config *cfg);
void check_syntax_forms(const struct config *cfg);
void check_audit(const struct config *cfg);
void check_control(const struct config *cfg);
void check_compliance(const struct config *cfg);
void check_uplink(const struct config *cfg);
void check_tunnel(const struct config *cfg);
void check_forward_uplink(const struct config *cfg);
void check_static_sa(const struct config *cfg);
void check_static_sa_cbc(const struct config *cfg);
void check_ed25519(const struct config *cfg);
void check_modes(const struct config *cfg);
void check_fragmentation(const struct config *cfg);
void check_allow_identity(const struct config *cfg);
void check_two_peers(const struct config *cfg);
void check_bare_numbers(const struct config *cfg);
void check_units(const struct config *cfg);
void check_numbers(const struct config *cfg);
void check_leading_zero(const struct config *cfg);
void check_noesn(const struct config *cfg);
void check_public_space(const struct config *cfg);
void check_mlps_stop(const struct config *cfg);
void check_mlps_keep(const struct config *cfg);
void check_mlps_two(const struct config *cfg);
void check_recovery(const struct config *cfg);
void check_recovery_defaults(const struct config *cfg);
void check_log_debug(const struct config *cfg);
void check_defaults_block(const struct config *cfg);
void check_log_default(const struct config *cfg);
void check_icp(const struct config *cfg);
void check_paperwork(const struct config *cfg);

static const struct conf_case conf_cases[] = {
	/* ---- good ---- */
	{ "g01 minimal site, uplink, peer: defaults", BASE PEER("p", "10.2.0.0/16"), NULL,
	  CHECK(check_defaults) },
	{ "g02 durations", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  ike-lifetime 2h; child-lifetime 30m; dpd 0\n}\n"
	  "audit { retention 365d; flow-interval 0; checkpoint-interval 1m }\n", NULL,
	  CHECK(check_durations) },
	{ "g03 sizes", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  child-lifetime-bytes 10G; child-lifetime-packets 100M\n}\n", NULL,
	  CHECK(check_sizes) },
	{ "g04 identities", BASE
	  PEER_OPEN "  endpoint 192.0.2.1; region CN; uplink inet; local-id 10.1.0.1\n"
	  "  remote-id 2001:db8::1; auth psk; psk-file /k\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n"
	  "peer \"q\" {\n  endpoint 192.0.2.2; region CN; uplink inet; local-id keyid:0a0B10\n"
	  "  remote-id @gw.corp.example; auth psk; psk-file /k\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.3.0.0/16\n}\n", NULL,
	  CHECK(check_identities) },
	{ "g05 proposals", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  ike-proposals chacha20poly1305-prfsha256-x25519, aes256gcm16-prfsha512-x25519\n"
	  "  esp-proposals aes256gcm16-x25519, chacha20poly1305\n}\n", NULL,
	  CHECK(check_proposals) },
	{ "g05b strongSwan classic proposals", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  ike-proposals aes256-sha256-modp2048, aes128-sha256-ecp256, aes256-sha384-ecp384,\n"
	  "    aes256gcm16-prfsha384-ecp384, aes256-sha512-prfsha256-modp3072\n"
	  "  esp-proposals aes256gcm16-ecp384, chacha20poly1305-modp2048, aes256-sha256,\n"
	  "    aes128-sha512-ecp256-noesn\n}\n", NULL,
	  CHECK(check_classic_proposals) },
	{ "g06 IPv6 endpoint with port, natt-port", BASE
	  "peer \"p\" {\n  endpoint [2001:db8::7]:4501; natt-port 4600; region DE; uplink inet\n"
	  "  local-id a.corp.example; remote-id b.corp.example; auth psk; psk-file /k\n"
	  "  local-subnets fd00:1::/64; remote-subnets fd00:2::/64\n}\n", NULL,
	  CHECK(check_endpoint_v6) },
	{ "g07 semicolons, comments, quoted strings", "# leading comment\n\n"
	  "site \"s\" { region CN ; internal-space \"10.0.0.0/8\",\n"
	  "   172.16.0.0/12 # continued after the comma\n"
	  "}; uplink \"inet\" { interface \"eth0\" ; carrier \"say \\\"hi\\\" \\\\\" }\n", NULL,
	  CHECK(check_syntax_forms) },
	{ "g08 audit block", SITE
	  "audit {\n  journal-dir \"/srv/audit\"; retention 4392h; syslog-facility local4\n"
	  "  mlps-level 4; security-officer \"\xe5\xbc\xa0\xe4\xbc\x9f\"\n"
	  "  on-journal-failure stop-tunnels\n}\n", NULL, CHECK(check_audit) },
	{ "g09 control block", SITE
	  "control { socket /tmp/lg.sock; socket-mode 0660; workers 4 }\n", NULL,
	  CHECK(check_control) },
	{ "g10 compliance block", SITE
	  "compliance { licensed-carriers china-telecom, cn-carrier-x\n"
	  "  region-db /etc/linegate/regions.txt }\n", NULL, CHECK(check_compliance) },
	{ "g11 licensed uplink", SITE
	  "uplink \"ctc\" {\n  interface eth1; carrier china-telecom\n"
	  "  circuit-id \"CTC-IPLC-SH-0042\"; licensed yes; source 192.0.2.10\n}\n", NULL,
	  CHECK(check_uplink) },
	{ "g12 tunnel", SITE
	  "tunnel { device lgt1; address 10.1.0.1/24, fd00:1::1/64; mtu 1500; gso-segments 64; pace-rate 0 }\n", NULL,
	  CHECK(check_tunnel) },
	{ "g13 uplink referenced before it is defined", SITE PEER("p", "10.2.0.0/16")
	  "uplink \"other\" { interface eth9 }\n" "uplink \"inet\" { interface eth0 }\n", NULL,
	  CHECK(check_forward_uplink) },
	{ "g14 static SA in the lab", BASE "lab-only yes\n" STATIC_SA("bench", "0x1001", "10.2.0.0/16"),
	  NULL, CHECK(check_static_sa) },
	{ "g14b static SA with AES-CBC + HMAC", BASE "lab-only yes\nstatic-sa \"s\" {\n"
	  "  peer 10.201.0.2; uplink inet; cipher aes128-sha512; spi-in 0x1001; spi-out 0x2001; region CN; remote-id lab.corp.example\n"
	  "  key-in 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f\n  key-out 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  NULL, CHECK(check_static_sa_cbc) },
	{ "g15 ed25519", BASE PEER_OPEN PEER_MIN
	  "  auth ed25519; private-key /k/local.pem; peer-public-key \"/k/peer.pub.pem\"\n}\n", NULL,
	  CHECK(check_ed25519) },
	{ "g16 roles", BASE
	  PEER_OPEN PEER_MIN "  auth psk; psk-file /k; mode initiator\n}\n"
	  "peer \"q\" {\n  endpoint 192.0.2.2; region CN; uplink inet; local-id a.corp.example\n"
	  "  remote-id c.corp.example; local-subnets 10.1.0.0/16; remote-subnets 10.3.0.0/16\n"
	  "  auth psk; psk-file /k; mode responder\n}\n", NULL, CHECK(check_modes) },
	{ "g17 CRLF line endings", "site \"s\" {\r\n region CN\r\n internal-space 10.0.0.0/8\r\n}\r\n",
	  NULL, NULL },
	{ "g18 allow-identity list", "site \"s\" { region CN; internal-space 10.0.0.0/8\n"
	  "  identity-domain corp.example\n"
	  "  allow-identity hq.partner.example, 198.51.100.1, keyid:00ff\n}\n", NULL,
	  CHECK(check_allow_identity) },
	{ "g19 two peers, adjacent remote subnets", BASE PEER("p", "10.2.0.0/16")
	  PEER_AT("q", "2", "10.3.0.0/16, 10.4.0.0/15"), NULL, CHECK(check_two_peers) },
	{ "g20 bare numbers are seconds and counts", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-lifetime 7200; dpd 45; child-lifetime-bytes 1000\n}\n",
	  NULL, CHECK(check_bare_numbers) },
	{ "g23 size units and a bare IPv6 endpoint", BASE "peer \"p\" {\n  endpoint 2001:db8::9; region CN\n"
	  "  uplink inet; local-id a.corp.example; remote-id b.corp.example; auth psk; psk-file /k\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"
	  "  child-lifetime-bytes 2T; child-lifetime-packets 1k\n}\n", NULL, CHECK(check_units) },
	{ "g24 hex and octal numbers", BASE "lab-only yes\nstatic-sa \"s\" {\n"
	  "  peer [fd00::2]:4501; region CN; remote-id lab.corp.example; uplink inet; cipher aes256gcm16; spi-in 4097; spi-out 0xFFFFFFFF\n"
	  "  key-in " KEY72 "; key-out " KEY72 "\n"
	  "  local-subnets fd00:1::/64; remote-subnets fd00:2::/64\n}\n"
	  "control { socket-mode 0; workers 0x10 }\n", NULL, CHECK(check_numbers) },
	{ "g25 a leading zero is still decimal", SITE "tunnel { mtu 01400 }\n", NULL,
	  CHECK(check_leading_zero) },
	{ "g26 noesn as strongSwan writes it", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  esp-proposals chacha20poly1305-noesn, aes256gcm16-x25519-noesn\n}\n", NULL,
	  CHECK(check_noesn) },
	{ "g21 empty blocks and statements", SITE "tunnel {}\n;;\ncontrol {\n}\naudit { ; }\n", NULL,
	  NULL },
	{ "g22 lab-only no without static SAs", SITE "lab-only no\n", NULL, NULL },
	{ "g24 mlps-level 3 written, on-journal-failure not: stop-tunnels",
	  SITE "audit { mlps-level 3; security-officer \"Li Na\" }\n", NULL, CHECK(check_mlps_stop) },
	{ "g25 mlps-level 4 with on-journal-failure keep-tunnels: the admin's choice",
	  SITE "audit { on-journal-failure keep-tunnels; mlps-level 4 }\n", NULL, CHECK(check_mlps_keep) },
	{ "g26 mlps-level 2: keep-tunnels by default", SITE "audit { mlps-level 2 }\n", NULL,
	  CHECK(check_mlps_two) },
	{ "g23 public space with its registration, positions of values",
	  "site \"s\" {\n  region CN; internal-space 10.0.0.0/8, 203.0.113.0/24\n"
	  "  public-space 203.0.113.0/24, 2001:db8:100::/48\n"
	  "  public-space-registration \"APNIC ORG-CORP1-AP\"\n}\n", NULL, CHECK(check_public_space) },
	{ "g27 retry schedule and actions", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  retry-min 2s; retry-max 2m; dpd-action clear; close-action clear\n}\n", NULL,
	  CHECK(check_recovery) },
	{ "g28 recovery defaults: 1s..30s, restart", BASE PEER("p", "10.2.0.0/16"), NULL,
	  CHECK(check_recovery_defaults) },
	{ "g30 a block's brace on its own line (after blank lines too)",
	  "site \"s\"\n{\n  region CN; internal-space 10.0.0.0/8\n}\ntunnel\n\n{ mtu 1300 }\n"
	  UPLINK "peer \"p\"\n{\n" PEER_MIN "  auth psk; psk-file /k\n}\n", NULL, NULL },
	{ "g31 log-level debug", SITE "audit { log-level debug }\n", NULL, CHECK(check_log_debug) },
	{ "g32 log-level default: info", SITE, NULL, CHECK(check_log_default) },
	{ "g33 defaults: what peers share, written once, overridden per peer", BASE
	  "defaults\n{\n  region CN; uplink inet; local-id a.corp.example; auth psk\n"
	  "  local-subnets 10.1.0.0/16; dpd 10s; retry-max 1m\n}\n"
	  "peer \"p\" { endpoint 192.0.2.1; remote-id b.corp.example; psk-file /k/p\n"
	  "  remote-subnets 10.2.0.0/16 }\n"
	  "peer \"q\" { endpoint 192.0.2.2; remote-id c.corp.example; psk-file /k/q\n"
	  "  remote-subnets 10.3.0.0/16; local-subnets 10.5.0.0/16; dpd 20s; local-id d.corp.example }\n",
	  NULL, CHECK(check_defaults_block) },
	{ "g29 retry-min equal to retry-max", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  retry-max 5s; retry-min 5s\n}\n", NULL, NULL },

	/* ---- bad: syntax ---- */
	{ "b01 unknown top-level key, suggestion", "sitee \"s\" { region CN }\n" SITE,
	  "1:1: unknown key 'sitee' at top level (did you mean 'site'?)\n", NULL },
	{ "b02 unknown key in peer, suggestion", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; remote-idd x\n}\n",
	  "6:26: unknown key 'remote-idd' in peer block (did you mean 'remote-id'?)\n", NULL },
	{ "b03 key of another block", SITE "tunnel { retention 180d }\n",
	  "2:10: unknown key 'retention' in tunnel block: it belongs in the audit block\n", NULL },
	{ "b04 unknown key, no suggestion", SITE "audit { colour blue }\n",
	  "2:9: unknown key 'colour' in audit block\n", NULL },
	{ "b05 unterminated string", "site \"s { region CN }\n" SITE,
	  "1:6: unterminated string: expected '\"' before end of line\n", NULL },
	{ "b06 missing closing brace", SITE "audit {\n  retention 180d\n",
	  "4:1: missing '}' to close the audit block opened at line 2\n", NULL },
	{ "b07 stray closing brace", SITE "}\n", "2:1: unexpected '}' with no block open\n", NULL },
	{ "b08 values without comma", "site \"s\" { region CN\n  internal-space 10.0.0.0/8 10.1.0.0/16\n}\n",
	  "1:1: site 's': missing required key internal-space\n"
	  "2:29: expected ',' or end of statement (newline or ';'), got '10.1.0.0/16'\n", NULL },
	{ "b09 trailing comma", "site \"s\" { region CN\n  internal-space 10.0.0.0/8,\n}\n",
	  "1:1: site 's': missing required key internal-space\n"
	  "3:1: expected a value after ',', got '}'\n", NULL },
	{ "b10 nested block", SITE "audit {\n  journal { x 1 }\n}\n",
	  "3:11: blocks do not nest: expected a statement inside audit block, got '{'\n", NULL },
	{ "b11 named block without name", SITE "peer {\n}\n",
	  "2:6: peer block needs a name: expected peer \"name\" {\n", NULL },
	{ "b12 unnamed block with a name", SITE "tunnel \"t\" { mtu 1400 }\n",
	  "2:8: tunnel block takes no name: expected '{'\n", NULL },
	{ "b13 block keyword without brace", SITE "peer \"p\"\n",
	  "2:9: 'peer' is a block: expected '{', got end of line\n", NULL },
	{ "b14 key without value", "site \"s\" { region; internal-space 10.0.0.0/8 }\n",
	  "1:12: 'region' expects a value\n", NULL },
	{ "b15 too many values", "site \"s\" { region CN, DE; internal-space 10.0.0.0/8 }\n",
	  "1:23: 'region' takes one value\n", NULL },
	{ "b16 non-ASCII outside quotes", SITE "audit { security-officer \xe5\xbc\xa0 }\n",
	  "2:26: unexpected byte 0xe5: non-ASCII text must be quoted\n", NULL },
	{ "b17 bad escape", SITE "audit { security-officer \"a\\qb\" }\n",
	  "2:26: bad escape in string: expected \\\" or \\\\\n", NULL },

	/* ---- bad: structure ---- */
	{ "b18 missing site block", UPLINK,
	  "2:1: missing site block: expected site \"name\" { region ...; internal-space ... }\n", NULL },
	{ "b19 site without region", "site \"s\" {\n  internal-space 10.0.0.0/8\n}\n",
	  "1:1: site 's': missing required key region\n", NULL },
	{ "b20 peer missing keys", BASE "peer \"p\" {\n  endpoint 192.0.2.1\n  auth psk; psk-file /k\n}\n",
	  "3:1: peer 'p': missing required keys region, uplink, local-id, remote-id, "
	  "local-subnets, remote-subnets\n", NULL },
	{ "b21 duplicate uplink", BASE "uplink \"inet\" { interface eth1 }\n",
	  "3:8: duplicate uplink 'inet' (first defined at line 2)\n", NULL },
	{ "b22 duplicate peer", BASE PEER("p", "10.2.0.0/16") PEER("p", "10.3.0.0/16"),
	  "9:6: duplicate peer 'p' (first defined at line 3)\n", NULL },
	{ "b23 duplicate static-sa", BASE "lab-only yes\n" STATIC_SA("s1", "0x1001", "10.2.0.0/16")
	  STATIC_SA("s1", "0x1002", "10.3.0.0/16"),
	  "11:11: duplicate static-sa 's1' (first defined at line 4)\n", NULL },
	{ "b24 duplicate key", "site \"s\" { region CN; internal-space 10.0.0.0/8\n  region DE\n}\n",
	  "2:3: duplicate key 'region' (first set at line 1)\n", NULL },
	{ "b25 duplicate tunnel block", SITE "tunnel { mtu 1400 }\ntunnel { mtu 1300 }\n",
	  "3:1: duplicate tunnel block (first at line 2)\n", NULL },
	{ "b26 undefined uplink", SITE "uplink \"inet\" { interface eth0 }\n"
	  "peer \"p\" {\n  endpoint 192.0.2.1; region CN; uplink intenret\n"
	  "  local-id a.corp.example; remote-id b.corp.example; auth psk; psk-file /k\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  "4:41: undefined uplink 'intenret': expected the name of an uplink block\n", NULL },
	{ "b27 overlapping remote subnets between peers", BASE PEER("p", "10.2.0.0/16")
	  PEER_AT("q", "2", "10.4.0.0/16, 10.2.128.0/17"),
	  "13:58: remote subnet 10.2.128.0/17 overlaps 10.2.0.0/16 of peer 'p' (line 3)\n", NULL },
	{ "b28 overlapping remote subnets in one peer", BASE PEER("p", "10.2.0.0/16, 10.2.3.0/24"),
	  "7:58: remote subnet 10.2.3.0/24 overlaps 10.2.0.0/16 of the same peer\n", NULL },
	{ "b29 static SA overlapping a peer", BASE "lab-only yes\n" PEER("p", "10.2.0.0/16")
	  STATIC_SA("s", "0x1001", "10.2.0.0/24"),
	  "15:45: remote subnet 10.2.0.0/24 overlaps 10.2.0.0/16 of peer 'p' (line 4)\n", NULL },

	/* ---- bad: values ---- */
	{ "b30 lower-case region", "site \"s\" { region cn; internal-space 10.0.0.0/8 }\n",
	  "1:19: invalid region 'cn': expected two upper-case letters (ISO 3166-1 alpha-2, e.g. CN)\n",
	  NULL },
	{ "b31 three-letter region", "site \"s\" { region CHN; internal-space 10.0.0.0/8 }\n",
	  "1:19: invalid region 'CHN': expected two upper-case letters (ISO 3166-1 alpha-2, e.g. CN)\n",
	  NULL },
	{ "b32 prefix with host bits", "site \"s\" { region CN; internal-space 10.0.0.1/8 }\n",
	  "1:38: invalid prefix '10.0.0.1/8': expected address/length with the host bits zero "
	  "(e.g. 10.1.0.0/16)\n", NULL },
	{ "b33 prefix length too long", "site \"s\" { region CN; internal-space 10.0.0.0/33 }\n",
	  "1:38: invalid prefix '10.0.0.0/33': expected address/length with the host bits zero "
	  "(e.g. 10.1.0.0/16)\n", NULL },
	{ "b34 endpoint port out of range", BASE "peer \"p\" {\n  endpoint 192.0.2.1:70000\n"
	  "  region CN; uplink inet; local-id a.corp.example; remote-id b.corp.example\n"
	  "  auth psk; psk-file /k; local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  "4:12: invalid endpoint '192.0.2.1:70000': expected address[:port] with port 1-65535 "
	  "(e.g. 203.0.113.7, 203.0.113.7:4500, [2001:db8::7]:500)\n", NULL },
	{ "b35 unspecified endpoint", BASE "peer \"p\" {\n  endpoint 0.0.0.0\n"
	  "  region CN; uplink inet; local-id a.corp.example; remote-id b.corp.example\n"
	  "  auth psk; psk-file /k; local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  "4:12: invalid endpoint '0.0.0.0': expected a specific address, not the unspecified "
	  "address\n", NULL },
	{ "b36 bad duration unit", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k; dpd 30x\n}\n",
	  "6:30: invalid duration '30x': expected a number with unit s, m, h or d (e.g. 30s, 4h, 180d)\n",
	  NULL },
	{ "b37 bad size unit", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; child-lifetime-bytes 10Q\n}\n",
	  "6:47: invalid size '10Q': expected a number with optional unit k, M, G or T (e.g. 10G)\n",
	  NULL },
	{ "b38 lifetime too short", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; child-lifetime 9s\n}\n",
	  "6:41: lifetime '9s' out of range: expected 10s to 30d\n", NULL },
	{ "b39 retention below six months", SITE "audit { retention 90d }\n",
	  "2:19: retention 90d is below 180d: the Cybersecurity Law (art. 21) requires network logs "
	  "to be kept for no less than six months\n", NULL },
	{ "b40 retention 179 days in hours", SITE "audit { retention 4319h }\n",
	  "2:19: retention 4319h is below 180d: the Cybersecurity Law (art. 21) requires network "
	  "logs to be kept for no less than six months\n", NULL },
	{ "b41 mlps-level 5", SITE "audit { mlps-level 5 }\n",
	  "2:20: invalid mlps-level '5': expected 2, 3 or 4 (GB/T 22239-2019)\n", NULL },
	{ "b42 mlps-level 1", SITE "audit { mlps-level 1 }\n",
	  "2:20: invalid mlps-level '1': expected 2, 3 or 4 (GB/T 22239-2019)\n", NULL },
	{ "b43 static SA without lab-only", BASE STATIC_SA("bench", "0x1001", "10.2.0.0/16"),
	  "3:1: static-sa 'bench' needs 'lab-only yes' at top level: hand-keyed SAs are for lab "
	  "tests only\n", NULL },
	{ "b44 static SA key too short", BASE "lab-only yes\nstatic-sa \"s\" {\n"
	  "  peer 10.201.0.2; uplink inet; cipher aes256gcm16; spi-in 0x1001; spi-out 0x2001; region CN; remote-id lab.corp.example\n"
	  "  key-in 0x0001020304; key-out " KEY72 "\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  "6:10: invalid key: expected 0x and 72 hex digits (32-byte key + 4-byte salt)\n", NULL },
	{ "b44b static SA AES-CBC key of an AEAD's length", BASE "lab-only yes\nstatic-sa \"s\" {\n"
	  "  peer 10.201.0.2; uplink inet; cipher aes256-sha384; spi-in 0x1001; spi-out 0x2001; region CN; remote-id lab.corp.example\n"
	  "  key-in " KEY72 "; key-out " KEY72 "\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  "6:10: invalid key: expected 0x and 160 hex digits for this cipher (32-byte AES key + "
	  "48-byte HMAC key)\n"
	  "6:94: invalid key: expected 0x and 160 hex digits for this cipher (32-byte AES key + "
	  "48-byte HMAC key)\n", NULL },
	{ "b45 reserved SPI", BASE "lab-only yes\n" STATIC_SA("s", "5", "10.2.0.0/16"),
	  "6:10: invalid number '5': expected an integer from 256 to 4294967295\n", NULL },
	{ "b46 duplicate spi-in", BASE "lab-only yes\n" STATIC_SA("s1", "0x1001", "10.2.0.0/16")
	  STATIC_SA("s2", "4097", "10.3.0.0/16"),
	  "13:10: spi-in 0x00001001 already used by static-sa 's1' (line 4)\n", NULL },
	{ "b47 auth psk without psk-file", BASE PEER_OPEN PEER_MIN "  auth psk\n}\n",
	  "6:3: auth psk requires 'psk-file'\n", NULL },
	{ "b48 ed25519 without key files", BASE PEER_OPEN PEER_MIN "  auth ed25519\n}\n",
	  "6:3: auth ed25519 requires 'private-key'\n6:3: auth ed25519 requires 'peer-public-key'\n",
	  NULL },
	{ "b49 psk-file with ed25519", BASE PEER_OPEN PEER_MIN
	  "  auth ed25519; private-key /a; peer-public-key /b\n  psk-file /c\n}\n",
	  "7:3: 'psk-file' does not apply to auth ed25519\n", NULL },
	{ "b50 unknown auth method", BASE PEER_OPEN PEER_MIN "  auth rsa\n}\n",
	  "6:8: invalid value 'rsa': expected psk, ed25519 or certificate\n", NULL },
	{ "b50b certificate without its files", BASE PEER_OPEN PEER_MIN "  auth certificate\n}\n",
	  "6:3: auth certificate requires 'private-key'\n6:3: auth certificate requires "
	  "'certificate'\n6:3: auth certificate requires 'ca-dir'\n", NULL },
	{ "b50c psk-file and peer-public-key with certificate", BASE PEER_OPEN PEER_MIN
	  "  auth certificate; certificate /c; private-key /k; ca-dir /ca\n"
	  "  psk-file /p; peer-public-key /q\n}\n",
	  "7:3: 'psk-file' does not apply to auth certificate\n"
	  "7:16: 'peer-public-key' does not apply to auth certificate\n", NULL },
	{ "b50d crl-dir with psk", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /p; crl-dir /crl\n}\n",
	  "6:26: 'crl-dir' does not apply to auth psk\n", NULL },
	{ "b51 unknown IKE algorithm", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-proposals aes128cbc-prfsha256-x25519\n}\n",
	  "6:40: invalid IKE proposal 'aes128cbc-prfsha256-x25519': unknown algorithm 'aes128cbc': "
	  "expected e.g. aes256-sha256-modp2048 or aes256gcm16-prfsha384-ecp384: aes128, aes256, "
	  "aes256gcm16, chacha20poly1305; sha256, sha384, sha512; prfsha256, prfsha384, prfsha512; "
	  "x25519, ecp256, ecp384, modp2048, modp3072\n", NULL },
	{ "b52 IKE proposal without key exchange", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-proposals chacha20poly1305-prfsha256\n}\n",
	  "6:40: invalid IKE proposal 'chacha20poly1305-prfsha256': incomplete IKE proposal: no key "
	  "exchange group, e.g. aes256-sha256-modp2048 or chacha20poly1305-prfsha256-x25519\n", NULL },
	{ "b53 ESP proposal with a PRF", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; esp-proposals aes256gcm16-prfsha256\n}\n",
	  "6:40: invalid ESP proposal 'aes256gcm16-prfsha256': ESP proposals take no PRF: "
	  "expected e.g. aes256gcm16-x25519 or aes256-sha256\n", NULL },
	{ "b54 bad identity", BASE PEER_OPEN
	  "  endpoint 192.0.2.1; region CN; uplink inet; local-id \"gw!corp\"\n"
	  "  remote-id b.corp.example; local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"
	  "  auth psk; psk-file /k\n}\n",
	  "4:56: invalid identity 'gw!corp': expected an IPv4/IPv6 address, keyid:<hex>, a host "
	  "name (letters, digits, '-', '.') or a distinguished name (C=CN, O=Corp, CN=gw)\n", NULL },
	{ "b55 odd key id", BASE PEER_OPEN
	  "  endpoint 192.0.2.1; region CN; uplink inet; local-id keyid:abc\n"
	  "  remote-id b.corp.example; local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n"
	  "  auth psk; psk-file /k\n}\n",
	  "4:56: invalid key id 'keyid:abc': expected keyid: followed by an even number of hex "
	  "digits\n", NULL },
	{ "b56 bad boolean", SITE "uplink \"u\" { interface eth0; licensed maybe }\n",
	  "2:39: invalid value 'maybe': expected no or yes\n", NULL },
	{ "b57 bad syslog facility", SITE "audit { syslog-facility local9 }\n",
	  "2:25: invalid value 'local9': expected daemon, auth, authpriv, user, local0, local1, "
	  "local2, local3, local4, local5, local6 or local7\n", NULL },
	{ "b58 mtu too small", SITE "tunnel { mtu 100 }\n",
	  "2:14: invalid number '100': expected an integer from 576 to 9000\n", NULL },
	{ "b58a gso-segments 0", SITE "tunnel { gso-segments 0 }\n",
	  "2:23: invalid number '0': expected an integer from 1 to 64\n", NULL },
	{ "b58b gso-segments above the kernel's 64", SITE "tunnel { gso-segments 65 }\n",
	  "2:23: invalid number '65': expected an integer from 1 to 64\n", NULL },
	{ "b58c pace-rate below 10 Mbit/s", SITE "tunnel { pace-rate 5 }\n",
	  "2:20: pace-rate 5 too low: expected 0 (off) or 10 to 100000 Mbit/s\n", NULL },
	{ "b58d pace-rate above 100 Gbit/s", SITE "tunnel { pace-rate 100001 }\n",
	  "2:20: invalid number '100001': expected an integer from 0 to 100000\n", NULL },
	/* 22 characters of 3 bytes: "%.64s" cuts the 22nd after its first byte;
	 * the message ends the quote after the 21st */
	{ "b58e a long UTF-8 value is quoted up to a whole character",
	  SITE "tunnel { gso-segments \"一丁丂七丄丅丆万丈三上下丌不与丏丐丑丒专且丕\" }\n",
	  "2:23: invalid number '一丁丂七丄丅丆万丈三上下丌不与丏丐丑丒专且': expected an integer from 1 to 64\n", NULL },
	{ "b59 IPv6 tunnel address with small mtu", SITE "tunnel { address fd00::1/64; mtu 1000 }\n",
	  "2:30: mtu 1000 too small for an IPv6 address: expected at least 1280\n", NULL },
	{ "b60 socket-mode not octal", SITE "control { socket-mode 600 }\n",
	  "2:23: invalid mode '600': expected an octal mode with a leading 0, e.g. 0600\n", NULL },
	{ "b61 interface name too long", SITE "uplink \"u\" { interface eth0123456789abc }\n",
	  "2:24: invalid interface name 'eth0123456789abc': expected 1 to 15 characters without '/' "
	  "or ':'\n", NULL },
	{ "b62 uplink name with a space", SITE "uplink \"my uplink\" { interface eth0 }\n",
	  "2:8: invalid name 'my uplink': expected 1 to 63 letters, digits, '-', '_' or '.'\n", NULL },
	{ "b63 lab-only maybe", SITE "lab-only maybe\n",
	  "2:10: invalid value 'maybe': expected no or yes\n", NULL },
	{ "b64 several errors in one file", "site \"s\" { region cn; internal-space 10.0.0.0/8 }\n"
	  "audit { retention 30d; mlps-level 9 }\n" "tunnel { mtu huge }\n",
	  "1:19: invalid region 'cn': expected two upper-case letters (ISO 3166-1 alpha-2, e.g. CN)\n"
	  "2:19: retention 30d is below 180d: the Cybersecurity Law (art. 21) requires network logs "
	  "to be kept for no less than six months\n"
	  "2:35: invalid mlps-level '9': expected 2, 3 or 4 (GB/T 22239-2019)\n"
	  "3:14: invalid number 'huge': expected an integer from 576 to 9000\n", NULL },
	{ "b66 lab-only used as a block", SITE "lab-only { yes }\n",
	  "2:10: 'lab-only' is not a block: expected lab-only yes or no\n", NULL },
	{ "b67 unknown block skipped whole", SITE "vpn \"x\" {\n  a 1\n  b { }\n}\naudit { mlps-level 7 }\n",
	  "2:1: unknown key 'vpn' at top level\n"
	  "6:20: invalid mlps-level '7': expected 2, 3 or 4 (GB/T 22239-2019)\n", NULL },
	{ "b68 top-level key of a block", SITE "region CN\n",
	  "2:1: unknown key 'region' at top level: it belongs in the site block\n", NULL },
	{ "b69 static-sa missing keys", BASE "lab-only yes\nstatic-sa \"s\" { peer 10.201.0.2; uplink inet }\n",
	  "4:1: static-sa 's': missing required keys region, remote-id, cipher, spi-in, spi-out, key-in, key-out, "
	  "local-subnets, remote-subnets\n", NULL },
	{ "b70 too many uplinks", SITE
	  "uplink \"u1\" { interface e1 }\nuplink \"u2\" { interface e2 }\nuplink \"u3\" { interface e3 }\n"
	  "uplink \"u4\" { interface e4 }\nuplink \"u5\" { interface e5 }\nuplink \"u6\" { interface e6 }\n"
	  "uplink \"u7\" { interface e7 }\nuplink \"u8\" { interface e8 }\nuplink \"u9\" { interface e9 }\n",
	  "10:8: too many uplinks: expected at most 8\n", NULL },
	{ "b71 too many subnets", BASE PEER("p", "10.2.0.0/24, 10.2.1.0/24, 10.2.2.0/24, 10.2.3.0/24, "
	  "10.2.4.0/24, 10.2.5.0/24, 10.2.6.0/24, 10.2.7.0/24, 10.2.8.0/24"),
	  "7:149: 'remote-subnets' takes at most 8 values\n", NULL },
	{ "b72 two peers on one address", BASE PEER("p", "10.2.0.0/16")
	  "peer \"q\" {\n  endpoint 192.0.2.1:4500; region CN; uplink inet\n"
	  "  local-id a.corp.example; remote-id c.corp.example; auth psk; psk-file /k\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.3.0.0/16\n}\n",
	  "10:12: endpoint 192.0.2.1 is also the endpoint of peer 'p' (line 3): expected one peer "
	  "per address\n", NULL },
	{ "b73 duration overflows", SITE "audit { retention 50000d }\n",
	  "2:19: duration '50000d' too long: expected at most 4294967295s\n", NULL },
	{ "b74 interface address without length", SITE "tunnel { address 10.1.0.1 }\n",
	  "2:18: invalid interface address '10.1.0.1': expected address/length (e.g. 10.1.0.1/24)\n", NULL },
	{ "b75 source is not an address", SITE "uplink \"u\" { interface eth0; source eth0 }\n",
	  "2:37: invalid address 'eth0': expected an IPv4 or IPv6 address\n", NULL },
	{ "b76 checkpoint-interval 0", SITE "audit { checkpoint-interval 0 }\n",
	  "2:29: checkpoint-interval '0' out of range: expected 1s to 1d\n", NULL },
	{ "b77 identity-domain is an address", "site \"s\" { region CN; internal-space 10.0.0.0/8\n"
	  "  identity-domain 10.0.0.1 }\n",
	  "2:19: invalid identity-domain '10.0.0.1': expected a DNS domain (e.g. corp.example)\n", NULL },
	{ "b78 dpd too long", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k; dpd 2h\n}\n",
	  "6:30: dpd '2h' out of range: expected 0 (off) to 1h\n", NULL },
	{ "b79 two ciphers in one proposal", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; esp-proposals chacha20poly1305-aes256gcm16\n}\n",
	  "6:40: invalid ESP proposal 'chacha20poly1305-aes256gcm16': 'aes256gcm16' repeats a transform type: expected one of each\n", NULL },
	{ "b80 trailing dash in a proposal", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; esp-proposals aes256gcm16-\n}\n",
	  "6:40: invalid ESP proposal 'aes256gcm16-': trailing '-': expected an algorithm\n", NULL },
	{ "b81 quoted key", SITE "audit { \"retention\" 180d }\n",
	  "2:9: expected a key, got \"retention\"\n", NULL },
	{ "b82 block with two names", SITE "uplink \"a\", \"b\" { interface eth0 }\n",
	  "2:13: uplink block takes one name: expected '{'\n", NULL },
	{ "b83 lab-only twice", SITE "lab-only yes\nlab-only no\n",
	  "3:1: duplicate key 'lab-only' (first set at line 2)\n", NULL },
	{ "b84 lab-only with two values", SITE "lab-only yes, no\n",
	  "2:1: 'lab-only' takes one value: expected yes or no\n", NULL },
	{ "b85 top level starts with a comma", SITE ", x\n",
	  "2:1: expected a key or block, got ','\n", NULL },
	{ "b86 control character in a string", SITE "audit { security-officer \"a\tb\" }\n",
	  "2:26: control character in string: expected printable text\n", NULL },
	{ "b87 socket path too long", SITE "control { socket /run/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  ".sock }\n", "2:18: socket path too long: expected at most 107 bytes\n", NULL },
	{ "b88 empty path", SITE "audit { journal-dir \"\" }\n",
	  "2:21: invalid path: expected 1 to 255 bytes\n", NULL },
	{ "b89 bad hex number", BASE "lab-only yes\n" STATIC_SA("s", "0x10zz", "10.2.0.0/16"),
	  "6:10: invalid number '0x10zz': expected an integer from 256 to 4294967295\n", NULL },
	{ "b90 unknown mode", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k; mode initator\n}\n",
	  "6:31: invalid value 'initator': expected both, initiator or responder\n", NULL },
	{ "b91 unknown cipher in static SA", BASE "lab-only yes\nstatic-sa \"s\" {\n"
	  "  peer 10.201.0.2; uplink inet; cipher aes128gcm16; spi-in 0x1001; spi-out 0x2001; region CN; remote-id lab.corp.example\n"
	  "  key-in " KEY72 "; key-out " KEY72 "\n"
	  "  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n",
	  "5:40: invalid value 'aes128gcm16': expected chacha20poly1305, aes256gcm16, "
	  "aes128-sha256, aes128-sha384, aes128-sha512, aes256-sha256, aes256-sha384 or aes256-sha512\n", NULL },
	{ "b92 bad on-journal-failure", SITE "audit { on-journal-failure ignore }\n",
	  "2:28: invalid value 'ignore': expected keep-tunnels or stop-tunnels\n", NULL },
	{ "b93 natt-port 0", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k; natt-port 0\n}\n",
	  "6:36: invalid number '0': expected an integer from 1 to 65535\n", NULL },
	{ "b94 workers too many", SITE "control { workers 1000 }\n",
	  "2:19: invalid number '1000': expected an integer from 0 to 256\n", NULL },
	{ "b95 bad carrier name in list", SITE "compliance { licensed-carriers china-telecom, \"china unicom\" }\n",
	  "2:47: invalid name 'china unicom': expected 1 to 63 letters, digits, '-', '_' or '.'\n", NULL },
	{ "b96 forgotten closing brace", "site \"s\" {\n  region CN; internal-space 10.0.0.0/8\n"
	  "audit {\n  retention 90d\n}\ncontrol { workers 2 }\n",
	  "3:1: missing '}' before this audit block: the site block opened at line 1 is not closed\n"
	  "4:13: retention 90d is below 180d: the Cybersecurity Law (art. 21) requires network logs "
	  "to be kept for no less than six months\n", NULL },
	{ "b97 mode with a non-octal digit", SITE "control { socket-mode 0680 }\n",
	  "2:23: invalid mode '0680': expected an octal mode with a leading 0, e.g. 0600\n", NULL },
	{ "b98 mode too wide", SITE "control { socket-mode 01777 }\n",
	  "2:23: invalid mode '01777': expected an octal mode with a leading 0, e.g. 0600\n", NULL },
	{ "b99 ESN requested", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; esp-proposals aes256gcm16-x25519-esn\n}\n",
	  "6:40: invalid ESP proposal 'aes256gcm16-x25519-esn': extended sequence numbers are not "
	  "supported: expected noesn or nothing\n", NULL },
	{ "b100a AEAD with an integrity algorithm", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-proposals aes256gcm16-sha384-ecp384\n}\n",
	  "6:40: invalid IKE proposal 'aes256gcm16-sha384-ecp384': an AEAD (aes256gcm16, "
	  "chacha20poly1305) takes no integrity algorithm: name the PRF instead, e.g. "
	  "aes256gcm16-prfsha384-ecp384\n", NULL },
	{ "b100b AES-CBC without integrity", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-proposals aes256-prfsha256-modp2048\n}\n",
	  "6:40: invalid IKE proposal 'aes256-prfsha256-modp2048': AES-CBC needs an integrity "
	  "algorithm: expected e.g. aes256-sha256-modp2048\n", NULL },
	{ "b100d ESP AES-CBC without integrity", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; esp-proposals aes128-ecp256\n}\n",
	  "6:40: invalid ESP proposal 'aes128-ecp256': AES-CBC needs an integrity "
	  "algorithm: expected e.g. aes256-sha256\n", NULL },
	{ "b100c two groups", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-proposals aes256-sha256-modp2048-ecp256\n}\n",
	  "6:40: invalid IKE proposal 'aes256-sha256-modp2048-ecp256': 'ecp256' repeats a transform "
	  "type: expected one of each\n", NULL },
	{ "b100 noesn in an IKE proposal", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k; ike-proposals aes256gcm16-prfsha256-x25519-noesn\n}\n",
	  "6:40: invalid IKE proposal 'aes256gcm16-prfsha256-x25519-noesn': 'noesn' applies to ESP "
	  "only\n", NULL },
	{ "b65 control character", SITE "audit {\x01 }\n",
	  "2:8: unexpected character 0x01\n", NULL },
	{ "b101 circuit id of white space only", SITE
	  "uplink \"c\" { interface eth1; carrier china-telecom; circuit-id \"  \"; licensed yes }\n",
	  "2:64: invalid text: only white space; expected printable text\n", NULL },
	{ "b102 circuit id of ideographic and no-break spaces", SITE
	  "uplink \"c\" { interface eth1; circuit-id \"\xe3\x80\x80\xc2\xa0\" }\n",
	  "2:41: invalid text: only white space; expected printable text\n", NULL },
	{ "b103 circuit id with trailing space", SITE
	  "uplink \"c\" { interface eth1; circuit-id \"CTC-1 \" }\n",
	  "2:41: invalid text 'CTC-1 ': white space at the end; expected text without leading or "
	  "trailing white space\n", NULL },
	{ "b104 invalid UTF-8 (lone continuation byte) at its column", SITE
	  "uplink \"c\" { interface eth1; carrier \"ab\x80\" }\n",
	  "2:41: invalid UTF-8 in string: expected well-formed UTF-8 text\n", NULL },
	{ "b105 overlong UTF-8", SITE "audit { security-officer \"\xc0\xaf\" }\n",
	  "2:27: invalid UTF-8 in string: expected well-formed UTF-8 text\n", NULL },
	{ "b106 UTF-16 surrogate in UTF-8", SITE "audit { security-officer \"x\xed\xa0\x80\" }\n",
	  "2:28: invalid UTF-8 in string: expected well-formed UTF-8 text\n", NULL },
	{ "b107 truncated UTF-8 before the quote", SITE "audit { security-officer \"\xe5\xbc\" }\n",
	  "2:27: invalid UTF-8 in string: expected well-formed UTF-8 text\n", NULL },
	{ "b108 bidirectional override", SITE
	  "uplink \"c\" { interface eth1; circuit-id \"CTC-\xe2\x80\xae" "1\" }\n",
	  "2:46: unprintable character (control, bidirectional or zero-width) in string: expected "
	  "printable text\n", NULL },
	{ "b109 C1 control and zero-width space", SITE
	  "audit { security-officer \"\xc2\x85\" }\nuplink \"c\" { interface eth1; carrier \"\xe2\x80\x8b\" }\n",
	  "2:27: unprintable character (control, bidirectional or zero-width) in string: expected "
	  "printable text\n3:39: unprintable character (control, bidirectional or zero-width) in "
	  "string: expected printable text\n", NULL },
	{ "b110 above U+10FFFF", SITE "audit { security-officer \"\xf4\x90\x80\x80\" }\n",
	  "2:27: invalid UTF-8 in string: expected well-formed UTF-8 text\n", NULL },
	{ "b111 blank public-space-registration", "site \"t\" { region CN; internal-space 10.0.0.0/8;"
	  " public-space-registration \" \" }\n",
	  "1:76: invalid text: only white space; expected printable text\n", NULL },
	{ "b112 retry-max below retry-min", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  retry-min 1m; retry-max 10s\n}\n",
	  "7:27: retry-max (10s) below retry-min (60s)\n", NULL },
	{ "b113 retry-min zero, retry-max over a day", BASE PEER_OPEN PEER_MIN
	  "  auth psk; psk-file /k\n  retry-min 0; retry-max 2d\n}\n",
	  "7:13: retry-min '0' out of range: expected 1s to 1d\n"
	  "7:26: retry-max '2d' out of range: expected 1s to 1d\n", NULL },
	{ "b115 key = value: one hint", SITE "tunnel {\n  mtu = 1400\n  device lg1\n}\n",
	  "3:7: unexpected '=': write 'mtu 1400', without '='\n", NULL },
	{ "b116 key=value and key =value", SITE "tunnel {\n  device=lg1\n  mtu =1400\n}\n",
	  "3:3: unexpected '=': write 'device lg1', without '='\n"
	  "4:7: unexpected '=': write 'mtu 1400', without '='\n", NULL },
	{ "b117 key = at the end of the line", SITE "tunnel {\n  mtu =\n}\n",
	  "3:7: unexpected '=': write 'mtu VALUE', without '='\n", NULL },
	{ "b118 a block keyword without a brace, even lines later", SITE "tunnel\n\nmtu 1400\n",
	  "2:7: 'tunnel' is a block: expected '{', got end of line\n"
	  "4:1: unknown key 'mtu' at top level: it belongs in the tunnel block\n", NULL },
	{ "b119 unknown log-level", SITE "audit { log-level verbose }\n",
	  "2:19: invalid value 'verbose': expected error, warning, notice, info or debug\n", NULL },
	{ "b120 defaults after a peer", BASE PEER("p", "10.2.0.0/16") "defaults { dpd 5s }\n",
	  "9:1: defaults block after peer 'p' (line 3): expected it before the peers it applies to\n",
	  NULL },
	{ "b121 what names one peer cannot be a default", BASE
	  "defaults { endpoint 192.0.2.1; psk-file /k; dpd 5s }\n",
	  "3:12: 'endpoint' cannot be a default: it belongs in each peer block\n"
	  "3:32: 'psk-file' cannot be a default: it belongs in each peer block\n", NULL },
	{ "b122 a key neither in defaults nor in the peer is still required", BASE
	  "defaults { uplink inet; region CN; local-id a.corp.example; auth psk }\n"
	  "peer \"p\" { endpoint 192.0.2.1; psk-file /k; local-subnets 10.1.0.0/16 }\n",
	  "4:1: peer 'p': missing required keys remote-id, remote-subnets\n", NULL },
	{ "b123 two defaults blocks", BASE "defaults { dpd 5s }\ndefaults { dpd 6s }\n",
	  "4:1: duplicate defaults block (first at line 3)\n", NULL },
	{ "b114 unknown dpd-action", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k\n"
	  "  dpd-action hold\n}\n", "7:14: invalid value 'hold': expected restart or clear\n", NULL },
	{ "g90 icp-recordal pairs", "site \"t\" { region CN; internal-space 10.0.0.0/8\n"
	  "  icp-recordal 443, \"京ICP备12345678号-1\",\n"
	  "    80, \"沪ICP证000123号\"\n}\n", NULL, CHECK(check_icp) },
	{ "b120 icp port not a web port", "site \"t\" { region CN; internal-space 10.0.0.0/8\n"
	  "  icp-recordal 22, \"ICP备1\" }\n",
	  "2:16: invalid ICP port '22': expected 80, 8080 or 443 (the web ports an ICP recordal covers)\n", NULL },
	{ "b121 icp port without number", "site \"t\" { region CN; internal-space 10.0.0.0/8\n"
	  "  icp-recordal 443, \"ICP备1\", 8080 }\n",
	  "2:32: ICP port 8080 has no recordal number: expected port, \"number\" pairs "
	  "(icp-recordal 443, \"京ICP备12345678号-1\")\n", NULL },
	{ "b122 icp blank, not a number", "site \"t\" { region CN; internal-space 10.0.0.0/8\n"
	  "  icp-recordal 443, \"　\", 80, \"example.com\", 8080, \"ICP证x\"\n"
	  "  }\n",
	  "2:21: invalid text: only white space; expected printable text\n"
	  "2:32: invalid ICP recordal 'example.com': expected a number such as \"京ICP备12345678号-1\" "
	  "or \"京ICP证000000号\"\n"
	  "2:53: invalid ICP recordal 'ICP证x': expected a number such as \"京ICP备12345678号-1\" "
	  "or \"京ICP证000000号\"\n", NULL },
	{ "b123 icp duplicate port", "site \"u\" { region CN; internal-space 10.0.0.0/8\n"
	  "  icp-recordal 80, \"ICP备1\",\n  80, \"ICP备2\" }\n",
	  "3:3: duplicate ICP port 80 (first at 2:16)\n", NULL },
	{ "g91 circuit paperwork", SITE "uplink \"c\" { interface eth1; carrier china-telecom\n"
	  "  circuit-id \"CTC-IPLC-SH-0042\"; licensed yes\n"
	  "  contract-number \"沪电信合同2026-0042号\"; carrier-licence \"A1.A2-20090001\" }\n", NULL,
	  CHECK(check_paperwork) },
	{ "b124 paperwork on an uplink that is not a licensed circuit", SITE
	  "uplink \"c\" { interface eth1; contract-number \"K-1\"; carrier-licence \"A1.A2-2\" }\n",
	  "2:46: contract-number is for a licensed circuit: uplink \"c\" is not `licensed yes`\n"
	  "2:69: carrier-licence is for a licensed circuit: uplink \"c\" is not `licensed yes`\n", NULL },
	{ "b125 blank contract number", SITE
	  "uplink \"c\" { interface eth1; licensed yes; contract-number \" \" }\n",
	  "2:60: invalid text: only white space; expected printable text\n", NULL },
	{ "b126 fragment-size below 256", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k; fragment-size 200\n}\n",
	  "6:40: invalid number '200': expected an integer from 256 to 65535\n", NULL },
	{ "b127 fragmentation maybe", BASE PEER_OPEN PEER_MIN "  auth psk; psk-file /k; fragmentation maybe\n}\n",
	  "6:40: invalid value 'maybe': expected no or yes\n", NULL },
	{ "g92 fragmentation off and fragment-size on one peer, defaults on the other", BASE
	  PEER_OPEN PEER_MIN "  auth psk; psk-file /k; fragmentation no; fragment-size 576\n}\n"
	  "peer \"q\" {\n  endpoint 192.0.2.2; region CN; uplink inet; local-id a.corp.example\n"
	  "  remote-id c.corp.example; local-subnets 10.1.0.0/16; remote-subnets 10.3.0.0/16\n"
	  "  auth psk; psk-file /k\n}\n", NULL, CHECK(check_fragmentation) },
	{ NULL, NULL, NULL, NULL },
};
