/* execd.h: kiln-execd's shared declarations. */
#ifndef KILN_EXECD_H
#define KILN_EXECD_H

#include <sys/types.h>
#include "helper.h"

extern const int execd_syscalls[];
extern const size_t execd_nsyscalls;

/* One step, as EXEC_RUN describes it (spec.c). Strings are malloc'd. */
struct exec_spec {
	char	*rootfs;
	char	**argv;		/* NULL-terminated, at least one word */
	char	**env;		/* NULL-terminated */
	char	*cwd;
	uid_t	 uid;
	gid_t	 gid;
	int	 network_none;
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

/* run.c: EXEC_RUN and EXEC_CANCEL from solverd, relayed to the spawner */
int run_on_exec(struct ipc_peer *p, struct ipc_msg *m);
int run_on_cancel(struct ipc_peer *p, struct ipc_msg *m);
/* Attaches execd's end of the spawner socket. */
int run_attach_spawner(struct helper *h, int fd);
void run_peer_up(struct helper *h, enum kiln_proc who);

/* spawner.c: the pre-seccomp process that clones the steps */
int spawner_start(int *execd_end);

/* container.c: in the cloned child; never returns */
void container_child(const struct exec_spec *spec, int out_fd, int err_fd,
    int sync_fd) __attribute__((noreturn));
unsigned long container_clone_flags(const struct exec_spec *spec);

/* mounts.c: the step's root, /proc, /dev, /sys, masked and read-only paths */
int mounts_setup(const char *rootfs, struct exec_fail *f);
int mounts_pivot(const char *rootfs, struct exec_fail *f);

/* caps.c: the steps' default capability set and the user switch */
extern const cap_value_t caps_step_default[];
extern const size_t caps_step_ndefault;
int caps_step_apply(uid_t uid, gid_t gid, struct exec_fail *f);

/* profile.c: the steps' default seccomp profile (Docker's, as an allowlist) */
int profile_step_load(struct exec_fail *f);

/* Fills f and returns -err (for "goto out" chains in the child). */
int exec_fail_set(struct exec_fail *f, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
