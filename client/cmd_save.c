/* cmd_save.c: kilnctl save: an image of the local store as an OCI layout tar or a docker load archive. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kilnctl.h"

static int
save_usage(void)
{
	fprintf(stderr, "usage: kilnctl save [--format oci|docker] [--name REF] "
	    "[-o FILE] IMAGE\n");
	return 2;
}

/* FILE is written aside and renamed, so a failed save leaves nothing (no
 * fsync: an archive for the user, as docker save and tar write it) */
static int
save_to(struct ctl *c, const struct ipc_wr *w, const char *out)
{
	char tmp[PATH_MAX];
	int fd, r;

	if (out == NULL || strcmp(out, "-") == 0) {
		if (isatty(1)) {
			fprintf(stderr, "kilnctl: save: not writing an archive to a "
			    "terminal; give -o FILE or redirect\n");
			return -EINVAL;
		}
		return ctl_call_fds(c, IPC_IMAGE_EXPORT, w, (int[]){ 1 }, 1);
	}
	snprintf(tmp, sizeof(tmp), "%s.kiln-tmp", out);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "kilnctl: %s: %s\n", tmp, strerror(errno));
		return -errno;
	}
	r = ctl_call_fds(c, IPC_IMAGE_EXPORT, w, &fd, 1);
	if (r == 0 && rename(tmp, out) < 0) {
		r = -errno;
		fprintf(stderr, "kilnctl: %s: %s\n", out, strerror(errno));
	}
	close(fd);
	if (r < 0)
		unlink(tmp);
	return r;
}

int
cmd_save(struct ctl *c, int argc, char **argv)
{
	const char *format = "oci", *name = "", *out = NULL, *image = NULL;
	struct ipc_wr w;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] != '-' && image == NULL)
			image = argv[i];
		else
			return save_usage();
	}
	if (image == NULL)
		return save_usage();
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 3);
	ipc_wr_str(&w, image);
	ipc_wr_str(&w, format);
	ipc_wr_str(&w, name);
	r = save_to(c, &w, out);
	ipc_wr_free(&w);
	return r < 0 ? 1 : 0;
}
