/* Has anything happened at the live journal file's path since the last
 * look? The liveness check before every record (journal_check_live: the
 * open file is still the one at its path) costs an fstat and a path walk;
 * an inotify watch on the directory (names created, moved in or out,
 * deleted) and on the file itself (moved, deleted, link count or mode
 * changed) answers "nothing" with one read(2) that finds no event. Any
 * event, a queue overflow, an error, a watch just armed or no watch at
 * all (inotify unavailable) answer "look": the full check runs, so the
 * check is never weaker than the stat before every record. */
#include <errno.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>
#include "audit_internal.h"

enum {
	DIR_EVENTS = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF |
		     IN_MOVE_SELF,
	/* a hard link made elsewhere and the path unlinked: only IN_ATTRIB (the
	 * link count) on the file, IN_DELETE on the directory */
	FILE_EVENTS = IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF,
};

/* Watches the inode behind an open descriptor (not whatever a name points
 * at by now: /proc/self/fd resolves to the descriptor's own file). */
static int watch_fd(int ino, int fd, uint32_t mask)
{
	char p[40];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return inotify_add_watch(ino, p, mask);
}

void journal_watch_arm(struct journal_watch *w, int dirfd, int fd)
{
	journal_watch_close(w);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return;
	if (watch_fd(w->fd, dirfd, DIR_EVENTS) < 0 || watch_fd(w->fd, fd, FILE_EVENTS) < 0) {
		journal_watch_close(w);
		return;
	}
	w->fresh = true;   /* what happened before the watches is unknown */
}

bool journal_watch_quiet(struct journal_watch *w)
{
	/* room for a few events with names; aligned as the kernel writes them */
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool quiet = !w->fresh;
	ssize_t r;
	if (w->fd < 0)
		return false;
	w->fresh = false;
	while ((r = read(w->fd, buf, sizeof(buf))) > 0)
		quiet = false;     /* drained: every event so far is covered by this check */
	if (r < 0 && errno != EAGAIN) {
		journal_watch_close(w);   /* cannot tell any more: stat every record */
		return false;
	}
	return quiet;
}

void journal_watch_close(struct journal_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->fresh = false;
}
