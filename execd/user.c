/* user.c: the step's uid, gid, supplementary groups and home from the image's own /etc/passwd and /etc/group, read without NSS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "execd.h"
#include "util.h"

/*
 * Never getpwnam(3) here: glibc's NSS would load the modules the image's
 * nsswitch.conf names, from the image, into a process that still holds
 * the spawner's capabilities. The files are parsed by hand instead, with
 * runc's rules (libcontainer/user GetExecUser), which Docker's USER
 * follows:
 *  - USER names or numbers a passwd entry: its uid, gid and home, and
 *    the groups that list the name as a member;
 *  - a number with no entry: that uid, gid 0, no supplementary group;
 *  - :GROUP names or numbers a group entry (a number need not have one)
 *    and replaces the gid; then no supplementary group is added.
 */

#define USER_FILE_MAX	(4 * 1024 * 1024)

/* A decimal id below 2^32-1, the whole of s[0..len). */
static int
parse_id(const char *s, size_t len, uint32_t *id)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= 0xffffffffULL)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* Splits one line (no '\n') at ':' into at most max fields. */
struct fields {
	const char	*p[8];
	size_t		 len[8];
	int		 n;
};

static void
split(const char *line, size_t len, struct fields *fl, int max)
{
	const char *end = line + len, *s = line;

	fl->n = 0;
	while (fl->n < max) {
		const char *c = memchr(s, ':', (size_t)(end - s));

		fl->p[fl->n] = s;
		fl->len[fl->n] = (size_t)((c ? c : end) - s);
		fl->n++;
		if (c == NULL)
			break;
		s = c + 1;
	}
}

static int
field_is(const struct fields *fl, int i, const char *s)
{
	return fl->len[i] == strlen(s) && memcmp(fl->p[i], s, fl->len[i]) == 0;
}

/* Calls fn on each line of text; stops at the first nonzero result. */
static int
each_line(const char *text, int (*fn)(const char *, size_t, void *), void *arg)
{
	for (const char *s = text; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		int r = fn(s, len, arg);

		if (r)
			return r;
		s = nl ? nl + 1 : NULL;
	}
	return 0;
}

struct pw_match {
	const char	*want;		/* name or number */
	uint32_t	 want_id;
	int		 numeric;
	struct exec_ids	*ids;
	char		 name[256];
};

/* name:password:uid:gid:gecos:home:shell */
static int
passwd_line(const char *line, size_t len, void *arg)
{
	struct pw_match *m = arg;
	struct fields fl;
	uint32_t uid, gid;

	split(line, len, &fl, 7);
	if (fl.n < 4 || fl.len[0] == 0 || fl.len[0] >= sizeof(m->name) ||
	    parse_id(fl.p[2], fl.len[2], &uid) < 0 || parse_id(fl.p[3], fl.len[3], &gid) < 0)
		return 0;
	if (!field_is(&fl, 0, m->want) && !(m->numeric && uid == m->want_id))
		return 0;
	m->ids->uid = uid;
	m->ids->gid = gid;
	memcpy(m->name, fl.p[0], fl.len[0]);
	m->name[fl.len[0]] = '\0';
	if (fl.n >= 6 && fl.len[5] > 0 && fl.len[5] < sizeof(m->ids->home))
		snprintf(m->ids->home, sizeof(m->ids->home), "%.*s", (int)fl.len[5], fl.p[5]);
	return 1;
}

struct gr_match {
	const char	*want;		/* a group name or number, or NULL */
	uint32_t	 want_id;
	int		 numeric, found;
	const char	*member;	/* a user name, or NULL */
	struct exec_ids	*ids;
};

static int
has_member(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list, *end = list + len; s < end;) {
		const char *c = memchr(s, ',', (size_t)(end - s));
		size_t l = (size_t)((c ? c : end) - s);

		if (l == n && memcmp(s, name, n) == 0)
			return 1;
		s = c ? c + 1 : end;
	}
	return 0;
}

