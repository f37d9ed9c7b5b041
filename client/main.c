/* main.c: kilnctl, the command-line client of kilnd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"
#include "kilnctl.h"
#include "util.h"

static const struct command {
	const char	*name;
	int		(*fn)(struct ctl *c, int argc, char **argv);
} commands[] = {
	{ "info", cmd_info },
	{ "debug", cmd_debug },
	{ "ping", cmd_ping },
	{ "login", cmd_login },
	{ "logout", cmd_logout },
	{ "image", cmd_image },
	{ "images", cmd_images },
	{ "build", cmd_build },
	{ "history", cmd_history },
	{ "du", cmd_du },
	{ "prune", cmd_prune },
	{ "pull", cmd_pull },
	{ "push", cmd_push },
	{ "tag", cmd_tag },
	{ "save", cmd_save },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: kilnctl [--addr unix://PATH] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  info                     daemon version, id maps, network, helpers\n"
	    "  debug [--format json]    helpers' host pids and state\n"
	    "  ping                     check that kilnd answers\n"
	    "  login [-u USER] [--password-stdin] [REGISTRY]\n"
	    "                           check and store a registry's credentials\n"
	    "  logout [REGISTRY]        forget them\n"
	    "  image import FILE|DIR [--name REF]   import an OCI layout or docker-save tar\n"
	    "  image rm NAME...         remove images from the local store\n"
	    "  images                   list the local store's images\n"
	    "  build [OPTIONS] CONTEXT  build a Dockerfile (kilnctl build --help)\n"
	    "  history [-n COUNT]       past builds, newest first\n"
	    "  du [--verbose]           disk usage of the build cache, per record\n"
	    "  prune [--all] [--keep-storage SIZE] [--keep-duration DURATION]\n"
	    "                           remove build cache nothing uses\n"

	    "  pull [--platform P] REF  fetch an image from its registry\n"
	    "  push IMAGE [REF]         send an image to a registry\n"
	    "  tag IMAGE NAME           name an image once more\n"
	    "  save [--format oci|docker] [-o FILE] IMAGE\n"
	    "                           write an image as an OCI or docker archive\n");
}

static const char *
default_addr(void)
{
	static char buf[4200];
	char rt[4096];
	const char *env = getenv("KILN_ADDR");

	if (env && *env)
		return env;
	if (util_runtime_dir(rt, sizeof(rt)) < 0)
		return "/tmp/kilnd.sock";
	snprintf(buf, sizeof(buf), "%s/kiln/kilnd.sock", rt);
	return buf;
}

int
main(int argc, char **argv)
{
	static struct ctl c;
	int i = 1, r;

	c.addr = default_addr();
	c.fd = -1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc)
			c.addr = argv[++i];
		else if (strncmp(argv[i], "--addr=", 7) == 0)
			c.addr = argv[i] + 7;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("kilnctl %s\n", PACKAGE_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++) {
		if (strcmp(argv[i], commands[k].name) != 0)
			continue;
		/* help needs no daemon */
		if (commands[k].fn == cmd_build && i + 1 < argc &&
		    (!strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h"))) {
			bopt_usage(stdout);
			return 0;
		}
		/* logout only edits the Docker config file */
		if (commands[k].fn != cmd_logout && ctl_connect(&c) < 0)
			return 1;
		r = commands[k].fn(&c, argc - i, argv + i);
		ctl_close(&c);
		return r;
	}
	fprintf(stderr, "kilnctl: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
