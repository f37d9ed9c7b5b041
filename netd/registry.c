/* registry.c: one operation against a registry: authentication (Basic, bearer tokens), retries with resume, and the error sentence users read. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include <jansson.h>
#include "log.h"
#include "registry.h"

#define REG_RETRIES		3
#define REG_BACKOFF_MS		200
#define REG_RETRY_AFTER_MAX	10	/* seconds we wait for a 429 ourselves */

static struct helper *reg_helper;

static void op_done(struct http_xfer *x);

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reg_op *op = arg;
	int r = reg_send(op);

	if (r < 0)
		reg_fail_text(op, -r, "%s: starting the request again: %s", op->what,
		    strerror(-r));
}

struct reg_op *
reg_op_new(struct helper *h, struct ipc_peer *peer, uint32_t id)
{
	struct reg_op *op = calloc(1, sizeof(*op));

	reg_helper = h;
	if (op == NULL)
		return NULL;
	op->peer = peer;
	op->id = id;
	op->fd = -1;
	op->retry_ev = evtimer_new(h->base, retry_cb, op);
	if (op->retry_ev == NULL) {
		free(op);
		return NULL;
	}
	return op;
}

void
reg_op_free(struct reg_op *op)
{
	if (op == NULL)
		return;
	http_free(op->x);
	http_free(op->tok);
	event_free(op->retry_ev);
	if (op->creds) {
		auth_creds_wipe(op->creds);
		free(op->creds);
	}
	if (op->fd >= 0)
		close(op->fd);
	free(op);
}

/* --- mirrors --- */

static int
on_mirror(const struct reg_op *op)
{
	return op->up_rc && op->ep < op->up_rc->nmirrors;
}

const char *
reg_endpoint(const struct reg_op *op, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s", on_mirror(op) ? "mirror" : "registry",
	    on_mirror(op) ? op->ep_rc.host : op->ref.domain);
	return buf;
}

/* To endpoint ep: a mirror's host and settings, or the registry's; the
 * credentials and the Basic choice were the last endpoint's. */
static void
set_endpoint(struct reg_op *op, int ep)
{
	op->ep = ep;
	if (on_mirror(op)) {
		regconf_mirror(op->up_rc, ep, &op->ep_rc);
		op->rc = &op->ep_rc;
		snprintf(op->api_host, sizeof(op->api_host), "%s", op->ep_rc.host);
	} else {
		op->rc = op->up_rc;
		snprintf(op->api_host, sizeof(op->api_host), "%s",
		    imgref_api_host(op->ref.domain));
	}
	if (op->creds) {
		auth_creds_wipe(op->creds);
		free(op->creds);
		op->creds = NULL;
	}
	op->auth_basic = 0;
}

void
reg_use_mirrors(struct reg_op *op, reg_step_fn restart)
{
	op->up_rc = op->rc;
	op->restart = restart;
	set_endpoint(op, 0);
}

