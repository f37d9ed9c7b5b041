/* kilnd.h: the supervisor's state, shared by its files. */
#ifndef KILN_KILND_H
#define KILN_KILND_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include "ipc.h"
#include "notify.h"

#define KILND_MAX_COPY_UP	16
#define KILND_MAX_REGISTRIES	16
#define KILND_MAX_RANGES	8
#define KILND_RESTART_WINDOW_MS	30000
#define KILND_RESTART_LIMIT	5	/* more than this in the window: give up */
#define KILND_SETUP_TIMEOUT_MS	5000
#define KILND_STOP_TIMEOUT_MS	5000

enum net_mode { NET_AUTO = 0, NET_HOST, NET_SLIRP4NETNS };

struct kilnd_config {
	char	addr[PATH_MAX];		/* API socket path */
	char	config_file[PATH_MAX];
	char	helper_dir[PATH_MAX];
	int	net_mode;
	int	disable_host_loopback;	/* -1: mode's default */
	int	mtu;
	char	*copy_up[KILND_MAX_COPY_UP];
	int	ncopy_up;
	int	log_level, log_target;
	int	seccomp_mode;
	int	test_hooks;
	char	*debug_wrap[PROC_MAX];	/* command words before the helper */
	int	check_only;
	int	no_process_sandbox;	/* kiln-execd: steps share the pid ns */
	int	allow_insecure;		/* kiln-execd: security.insecure */
	char	snapshotter[32];	/* kiln-snapd's --snapshotter */
	uint64_t gc_keep_storage;	/* bytes; 0: snapd's default */
	int	checksum_watch_off;	/* kiln-snapd walks every checksum */
	int	max_parallelism;	/* kiln-solverd's; 0: the cores */
	/* registry lines, as kiln-netd's --registry=SPEC options */
	char	*registry[KILND_MAX_REGISTRIES];
	int	nregistry;
};

struct idmap {
	uint64_t	inside, outside, count;
};

struct kilnd_ns {
	int		userns_fd, mntns_fd, netns_fd;	/* netns -1: host network */
	struct idmap	uid_map[KILND_MAX_RANGES + 1], gid_map[KILND_MAX_RANGES + 1];
	int		n_uid, n_gid;
	int		single_mapping;
};

enum slot_state { SLOT_STOPPED = 0, SLOT_STARTING, SLOT_READY, SLOT_BACKOFF };

struct slot {
	enum kiln_proc	 id;
	pid_t		 pid;
	enum slot_state	 state;
	struct ipc_peer	*ctl;
	unsigned	 restarts;
	long long	 deaths[KILND_RESTART_LIMIT + 1];	/* ring of times */
	unsigned	 ndeaths;
	struct event	*timer;		/* backoff and setup timeout */
	int		 have_note;
	uint64_t	 note_nr, note_arch;
};

struct kilnd {
	struct kilnd_config	 cfg;
	struct kilnd_ns		 ns;
	struct event_base	*base;
	struct slot		 slots[PROC_MAX];
	char			 runtime_dir[PATH_MAX];
	int			 api_fd;
	int			 api_activated;	/* came from systemd */
	int			 net_mode;
	char			 net_reason[256];
	char			 warnings[1024];
	char			 snapshotter[32];	/* kiln-snapd's SNAP_DRIVER */
	char			 snapshotter_why[1024];
	int			 ready_notified;
	int			 stopping;
	int			 exit_code;
	struct event		*stop_timer;
};

static inline struct kilnd *
kilnd_of_slot(struct slot *s)
{
	return (struct kilnd *)((char *)(s - s->id) - offsetof(struct kilnd, slots));
}

/* config.c */
void config_defaults(struct kilnd_config *cfg);
/* argv and the config file; 1 when --help or --version was answered */
int config_parse(struct kilnd_config *cfg, int argc, char **argv);
void config_usage(FILE *out);
/* $XDG_DATA_HOME/kiln (default ~/.local/share/kiln): the helpers' state */
int config_data_dir(char *buf, size_t size);

/* subid.c: ranges of /etc/subuid or /etc/subgid for a user */
struct subid_range {
	uint64_t	start, count;
};
int subid_lookup(const char *file, const char *user, uid_t id,
    struct subid_range *out, int max);

/* userns.c */
int ns_create(struct kilnd *kd);
void ns_close(struct kilnd_ns *ns);

/* copyup.c: runs inside the new mount namespace */
int copyup_dir(const char *dir, char *err, size_t errlen);

/* spawn.c */
int spawn_helper(struct kilnd *kd, struct slot *s, int ctl_fd);

/* helpers.c */
int helpers_start_all(struct kilnd *kd);
void helpers_on_sigchld(struct kilnd *kd);
void helpers_on_setup_done(struct kilnd *kd, struct slot *s);
void helpers_stop_all(struct kilnd *kd);
/* READY=1 once every helper and the network are up */
void helpers_check_ready(struct kilnd *kd);
const char *slot_state_name(enum slot_state st);

/* control.c */
extern const struct ipc_handler control_handlers[];

/* api.c */
int api_open(struct kilnd *kd);
void api_close(struct kilnd *kd);


/* check.c */
int check_run(const struct kilnd_config *cfg, FILE *out);
void check_explain_start_failure(const char *what, int err, FILE *out);

/* net.c */
void net_choose(struct kilnd *kd);
/* slirp4netns through kiln-netd: asks netd to run it (after each SETUP_DONE) */
void net_start(struct kilnd *kd, struct slot *netd);
/* 1 once the daemon's network works (always in host mode) */
int net_is_up(const struct kilnd *kd);
/* kiln-netd's NET_STATE: slirp4netns went down (pid 0) or came back */
void net_on_state(struct kilnd *kd, pid_t pid, const char *what);

extern const char *kilnd_version;

#endif
