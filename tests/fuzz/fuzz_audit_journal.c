/* Fuzzes the journal line parser and the verifier: the input is a journal
 * file (lines split at '\n', a partial last line), fed to the streaming
 * verifier exactly as `linegatectl audit verify` reads a file; every line is
 * also parsed alone and a record that parses must survive a re-format. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "audit_internal.h"

static struct audit_verifier v;
static struct audit_record rec;

static struct audit_record back;
static char out[AUDIT_LINE_MAX];

static void check_line(const char *line, size_t len)
{
	enum audit_event ev;
	if (audit_record_parse(line, len, &rec) == -EINVAL || !audit_event_parse(rec.event, &ev) ||
	    rec.ts_ms < 0)
		return;
	/* what the parser accepted, the writer can write and the parser read back */
	struct audit_kv kv[AUDIT_MAX_DETAILS];
	for (size_t i = 0; i < rec.n_details; i++)
		kv[i] = (struct audit_kv){ rec.dkey[i], rec.dval[i] };
	struct audit_rec_in in = {
		.seq = rec.seq, .prev = rec.prev, .wall_ms = (uint64_t)rec.ts_ms, .host = rec.host,
		.subject = rec.subject, .object = rec.object, .ev = ev,
		.outcome = strcmp(rec.outcome, "success") ? AUDIT_FAILURE : AUDIT_SUCCESS,
		.kv = kv, .n_kv = rec.n_details,
	};
	uint8_t h[AUDIT_HASH_LEN];
	int n = audit_format_json(&in, out, sizeof(out), h);
	if (n <= 0 || out[n - 1] != '\n')
		abort();
	if (audit_record_parse(out, (size_t)n - 1, &back) != 0 || back.seq != rec.seq ||
	    strcmp(back.event, rec.event) || memcmp(back.prev, rec.prev, AUDIT_HASH_LEN) ||
	    memcmp(back.hash, h, AUDIT_HASH_LEN))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	audit_verify_init(&v);
	/* half the inputs run against a fixed trusted key */
	if (size && (data[0] & 1)) {
		v.have_trusted = true;
		memset(v.trusted, 0x42, sizeof(v.trusted));
	}
	audit_verify_begin_file(&v, "audit-2026-11-28.jsonl");
	size_t start = 0;
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != '\n')
			continue;
		size_t len = i - start;
		if (len > AUDIT_LINE_MAX)
			len = AUDIT_LINE_MAX;
		check_line(buf + start, len);
		audit_verify_line(&v, buf + start, len);
		start = i + 1;
	}
	audit_verify_end_file(&v, size - start);
	audit_verify_finish(&v);
	free(buf);
	return 0;
}