/* A mirror failed with msg: the next endpoint, 1; 0 when none is left. */
static int
next_endpoint(struct reg_op *op, const char *msg)
{
	char next[IMGREF_DOMAIN_MAX + 16];

	size_t n = strlen(op->what);

	if (!op->restart || !on_mirror(op))
		return 0;
	if (strncmp(msg, op->what, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		msg += n + 2;
	log_info("%s: mirror %s failed: %s; trying the next", op->what, op->ep_rc.host, msg);
	set_endpoint(op, op->ep + 1);
	log_info("%s: from %s", op->what, reg_endpoint(op, next, sizeof(next)));
	op->restart(op);
	return 1;
}

/* The peer may have gone (and its record been freed) while we talked to
 * the registry: answer only a peer that is still connected. */
struct ipc_peer *
reg_peer(struct reg_op *op)
{
	return helper_peer_alive(reg_helper, op->peer);
}

void
reg_url(const struct reg_op *op, char *buf, size_t size, const char *fmt, ...)
{
	int n = snprintf(buf, size, "%s://%s/v2/", regconf_scheme(op->rc), op->api_host);
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < size)
		vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

struct http_xfer *
reg_xfer(struct reg_op *op, const char *method)
{
	http_free(op->x);
	op->x = http_new();
	if (op->x)
		op->x->method = method;
	op->retries = op->auth_tries = 0;
	return op->x;
}

static void
set_tls(struct http_xfer *x, const struct regconf *rc)
{
	x->tls.verify = !rc->insecure;
	x->tls.ca_file = rc->ca_file[0] ? rc->ca_file : NULL;
}

int
reg_send(struct reg_op *op)
{
	struct http_xfer *x = op->x;

	set_tls(x, op->rc);
	x->done = op_done;
	x->arg = op;
	x->auth_user = x->auth_secret = x->auth_bearer = NULL;
	if (op->auth_basic && op->creds) {
		x->auth_user = op->creds->user;
		x->auth_secret = op->creds->secret;
	} else
		x->auth_bearer = auth_token_find(op->api_host, op->scope);
	return http_start(x);
}

/* --- the error sentence --- */

/* snprintf for sentences, where a cut is better than no message */
static void __attribute__((format(printf, 3, 4)))
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* The registry's own words: {"errors": [{"code", "message"}]} */
static void
registry_words(const struct http_xfer *x, char *out, size_t size)
{
	json_t *j = x->body ? json_loadb(x->body, x->body_len, 0, NULL) : NULL;
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));

	out[0] = '\0';
	if (code || msg)
		snprintf(out, size, " (%s%s%s)", code ? code : "", code && msg ? ": " : "",
		    msg ? msg : "");
	json_decref(j);
}

static int
status_errno(long status)
{
	switch (status) {
	case 401: return EACCES;
	case 403: return EPERM;
	case 404: return ENOENT;
	case 429: return EAGAIN;
	default: return EIO;
	}
}

static const char *
status_advice(struct reg_op *op, long status, char *buf, size_t size)
{
	const char *d = op->ref.domain;

	switch (status) {
	case 401:
		if (op->creds && op->creds->user[0])
			say(buf, size, "it refused the credentials from %s: run "
			    "'kilnctl login %s' again", op->creds->source, d);
		else
			say(buf, size, "no credentials for %s in %s: run "
			    "'kilnctl login %s'", d, auth_config_path(), d);
		return buf;
	case 403:
		return "these credentials may not do that: check the repository's "
		    "permissions";
	case 404:
		return strstr(op->what, "manifest") ? "no such repository, tag or "
		    "digest there: check the name" : "the registry lacks it: check "
		    "the repository name";
	case 429:
		say(buf, size, "the registry limits requests%s%s%s: wait and try "
		    "again, or log in for a higher limit", op->x->retry_after[0] ?
		    " (retry after " : "", op->x->retry_after,
		    op->x->retry_after[0] ? " s)" : "");
		return buf;
	default:
		return status >= 500 ? "the registry failed: try again later" :
		    "the registry does not speak the distribution protocol here";
	}
}

static int
curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT: return ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST: return EHOSTUNREACH;
	case CURLE_OPERATION_TIMEDOUT: return ETIMEDOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM: return EPROTO;
	default: return ECONNRESET;
	}
}

static void
transport_sentence(struct reg_op *op, char *buf, size_t size)
{
	const struct http_xfer *x = op->x;
	const char *d = on_mirror(op) ? op->ep_rc.host : op->ref.domain;

	if (x->write_err)
		say(buf, size, "%s: writing what %s sent: %s", op->what, d,
		    strerror(x->write_err));
	else if (x->read_err)
		say(buf, size, "%s: reading what to send: %s", op->what,
		    strerror(x->read_err));
	else if (x->too_big)
		say(buf, size, "%s: %s sent more than it should (over %llu "
		    "bytes): refused", op->what, d, (unsigned long long)x->out_max);
	else if (curl_errno(x->result) == EPROTO)
		say(buf, size, "%s: TLS with %s failed (%s): %s: if its "
		    "certificate is signed by your own CA, add 'registry = %s,ca=FILE' "
		    "to kilnd.conf; if it speaks plain HTTP, 'registry = %s,http'",
		    op->what, d, x->url, x->error, d, d);
	else if (x->result == CURLE_COULDNT_CONNECT || x->result == CURLE_COULDNT_RESOLVE_HOST)
		say(buf, size, "%s: cannot reach registry %s (%s): %s: is it "
		    "running, and are the name and port right?", op->what, d, x->url,
		    x->error);
	else
		say(buf, size, "%s: the connection to registry %s dropped "
		    "(%d tries, %s): %s: try again", op->what, d, op->retries + 1,
		    x->url, x->error);
}

