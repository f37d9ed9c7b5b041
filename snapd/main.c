/* main.c: kiln-snapd, the snapshotters, content store, image store and file operations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cache_dir.h"
#include "driver.h"
#include "copy.h"
#include "files_api.h"
#include "log.h"
#include "regclient.h"
#include "snapd.h"
#include "util.h"

/* overlay mounts and files owned by any mapped id */
static const cap_value_t snapd_caps[] = {
	CAP_SYS_ADMIN, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
	CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETFCAP,
};

static struct snapd_config cfg = { .snapshotter = "auto" };

/* $XDG_DATA_HOME/kiln/snapd, as kilnd computes it, for a hand start */
static void
default_state_dir(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (x && *x)
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/kiln/snapd", x);
	else
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/.local/share/kiln/snapd",
		    home ? home : "/tmp");
}

static int
on_option(struct helper *h, const char *key, const char *value)
{
	char *end;

	if (strcmp(key, "state-dir") == 0 && value[0] == '/' &&
	    strlen(value) < sizeof(cfg.state_dir)) {
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", value);
		return 0;
	}
	if (strcmp(key, "snapshotter") == 0 &&
	    (strcmp(value, "auto") == 0 || select_by_name(value))) {
		snprintf(cfg.snapshotter, sizeof(cfg.snapshotter), "%s", value);
		return 0;
	}
	if (strcmp(key, "checksum-watch") == 0 &&
	    (!strcmp(value, "on") || !strcmp(value, "off"))) {
		ckw_disable(!strcmp(value, "off"));
		return 0;
	}
	if (strcmp(key, "gc-keep-storage") == 0) {
		errno = 0;
		cfg.gc_keep_storage = strtoull(value, &end, 10);
		return *value && !*end && !errno ? 0 : -EINVAL;
	}
	return -EINVAL;
}

void
snapd_test_stall(const char *point)
{
	char path[PATH_MAX], want[64];

	if (!cfg.test_hooks)
		return;
	snprintf(path, sizeof(path), "%s/test-stall", cfg.state_dir);
	if (util_read_small_file(path, want, sizeof(want)) <= 0)
		return;
	want[strcspn(want, "\n")] = '\0';
	if (strcmp(want, point) != 0)
		return;
	unlink(path);
	log_warn("test hook: stalling at %s", point);
	for (;;)
		nanosleep(&(struct timespec){ 60, 0 }, NULL);
}

/* kilnd shows it in INFO (kilnctl info). */
static int
send_driver(struct helper *h)
{
	struct ipc_wr w;
	int r;

	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, store_driver_name());
	ipc_wr_str(&w, store_driver_reason());
	r = ipc_send(h->peers[PROC_SUPERVISOR], IPC_SNAP_DRIVER, 0, &w, NULL, 0);
	ipc_wr_free(&w);
	return r;
}

static int
setup(struct helper *h)
{
	int r;

	cfg.test_hooks = h->test_hooks;
	if (!cfg.state_dir[0])
		default_state_dir();
	/* before any trial: fuse-overlayfs runs outside the filter to come */
	if ((!strcmp(cfg.snapshotter, "auto") || !strcmp(cfg.snapshotter,
	    "fuse-overlayfs")) && (r = fuse_spawner_start()) < 0)
		return r;
	if ((r = store_open(&cfg, h->base)) < 0 || (r = gc_init(h->base, cfg.gc_keep_storage)) < 0 ||
	    (r = snap_files_setup(h)) < 0)
		return r;
	if (strcmp(store_driver_name(), "fuse-overlayfs") != 0)
		fuse_spawner_stop();
	return send_driver(h);
}

static void
peer_down(struct helper *h, enum kiln_proc who, struct ipc_peer *p)
{
	if (who == PROC_SOLVERD)
		snapd_conn_down(p);
}

/* The store's handlers, then the file and image half's (files_api.c). */
static const struct ipc_handler *
solverd_handlers(void)
{
	static struct ipc_handler all[64];
	const struct ipc_handler *parts[] = { snapd_solverd_handlers, snap_files_handlers,
	    snapd_registry_handlers, snapd_cache_handlers };
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		for (const struct ipc_handler *x = parts[i]; x->fn && n < ARRAY_SIZE(all) - 1; x++)
			all[n++] = *x;
	return all;
}

int
main(int argc, char **argv)
{
	struct helper_def def = {
		.self = PROC_SNAPD,
		.syscalls = snapd_syscalls,
		.nsyscalls = snapd_nsyscalls,
		.caps = snapd_caps,
		.ncaps = ARRAY_SIZE(snapd_caps),
		.handlers = { [PROC_SOLVERD] = solverd_handlers() },
		.setup = setup,
		.peer_down = peer_down,
		.option = on_option,
	};
	int r = helper_main(&def, argc, argv);

	/* SHUTDOWN, or kilnd went away: nothing stays mounted */
	snapd_conns_drop_all();
	gc_close();
	store_close();
	fuse_spawner_stop();
	return r;
}
