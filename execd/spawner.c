/* spawner.c: execd's pre-seccomp child that clones every step, reaps it and kills it on cancel. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <event2/event.h>
#include "execd.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"

/*
 * Why a spawner. Seccomp filters are inherited across fork and execve
 * and can only be added to, and where two filters disagree the harsher
 * action wins: a step forked by execd after its lockdown would carry
 * execd's filter, whose default is SIGSYS, under the step profile, whose
 * default is EPERM. Every syscall the image's programs make outside
 * execd's short list would then kill them instead of failing with EPERM
 * (unshare, keyctl ...), and execd's list would have to grow by mount,
 * pivot_root, clone with namespace flags, sethostname and the rest.
 * So execd forks this process in its setup, before it drops its
 * capabilities and loads its filter. The spawner keeps only the
 * capabilities the steps' setup needs, talks to nobody but execd over a
 * socketpair, and loads a filter of its own that every step inherits:
 * the step profile plus the setup calls (profile.c), EPERM for the rest,
 * so that under both a step sees the step profile alone. execd proper
 * then needs no capability and nothing beyond the base policy
 * (policy.c).
 */

/* namespaces, mounts, pivot_root, lo up; then the steps' own set */
static const cap_value_t spawner_caps[] = {
	CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_CHROOT, CAP_SETUID, CAP_SETGID,
	CAP_SETPCAP, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID,
	CAP_KILL, CAP_MKNOD, CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_SETFCAP,
	CAP_AUDIT_WRITE,
};

struct step {
	struct step	*next;
	uint32_t	 tag;		/* execd's request id */
	pid_t		 pid;		/* the step's pid 1 */
	int		 cancelled;
	char		*rootfs;
	struct exec_stubs *stubs;	/* shared with the child until its exec */
	struct timespec	 t_run;		/* EXEC_RUN came */
	double		 setup_us;	/* EXEC_RUN to execve */
	int		 sync_fd;	/* until its execve or failure: -1 after */
	struct event	*sync_ev;
	int		 failed;	/* its setup failed: answered, no exit */
	struct spawner	*sp;
};

static double
us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e6 + (double)(t.tv_nsec - t0->tv_nsec) / 1e3;
}

struct spawner {
	struct event_base	*base;
	struct ipc_peer		*peer;
	struct step		*steps;
};

static struct step *
step_find(struct spawner *sp, uint32_t tag, pid_t pid)
{
	for (struct step *s = sp->steps; s; s = s->next)
		if ((tag && s->tag == tag) || (pid && s->pid == pid))
			return s;
	return NULL;
}