void
reg_fail_text(struct reg_op *op, int err, const char *fmt, ...)
{
	struct ipc_peer *p = reg_peer(op);
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (next_endpoint(op, msg))
		return;
	log_info("%s", msg);
	if (p)
		ipc_reply_error(p, op->id, err, "%s", msg);
	reg_op_free(op);
}

void
reg_fail(struct reg_op *op, const char *doing)
{
	const struct http_xfer *x = op->x;
	char msg[2048], words[512], advice[512];
	int err;

	if (x->result != CURLE_OK || x->write_err || x->read_err || x->too_big) {
		transport_sentence(op, msg, sizeof(msg));
		err = x->write_err ? x->write_err : x->read_err ? x->read_err :
		    x->too_big ? EFBIG : curl_errno(x->result);
		reg_fail_text(op, err, "%s", msg);
		return;
	}
	registry_words(x, words, sizeof(words));
	reg_fail_text(op, status_errno(x->status), "%s%s: registry %s answered %ld%s: %s",
	    doing ? doing : "", op->what, on_mirror(op) ? op->ep_rc.host : op->ref.domain,
	    x->status, words,
	    status_advice(op, x->status, advice, sizeof(advice)));
}

/* --- authentication --- */

static int
load_creds(struct reg_op *op)
{
	const char *d;
	char why[512];
	int r;

	if (op->creds)
		return 0;
	if ((op->creds = calloc(1, sizeof(*op->creds))) == NULL)
		return -ENOMEM;
	/* a mirror has its own credentials, if any */
	d = on_mirror(op) ? op->ep_rc.host : op->ref.domain;
	r = auth_creds_lookup(d, op->creds, why, sizeof(why));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		reg_fail_text(op, -r, "%s: credentials for %s: %s", op->what, d, why);
	return r;
}

static void
token_done(struct http_xfer *t)
{
	struct reg_op *op = t->arg;
	int64_t ttl;
	char *tok;
	int r;

	if (t->result != CURLE_OK || t->status != 200) {
		char words[512], advice[512];

		registry_words(t, words, sizeof(words));
		reg_fail_text(op, t->status == 401 ? EACCES : t->result ? ECONNRESET : EIO,
		    "%s: the token server of %s (%s) answered %s%ld%s: %s", op->what,
		    op->ref.domain, t->url, t->result ? t->error : "", t->status, words,
		    t->status == 401 ? status_advice(op, 401, advice, sizeof(advice)) :
		    "try again later");
		return;
	}
	tok = auth_token_parse(t->body, t->body_len, &ttl);
	if (tok == NULL) {
		reg_fail_text(op, EPROTO, "%s: the token server of %s (%s) sent no "
		    "token", op->what, op->ref.domain, t->url);
		return;
	}
	r = auth_token_store(op->api_host, op->scope, tok, ttl);
	explicit_bzero(tok, strlen(tok));
	free(tok);
	if (r == 0)
		r = reg_send(op);
	if (r < 0)
		reg_fail_text(op, -r, "%s: %s", op->what, strerror(-r));
}

