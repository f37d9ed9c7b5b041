/* config.c: kilnd's options, from the command line and from kilnd.conf (every flag is also a key). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kilnd.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"

#ifndef KILN_HELPER_DIR
#define KILN_HELPER_DIR "/usr/local/libexec/kiln"
#endif

struct option_def {
	const char	*name;
	int		 has_arg;	/* 2: optional, only as --name=value */
	int		(*set)(struct kilnd_config *cfg, const char *val);
};

static int
set_addr(struct kilnd_config *cfg, const char *v)
{
	if (strncmp(v, "unix://", 7) == 0)
		v += 7;
	if (*v != '/') {
		fprintf(stderr, "kilnd: --addr takes unix:///absolute/path, not '%s'\n", v);
		return -EINVAL;
	}
	snprintf(cfg->addr, sizeof(cfg->addr), "%s", v);
	return 0;
}

static int
set_net(struct kilnd_config *cfg, const char *v)
{
	if (strcmp(v, "host") == 0)
		cfg->net_mode = NET_HOST;
	else if (strcmp(v, "slirp4netns") == 0)
		cfg->net_mode = NET_SLIRP4NETNS;
	else if (strcmp(v, "auto") == 0)
		cfg->net_mode = NET_AUTO;
	else {
		fprintf(stderr, "kilnd: --net is host, slirp4netns or auto, not '%s'\n", v);
		return -EINVAL;
	}
	return 0;
}

static int
set_mtu(struct kilnd_config *cfg, const char *v)
{
	char *end;
	long m = strtol(v, &end, 10);

	if (*end || m < 576 || m > 65520) {
		fprintf(stderr, "kilnd: --mtu must be 576..65520, not '%s'\n", v);
		return -EINVAL;
	}
	cfg->mtu = (int)m;
	return 0;
}

static int
set_copy_up(struct kilnd_config *cfg, const char *v)
{
	if (*v != '/' || cfg->ncopy_up >= KILND_MAX_COPY_UP) {
		fprintf(stderr, "kilnd: --copy-up takes an absolute directory (at most %d)\n",
		    KILND_MAX_COPY_UP);
		return -EINVAL;
	}
	cfg->copy_up[cfg->ncopy_up++] = strdup(v);
	return 0;
}

static int
set_log_level(struct kilnd_config *cfg, const char *v)
{
	if ((cfg->log_level = log_level_parse(v)) < 0) {
		fprintf(stderr, "kilnd: --log-level is error, warn, info or debug\n");
		return -EINVAL;
	}
	return 0;
}

static int
set_log_target(struct kilnd_config *cfg, const char *v)
{
	if ((cfg->log_target = log_target_parse(v)) < 0) {
		fprintf(stderr, "kilnd: --log-target is auto, stderr or journal\n");
		return -EINVAL;
	}
	return 0;
}

static int
set_seccomp(struct kilnd_config *cfg, const char *v)
{
	if ((cfg->seccomp_mode = sandbox_seccomp_mode_parse(v)) < 0) {
		fprintf(stderr, "kilnd: --seccomp is enforce or log\n");
		return -EINVAL;
	}
	return 0;
}

static int
set_debug_wrap(struct kilnd_config *cfg, const char *v)
{
	const char *colon = strchr(v, ':');
	char name[32];
	int p;

	if (colon == NULL || colon - v >= (long)sizeof(name) || !colon[1])
		goto bad;
	snprintf(name, sizeof(name), "%.*s", (int)(colon - v), v);
	p = proc_from_name(name);
	if (!proc_is_helper(p))
		goto bad;
	free(cfg->debug_wrap[p]);
	cfg->debug_wrap[p] = strdup(colon + 1);
	return 0;
bad:
	fprintf(stderr, "kilnd: --debug-wrap takes HELPER:COMMAND, e.g. "
	    "execd:'strace -f -o /tmp/execd.trace'\n");
	return -EINVAL;
}

static int
set_helper_dir(struct kilnd_config *cfg, const char *v)
{
	snprintf(cfg->helper_dir, sizeof(cfg->helper_dir), "%s", v);
	return 0;
}

/* net: a switch as in RootlessKit, and a value for kilnd.conf or to
 * undo the slirp4netns default: --disable-host-loopback=false */
