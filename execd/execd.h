/* execd.h: kiln-execd's shared declarations. */
#ifndef KILN_EXECD_H
#define KILN_EXECD_H

#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include "helper.h"

extern const int execd_syscalls[];
extern const size_t execd_nsyscalls;

enum exec_net { EXEC_NET_DEFAULT = 0, EXEC_NET_NONE, EXEC_NET_HOST };
enum exec_mnt { EXEC_MNT_BIND = 0, EXEC_MNT_CACHE, EXEC_MNT_TMPFS, EXEC_MNT_SECRET };

#define EXEC_MAX_MOUNTS		64
#define EXEC_MAX_HOSTS		256
#define EXEC_SECRET_MAX		(500 * 1024)	/* BuildKit's bound on a secret */
#define EXEC_FD_OUT		0		/* in the frame's fds */
#define EXEC_FD_ERR		1

/* One mount the step asked for (EXEC_RUN's mount array). */
struct exec_mount {
	int	 type;		/* enum exec_mnt */
	char	*target, *source;
	int	 readonly;
	uint64_t size;
	int64_t	 uid, gid, mode;	/* -1: not given */
	int	 fd;		/* index into the frame's fds; -1: none */
};

/* One step, as EXEC_RUN describes it (spec.c). Strings are malloc'd. */
struct exec_spec {
	char	*rootfs;
	char	**argv;		/* NULL-terminated, at least one word */
	char	**env;		/* NULL-terminated */
	char	*cwd;
	char	*user;		/* "" (root), NAME, UID, NAME:GROUP, UID:GID */
	int	 network;	/* enum exec_net */
	struct exec_mount *mounts;
	size_t	 nmounts;
	int	 insecure;
	char	*hostname;	/* never empty once parsed */
	char	**hosts;	/* "NAME ADDR", checked */
	int	 nfds;		/* the frame carries exactly this many */
};

int exec_spec_parse(const msgpack_object *body, struct exec_spec *spec,
    char *why, size_t whysize);
void exec_spec_free(struct exec_spec *spec);

/* An error of the step's setup before exec, sent up the sync pipe
 * (STYLE rule 19) and turned into the ERROR reply. */
struct exec_fail {
	int	err;
	char	what[480];
};

/* kiln-execd's options, given by kilnd (main.c); the spawner inherits
 * them with its fork. */
struct execd_opts {
	int	no_process_sandbox;	/* steps share kiln's pid namespace */
	int	allow_insecure;		/* security.insecure is allowed */
};
extern struct execd_opts execd_opts;

/* The step's identity (user.c). */
#define EXEC_MAX_GROUPS	256
struct exec_ids {
	uid_t	uid;
	gid_t	gid;
	gid_t	groups[EXEC_MAX_GROUPS];
	size_t	ngroups;
	char	home[256];		/* "" when passwd names none */
};

/* Mount points the step's setup had to create in the rootfs, in order,
 * so that the spawner removes them again after the step and they never
 * reach a layer (stubs.c). It lives in memory shared between the
 * spawner and the cloned child, until the child's execve. */
#define EXEC_MAX_STUBS	128
struct exec_stub {
	char	path[PATH_MAX];		/* in the rootfs, absolute */
	int	dir;
	struct timespec	parent_before[2];	/* atime, mtime */
	struct timespec	parent_after;		/* mtime once made */
};
struct exec_stubs {
	int			n;
	struct exec_stub	s[EXEC_MAX_STUBS];
};

/* What the spawner hands the cloned child. fds[] are the frame's,
 * except that a bind of an fd is already a detached mount tree there. */
struct exec_child {
	const struct exec_spec	*spec;
	const int		*fds;
	int			 sync_fd;
	struct exec_stubs	*stubs;
};

/* run.c: EXEC_RUN and EXEC_CANCEL from solverd, relayed to the spawner */
int run_on_exec(struct ipc_peer *p, struct ipc_msg *m);
int run_on_cancel(struct ipc_peer *p, struct ipc_msg *m);
/* Attaches execd's end of the spawner socket. */
int run_attach_spawner(struct helper *h, int fd);
void run_peer_up(struct helper *h, enum kiln_proc who);

/* spawner.c: the pre-seccomp process that clones the steps */
int spawner_start(int *execd_end);

/* container.c: in the cloned child; never returns */
void container_child(const struct exec_child *c) __attribute__((noreturn));
unsigned long container_clone_flags(const struct exec_spec *spec);

/* mounts.c: the step's root, /proc, /dev, /sys, masked and read-only paths */
int mounts_setup(const struct exec_child *c, int *rootfd, struct exec_fail *f);
int mounts_pivot(const char *rootfs, struct exec_fail *f);

/* stepmounts.c: the mounts the step asked for, after mounts_setup */
int stepmounts_apply(const struct exec_child *c, int rootfd, struct exec_fail *f);
/* in the spawner: a bind of an fd becomes a detached tree (0 or -errno) */
int stepmounts_open_trees(const struct exec_spec *spec, int *fds, char *why,
    size_t size);

/* files.c: the step's private tmpfs: /etc/hosts, /etc/resolv.conf,
 * /etc/hostname and secrets, bind-mounted so none lands in a layer */
int files_open(struct exec_fail *f);
int files_etc(int fs, const struct exec_child *c, int rootfd, struct exec_fail *f);
int files_secret(int fs, const struct exec_mount *mt, int content_fd, int tfd,
    int n, struct exec_fail *f);

/* stubs.c: mount points created in the rootfs, and their removal */
int stubs_open(int rootfd, const char *path, int dir, struct exec_stubs *st,
    struct exec_fail *f);
void stubs_remove(const char *rootfs, const struct exec_stubs *st);
/* openat2 with RESOLVE_IN_ROOT: symlinks of the image stay in the image */
int stubs_open_in_root(int rootfd, const char *path, int flags);

/* user.c */
int user_lookup(const char *spec, const char *passwd, const char *group,
    struct exec_ids *ids, char *why, size_t size);
int user_resolve(const char *spec, struct exec_ids *ids, struct exec_fail *f);

/* caps.c: the steps' default capability set and the user switch */
extern const cap_value_t caps_step_default[];
extern const size_t caps_step_ndefault;
int caps_step_apply(const struct exec_ids *ids, int insecure, struct exec_fail *f);

/* profile.c: the steps' default seccomp profile (Docker's, as an allowlist) */
int profile_step_load(struct exec_fail *f);
/* in the spawner, once: the profile compiled for every step to load */
int profile_step_prepare(void);
/* the spawner's: the profile plus the steps' setup calls, EPERM else */
int profile_spawner_load(struct exec_fail *f);

/* Fills f and returns -err (for "goto out" chains in the child). */
int exec_fail_set(struct exec_fail *f, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
