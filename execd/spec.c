/* spec.c: decodes an EXEC_RUN body into a step description, refusing anything malformed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "execd.h"
#include "ipc.h"

#define SPEC_MAX_WORDS	4096

static void
free_words(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

void
exec_spec_free(struct exec_spec *s)
{
	free(s->rootfs);
	free(s->cwd);
	free_words(s->argv);
	free_words(s->env);
	memset(s, 0, sizeof(*s));
}

static int
read_words(struct ipc_rd *rd, char ***out)
{
	struct ipc_rd sub;
	char **v;

	if (ipc_rd_array(rd, &sub) < 0 || sub.n > SPEC_MAX_WORDS)
		return -EBADMSG;
	v = calloc(sub.n + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	*out = v;
	for (uint32_t i = 0; i < sub.n; i++)
		if (ipc_rd_strdup(&sub, &v[i]) < 0)
			return -EBADMSG;
	return ipc_rd_end(&sub);
}

/* "uid" or "uid:gid", numbers only until names come from the image's
 * /etc/passwd; gid defaults to 0 as Docker's does for a bare uid. */
static int
parse_user(const char *s, uid_t *uid, gid_t *gid)
{
	unsigned long u = 0, g = 0;
	char *end;

	if (*s == '\0')
		goto done;
	errno = 0;
	u = strtoul(s, &end, 10);
	if (errno || end == s || (*end != '\0' && *end != ':') || u > 0xfffffffeUL)
		return -EINVAL;
	if (*end == ':') {
		s = end + 1;
		g = strtoul(s, &end, 10);
		if (errno || end == s || *end != '\0' || g > 0xfffffffeUL)
			return -EINVAL;
	}
done:
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

int
exec_spec_parse(const msgpack_object *body, struct exec_spec *s,
    char *why, size_t whysize)
{
	struct ipc_rd rd;
	char *user = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	snprintf(why, whysize, "malformed EXEC_RUN body");
	r = -EBADMSG;
	if (ipc_rd_init(&rd, body) < 0 || ipc_rd_strdup(&rd, &s->rootfs) < 0 ||
	    read_words(&rd, &s->argv) < 0 || read_words(&rd, &s->env) < 0 ||
	    ipc_rd_strdup(&rd, &s->cwd) < 0 || ipc_rd_strdup(&rd, &user) < 0 ||
	    ipc_rd_bool(&rd, &s->network_none) < 0 || ipc_rd_end(&rd) < 0)
		goto out;
	r = -EINVAL;
	if (s->rootfs[0] != '/') {
		snprintf(why, whysize, "rootfs '%s' is not an absolute path", s->rootfs);
		goto out;
	}
	if (s->argv[0] == NULL || s->argv[0][0] == '\0') {
		snprintf(why, whysize, "empty command");
		goto out;
	}
	if (s->cwd[0] != '/') {
		snprintf(why, whysize, "working directory '%s' is not absolute", s->cwd);
		goto out;
	}
	if (parse_user(user, &s->uid, &s->gid) < 0) {
		snprintf(why, whysize, "user '%s': only numeric uid[:gid] for now", user);
		goto out;
	}
	r = 0;
out:
	free(user);
	if (r < 0)
		exec_spec_free(s);
	return r;
}
