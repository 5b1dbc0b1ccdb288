/* The self-description of a compliance report (report_meta.h) in its JSON
 * ("document") and text forms: what made it, when, from which inputs, and
 * how a signature over it is checked. */
#include <stdio.h>
#include "linegate/json.h"
#include "linegate/log.h"
#include "linegate/report_meta.h"
#include "policy_internal.h"

/* The key id is the first 8 bytes of the public key in hex: short enough
 * to read out over the phone, and what `report verify` prints. */
void policy_key_id(const uint8_t pk[32], char out[17])
{
	lg_hex(pk, 8, out);
}

static void json_clock(json_t *doc, const struct lg_report_meta *m)
{
	json_t *c = lg_json_set_object(doc, "clock");
	if (!m->have_clock) {
		lg_json_set(c, "ntp_synchronised", json_null());
		return;
	}
	lg_json_set_bool(c, "ntp_synchronised", m->clock.synchronised);
	lg_json_set_str(c, "kernel_state", lg_clock_sync_state_name(m->clock.state));
	lg_json_set_int(c, "max_error_us", m->clock.maxerror_us);
	lg_json_set_int(c, "offset_ns", m->clock.offset_ns);
}

void policy_meta_json(json_t *doc, const struct lg_report_meta *m)
{
	char t[LG_TIME_MAX], hex[65];
	json_t *d = lg_json_set_object(doc, "document");

	lg_time_format(m->generated_ms, t, sizeof(t));
	lg_json_set_str(d, "generated", t);
	lg_json_set_str(d, "host", m->host);
	lg_json_set_str(d, "software", "linegate");
	lg_json_set_str(d, "version", m->version);
	json_t *c = lg_json_set_object(d, "config");
	lg_json_set_str(c, "path", m->config_path);
	lg_json_set_str(c, "blake2b", lg_hex(m->config_hash, 32, hex));
	json_t *r = lg_json_set_object(d, "region_db");
	lg_json_set_str(r, "path", m->db_path);
	if (m->have_db) {
		lg_time_format((uint64_t)m->db_mtime_ms, t, sizeof(t));
		lg_json_set_str(r, "blake2b", lg_hex(m->db_hash, 32, hex));
		lg_json_set_str(r, "date", t);
	} else {
		lg_json_set(r, "blake2b", json_null());
		lg_json_set(r, "date", json_null());
	}
	json_clock(d, m);
	json_t *s = lg_json_set_object(d, "signature");
	lg_json_set_str(s, "algorithm", "ed25519");
	lg_json_set_str(s, "kind", "detached: linegatectl report --format json -o FILE writes FILE.sig");
	lg_json_set_str(s, "verify", "linegatectl report verify FILE [FILE.sig]");
	if (m->have_key) {
		char id[17];
		policy_key_id(m->public_key, id);
		lg_json_set_str(s, "key_id", id);
		lg_json_set_str(s, "public_key", lg_hex(m->public_key, 32, hex));
	} else {
		lg_json_set(s, "key_id", json_null());
		lg_json_set(s, "public_key", json_null());
	}
}

void policy_meta_text(FILE *to, const struct lg_report_meta *m)
{
	char t[LG_TIME_MAX], hex[65];
	lg_time_format(m->generated_ms, t, sizeof(t));
	fprintf(to, "generated %s on %s by linegate %s; clock %s\n", t, m->host, m->version,
		m->have_clock ? lg_clock_sync_word(&m->clock) : "state unknown");
	fprintf(to, "config %s blake2b %s\n", m->config_path, lg_hex(m->config_hash, 32, hex));
	if (m->have_db) {
		lg_time_format((uint64_t)m->db_mtime_ms, t, sizeof(t));
		fprintf(to, "region database %s blake2b %s dated %s\n", m->db_path,
			lg_hex(m->db_hash, 32, hex), t);
	}
}
