/* Under systemd, audit events go to journald with structured fields
 * (LINEGATE_EVENT=, LINEGATE_PEER=, LINEGATE_REASON=, ...) so that
 * `journalctl LINEGATE_EVENT=ike_sa_down` finds them without parsing text.
 * MESSAGE is the syslog line byte for byte, with the same priority and
 * facility, so journald's forwarding to rsyslog carries what syslog(3) would
 * have. Detected as systemd documents: $JOURNAL_STREAM names the device and
 * inode of our stderr (systemd.exec(5)). Elsewhere, syslog(3) as before. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>
#include "audit_internal.h"

bool audit_journald_detect(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &sb) < 0)
		return false;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

static const char *detail(const struct audit_rec_in *r, const char *key)
{
	for (size_t i = 0; i < r->n_kv; i++)
		if (r->kv[i].key && !strcmp(r->kv[i].key, key))
			return audit_key_is_secret(key) ? NULL : r->kv[i].value;
	return NULL;
}

/* Events whose object is the peer's name (docs/audit-events.md). */
static bool object_is_peer(enum audit_event ev)
{
	const char *n = audit_event_name(ev);
	return !strncmp(n, "ike_", 4) || !strncmp(n, "child_sa_", 9) ||
	       !strcmp(n, "auth_failure") || !strcmp(n, "flow_record");
}

static void add(struct audit_jfields *f, const char *key, const char *value)
{
	if (!value || f->n >= AUDIT_JFIELDS_MAX)
		return;
	int len = snprintf(f->buf[f->n], sizeof(f->buf[f->n]), "%s=%s", key, value);
	if (len < 0)
		return;
	f->iov[f->n].iov_base = f->buf[f->n];
	f->iov[f->n].iov_len = (size_t)len < sizeof(f->buf[f->n]) ? (size_t)len
								   : sizeof(f->buf[f->n]) - 1;
	f->n++;
}

void audit_journald_fields(const struct audit_rec_in *r, int facility, int sev,
			   const char *message, struct audit_jfields *f)
{
	char num[24];

	f->n = 0;
	add(f, "MESSAGE", message);
	snprintf(num, sizeof(num), "%d", sev & 7);
	add(f, "PRIORITY", num);
	snprintf(num, sizeof(num), "%d", facility >> 3);
	add(f, "SYSLOG_FACILITY", num);
	add(f, "SYSLOG_IDENTIFIER", "linegated");
	add(f, "LINEGATE_EVENT", audit_event_name(r->ev));
	add(f, "LINEGATE_OUTCOME", r->outcome == AUDIT_SUCCESS ? "success" : "failure");
	add(f, "LINEGATE_SUBJECT", r->subject);
	add(f, "LINEGATE_OBJECT", r->object);
	add(f, "LINEGATE_PEER", detail(r, "peer") ? detail(r, "peer")
				: object_is_peer(r->ev) ? r->object : NULL);
	add(f, "LINEGATE_REASON", detail(r, "reason"));
	if (r->seq) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)r->seq);
		add(f, "LINEGATE_SEQ", num);
	}
}

int audit_journald_send(const struct audit_jfields *f)
{
	return sd_journal_sendv(f->iov, (int)f->n);
}
