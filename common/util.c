/* util.c: small file, path and process helpers shared by kiln's programs. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "util.h"

ssize_t
util_read_small_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd;

	if (size == 0)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

int
util_write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

int
util_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
util_sysctl_int(const char *name, long *value)
{
	char path[256], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	n = util_read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	*value = strtol(buf, NULL, 10);
	return 0;
}

long long
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
util_runtime_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (x && *x)
		n = snprintf(buf, size, "%s", x);
	else {
		char run[64];

		snprintf(run, sizeof(run), "/run/user/%u", (unsigned)getuid());
		if (stat(run, &st) == 0 && st.st_uid == getuid())
			n = snprintf(buf, size, "%s", run);
		else
			n = snprintf(buf, size, "/tmp/kiln-%u", (unsigned)getuid());
	}
	return n < (int)size ? 0 : -ENAMETOOLONG;
}

int
util_which(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[4096];

	if (strchr(name, '/')) {
		snprintf(out, size, "%s", name);
		return access(out, X_OK) == 0 ? 0 : -ENOENT;
	}
	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(dirs, ":", &save); d;
	    d = strtok_r(NULL, ":", &save)) {
		if (snprintf(out, size, "%s/%s", d, name) >= (int)size)
			continue;
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

void
util_close_from(int from)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, from, ~0U, 0) == 0)
		return;
#endif
	for (int fd = from; fd < 65536; fd++)
		close(fd);
}

void
util_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

void
util_freep(void *p)
{
	free(*(void **)p);
}

/* Docker's units: k, m, g, t and KiB... binary; kB, MB... decimal. */
int
util_parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char	*suffix;
		uint64_t	 mult;
	} units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1ULL << 10 }, { "kib", 1ULL << 10 },
		{ "kb", 1000 }, { "m", 1ULL << 20 }, { "mib", 1ULL << 20 },
		{ "mb", 1000000 }, { "g", 1ULL << 30 }, { "gib", 1ULL << 30 },
		{ "gb", 1000000000 }, { "t", 1ULL << 40 }, { "tib", 1ULL << 40 },
		{ "tb", 1000000000000ULL },
	};
	char *end, unit[8];
	double v;
	size_t n;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0 || (n = strlen(end)) >= sizeof(unit))
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		unit[i] = (char)tolower((unsigned char)end[i]);
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(unit, units[i].suffix) == 0) {
			if (v * (double)units[i].mult >= 18446744073709551615.0)
				return -ERANGE;
			*out = (uint64_t)(v * (double)units[i].mult);
			return 0;
		}
	return -EINVAL;
}

/* Go's path.Clean: one slash between elements, no "." elements, ".."
 * folded into its parent, none above a rooted path; "" becomes ".". */
void
util_path_clean(char *path)
{
	size_t n = strlen(path), w = 0, r = 0, dotdot;
	int rooted = path[0] == '/';

	if (n == 0) {
		strcpy(path, ".");
		return;
	}
	if (rooted) {
		w = r = 1;
	}
	dotdot = w;
	while (r < n) {
		if (path[r] == '/')
			r++;
		else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
			r++;
		else if (path[r] == '.' && path[r + 1] == '.' &&
		    (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				/* back to the previous slash */
				w--;
				while (w > dotdot && path[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					path[w++] = '/';
				path[w++] = '.';
				path[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				path[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				path[w++] = path[r];
		}
	}
	if (w == 0)
		path[w++] = '.';
	path[w] = '\0';
}

void *
util_calloc_written(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	/* not memset: the compiler makes malloc and memset one calloc */
	if ((p = malloc(n * size)) != NULL)
		explicit_bzero(p, n * size);
	return p;
}

void
util_sha256_str(const unsigned char md[32], char out[72])
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
}
