/* api.c: the API socket: created in a 0700 directory or taken from systemd socket activation. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "kilnd.h"
#include "log.h"
#include "util.h"

#define SD_LISTEN_FDS_START	3

/* systemd passes the socket as fd 3 with LISTEN_PID=our pid, LISTEN_FDS=1 */
static int
api_from_systemd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int type;
	socklen_t len = sizeof(type);

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid())
		return -ENOENT;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (atoi(fds) != 1) {
		log_error("socket activation passed %s sockets; kilnd takes exactly one", fds);
		return -EINVAL;
	}
	if (getsockopt(SD_LISTEN_FDS_START, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_SEQPACKET) {
		log_error("the activated socket is not a SOCK_SEQPACKET unix socket: "
		    "use ListenSequentialPacket= in kilnd.socket");
		return -EINVAL;
	}
	fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC);
	return SD_LISTEN_FDS_START;
}

static int
socket_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	int r;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	r = util_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	if (stat(dir, &st) < 0)
		return -errno;
	if (st.st_uid != getuid()) {
		log_error("%s belongs to uid %u, not to us", dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

/* A live socket means another kilnd; a dead one is a leftover. */
static int
claim_path(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		log_error("another kilnd is already serving %s", sa->sun_path);
		return -EADDRINUSE;
	}
	unlink(sa->sun_path);
	return 0;
}

/* Logs and `info` name the socket systemd bound, not the configured
 * default it replaces. */
static void
activated_path(int fd, char *out, size_t size)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0 ||
	    len <= offsetof(struct sockaddr_un, sun_path) || sa.sun_path[0] == '\0')
		return;
	snprintf(out, size, "%.*s", (int)(len - offsetof(struct sockaddr_un, sun_path)),
	    sa.sun_path);
}

int
api_open(struct kilnd *kd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	fd = api_from_systemd();
	if (fd >= 0) {
		kd->api_fd = fd;
		kd->api_activated = 1;
		activated_path(fd, kd->cfg.addr, sizeof(kd->cfg.addr));
		return 0;
	}
	if (fd == -EINVAL)
		return fd;
	if (strlen(kd->cfg.addr) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, kd->cfg.addr);
	if ((r = socket_dir(kd->cfg.addr)) < 0 || (r = claim_path(&sa)) < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0600) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	kd->api_fd = fd;
	return 0;
}

void
api_close(struct kilnd *kd)
{
	if (kd->api_fd < 0)
		return;
	close(kd->api_fd);
	kd->api_fd = -1;
	if (!kd->api_activated)
		unlink(kd->cfg.addr);
}
