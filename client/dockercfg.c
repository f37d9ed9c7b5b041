/* dockercfg.c: kilnctl's side of ~/.docker/config.json: stores and erases a registry's credentials, in auths or through a credential helper. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <jansson.h>
#include "dockercfg.h"
#include "imgref.h"
#include "util.h"

static void
config_dir(char *buf, size_t size)
{
	const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (dc && *dc)
		snprintf(buf, size, "%s", dc);
	else
		snprintf(buf, size, "%s/.docker", home ? home : ".");
}

int
dcfg_normalise(const char *arg, char *out, size_t size)
{
	struct imgref r;
	char ref[IMGREF_DOMAIN_MAX + 8];
	const char *p = arg;
	size_t n;

	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	n = strcspn(p, "/");
	if (n == 0 || n >= IMGREF_DOMAIN_MAX)
		return -EINVAL;
	snprintf(ref, sizeof(ref), "%.*s/x", (int)n, p);
	if (!strncmp(p, "index.docker.io", n) || !strncmp(p, "registry-1.docker.io", n))
		snprintf(ref, sizeof(ref), "docker.io/x");
	if (imgref_parse(ref, &r, NULL) < 0)
		return -EINVAL;
	/* a bare word is a domain here, not a Docker Hub repository */
	if (strcmp(r.domain, IMGREF_DOCKER_HUB) == 0 && strncmp(ref, "docker.io/", 10) != 0)
		return -EINVAL;
	snprintf(out, size, "%s", r.domain);
	return 0;
}

/* The key Docker writes: the Docker Hub's old v1 URL, else the domain. */
static const char *
server_key(const char *registry)
{
	return strcmp(registry, IMGREF_DOCKER_HUB) == 0 ? "https://index.docker.io/v1/" :
	    registry;
}

static json_t *
load(const char *path, char *why, size_t ws)
{
	json_error_t err;
	json_t *j;

	if (access(path, F_OK) < 0)
		return json_object();
	j = json_load_file(path, 0, &err);
	if (j == NULL || !json_is_object(j)) {
		snprintf(why, ws, "%s: %s", path, j ? "not a JSON object" : err.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* write aside, fsync, rename: a crash leaves the old file or the new */
static int
save(const char *dir, const char *path, json_t *j, char *why, size_t ws)
{
	char tmp[PATH_MAX + 16];
	int fd, r = 0;

	if (util_mkdir_p(dir, 0700) < 0) {
		snprintf(why, ws, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s.kiln-tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || json_dumpfd(j, fd, JSON_INDENT(1)) < 0 || write(fd, "\n", 1) != 1 ||
	    fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		snprintf(why, ws, "writing %s: %s", path, strerror(-r));
		unlink(tmp);
	}
	return r;
}

static const char *
helper_of(json_t *cfg, const char *registry)
{
	json_t *h = json_object_get(cfg, "credHelpers");
	const char *key;
	json_t *v;

	json_object_foreach(h, key, v) {
		char dom[IMGREF_DOMAIN_MAX];

		if (dcfg_normalise(key, dom, sizeof(dom)) == 0 && strcmp(dom, registry) == 0)
			return json_string_value(v);
	}
	return json_string_value(json_object_get(cfg, "credsStore"));
}

/* docker-credential-NAME VERB with input on its stdin */
static int
run_helper(const char *name, const char *verb, const char *input, char *why, size_t ws)
{
	char prog[96];
	int in[2], st;
	pid_t pid;

	snprintf(prog, sizeof(prog), "docker-credential-%s", name);
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) < 0) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	if (pid == 0) {
		if (dup2(in[0], 0) < 0)
			_exit(127);
		execlp(prog, prog, verb, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	(void)!write(in[1], input, strlen(input));
	close(in[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(why, ws, "%s %s failed (status %d%s)", prog, verb,
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1,
	    WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ": not on $PATH?" : "");
	return -EIO;
}

static void
base64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);

		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

int
dcfg_store(const char *registry, const char *user, const char *secret,
    char *why, size_t ws)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], *pair = NULL, *b64 = NULL;
	json_t *cfg, *auths;
	const char *helper;
	int r = -ENOMEM;

	config_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if ((cfg = load(path, why, ws)) == NULL)
		return -EINVAL;
	if ((helper = helper_of(cfg, registry)) && *helper) {
		json_t *in = json_pack("{s:s,s:s,s:s}", "ServerURL", server_key(registry),
		    "Username", user, "Secret", secret);
		char *text = in ? json_dumps(in, JSON_COMPACT) : NULL;

		r = text ? run_helper(helper, "store", text, why, ws) : -ENOMEM;
		if (text)
			explicit_bzero(text, strlen(text));
		free(text);
		json_decref(in);
		goto out;
	}
	if (asprintf(&pair, "%s:%s", user, secret) < 0 ||
	    (b64 = malloc(strlen(pair) / 3 * 4 + 8)) == NULL)
		goto out;
	base64((const unsigned char *)pair, strlen(pair), b64);
	if ((auths = json_object_get(cfg, "auths")) == NULL || !json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(cfg, "auths", auths);
	}
	json_object_set_new(auths, server_key(registry), json_pack("{s:s}", "auth", b64));
	r = save(dir, path, cfg, why, ws);
out:
	if (pair)
		explicit_bzero(pair, strlen(pair));
	if (b64)
		explicit_bzero(b64, strlen(b64));
	free(pair);
	free(b64);
	json_decref(cfg);
	return r;
}

int
dcfg_erase(const char *registry, char *why, size_t ws)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	json_t *cfg, *auths;
	const char *helper, *key;
	void *tmp;
	json_t *v;
	int found = 0, r;

	config_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	if ((cfg = load(path, why, ws)) == NULL)
		return -EINVAL;
	if ((helper = helper_of(cfg, registry)) && *helper) {
		r = run_helper(helper, "erase", server_key(registry), why, ws);
		json_decref(cfg);
		return r;
	}
	auths = json_object_get(cfg, "auths");
	json_object_foreach_safe(auths, tmp, key, v) {
		char dom[IMGREF_DOMAIN_MAX];

		if (dcfg_normalise(key, dom, sizeof(dom)) == 0 && strcmp(dom, registry) == 0) {
			json_object_del(auths, key);
			found = 1;
		}
	}
	r = found ? save(dir, path, cfg, why, ws) : -ENOENT;
	if (r == -ENOENT)
		snprintf(why, ws, "not logged in to %s (%s has no entry for it)", registry, path);
	json_decref(cfg);
	return r;
}
