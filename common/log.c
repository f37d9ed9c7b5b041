/* log.c: writes log lines as `ident[pid]: level=info msg="..."` or to journald's native socket. */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include "log.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"
#define LOG_LINE_MAX	4096

static struct {
	char		ident[32];
	enum log_level	level;
	int		journal_fd;
} lg = { "kiln", LOG_LVL_INFO, -1 };

static const char *const level_names[] = { "error", "warn", "info", "debug" };
/* syslog priorities: err, warning, info, debug */
static const char level_prio[] = { '3', '4', '6', '7' };

/* systemd sets JOURNAL_STREAM to "dev:ino" of the stream it connected to
 * our stderr; a match means nobody redirected stderr elsewhere. */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

static int
journal_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, JOURNAL_SOCKET);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int
log_init(const char *ident, enum log_level level, enum log_target target)
{
	snprintf(lg.ident, sizeof(lg.ident), "%s", ident);
	lg.level = level;
	if (lg.journal_fd >= 0) {
		close(lg.journal_fd);
		lg.journal_fd = -1;
	}
	if (target == LOG_TARGET_STDERR)
		return 0;
	if (target == LOG_TARGET_AUTO && !stderr_is_journal())
		return 0;
	lg.journal_fd = journal_open();
	if (lg.journal_fd < 0) {
		int r = lg.journal_fd;
		lg.journal_fd = -1;
		if (target == LOG_TARGET_JOURNAL)
			return r;
	}
	return 0;
}

void log_set_level(enum log_level level) { lg.level = level; }
enum log_level log_get_level(void) { return lg.level; }
const char *log_ident(void) { return lg.ident; }
int log_journal_fd(void) { return lg.journal_fd; }

int
log_level_parse(const char *s)
{
	for (int i = 0; i <= LOG_LVL_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LOG_LVL_WARN;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return (unsigned)level <= LOG_LVL_DEBUG ? level_names[level] : "?";
}

int
log_target_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return LOG_TARGET_AUTO;
	if (strcmp(s, "stderr") == 0)
		return LOG_TARGET_STDERR;
	if (strcmp(s, "journal") == 0)
		return LOG_TARGET_JOURNAL;
	return -1;
}

/* Native protocol: KEY=value lines; MESSAGE in the length-prefixed form
 * so newlines in it survive. */
static int
journal_send(enum log_level level, const char *msg, size_t len)
{
	char head[128];
	uint64_t le = htole64(len);
	struct iovec iov[5];
	int n;

	n = snprintf(head, sizeof(head),
	    "PRIORITY=%c\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%ld\n",
	    level_prio[level], lg.ident, (long)getpid());
	iov[0] = (struct iovec){ head, (size_t)n };
	iov[1] = (struct iovec){ (void *)"MESSAGE\n", 8 };
	iov[2] = (struct iovec){ &le, sizeof(le) };
	iov[3] = (struct iovec){ (void *)msg, len };
	iov[4] = (struct iovec){ (void *)"\n", 1 };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 5 };
	return sendmsg(lg.journal_fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* logfmt quoting: the message is one quoted value on one line. */
static size_t
quote_into(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < size; s++) {
		char c = *s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = c;
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else
			out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], quoted[LOG_LINE_MAX * 2], line[LOG_LINE_MAX * 2 + 96];
	int saved = errno, n;
	va_list ap;

	if (level > lg.level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if (lg.journal_fd >= 0 &&
	    journal_send(level, msg, strlen(msg)) == 0)
		goto out;
	quote_into(quoted, sizeof(quoted), msg);
	n = snprintf(line, sizeof(line), "%s[%ld]: level=%s msg=\"%s\"\n",
	    lg.ident, (long)getpid(), level_names[level], quoted);
	if (n > 0 && write(STDERR_FILENO, line, strlen(line)) < 0) {
		/* nowhere left to report it */
	}
out:
	errno = saved;
}