static int
set_dhl(struct kilnd_config *cfg, const char *v)
{
	if (!*v || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		cfg->disable_host_loopback = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		cfg->disable_host_loopback = 0;
	else {
		fprintf(stderr, "kilnd: --disable-host-loopback is true or false, "
		    "not '%s'\n", v);
		return -EINVAL;
	}
	return 0;
}
/* BuildKit's names: --oci-worker-no-process-sandbox is an alias */
static int set_nps(struct kilnd_config *c, const char *v) { c->no_process_sandbox = 1; return 0; }

static int
set_entitlement(struct kilnd_config *cfg, const char *v)
{
	if (strcmp(v, "security.insecure") != 0) {
		fprintf(stderr, "kilnd: --allow-insecure-entitlement knows only "
		    "security.insecure, not '%s'\n", v);
		return -EINVAL;
	}
	cfg->allow_insecure = 1;
	return 0;
}
/* the names users of BuildKit know; kiln-snapd checks each works here */
static int
set_snapshotter(struct kilnd_config *cfg, const char *v)
{
	static const char *const names[] = { "auto", "overlayfs", "fuse-overlayfs",
	    "native" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(v, names[i]) == 0) {
			snprintf(cfg->snapshotter, sizeof(cfg->snapshotter), "%s", v);
			return 0;
		}
	fprintf(stderr, "kilnd: --snapshotter is auto, overlayfs, fuse-overlayfs or "
	    "native, not '%s'\n", v);
	return -EINVAL;
}

/* kiln-netd parses SPEC (netd/regconf.c) and says what is wrong */
static int
set_registry(struct kilnd_config *cfg, const char *v)
{
	if (!*v || cfg->nregistry >= KILND_MAX_REGISTRIES) {
		fprintf(stderr, "kilnd: --registry takes HOST[:PORT][,http]"
		    "[,insecure][,ca=FILE][,mirror=HOST]... (at most %d)\n",
		    KILND_MAX_REGISTRIES);
		return -EINVAL;
	}
	if (asprintf(&cfg->registry[cfg->nregistry], "--registry=%s", v) < 0)
		return -ENOMEM;
	cfg->nregistry++;
	return 0;
}
/* kiln-solverd's: steps run at once over all builds */
static int
set_max_parallelism(struct kilnd_config *cfg, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end || n < 1 || n > 1024) {
		fprintf(stderr, "kilnd: --max-parallelism must be 1..1024, not '%s'\n", v);
		return -EINVAL;
	}
	cfg->max_parallelism = (int)n;
	return 0;
}

static int
set_gc_keep(struct kilnd_config *cfg, const char *v)
{
	if (util_parse_size(v, &cfg->gc_keep_storage) < 0 || cfg->gc_keep_storage == 0) {
		fprintf(stderr, "kilnd: --gc-keep-storage takes a size such as 10GB or "
		    "512MiB, not '%s'\n", v);
		return -EINVAL;
	}
	return 0;
}

/* kiln-snapd's: checksums answered from inotify watches, or walked */
static int
set_checksum_watch(struct kilnd_config *cfg, const char *v)
{
	if (strcmp(v, "on") && strcmp(v, "off")) {
		fprintf(stderr, "kilnd: --checksum-watch is on or off, not '%s'\n", v);
		return -EINVAL;
	}
	cfg->checksum_watch_off = !strcmp(v, "off");
	return 0;
}

static int set_hooks(struct kilnd_config *c, const char *v) { c->test_hooks = 1; return 0; }
static int set_check(struct kilnd_config *c, const char *v) { c->check_only = 1; return 0; }
static int set_config(struct kilnd_config *c, const char *v) { return 0; }

static const struct option_def options[] = {
	{ "addr", 1, set_addr },
	{ "config", 1, set_config },
	{ "net", 1, set_net },
	{ "disable-host-loopback", 2, set_dhl },
	{ "mtu", 1, set_mtu },
	{ "copy-up", 1, set_copy_up },
	{ "log-level", 1, set_log_level },
	{ "log-target", 1, set_log_target },
	{ "seccomp", 1, set_seccomp },
	{ "debug-wrap", 1, set_debug_wrap },
	{ "helper-dir", 1, set_helper_dir },
	{ "registry", 1, set_registry },
	{ "max-parallelism", 1, set_max_parallelism },
	{ "no-process-sandbox", 0, set_nps },
	{ "oci-worker-no-process-sandbox", 0, set_nps },
	{ "allow-insecure-entitlement", 1, set_entitlement },
	{ "snapshotter", 1, set_snapshotter },
	{ "oci-worker-snapshotter", 1, set_snapshotter },
	{ "gc-keep-storage", 1, set_gc_keep },
	{ "checksum-watch", 1, set_checksum_watch },
	{ "test-hooks", 0, set_hooks },
	{ "check", 0, set_check },
};

void
config_usage(FILE *out)
{
	fprintf(out,
	    "usage: kilnd [--check] [--addr unix://PATH] [--config FILE]\n"
	    "             [--net host|slirp4netns|auto] [--disable-host-loopback[=true|false]]\n"
	    "             [--mtu N] [--copy-up DIR]... [--log-level LEVEL]\n"
	    "             [--log-target auto|stderr|journal]\n"
	    "             [--seccomp enforce|log] [--debug-wrap HELPER:COMMAND]...\n"
	    "             [--no-process-sandbox] [--oci-worker-no-process-sandbox]\n"
	    "             [--allow-insecure-entitlement security.insecure]\n"
	    "             [--helper-dir DIR] [--snapshotter auto|overlayfs|fuse-overlayfs|native]\n"
	    "             [--oci-worker-snapshotter NAME] [--gc-keep-storage SIZE]\n"
	    "             [--checksum-watch on|off]\n"
	    "             [--registry SPEC]... [--max-parallelism N] [--test-hooks]\n");
}

