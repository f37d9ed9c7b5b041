/* spec.c: decodes an EXEC_RUN body into a step description, refusing anything malformed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "execd.h"
#include "ipc.h"
#include "util.h"

#define SPEC_MAX_WORDS	4096
#define SPEC_HOST_MAX	253		/* a DNS name */
#define SPEC_DEFAULT_HOSTNAME	"kiln"

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
	free(s->user);
	free(s->hostname);
	free_words(s->argv);
	free_words(s->env);
	free_words(s->hosts);
	for (size_t i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].target);
		free(s->mounts[i].source);
	}
	free(s->mounts);
	memset(s, 0, sizeof(*s));
}

static int
read_words(struct ipc_rd *rd, char ***out, uint32_t max)
{
	struct ipc_rd sub;
	char **v;

	if (ipc_rd_array(rd, &sub) < 0 || sub.n > max)
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

static int
mount_type(const char *s)
{
	static const char *const names[] = {
		[EXEC_MNT_BIND] = "bind", [EXEC_MNT_CACHE] = "cache",
		[EXEC_MNT_TMPFS] = "tmpfs", [EXEC_MNT_SECRET] = "secret",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* [str type, str target, str source, bool readonly, u64 size, i64 uid,
 *  i64 gid, i64 mode] */
static int
read_mount(struct ipc_rd *rd, struct exec_mount *mt, char **type)
{
	struct ipc_rd sub;

	if (ipc_rd_array(rd, &sub) < 0 || ipc_rd_strdup(&sub, type) < 0 ||
	    ipc_rd_strdup(&sub, &mt->target) < 0 ||
	    ipc_rd_strdup(&sub, &mt->source) < 0 ||
	    ipc_rd_bool(&sub, &mt->readonly) < 0 || ipc_rd_u64(&sub, &mt->size) < 0 ||
	    ipc_rd_i64(&sub, &mt->uid) < 0 || ipc_rd_i64(&sub, &mt->gid) < 0 ||
	    ipc_rd_i64(&sub, &mt->mode) < 0)
		return -EBADMSG;
	return ipc_rd_end(&sub);
}

static int
read_mounts(struct ipc_rd *rd, struct exec_spec *s)
{
	struct ipc_rd sub;
	int r = 0;

	if (ipc_rd_array(rd, &sub) < 0 || sub.n > EXEC_MAX_MOUNTS)
		return -EBADMSG;
	s->mounts = calloc(sub.n ? sub.n : 1, sizeof(*s->mounts));
	if (s->mounts == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; r == 0 && i < sub.n; i++) {
		struct exec_mount *mt = &s->mounts[s->nmounts++];
		char *type = NULL;

		mt->fd = -1;
		r = read_mount(&sub, mt, &type);
		mt->type = type ? mount_type(type) : -1;
		free(type);
	}
	return r < 0 ? r : ipc_rd_end(&sub);
}

static int __attribute__((format(printf, 3, 4)))
fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
valid_path(const char *p)
{
	return p[0] == '/' && strlen(p) < PATH_MAX - 64;
}

static int
valid_ids(const struct exec_mount *mt)
{
	return mt->uid >= -1 && mt->uid < 0xffffffffLL && mt->gid >= -1 &&
	    mt->gid < 0xffffffffLL && mt->mode >= -1 && mt->mode <= 07777;
}

/* Each mount's own rules; hands out the frame's fds in mount order. */
static int
check_mount(struct exec_mount *mt, struct exec_spec *s, char *why, size_t size)
{
	if (mt->type < 0)
		return fail(why, size, "mount on '%s': type is bind, cache, tmpfs "
		    "or secret", mt->target);
	if (!valid_path(mt->target) || strcmp(mt->target, "/") == 0)
		return fail(why, size, "mount target '%s' is not an absolute path "
		    "below /", mt->target);
	if (!valid_ids(mt))
		return fail(why, size, "mount on %s: bad uid, gid or mode", mt->target);
	if ((mt->type == EXEC_MNT_BIND && mt->source[0] == '\0') ||
	    mt->type == EXEC_MNT_SECRET)
		mt->fd = s->nfds++;
	else if ((mt->type == EXEC_MNT_BIND || mt->type == EXEC_MNT_CACHE) &&
	    !valid_path(mt->source))
		return fail(why, size, "mount on %s: source is not an absolute path",
		    mt->target);
	return 0;
}

/* A hostname or an /etc/hosts name: letters, digits, '-', '.', '_'. */
static int
valid_name(const char *n, size_t max)
{
	size_t len = strlen(n);

	if (len == 0 || len > max || n[0] == '-' || n[0] == '.')
		return 0;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._") == len;
}

/* "NAME ADDR", the address IPv4 or IPv6 */
static int
valid_host(const char *line)
{
	const char *sp = strchr(line, ' ');
	unsigned char buf[sizeof(struct in6_addr)];
	char name[SPEC_HOST_MAX + 1];

	if (sp == NULL || (size_t)(sp - line) > SPEC_HOST_MAX)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(sp - line), line);
	return valid_name(name, SPEC_HOST_MAX) && (inet_pton(AF_INET, sp + 1, buf) == 1 ||
	    inet_pton(AF_INET6, sp + 1, buf) == 1);
}

/* USER's syntax; names are looked up in the image at run time (user.c) */
static int
valid_user(const char *u)
{
	const char *colon = strchr(u, ':');

	if (strlen(u) > 255 || strpbrk(u, "\n ,") != NULL)
		return 0;
	if (colon == NULL)
		return 1;
	return colon != u && colon[1] != '\0' && strchr(colon + 1, ':') == NULL;
}

static int
parse_network(const char *n)
{
	if (strcmp(n, "default") == 0 || n[0] == '\0')
		return EXEC_NET_DEFAULT;
	if (strcmp(n, "none") == 0)
		return EXEC_NET_NONE;
	if (strcmp(n, "host") == 0)
		return EXEC_NET_HOST;
	return -1;
}

static int
check_spec(struct exec_spec *s, const char *network, const char *security,
    char *why, size_t size)
{
	int r;

	if (!valid_path(s->rootfs))
		return fail(why, size, "rootfs '%s' is not an absolute path", s->rootfs);
	if (s->argv[0] == NULL || s->argv[0][0] == '\0')
		return fail(why, size, "empty command");
	if (!valid_path(s->cwd))
		return fail(why, size, "working directory '%s' is not absolute", s->cwd);
	if (!valid_user(s->user))
		return fail(why, size, "user '%s': NAME, UID, NAME:GROUP or UID:GID", s->user);
	if ((s->network = parse_network(network)) < 0)
		return fail(why, size, "network '%s': default, none or host", network);
	if (strcmp(security, "insecure") == 0)
		s->insecure = 1;
	else if (strcmp(security, "sandbox") != 0 && security[0] != '\0')
		return fail(why, size, "security '%s': sandbox or insecure", security);
	if (s->hostname[0] == '\0') {
		free(s->hostname);
		if ((s->hostname = strdup(SPEC_DEFAULT_HOSTNAME)) == NULL)
			return -ENOMEM;
	} else if (!valid_name(s->hostname, 63))
		return fail(why, size, "hostname '%s' is not a valid host name", s->hostname);
	for (char **h = s->hosts; *h; h++)
		if (!valid_host(*h))
			return fail(why, size, "extra host '%s' is not \"NAME ADDRESS\"", *h);
	s->nfds = 2;
	for (size_t i = 0; i < s->nmounts; i++)
		if ((r = check_mount(&s->mounts[i], s, why, size)) < 0)
			return r;
	return 0;
}

int
exec_spec_parse(const msgpack_object *body, struct exec_spec *s,
    char *why, size_t whysize)
{
	char *network = NULL, *security = NULL;
	struct ipc_rd rd;
	int r;

	memset(s, 0, sizeof(*s));
	snprintf(why, whysize, "malformed EXEC_RUN body");
	if (ipc_rd_init(&rd, body) < 0 || ipc_rd_strdup(&rd, &s->rootfs) < 0 ||
	    read_words(&rd, &s->argv, SPEC_MAX_WORDS) < 0 ||
	    read_words(&rd, &s->env, SPEC_MAX_WORDS) < 0 ||
	    ipc_rd_strdup(&rd, &s->cwd) < 0 || ipc_rd_strdup(&rd, &s->user) < 0 ||
	    ipc_rd_strdup(&rd, &network) < 0 || read_mounts(&rd, s) < 0 ||
	    ipc_rd_strdup(&rd, &security) < 0 || ipc_rd_strdup(&rd, &s->hostname) < 0 ||
	    read_words(&rd, &s->hosts, EXEC_MAX_HOSTS) < 0 || ipc_rd_end(&rd) < 0) {
		r = -EBADMSG;
		goto out;
	}
	r = check_spec(s, network, security, why, whysize);
out:
	free(network);
	free(security);
	if (r < 0)
		exec_spec_free(s);
	return r;
}
