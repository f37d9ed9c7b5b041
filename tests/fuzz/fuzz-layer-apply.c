/* fuzz-layer-apply.c: libFuzzer harness for layer unpacking: any input is unpacked into a fresh root, and nothing may appear beside it. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "files.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[256];
static int topfd = -1;

static void
init(void)
{
	snprintf(top, sizeof(top), "%s/kiln-fuzz-la.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL || (topfd = open(top, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	log_init("fuzz-layer-apply", LOG_LVL_ERROR, LOG_TARGET_STDERR);
}

/* Only "root" may be in top: anything else escaped. */
static void
check_top(void)
{
	DIR *d = fdopendir(dup(topfd));
	struct dirent *e;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "root")) {
			fprintf(stderr, "escaped the root: %s/%s\n", top, e->d_name);
			abort();
		}
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layer_stats st;
	struct snap_err err;
	int fd, root;

	if (topfd < 0)
		init();
	if (mkdirat(topfd, "root", 0755) < 0 ||
	    (root = openat(topfd, "root", O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	(void)layer_apply(root, fd, "fuzz", NULL, &st, &err);
	close(fd);
	close(root);
	check_top();
	if (fs_rm_rf(topfd, "root") < 0)
		abort();
	return 0;
}
