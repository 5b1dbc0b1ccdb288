/* The facts a compliance document states about itself (report_meta.h):
 * host, time, software, the configuration's and region database's hashes,
 * the clock's NTP state, the audit public key and, when asked, the
 * journal's verified state. Lives in audit/ because the journal and its key
 * are audit's; reads files, decides nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/config.h"
#include "linegate/log.h"
#include "linegate/report_meta.h"
#include "audit_internal.h"

/* BLAKE2b-256 of a file, streamed (a region database may be 128 MiB). */
static int file_blake2b(const char *path, uint8_t out[32], int64_t *mtime_ms)
{
	crypto_generichash_state st;
	uint8_t buf[65536];
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	int rc = fstat(fd, &sb) || !S_ISREG(sb.st_mode) ? -EINVAL : 0;
	crypto_generichash_init(&st, NULL, 0, 32);
	while (rc == 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		crypto_generichash_update(&st, buf, (size_t)n);
	}
	close(fd);
	if (rc == 0) {
		crypto_generichash_final(&st, out, 32);
		*mtime_ms = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
	}
	return rc;
}

static void journal_state(const struct conf_audit *a, const uint8_t *pk, struct lg_report_journal *j)
{
	struct audit_verifier *v = malloc(sizeof(*v));
	j->retention_days = a->retention_days;
	if (!v) {
		snprintf(j->error, sizeof(j->error), "out of memory");
		return;
	}
	audit_verify_init(v);
	if (pk) {
		v->have_trusted = true;
		memcpy(v->trusted, pk, 32);
	}
	int rc = audit_verify_dir(v, a->journal_dir, INT64_MIN, INT64_MAX);
	if (rc) {
		snprintf(j->error, sizeof(j->error), "%.200s: %.40s", a->journal_dir, strerror(-rc));
		free(v);
		return;
	}
	audit_verify_finish(v);
	j->read = true;
	j->ok = v->faults == 0;
	j->files = v->files;
	j->records = v->records;
	j->checkpoints = v->checkpoints;
	j->faults = v->faults;
	j->unsigned_records = v->unsigned_records;
	j->first_seq = v->started ? v->first_seq : 0;
	j->last_seq = v->last_seq;
	j->first_ms = v->first_ms;
	j->last_ms = v->last_ms;
	j->have_head = v->head_err == 0;
	j->head_seq = v->signed_head.seq;
	free(v);
}

void audit_report_facts(const struct config *cfg, bool with_journal, struct lg_report_meta *m)
{
	char pub[CONF_PATH_MAX + 16];

	memset(m, 0, sizeof(*m));
	m->generated_ms = lg_wall_ms();
	if (gethostname(m->host, sizeof(m->host) - 1))
		snprintf(m->host, sizeof(m->host), "localhost");
	snprintf(m->version, sizeof(m->version), "%s", LINEGATE_VERSION);
	memcpy(m->config_hash, cfg->hash, sizeof(m->config_hash));
	snprintf(m->config_path, sizeof(m->config_path), "%s", cfg->path);
	if (cfg->compliance.region_db[0]) {
		snprintf(m->db_path, sizeof(m->db_path), "%s", cfg->compliance.region_db);
		m->have_db = file_blake2b(cfg->compliance.region_db, m->db_hash, &m->db_mtime_ms) == 0;
	}
	m->have_clock = lg_clock_sync_read(&m->clock) == 0;
	snprintf(pub, sizeof(pub), "%s/%s", cfg->audit.journal_dir, AUDIT_PUB_FILE);
	m->have_key = audit_pubkey_read(pub, m->public_key) == 0;
	if (with_journal)
		journal_state(&cfg->audit, m->have_key ? m->public_key : NULL, &m->journal);
}
