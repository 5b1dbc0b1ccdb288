/* The event catalogue: stable names and syslog severities. The names are the
 * contract with log pipelines and assessors (docs/audit-events.md): never
 * rename one, only add. */
#include <string.h>
#include <syslog.h>
#include "audit_internal.h"

static const struct {
	const char *name;
	int sev_ok;      /* severity on success */
	int sev_fail;    /* severity on failure */
} catalogue[AUDIT_EVENT_COUNT] = {
	[AUDIT_DAEMON_START]           = { "daemon_start", LOG_NOTICE, LOG_ERR },
	[AUDIT_DAEMON_STOP]            = { "daemon_stop", LOG_NOTICE, LOG_ERR },
	[AUDIT_CONFIG_LOADED]          = { "config_loaded", LOG_NOTICE, LOG_ERR },
	[AUDIT_CONFIG_RELOADED]        = { "config_reloaded", LOG_NOTICE, LOG_ERR },
	[AUDIT_CONFIG_REFUSED]         = { "config_refused", LOG_ERR, LOG_ERR },
	[AUDIT_IKE_SA_UP]              = { "ike_sa_up", LOG_INFO, LOG_WARNING },
	[AUDIT_IKE_SA_DOWN]            = { "ike_sa_down", LOG_INFO, LOG_WARNING },
	[AUDIT_IKE_SA_REKEYED]         = { "ike_sa_rekeyed", LOG_INFO, LOG_WARNING },
	[AUDIT_CHILD_SA_UP]            = { "child_sa_up", LOG_INFO, LOG_WARNING },
	[AUDIT_CHILD_SA_DOWN]          = { "child_sa_down", LOG_INFO, LOG_WARNING },
	[AUDIT_CHILD_SA_REKEYED]       = { "child_sa_rekeyed", LOG_INFO, LOG_WARNING },
	[AUDIT_AUTH_SUCCESS]           = { "auth_success", LOG_NOTICE, LOG_WARNING },
	[AUDIT_AUTH_FAILURE]           = { "auth_failure", LOG_WARNING, LOG_WARNING },
	[AUDIT_IKE_EXCHANGE_FAILED]    = { "ike_exchange_failed", LOG_WARNING, LOG_WARNING },
	[AUDIT_COMPLIANCE_REFUSED]     = { "compliance_refused", LOG_WARNING, LOG_WARNING },
	[AUDIT_REGION_MISMATCH]        = { "region_mismatch", LOG_WARNING, LOG_WARNING },
	[AUDIT_UPLINK_UP]              = { "uplink_up", LOG_NOTICE, LOG_WARNING },
	[AUDIT_UPLINK_DOWN]            = { "uplink_down", LOG_WARNING, LOG_WARNING },
	[AUDIT_PACKETS_DROPPED]        = { "packets_dropped", LOG_NOTICE, LOG_WARNING },
	[AUDIT_ESP_INTEGRITY]          = { "esp_integrity", LOG_WARNING, LOG_WARNING },
	[AUDIT_DOS_DEFENCE]            = { "dos_defence", LOG_WARNING, LOG_WARNING },
	[AUDIT_ADMIN_ACTION]           = { "admin_action", LOG_NOTICE, LOG_WARNING },
	[AUDIT_AUDIT_FAULT]            = { "audit_fault", LOG_NOTICE, LOG_ALERT },
	[AUDIT_AUDIT_GAP]              = { "audit_gap", LOG_ERR, LOG_ERR },
	[AUDIT_AUDIT_RETENTION_DELETE] = { "audit_retention_delete", LOG_NOTICE, LOG_ERR },
	[AUDIT_AUDIT_KEY_CREATED]      = { "audit_key_created", LOG_NOTICE, LOG_ERR },
	[AUDIT_FLOW_RECORD]            = { "flow_record", LOG_INFO, LOG_INFO },
	[AUDIT_LAB_STATIC_SA]          = { "lab_static_sa", LOG_WARNING, LOG_WARNING },
	[AUDIT_AUDIT_OPEN]             = { "audit_open", LOG_NOTICE, LOG_CRIT },
	[AUDIT_AUDIT_CHECKPOINT]       = { "audit_checkpoint", LOG_INFO, LOG_CRIT },
	[AUDIT_ICP_UNRECORDED_LISTENER] = { "icp_unrecorded_listener", LOG_NOTICE, LOG_WARNING },
	[AUDIT_CLOCK_SYNC]             = { "clock_sync", LOG_NOTICE, LOG_WARNING },
};

const char *audit_event_name(enum audit_event ev)
{
	if ((unsigned)ev >= AUDIT_EVENT_COUNT || !catalogue[ev].name)
		return "unknown";
	return catalogue[ev].name;
}

int audit_event_severity(enum audit_event ev, enum audit_outcome outcome)
{
	if ((unsigned)ev >= AUDIT_EVENT_COUNT || !catalogue[ev].name)
		return LOG_WARNING;
	return outcome == AUDIT_SUCCESS ? catalogue[ev].sev_ok : catalogue[ev].sev_fail;
}

bool audit_event_parse(const char *name, enum audit_event *ev)
{
	for (int i = 0; i < AUDIT_EVENT_COUNT; i++) {
		if (catalogue[i].name && strcmp(catalogue[i].name, name) == 0) {
			*ev = (enum audit_event)i;
			return true;
		}
	}
	return false;
}
