/* main.c: kilnd, the rootless supervisor: namespaces, helpers, API socket, signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include "kilnd.h"
#include "log.h"
#include "util.h"

const char *kilnd_version = PACKAGE_VERSION;

/* Helpers and sockets must never land on fds 0-2. */
static void
ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			open("/dev/null", O_RDWR);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct kilnd *kd = arg;

	if (sig == SIGCHLD) {
		helpers_on_sigchld(kd);
		return;
	}
	log_info("%s: stopping", sigabbrev_np((int)sig));
	helpers_stop_all(kd);
}

static int
runtime_setup(struct kilnd *kd)
{
	char rt[PATH_MAX - 16], path[PATH_MAX + 16], buf[32];
	int r;

	if ((r = util_runtime_dir(rt, sizeof(rt))) < 0)
		return r;
	snprintf(kd->runtime_dir, sizeof(kd->runtime_dir), "%s/kiln", rt);
	if ((r = util_mkdir_p(kd->runtime_dir, 0700)) < 0) {
		log_error("creating %s: %s", kd->runtime_dir, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/kilnd.pid", kd->runtime_dir);
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	FILE *f = fopen(path, "we");
	if (f) {
		fputs(buf, f);
		fclose(f);
	}
	return 0;
}

static void
runtime_cleanup(struct kilnd *kd)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/kilnd.pid", kd->runtime_dir);
	unlink(path);
}

static int
event_setup(struct kilnd *kd, struct event **evs)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };

	signal(SIGPIPE, SIG_IGN);
	kd->base = event_base_new();
	if (kd->base == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		evs[i] = evsignal_new(kd->base, sigs[i], on_signal, kd);
		if (evs[i] == NULL || evsignal_add(evs[i], NULL) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int
apply_net_defaults(struct kilnd *kd)
{
	if (kd->net_mode < 0) {
		log_error("--net=slirp4netns: %s", kd->net_reason);
		return -EINVAL;
	}
	log_info("network: %s (%s)", kd->net_mode == NET_SLIRP4NETNS ? "slirp4netns" :
	    "host", kd->net_reason);
	if (kd->net_mode == NET_SLIRP4NETNS) {
		/* RootlessKit's defaults, so resolv.conf can point at slirp's DNS */
		if (kd->cfg.disable_host_loopback < 0)
			kd->cfg.disable_host_loopback = 1;
		if (kd->cfg.ncopy_up == 0)
			kd->cfg.copy_up[kd->cfg.ncopy_up++] = strdup("/etc");
	}
	return 0;
}

static int
run(struct kilnd *kd)
{
	struct event *evs[4] = { 0 };
	int r;

	if ((r = runtime_setup(kd)) < 0)
		return 1;
	net_choose(kd);
	if (apply_net_defaults(kd) < 0)
		return 1;
	if ((r = ns_create(kd)) < 0)
		return 1;
	if ((r = api_open(kd)) < 0) {
		log_error("API socket %s: %s", kd->cfg.addr, strerror(-r));
		return 1;
	}
	if ((r = event_setup(kd, evs)) < 0 || (r = helpers_start_all(kd)) < 0) {
		log_error("starting helpers: %s", strerror(-r));
		kd->exit_code = 1;
		helpers_stop_all(kd);
	}
	event_base_dispatch(kd->base);
	api_close(kd);
	runtime_cleanup(kd);
	ns_close(&kd->ns);
	for (size_t i = 0; i < ARRAY_SIZE(evs); i++)
		if (evs[i])
			event_free(evs[i]);
	log_info("stopped");
	return kd->exit_code;
}

int
main(int argc, char **argv)
{
	static struct kilnd kd;
	int r;

	ensure_std_fds();
	kd.api_fd = -1;
	config_defaults(&kd.cfg);
	r = config_parse(&kd.cfg, argc, argv);
	if (r != 0)
		return r > 0 ? 0 : 2;
	log_init("kilnd", kd.cfg.log_level, kd.cfg.log_target);
	if (kd.cfg.check_only)
		return check_run(&kd.cfg, stdout) == 0 ? 0 : 1;
	if (geteuid() == 0)
		log_warn("kilnd runs as root: it is made to run as an ordinary user");
	return run(&kd);
}
