/* cmd_login.c: kilnctl login and logout: the registry checks the password (through kiln-netd), then it is stored in the Docker config file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/mman.h>
#include "dockercfg.h"
#include "imgref.h"
#include "kilnctl.h"

#define SECRET_MAX	16384

static int
login_usage(void)
{
	fprintf(stderr, "usage: kilnctl login [-u USER] [-p PASSWORD | --password-stdin] "
	    "[REGISTRY]\n       kilnctl logout [REGISTRY]\n");
	return 2;
}

/* A line from the terminal, echoed or not. */
static int
prompt(const char *what, int echo, char *buf, size_t size)
{
	struct termios old, raw;
	FILE *tty = fopen("/dev/tty", "r+e");
	int r = 0, restore = 0;

	if (tty == NULL) {
		fprintf(stderr, "kilnctl: no terminal to ask for the %s: give -u and "
		    "--password-stdin\n", what);
		return -ENOTTY;
	}
	fprintf(tty, "%s: ", what);
	fflush(tty);
	if (!echo && tcgetattr(fileno(tty), &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &raw) == 0;
	}
	if (fgets(buf, (int)size, tty) == NULL)
		r = -EIO;
	if (restore) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	buf[strcspn(buf, "\r\n")] = '\0';
	return r;
}

static int
read_stdin(char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(0, buf + n, size - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		n += (size_t)r;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return 0;
}

/* The password goes to kiln-netd in a memfd: solverd relays it unread. */
static int
ask_registry(struct ctl *c, const char *reg, const char *user, const char *secret)
{
	struct ipc_wr w;
	int fd, r;

	fd = memfd_create("kilnctl-login", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, secret, strlen(secret)) != (ssize_t)strlen(secret) ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	ipc_wr_str(&w, reg);
	ipc_wr_str(&w, user);
	r = ctl_call_fds(c, IPC_REG_LOGIN, &w, &fd, 1);
	ipc_wr_free(&w);
	close(fd);
	return r;
}

struct login_args {
	const char	*registry, *user, *password;
	int		 password_stdin;
};

static int
parse_login(int argc, char **argv, struct login_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "-u") || !strcmp(argv[i], "--username")) && i + 1 < argc)
			a->user = argv[++i];
		else if ((!strcmp(argv[i], "-p") || !strcmp(argv[i], "--password")) && i + 1 < argc)
			a->password = argv[++i];
		else if (!strcmp(argv[i], "--password-stdin"))
			a->password_stdin = 1;
		else if (argv[i][0] != '-' && a->registry == NULL)
			a->registry = argv[i];
		else
			return -EINVAL;
	}
	return a->password && a->password_stdin ? -EINVAL : 0;
}

int
cmd_login(struct ctl *c, int argc, char **argv)
{
	static char user[256], secret[SECRET_MAX];
	char reg[IMGREF_DOMAIN_MAX], why[1024];
	struct login_args a;
	int r;

	if (parse_login(argc, argv, &a) < 0)
		return login_usage();
	if (dcfg_normalise(a.registry ? a.registry : IMGREF_DOCKER_HUB, reg, sizeof(reg)) < 0) {
		fprintf(stderr, "kilnctl: '%s' is not a registry (HOST[:PORT])\n", a.registry);
		return 2;
	}
	if (a.password)
		fprintf(stderr, "kilnctl: warning: a password on the command line is "
		    "seen by other users' ps; use --password-stdin\n");
	if (a.user)
		snprintf(user, sizeof(user), "%s", a.user);
	else if (prompt("Username", 1, user, sizeof(user)) < 0)
		return 1;
	if (a.password)
		snprintf(secret, sizeof(secret), "%s", a.password);
	else if ((a.password_stdin ? read_stdin(secret, sizeof(secret)) :
	    prompt("Password", 0, secret, sizeof(secret))) < 0)
		return 1;
	if (!user[0] || !secret[0]) {
		fprintf(stderr, "kilnctl: login to %s needs a username and a password\n", reg);
		return 1;
	}
	r = ask_registry(c, reg, user, secret);
	if (r == 0 && (r = dcfg_store(reg, user, secret, why, sizeof(why))) < 0)
		fprintf(stderr, "kilnctl: login to %s: the registry accepted, but %s\n",
		    reg, why);
	explicit_bzero(secret, sizeof(secret));
	if (r < 0)
		return 1;
	printf("Login Succeeded\n");
	return 0;
}

int
cmd_logout(struct ctl *c, int argc, char **argv)
{
	char reg[IMGREF_DOMAIN_MAX], why[1024];

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return login_usage();
	if (dcfg_normalise(argc == 2 ? argv[1] : IMGREF_DOCKER_HUB, reg, sizeof(reg)) < 0) {
		fprintf(stderr, "kilnctl: '%s' is not a registry (HOST[:PORT])\n", argv[1]);
		return 2;
	}
	if (dcfg_erase(reg, why, sizeof(why)) < 0) {
		fprintf(stderr, "kilnctl: logout: %s\n", why);
		return 1;
	}
	printf("Removing login credentials for %s\n", reg);
	return 0;
}
