/* notify-listen.c: stands in for systemd's notify socket in tests: prints each sd_notify datagram it gets. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define DGRAM_MAX	4096

static void
usage(void)
{
	fprintf(stderr, "usage: notify-listen [-t SECONDS] [-u STATE] PATH\n"
	    "  binds a unix datagram socket at PATH, prints each datagram it gets,\n"
	    "  exits 0 after one holding the line STATE (default READY=1),\n"
	    "  1 after SECONDS (default 10) without it\n");
}

static int
bind_dgram(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* sd_notify states are newline-separated lines: match a whole line. */
static int
has_line(const char *msg, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = msg; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, want, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One datagram per output line, so a test can grep it. */
static void
print_dgram(const char *msg)
{
	for (const char *c = msg; *c; c++)
		putchar(*c == '\n' ? ' ' : *c);
	putchar('\n');
	fflush(stdout);
}

/* 0 when want arrived, 1 on timeout, -errno on error */
static int
listen_loop(int fd, const char *want, long long deadline)
{
	char buf[DGRAM_MAX + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return 1;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!(pfd.revents & POLLIN))
			continue;
		if ((n = recv(fd, buf, DGRAM_MAX, 0)) < 0)
			return -errno;
		buf[n] = '\0';
		print_dgram(buf);
		if (has_line(buf, want))
			return 0;
	}
}

int
main(int argc, char **argv)
{
	const char *want = "READY=1";
	long secs = 10;
	int c, fd, r;

	while ((c = getopt(argc, argv, "t:u:")) != -1) {
		switch (c) {
		case 't':
			secs = strtol(optarg, NULL, 10);
			break;
		case 'u':
			want = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc - 1 || secs <= 0) {
		usage();
		return 2;
	}
	if ((fd = bind_dgram(argv[optind])) < 0) {
		fprintf(stderr, "notify-listen: %s: %s\n", argv[optind], strerror(-fd));
		return 2;
	}
	r = listen_loop(fd, want, now_ms() + secs * 1000);
	if (r < 0)
		fprintf(stderr, "notify-listen: %s\n", strerror(-r));
	else if (r == 1)
		fprintf(stderr, "notify-listen: no %s within %ld s\n", want, secs);
	close(fd);
	unlink(argv[optind]);
	return r == 0 ? 0 : 1;
}
