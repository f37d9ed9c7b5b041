/* net.c: picks the daemon's network mode and says why. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kilnd.h"
#include "log.h"
#include "util.h"

/* Why slirp4netns cannot be used here, or NULL when it can. */
static const char *
slirp_unusable(char *buf, size_t size)
{
	char path[PATH_MAX];
	int fd;

	if (util_which("slirp4netns", path, sizeof(path)) < 0)
		return "slirp4netns is not installed (apt-get install slirp4netns)";
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, size, "/dev/net/tun cannot be opened (%s): "
		    "ask an administrator to run chmod 666 /dev/net/tun", strerror(errno));
		return buf;
	}
	close(fd);
	return NULL;
}

void
net_choose(struct kilnd *kd)
{
	char buf[200];
	const char *why = NULL;

	kd->net_mode = NET_HOST;
	switch (kd->cfg.net_mode) {
	case NET_HOST:
		snprintf(kd->net_reason, sizeof(kd->net_reason), "--net=host");
		return;
	case NET_SLIRP4NETNS:
	case NET_AUTO:
		why = slirp_unusable(buf, sizeof(buf));
		break;
	}
	if (why == NULL) {
		kd->net_mode = NET_SLIRP4NETNS;
		snprintf(kd->net_reason, sizeof(kd->net_reason), "%s",
		    kd->cfg.net_mode == NET_AUTO ?
		    "auto: slirp4netns and /dev/net/tun are usable" : "--net=slirp4netns");
		return;
	}
	snprintf(kd->net_reason, sizeof(kd->net_reason), "%s: %s",
	    kd->cfg.net_mode == NET_AUTO ? "auto chose host" : "slirp4netns unusable", why);
	if (kd->cfg.net_mode == NET_SLIRP4NETNS)
		kd->net_mode = -1;	/* asked for and impossible: main fails */
}
