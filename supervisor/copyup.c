/* copyup.c: --copy-up=DIR: a tmpfs over DIR with links to the original entries, so files can be replaced. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "kilnd.h"

/* Where the original DIR stays reachable, inside the new tmpfs. */
#define COPYUP_HIDDEN	".kiln-ro"

static int
link_entries(const char *dir, char *err, size_t errlen)
{
	char hidden[PATH_MAX], target[PATH_MAX * 2], link[PATH_MAX * 2];
	struct dirent *de;
	DIR *d;

	snprintf(hidden, sizeof(hidden), "%s/%s", dir, COPYUP_HIDDEN);
	d = opendir(hidden);
	if (d == NULL) {
		snprintf(err, errlen, "--copy-up=%s: reading the original", dir);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(target, sizeof(target), "%s/%s", hidden, de->d_name);
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		if (symlink(target, link) < 0) {
			int e = errno;
			snprintf(err, errlen, "--copy-up=%s: linking %s", dir, de->d_name);
			closedir(d);
			return -e;
		}
	}
	closedir(d);
	return 0;
}

/* As RootlessKit's tmpfs+symlink driver: the original stays mounted at
 * DIR/.kiln-ro, every entry of DIR becomes a symlink into it, and any of
 * them can be replaced by a real file (resolv.conf for slirp4netns). */
int
copyup_dir(const char *dir, char *err, size_t errlen)
{
	char src[64], hidden[PATH_MAX];
	int fd, r = 0;

	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "--copy-up=%s: not a directory", dir);
		return -errno;
	}
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		snprintf(err, errlen, "--copy-up=%s: mounting a tmpfs over it", dir);
		r = -errno;
		goto out;
	}
	snprintf(hidden, sizeof(hidden), "%s/%s", dir, COPYUP_HIDDEN);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mkdir(hidden, 0755) < 0 ||
	    mount(src, hidden, NULL, MS_BIND | MS_REC, NULL) < 0) {
		snprintf(err, errlen, "--copy-up=%s: keeping the original visible", dir);
		r = -errno;
		goto out;
	}
	r = link_entries(dir, err, errlen);
out:
	close(fd);
	return r;
}