static struct exec_stubs *
stubs_new(void)
{
	void *m = mmap(NULL, sizeof(struct exec_stubs), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

static void
sync_close(struct step *s)
{
	if (s->sync_ev)
		event_free(s->sync_ev);
	s->sync_ev = NULL;
	if (s->sync_fd >= 0)
		close(s->sync_fd);
	s->sync_fd = -1;
}

/* Its mount points go, now that no process of the step can hold them. */
static void
step_free(struct step *s)
{
	sync_close(s);
	if (s->stubs) {
		stubs_remove(s->rootfs, s->stubs);
		munmap(s->stubs, sizeof(*s->stubs));
	}
	free(s->rootfs);
	free(s);
}

static void
step_remove(struct spawner *sp, struct step *dead)
{
	for (struct step **pp = &sp->steps; *pp; pp = &(*pp)->next)
		if (*pp == dead) {
			*pp = dead->next;
			step_free(dead);
			return;
		}
}

/* The step's pid 1 takes its namespace with it; without the process
 * sandbox only its process group can be reached. */
static void
step_kill(const struct step *s)
{
	if (execd_opts.no_process_sandbox)
		kill(-s->pid, SIGKILL);
	kill(s->pid, SIGKILL);
}

static void
send_exit(struct spawner *sp, struct step *s, int status)
{
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	struct ipc_wr w;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	msgpack_pack_int64(&w.pk, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	msgpack_pack_int64(&w.pk, sig);
	ipc_wr_str(&w, s->cancelled ? "cancelled" : "");
	ipc_send(sp->peer, IPC_EXEC_EXIT, s->tag, &w, NULL, 0);
	ipc_wr_free(&w);
}

static void step_synced(struct step *s);

/* pid 1 of a step is reaped only once its namespace is empty: the kernel
 * kills and waits for the rest when it dies. */
static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct spawner *sp = arg;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct step *s = step_find(sp, 0, pid);

		if (s == NULL)
			continue;
		/* its execve (or failure) is told before its exit */
		if (s->sync_fd >= 0)
			step_synced(s);
		/* what it left in its process group goes with it */
		if (execd_opts.no_process_sandbox)
			kill(-pid, SIGKILL);
		/* its mount points go before the exit is told: the solver
		 * commits the snapshot as soon as it hears it */
		if (s->stubs) {
			stubs_remove(s->rootfs, s->stubs);
			s->stubs->n = 0;
		}
		if (sp->peer && !s->failed)
			send_exit(sp, s, status);
		/* bench/exec-step.sh reads these */
		log_debug("step %u: setup %.0f us, reaped %.0f us after EXEC_RUN",
		    s->tag, s->setup_us, us_since(&s->t_run));
		step_remove(sp, s);
	}
}

static int
send_started(struct spawner *sp, uint32_t tag, pid_t pid)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 1);
	msgpack_pack_int64(&w.pk, pid);
	r = ipc_send(sp->peer, IPC_EXEC_STARTED, tag, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

static const char *
clone_advice(int err)
{
	if (err == ENOSPC)
		return " (a namespace limit was reached: see the sysctls "
		    "user.max_pid_namespaces, user.max_mnt_namespaces, "
		    "user.max_uts_namespaces, user.max_ipc_namespaces and "
		    "user.max_net_namespaces)";
	return "";
}

/* The sync pipe said it: EOF at the step's execve, or its setup's
 * failure (then the child exits and SIGCHLD reaps it, untold). Read when
 * it is readable, or in on_sigchld once the child is gone: never waits,
 * so steps are set up side by side. */
static void
step_synced(struct step *s)
{
	struct spawner *sp = s->sp;
	struct exec_fail f;
	ssize_t n;

	do
		n = read(s->sync_fd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	sync_close(s);
	if (n != (ssize_t)sizeof(f)) {
		s->setup_us = us_since(&s->t_run);
		if (sp->peer)
			send_started(sp, s->tag, s->pid);
		return;
	}
	s->failed = 1;
	f.what[sizeof(f.what) - 1] = '\0';
	if (sp->peer)
		ipc_reply_error(sp->peer, s->tag, f.err, "step setup failed: %s: %s",
		    f.what, strerror(f.err));
}

static void
on_sync(evutil_socket_t fd, short what, void *arg)
{
	step_synced(arg);
}

/* The step's struct before the clone: what its end needs. */
static struct step *
step_new(const struct exec_spec *spec, uint32_t tag)
{
	struct step *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->tag = tag;
	s->sync_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &s->t_run);
	s->rootfs = strdup(spec->rootfs);
	s->stubs = stubs_new();
	if (s->rootfs == NULL || s->stubs == NULL) {
		if (s->stubs)
			munmap(s->stubs, sizeof(*s->stubs));
		s->stubs = NULL;
		step_free(s);
		return NULL;
	}
	return s;
}

static int
start_step(struct spawner *sp, struct ipc_msg *m, const struct exec_spec *spec)
{
	unsigned long flags = container_clone_flags(spec);
	struct exec_child c = { spec, m->fds, -1, NULL };
	struct step *s;
	int sync[2];
	pid_t pid;

	s = step_new(spec, m->hdr.id);
	if (s == NULL || pipe2(sync, O_CLOEXEC) < 0) {
		int e = s ? errno : ENOMEM;

		if (s)
			step_free(s);
		return ipc_reply_error(sp->peer, m->hdr.id, e, "preparing the step: %s",
		    strerror(e));
	}
	c.sync_fd = sync[1];
	c.stubs = s->stubs;
	/* a raw clone: fork-like, with the namespaces of the step */
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(sync[0]);
		container_child(&c);
	}
	close(sync[1]);
	if (pid < 0) {
		int e = errno;

		close(sync[0]);
		step_free(s);
		return ipc_reply_error(sp->peer, m->hdr.id, e, "clone of the step's "
		    "namespaces: %s%s", strerror(e), clone_advice(e));
	}
	s->pid = pid;
	s->sp = sp;
	s->sync_fd = sync[0];
	s->next = sp->steps;
	sp->steps = s;
	s->sync_ev = event_new(sp->base, sync[0], EV_READ, on_sync, s);
	if (s->sync_ev == NULL || event_add(s->sync_ev, NULL) < 0)
		step_synced(s);	/* out of memory: wait for it here, as before */
	return 0;
}