void
config_defaults(struct kilnd_config *cfg)
{
	const char *hd = getenv("KILN_HELPER_DIR");
	char rt[PATH_MAX - 32];

	memset(cfg, 0, sizeof(*cfg));
	cfg->disable_host_loopback = -1;
	cfg->mtu = 65520;
	cfg->log_level = LOG_LVL_INFO;
	cfg->log_target = LOG_TARGET_AUTO;
	cfg->seccomp_mode = SANDBOX_SECCOMP_ENFORCE;
	snprintf(cfg->snapshotter, sizeof(cfg->snapshotter), "auto");
	snprintf(cfg->helper_dir, sizeof(cfg->helper_dir), "%s",
	    hd && *hd ? hd : KILN_HELPER_DIR);
	if (util_runtime_dir(rt, sizeof(rt)) == 0)
		snprintf(cfg->addr, sizeof(cfg->addr), "%s/kiln/kilnd.sock", rt);
}

int
config_data_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (x && *x)
		snprintf(buf, size, "%s/kiln", x);
	else if (home && *home)
		snprintf(buf, size, "%s/.local/share/kiln", home);
	else
		return -ENOENT;
	return 0;
}

static const struct option_def *
find_option(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* key = value, or key alone for a switch; '#' starts a comment */
static int
parse_file(struct kilnd_config *cfg, const char *path, int must_exist)
{
	char line[PATH_MAX + 64];
	int lineno = 0, r = 0;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return (errno == ENOENT && !must_exist) ? 0 : -errno;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *val = "";
		const struct option_def *o;

		lineno++;
		if (*s == '#' || *s == '\0')
			continue;
		if ((eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			val = trim(eq + 1);
			s = trim(s);
		}
		o = find_option(s);
		if (o == NULL || (o->has_arg == 1 && eq == NULL)) {
			fprintf(stderr, "kilnd: %s:%d: unknown key or missing value '%s'\n",
			    path, lineno, s);
			r = -EINVAL;
		} else if (o->has_arg == 0 && eq != NULL) {
			/* "check = false" must not switch it on */
			fprintf(stderr, "kilnd: %s:%d: '%s' is a switch: write the key "
			    "alone, without a value\n", path, lineno, s);
			r = -EINVAL;
		} else
			r = o->set(cfg, val);
	}
	fclose(f);
	return r;
}

static int
config_file_path(struct kilnd_config *cfg, int argc, char **argv, int *explicit)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	*explicit = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--config=", 9) == 0) {
			snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", argv[i] + 9);
			*explicit = 1;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			snprintf(cfg->config_file, sizeof(cfg->config_file), "%s", argv[i + 1]);
			*explicit = 1;
		}
	}
	if (*explicit)
		return 0;
	if (x && *x)
		snprintf(cfg->config_file, sizeof(cfg->config_file), "%s/kiln/kilnd.conf", x);
	else if (home)
		snprintf(cfg->config_file, sizeof(cfg->config_file),
		    "%s/.config/kiln/kilnd.conf", home);
	return 0;
}

int
config_parse(struct kilnd_config *cfg, int argc, char **argv)
{
	int explicit, r;

	config_file_path(cfg, argc, argv, &explicit);
	if (cfg->config_file[0] && (r = parse_file(cfg, cfg->config_file, explicit)) < 0) {
		if (r != -EINVAL)
			fprintf(stderr, "kilnd: %s: %s\n", cfg->config_file, strerror(-r));
		return r;
	}
	for (int i = 1; i < argc; i++) {
		char name[64];
		const char *arg = argv[i], *eq, *val = NULL;
		const struct option_def *o;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			config_usage(stdout);
			return 1;
		}
		if (strcmp(arg, "--version") == 0) {
			printf("kilnd %s\n", kilnd_version);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0)
			goto bad;
		eq = strchr(arg, '=');
		snprintf(name, sizeof(name), "%.*s",
		    (int)(eq ? eq - arg - 2 : (long)strlen(arg) - 2), arg + 2);
		o = find_option(name);
		if (o == NULL)
			goto bad;
		if (o->has_arg == 1) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				goto bad;
		} else if (eq && o->has_arg == 0)
			goto bad;
		else if (eq)
			val = eq + 1;
		if (o->set(cfg, val ? val : "") < 0)
			return -EINVAL;
		continue;
bad:
		fprintf(stderr, "kilnd: unknown option or missing value: %s\n", arg);
		config_usage(stderr);
		return -EINVAL;
	}
	return 0;
}
