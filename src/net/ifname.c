/* Interface names by index, cached per thread. if_indextoname(3) costs a
 * socket, an ioctl and a close; the loop asks for the ingress of every
 * IKE datagram and the egress of every route lookup, the workers for the
 * ingress of the IKE datagrams they hand over: several times per setup.
 * A name is reused until the link monitor sees any link change (a rename
 * is one) or for at most a second, so a rename it missed is still seen. */
#include <stdatomic.h>
#include <string.h>
#include "linegate/log.h"
#include "dp_internal.h"

enum { IFNAME_SLOTS = 8, IFNAME_MAX_AGE_MS = 1000 };

static _Atomic uint32_t ifname_gen = 1;

struct ifname_slot {
	uint32_t gen;                 /* 0: empty */
	unsigned ifindex;
	uint64_t at_ms;
	char name[IF_NAMESIZE];
};
static _Thread_local struct ifname_slot slots[IFNAME_SLOTS];
static _Thread_local unsigned next_slot;

void dp_ifname_invalidate(void)
{
	atomic_fetch_add(&ifname_gen, 1);
}

bool dp_ifname(unsigned ifindex, char name[IF_NAMESIZE])
{
	uint32_t gen = atomic_load(&ifname_gen);
	uint64_t now = lg_now_ms();
	struct ifname_slot *s;

	for (size_t i = 0; i < IFNAME_SLOTS; i++) {
		s = &slots[i];
		if (s->gen == gen && s->ifindex == ifindex && now - s->at_ms < IFNAME_MAX_AGE_MS) {
			memcpy(name, s->name, IF_NAMESIZE);
			return true;
		}
	}
	if (!ifindex || !if_indextoname(ifindex, name)) {
		name[0] = '\0';
		return false;
	}
	s = &slots[next_slot++ % IFNAME_SLOTS];
	s->gen = gen;
	s->ifindex = ifindex;
	s->at_ms = now;
	memcpy(s->name, name, IF_NAMESIZE);
	return true;
}
