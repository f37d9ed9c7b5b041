/* user_lookup.c: SNAP_USER: a COPY --chown or WORKDIR owner "user[:group]" resolved in a prepared snapshot's /etc/passwd and /etc/group, as Docker resolves it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "files.h"
#include "files_api.h"
#include "log.h"

#define USER_FILE_MAX	(1 << 20)	/* a bigger passwd is not a passwd */

/* The file under root, whole, NUL-terminated; "" when it is missing. */
static int
read_file(int root, const char *rel, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	int fd = fs_open_in_root(root, rel, O_RDONLY | O_CLOEXEC), r = 0;

	*out = NULL;
	if (fd < 0) {
		*out = strdup("");
		return *out ? 0 : -ENOMEM;
	}
	if ((buf = malloc(USER_FILE_MAX + 1)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (len < USER_FILE_MAX) {
		ssize_t n = read(fd, buf + len, USER_FILE_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* "name:x:uid:gid:..." (passwd) or "name:x:gid:..." (group): the id in
 * field idx (and the gid, field 3, of a passwd line). -ENOENT if absent. */
static int
find_entry(const char *text, const char *name, int idx, int64_t *id, int64_t *gid)
{
	size_t nlen = strlen(name);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *f = l;
		char *end;

		if (strncmp(l, name, nlen) != 0 || l[nlen] != ':')
			continue;
		for (int i = 0; i < idx && f; i++)
			f = strchr(f, ':') ? strchr(f, ':') + 1 : NULL;
		if (f == NULL || !isdigit((unsigned char)*f))
			return -EINVAL;
		*id = strtoll(f, &end, 10);
		if (gid && *end == ':' && isdigit((unsigned char)end[1]))
			*gid = strtoll(end + 1, NULL, 10);
		return 0;
	}
	return -ENOENT;
}

static int
numeric(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return 0;
	v = strtoll(s, &end, 10);
	if (*end || v < 0 || v > 0xfffffffeLL)
		return 0;
	*out = v;
	return 1;
}

/* user[:group]: a name is looked up, a number taken as it is; without a
 * group, a named user's primary group, a number's own (Docker's rules) */
static int
resolve(int root, char *spec, int64_t *uid, int64_t *gid, struct snap_err *err)
{
	char *group = strchr(spec, ':'), *passwd = NULL, *groups = NULL;
	int64_t pgid = -1;
	int r;

	if (group)
		*group++ = '\0';
	if ((r = read_file(root, "etc/passwd", &passwd)) < 0 ||
	    (r = read_file(root, "etc/group", &groups)) < 0)
		goto out;
	if (!numeric(spec, uid)) {
		r = find_entry(passwd, spec, 2, uid, &pgid);
		if (r < 0) {
			r = snap_errf(err, -ENOENT, "unable to convert uid/gid chown string "
			    "to host mapping: can't find uid for user %s: no such user", spec);
			goto out;
		}
	} else
		pgid = *uid;
	if (group == NULL || *group == '\0')
		*gid = pgid;
	else if (!numeric(group, gid) && find_entry(groups, group, 2, gid, NULL) < 0)
		r = snap_errf(err, -ENOENT, "unable to convert uid/gid chown string to host "
		    "mapping: can't find gid for group %s: no such group", group);
out:
	free(passwd);
	free(groups);
	return r;
}

/* [str prepared id, str "user[:group]"] -> SNAP_USER_REPLY [uid, gid] */
int
files_on_user(struct ipc_peer *p, struct ipc_msg *m)
{
	struct snap_err err = { "" };
	char *id = NULL, *spec = NULL;
	int64_t uid = -1, gid = -1;
	struct ipc_rd rd;
	struct ipc_wr w;
	int r = -EBADMSG, root;

	if (ipc_rd_init(&rd, &m->body) < 0 || ipc_rd_strdup(&rd, &id) < 0 ||
	    ipc_rd_strdup(&rd, &spec) < 0 || ipc_rd_end(&rd) < 0 || *spec == '\0')
		goto out;
	root = files_open_prepared(id, &err);
	r = root < 0 ? root : resolve(root, spec, &uid, &gid, &err);
	if (root >= 0)
		close(root);
	if (r < 0) {
		r = files_reply_err(p, m->hdr.id, r, &err);
		goto out;
	}
	ipc_wr_init(&w);
	msgpack_pack_array(&w.pk, 2);
	msgpack_pack_int64(&w.pk, uid);
	msgpack_pack_int64(&w.pk, gid);
	r = ipc_send(p, IPC_SNAP_USER_REPLY, m->hdr.id, &w, NULL, 0);
	ipc_wr_free(&w);
out:
	free(id);
	free(spec);
	return r;
}