static void
add_group(struct exec_ids *ids, gid_t gid)
{
	for (size_t i = 0; i < ids->ngroups; i++)
		if (ids->groups[i] == gid)
			return;
	if (ids->ngroups < EXEC_MAX_GROUPS)
		ids->groups[ids->ngroups++] = gid;
}

/* name:password:gid:member,member... */
static int
group_line(const char *line, size_t len, void *arg)
{
	struct gr_match *m = arg;
	struct fields fl;
	uint32_t gid;

	split(line, len, &fl, 4);
	if (fl.n < 3 || fl.len[0] == 0 || parse_id(fl.p[2], fl.len[2], &gid) < 0)
		return 0;
	if (m->want && (field_is(&fl, 0, m->want) || (m->numeric && gid == m->want_id))) {
		m->ids->gid = gid;
		m->found = 1;
		return 1;
	}
	if (m->member && fl.n == 4 && has_member(fl.p[3], fl.len[3], m->member))
		add_group(m->ids, gid);
	return 0;
}

static int
find_group(const char *want, const char *group, struct exec_ids *ids,
    char *why, size_t size)
{
	struct gr_match gm = { want, 0, 0, 0, NULL, ids };

	gm.numeric = parse_id(want, strlen(want), &gm.want_id) == 0;
	each_line(group, group_line, &gm);
	if (gm.found)
		return 0;
	if (gm.numeric) {
		ids->gid = gm.want_id;
		return 0;
	}
	snprintf(why, size, "unable to find group %s: no matching entries in "
	    "the image's /etc/group", want);
	return -ENOENT;
}

int
user_lookup(const char *spec, const char *passwd, const char *group,
    struct exec_ids *ids, char *why, size_t size)
{
	char user[256], *colon;
	struct pw_match pm;
	int matched;

	memset(ids, 0, sizeof(*ids));
	snprintf(user, sizeof(user), "%s", spec[0] ? spec : "root");
	if ((colon = strchr(user, ':')) != NULL)
		*colon = '\0';
	pm = (struct pw_match){ .want = user, .ids = ids };
	pm.numeric = parse_id(user, strlen(user), &pm.want_id) == 0;
	matched = each_line(passwd, passwd_line, &pm);
	if (!matched && !pm.numeric && strcmp(user, "root") != 0) {
		snprintf(why, size, "unable to find user %s: no matching entries in "
		    "the image's /etc/passwd", user);
		return -ENOENT;
	}
	if (!matched)
		ids->uid = pm.numeric ? pm.want_id : 0;
	if (colon)
		return find_group(colon + 1, group, ids, why, size);
	if (matched) {
		struct gr_match gm = { NULL, 0, 0, 0, pm.name, ids };

		each_line(group, group_line, &gm);
	}
	return 0;
}

/* A regular file of the image, up to USER_FILE_MAX; NULL when absent.
 * O_NONBLOCK: a FIFO put there must not hang the step's setup. */
static int
read_image_file(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *buf = NULL;
	ssize_t n = 0, got;
	int r = 0;

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > USER_FILE_MAX) {
		r = -EINVAL;
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (n < st.st_size && (got = read(fd, buf + n, (size_t)(st.st_size - n))) > 0)
		n += got;
	buf[n] = '\0';
	*out = buf;
out:
	close(fd);
	return r;
}

/* In the step, after pivot_root: the files are the image's. */
int
user_resolve(const char *spec, struct exec_ids *ids, struct exec_fail *f)
{
	char *passwd = NULL, *group = NULL, why[sizeof(f->what)];
	int r;

	if ((r = read_image_file("/etc/passwd", &passwd)) < 0) {
		exec_fail_set(f, -r, "reading the image's /etc/passwd (not a "
		    "regular file under 4 MiB?)");
		goto out;
	}
	if ((r = read_image_file("/etc/group", &group)) < 0) {
		exec_fail_set(f, -r, "reading the image's /etc/group (not a "
		    "regular file under 4 MiB?)");
		goto out;
	}
	r = user_lookup(spec, passwd, group, ids, why, sizeof(why));
	if (r < 0)
		exec_fail_set(f, -r, "%s", why);
out:
	free(passwd);
	free(group);
	return r;
}