static int
on_run(struct ipc_peer *p, struct ipc_msg *m)
{
	struct spawner *sp = ipc_peer_ctx(p);
	struct exec_spec spec;
	char why[256];
	int r;

	r = exec_spec_parse(&m->body, &spec, why, sizeof(why));
	if (r < 0)
		return ipc_reply_error(p, m->hdr.id, -r, "%s", why);
	if (m->nfds != spec.nfds) {
		r = ipc_reply_error(p, m->hdr.id, EINVAL, "%d fds for %d", m->nfds,
		    spec.nfds);
		goto out;
	}
	if ((r = stepmounts_open_trees(&spec, m->fds, why, sizeof(why))) < 0) {
		r = ipc_reply_error(p, m->hdr.id, -r, "%s: %s", why, strerror(-r));
		goto out;
	}
	r = start_step(sp, m, &spec);
out:
	exec_spec_free(&spec);
	return r;
}

static int
on_cancel(struct ipc_peer *p, struct ipc_msg *m)
{
	struct spawner *sp = ipc_peer_ctx(p);
	struct ipc_rd rd;
	struct step *s;
	uint64_t tag;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_u64(&rd, &tag) < 0 ||
	    ipc_rd_end(&rd) < 0)
		return -EBADMSG;
	s = step_find(sp, (uint32_t)tag, 0);
	/* not found: it ended already and its EXEC_EXIT is on its way */
	if (s == NULL || tag == 0)
		return 0;
	/* pid 1 of the namespace: the kernel kills the rest with it */
	s->cancelled = 1;
	step_kill(s);
	return 0;
}

static const struct ipc_handler from_execd[] = {
	{ IPC_EXEC_RUN, on_run },
	{ IPC_EXEC_CANCEL, on_cancel },
	IPC_HANDLERS_END
};

/* execd is gone: so are its steps, and so is the spawner. */
static void
on_execd_closed(struct ipc_peer *p, void *arg)
{
	struct spawner *sp = arg;

	sp->peer = NULL;
	for (struct step *s = sp->steps; s; s = s->next)
		step_kill(s);
	event_base_loopexit(sp->base, NULL);
}

static void __attribute__((noreturn))
spawner_main(int fd, pid_t parent)
{
	static struct spawner sp;
	struct exec_fail f;
	struct event *ev;
	int r;

	/* bubblewrap's order: set the death signal, then check the parent */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "execd-spawner", 0, 0, 0);
	/* kilnd's control channel is execd's alone */
	close(HELPER_CONTROL_FD);
	/* execd's event base shares its epoll instance with execd: never
	 * touch it here */
	sp.base = event_base_new();
	/* security.insecure steps keep every capability: only then does the
	 * spawner keep them all to hand down */
	if (sp.base == NULL || (!execd_opts.allow_insecure &&
	    sandbox_caps_limit(spawner_caps, ARRAY_SIZE(spawner_caps)) < 0))
		_exit(1);
	sp.peer = ipc_peer_new(sp.base, fd, PROC_EXECD, from_execd, &sp);
	ev = evsignal_new(sp.base, SIGCHLD, on_sigchld, &sp);
	if (sp.peer == NULL || ev == NULL || event_add(ev, NULL) < 0)
		_exit(1);
	ipc_peer_set_close_cb(sp.peer, on_execd_closed, &sp);
	/* last before the loop: every step inherits it, so it is the step
	 * profile plus what setting a step up needs; a step allowed to be
	 * insecure must inherit none, so then there is none */
	if ((r = profile_step_prepare()) < 0) {
		log_error("execd-spawner: compiling the step profile: %s", strerror(-r));
		_exit(1);
	}
	if (!execd_opts.allow_insecure && profile_spawner_load(&f) < 0) {
		log_error("execd-spawner: %s: %s", f.what, strerror(f.err));
		_exit(1);
	}
	event_base_dispatch(sp.base);
	/* steps killed; their reaping is the kernel's once we are gone */
	_exit(0);
}

int
spawner_start(int *execd_end)
{
	pid_t parent = getpid(), pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		spawner_main(sv[1], parent);
	}
	close(sv[1]);
	*execd_end = sv[0];
	log_debug("step spawner is pid %ld", (long)pid);
	return 0;
}
