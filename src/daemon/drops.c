/* Every drop counter the daemon has, one layer at a time: the ESP verdicts
 * (esp, verdict 0 is "ok" and not a drop), the packet engine's own
 * (datapath) and the refused IKE datagrams (ike). One walk serves status
 * (text and JSON) and metrics, so they never disagree on what exists. */
#include "linegate/datapath.h"
#include "linegate/esp.h"
#include "linegate/ike.h"
#include "daemon.h"

static const char *const layer_names[DAEMON_DROP_LAYERS] = {
	[DAEMON_DROP_ESP] = "esp",
	[DAEMON_DROP_DATAPATH] = "datapath",
	[DAEMON_DROP_IKE] = "ike",
};

const char *daemon_drop_layer_name(enum daemon_drop_layer layer)
{
	return (unsigned)layer < DAEMON_DROP_LAYERS ? layer_names[layer] : "?";
}

void daemon_drops_walk(struct daemon *d, enum daemon_drop_layer layer, daemon_drop_fn fn, void *ctx)
{
	uint64_t esp[ESP_VERDICT_COUNT] = { 0 }, dp[DATAPATH_DROP_COUNT] = { 0 };
	const char *name[IKE_DROP_NAMES_MAX];
	uint64_t ike[IKE_DROP_NAMES_MAX];
	size_t k;

	switch (layer) {
	case DAEMON_DROP_ESP:
		esp_table_drops(d->esp, esp);
		for (int i = 1; i < ESP_VERDICT_COUNT; i++)
			fn(ctx, layer, esp_verdict_name(i), esp[i]);
		break;
	case DAEMON_DROP_DATAPATH:
		datapath_get_drops(d->dp, dp);
		for (int i = 0; i < DATAPATH_DROP_COUNT; i++)
			fn(ctx, layer, datapath_drop_name(i), dp[i]);
		break;
	case DAEMON_DROP_IKE:
		k = ike_get_drops(d->ike, name, ike, IKE_DROP_NAMES_MAX);
		for (size_t i = 0; i < k && i < IKE_DROP_NAMES_MAX; i++)
			fn(ctx, layer, name[i], ike[i]);
		break;
	default:
		break;
	}
}