/* realm?service=S&scope=A&scope=B, escaped */
static int
token_url(struct reg_op *op, const struct auth_challenge *c, char *buf, size_t size)
{
	char scopes[1024], *save, *s;
	size_t n;

	n = (size_t)snprintf(buf, size, "%s%s", c->realm, strchr(c->realm, '?') ? "&" : "?");
	if (c->service[0]) {
		char *e = curl_easy_escape(NULL, c->service, 0);

		n += (size_t)snprintf(buf + n, size > n ? size - n : 0, "service=%s", e);
		curl_free(e);
	}
	snprintf(scopes, sizeof(scopes), "%s", op->scope);
	for (s = strtok_r(scopes, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		char *e = curl_easy_escape(NULL, s, 0);

		n += (size_t)snprintf(buf + n, size > n ? size - n : 0, "&scope=%s", e);
		curl_free(e);
	}
	return n < size ? 0 : -ENAMETOOLONG;
}

static int
fetch_token(struct reg_op *op, const struct auth_challenge *c)
{
	struct imgref realm_host = { 0 };
	const char *h = strstr(c->realm, "://") + 3;

	http_free(op->tok);
	if ((op->tok = http_new()) == NULL)
		return -ENOMEM;
	op->tok->method = "GET";
	if (token_url(op, c, op->tok->url, sizeof(op->tok->url)) < 0)
		return -ENAMETOOLONG;
	snprintf(realm_host.domain, sizeof(realm_host.domain), "%.*s",
	    (int)strcspn(h, "/?"), h);
	set_tls(op->tok, regconf_find(realm_host.domain));
	if (op->creds && op->creds->user[0]) {
		op->tok->auth_user = op->creds->user;
		op->tok->auth_secret = op->creds->secret;
	}
	op->tok->done = token_done;
	op->tok->arg = op;
	return http_start(op->tok);
}

/* A 401: what the challenge asks, with the credentials we have. */
static void
auth_begin(struct reg_op *op)
{
	struct auth_challenge c;
	int r;

	if (auth_challenge_parse(op->x->www_auth, &c) < 0) {
		reg_fail(op, NULL);
		return;
	}
	if (load_creds(op) < 0)
		return;
	if (!op->scope[0])
		snprintf(op->scope, sizeof(op->scope), "%s", c.scope);
	if (c.scheme == AUTH_BASIC) {
		if (!op->creds->user[0] || op->auth_basic) {
			reg_fail(op, NULL);
			return;
		}
		op->auth_basic = 1;
		r = reg_send(op);
	} else
		r = fetch_token(op, &c);
	if (r < 0)
		reg_fail_text(op, -r, "%s: %s", op->what, strerror(-r));
}

/* --- answers --- */

static int
transient(const struct http_xfer *x)
{
	if (x->write_err || x->read_err || x->too_big)
		return 0;
	switch (x->result) {
	case CURLE_OK:
		return x->status == 429 || x->status == 502 || x->status == 503 ||
		    x->status == 504;
	case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING: case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static long
retry_delay(struct reg_op *op)
{
	long ra = op->x->status == 429 && op->x->retry_after[0] ?
	    strtol(op->x->retry_after, NULL, 10) : 0;

	if (ra > REG_RETRY_AFTER_MAX)
		return -1;	/* longer than anyone should wait unknowing */
	return ra > 0 ? ra * 1000 : REG_BACKOFF_MS << op->retries;
}

static void
op_done(struct http_xfer *x)
{
	struct reg_op *op = x->arg;
	long ms;

	if (transient(x) && op->retries < REG_RETRIES && (ms = retry_delay(op)) >= 0) {
		struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

		/* a body cut short resumes where it stopped */
		if (x->out_fd >= 0 && x->status >= 200 && x->status <= 299)
			x->range_from += x->written;
		op->retries++;
		log_info("%s: %s; trying again in %ld ms", op->what, x->result ?
		    x->error : "busy", ms);
		evtimer_add(op->retry_ev, &tv);
		return;
	}
	if (x->result != CURLE_OK || x->write_err || x->too_big) {
		reg_fail(op, NULL);
		return;
	}
	/* one challenge per request: a second 401 is the answer */
	if (x->status == 401 && op->auth_tries == 0) {
		op->auth_tries++;
		auth_begin(op);
		return;
	}
	op->on_answer(op);
}
