/* jail_async.c: a jail whose answer snapd's event loop waits for, so that long file work (exports) does not stall the other requests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include "files.h"
#include "log.h"

struct jail_async {
	pid_t		 pid;
	int		 rfd;
	struct event	*ev;
	jail_done_fn	 done;
	void		*arg;
};

/* The answer is one write below PIPE_BUF, so readable means all of it is
 * there, or the child died without one (EOF): jail_wait blocks for no
 * more than the child's exit. */
static void
on_answer(evutil_socket_t fd, short what, void *arg)
{
	struct jail_async *j = arg;
	struct jail_out out;
	int r;

	(void)fd;
	(void)what;
	r = jail_wait(j->pid, j->rfd, &out);
	event_free(j->ev);
	j->done(j->arg, r, &out);
	free(j);
}

int
jail_start(struct event_base *base, jail_fn fn, void *arg, const int *keep, int nkeep,
    int filter, jail_done_fn done, void *done_arg, struct snap_err *err)
{
	struct jail_async *j = calloc(1, sizeof(*j));

	_Static_assert(sizeof(struct jail_out) < 4096, "a jail's answer fits PIPE_BUF");
	if (j == NULL)
		return snap_errf(err, -ENOMEM, "a jail: %s", strerror(ENOMEM));
	j->done = done;
	j->arg = done_arg;
	if ((j->pid = jail_fork(fn, arg, keep, nkeep, filter, &j->rfd, err)) < 0) {
		int r = (int)j->pid;

		free(j);
		return r;
	}
	j->ev = event_new(base, j->rfd, EV_READ, on_answer, j);
	if (j->ev == NULL || event_add(j->ev, NULL) < 0) {
		struct jail_out out;

		/* no loop to wait in: wait here, as jail_run does */
		if (j->ev)
			event_free(j->ev);
		log_warn("jail %ld: waiting for it outside the event loop", (long)j->pid);
		done(done_arg, jail_wait(j->pid, j->rfd, &out), &out);
		free(j);
	}
	return 0;
}
