/* dispatch_meta.c: the instructions that change only the image config: CMD, ENTRYPOINT, HEALTHCHECK, EXPOSE, VOLUME, USER, STOPSIGNAL, SHELL, ONBUILD, MAINTAINER. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"
#include "duration.h"

/* The shell of shell-form commands: SHELL's, or /bin/sh -c. */
int
dispatch_shell(struct dctx *d, struct strv *out)
{
	json_t *sh = json_object_get(ic_cfg(d->st->image), "Shell"), *s;
	size_t i;

	if (json_array_size(sh) == 0)
		return strv_add(out, "/bin/sh") < 0 || strv_add(out, "-c") < 0 ? -ENOMEM : 0;
	json_array_foreach(sh, i, s)
		if (strv_add(out, json_string_value(s) ? json_string_value(s) : "") < 0)
			return -ENOMEM;
	return 0;
}

/* exec form as written; shell form: the shell, then the line */
static int
command_args(struct dctx *d, struct strv *out)
{
	const struct df_instr *in = d->in;

	if (in->json) {
		for (size_t i = 0; i < in->nargs; i++)
			if (strv_add(out, in->args[i]) < 0)
				return -ENOMEM;
		return 0;
	}
	if (dispatch_shell(d, out) < 0)
		return -ENOMEM;
	return strv_add(out, in->nargs ? in->args[0] : "");
}

static int
history_list(struct dctx *d, const char *cmd, struct strv *v, int quote)
{
	char *l = quote ? ic_go_quote_list(v->v, v->n) : ic_go_list(v->v, v->n), *h;
	int r;

	if (l == NULL || asprintf(&h, "%s %s", cmd, l) < 0) {
		free(l);
		return -ENOMEM;
	}
	free(l);
	r = dispatch_history(d, h, 0);
	free(h);
	return r;
}

static int
do_cmd(struct dctx *d, int entrypoint)
{
	struct strv args = { NULL, 0 };
	json_t *img = d->st->image;
	int r;

	if ((r = command_args(d, &args)) < 0)
		goto out;
	if ((r = ic_set_strv(img, entrypoint ? "Entrypoint" : "Cmd", args.v, args.n)) < 0)
		goto out;
	if (entrypoint && !d->st->cmd_set)
		ic_del(img, "Cmd");	/* the CMD reset rule */
	if (!entrypoint) {
		d->st->cmd_set = 1;
		json_object_set_new(ic_cfg(img), "ArgsEscaped", json_true());
	}
	r = history_list(d, entrypoint ? "ENTRYPOINT" : "CMD", &args, 1);
out:
	strv_free(&args);
	return r;
}

struct hc_opt {
	const char	*flag, *json;
	int64_t		 ns;
};

static int
hc_durations(struct dctx *d, struct hc_opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *v = NULL;
		int r = dispatch_flag(d, o[i].flag, &v);

		if (r < 0)
			return r;
		if (v && duration_parse(v, &o[i].ns) < 0)
			r = fe_errorf(d->fe, d->in, "invalid --%s \"%s\": a duration like 30s "
			    "or 1m30s is expected", o[i].flag, v);
		else if (v && o[i].ns < 0)
			r = fe_errorf(d->fe, d->in, "--%s cannot be negative", o[i].flag);
		else if (v && o[i].ns != 0 && o[i].ns < 1000000)
			r = fe_errorf(d->fe, d->in, "--%s \"%s\" cannot be less than 1ms",
			    o[i].flag, v);
		free(v);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
hc_retries(struct dctx *d, long long *out)
{
	char *v = NULL, *end;
	int r = dispatch_flag(d, "retries", &v);

	*out = 0;
	if (r < 0 || v == NULL)
		return r;
	*out = strtoll(v, &end, 10);
	if (*v == '\0' || *end)
		r = fe_errorf(d->fe, d->in, "invalid --retries \"%s\": a number is expected", v);
	else if (*out < 0)
		r = fe_errorf(d->fe, d->in, "--retries cannot be negative (%lld)", *out);
	free(v);
	return r;
}

/* HEALTHCHECK NONE, or CMD with its options, as dockerspec writes it */
static int
do_healthcheck(struct dctx *d)
{
	struct hc_opt o[] = { { "interval", "Interval", 0 }, { "timeout", "Timeout", 0 },
	    { "start-period", "StartPeriod", 0 }, { "start-interval", "StartInterval", 0 } };
	struct strv test = { NULL, 0 };
	char dur[4][32], *tl = NULL, *h = NULL;
	long long retries = 0;
	json_t *hc;
	int r;

	if ((r = hc_durations(d, o, 4)) < 0 || (r = hc_retries(d, &retries)) < 0)
		return r;
	if (d->in->health_none)
		r = strv_add(&test, "NONE");
	else if (d->in->json) {
		r = strv_add(&test, "CMD");
		for (size_t i = 0; i < d->in->nargs && r == 0; i++)
			r = strv_add(&test, d->in->args[i]);
	} else if ((r = strv_add(&test, "CMD-SHELL")) == 0)
		r = strv_add(&test, d->in->nargs ? d->in->args[0] : "");
	if (r < 0 || (hc = json_object()) == NULL)
		goto out;
	json_object_set_new(hc, "Test", json_array());
	for (size_t i = 0; i < test.n; i++)
		json_array_append_new(json_object_get(hc, "Test"), json_string(test.v[i]));
	for (size_t i = 0; i < 4; i++) {
		if (o[i].ns)
			json_object_set_new(hc, o[i].json, json_integer(o[i].ns));
		duration_format(o[i].ns, dur[i], sizeof(dur[i]));
	}
	if (retries)
		json_object_set_new(hc, "Retries", json_integer(retries));
	json_object_set_new(ic_cfg(d->st->image), "Healthcheck", hc);
	if ((tl = ic_go_list(test.v, test.n)) == NULL ||
	    asprintf(&h, "HEALTHCHECK {Test:%s Interval:%s Timeout:%s StartPeriod:%s "
	    "StartInterval:%s Retries:%lld}", tl, dur[0], dur[1], dur[2], dur[3],
	    retries) < 0) {
		h = NULL;
		r = -ENOMEM;
		goto out;
	}
	r = dispatch_history(d, h, 0);
out:
	free(tl);
	free(h);
	strv_free(&test);
	return r < 0 ? r : 0;
}

static int
parse_port(const char *s, unsigned long *out)
{
	char *end;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return -EINVAL;
	*out = strtoul(s, &end, 10);
	return *end || *out > 65535 ? -EINVAL : 0;
}

/* [ip:][host:]port[-end][/proto] -> "port/proto"... (parsePortSpec) */
static int
port_spec(struct dctx *d, const char *raw, struct strv *out)
{
	const char *cp = strrchr(raw, ':') ? strrchr(raw, ':') + 1 : raw;
	char port[64], proto[16] = "tcp", *dash;
	const char *slash = strchr(cp, '/');
	unsigned long lo, hi;

	snprintf(port, sizeof(port), "%.*s", slash ? (int)(slash - cp) : (int)strlen(cp), cp);
	if (port[0] == '\0')
		return fe_errorf(d->fe, d->in, "no port specified: %s<empty>", raw);
	if (slash) {
		snprintf(proto, sizeof(proto), "%s", slash + 1);
		for (char *p = proto; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!*proto)
			snprintf(proto, sizeof(proto), "tcp");
		else if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
			return fe_errorf(d->fe, d->in, "invalid proto: %s", proto);
	}
	if ((dash = strchr(port, '-')))
		*dash = '\0';
	if (parse_port(port, &lo) < 0 || (dash && parse_port(dash + 1, &hi) < 0) ||
	    (dash && hi < lo)) {
		if (dash)
			*dash = '-';
		return fe_errorf(d->fe, d->in, "invalid containerPort: %s", port);
	}
	if (!dash)
		hi = lo;
	for (unsigned long p = lo; p <= hi; p++)
		if (strv_addf(out, "%lu/%s", p, proto) < 0)
			return -ENOMEM;
	return 0;
}

static int
do_expose(struct dctx *d)
{
	struct strv words = { NULL, 0 }, ports = { NULL, 0 };
	int r = 0;

	for (size_t i = 0; i < d->in->nargs && r == 0; i++)
		r = fe_expand_split(d->fe, d->in, &d->st->env, d->in->args[i], &words);
	for (size_t i = 0; i < words.n && r == 0; i++)
		r = port_spec(d, words.v[i], &ports);
	for (size_t i = 0; i < ports.n && r == 0; i++)
		r = ic_map_set(d->st->image, "ExposedPorts", ports.v[i], NULL);
	if (r == 0)
		r = history_list(d, "EXPOSE", &ports, 0);
	strv_free(&words);
	strv_free(&ports);
	return r;
}

static int
do_volume(struct dctx *d)
{
	struct strv vols = { NULL, 0 };
	int r = 0;

	for (size_t i = 0; i < d->in->nargs && r == 0; i++) {
		char *v = NULL;

		if ((r = fe_expand(d->fe, d->in, &d->st->env, d->in->args[i], &v)) < 0)
			break;
		if (*v == '\0')
			r = fe_errorf(d->fe, d->in, "VOLUME specified can not be an empty string");
		else if ((r = ic_map_set(d->st->image, "Volumes", v, NULL)) == 0)
			r = strv_take(&vols, v), v = NULL;
		free(v);
	}
	if (r == 0)
		r = history_list(d, "VOLUME", &vols, 0);
	strv_free(&vols);
	return r;
}

static const char *const signames[] = {
	"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
	"SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP",
	"TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH",
	"IO", "PWR", "SYS",
};

/* signal.ParseSignal: a number, NAME, SIGNAME or SIGRTMIN+n */
static int
valid_signal(const char *s)
{
	char *end;
	long n;

	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		return *end == '\0' && n > 0 && n <= 64;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcasecmp(s, signames[i]) == 0)
			return 1;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		if (s[5] == '\0')
			return 1;
		n = strtol(s + 6, &end, 10);
		return (s[5] == '+' || s[5] == '-') && *end == '\0' && n >= 0 && n <= 30;
	}
	return 0;
}

/* USER, STOPSIGNAL, MAINTAINER: one word into one field */
static int
do_word(struct dctx *d, const char *cmd, const char *field, int expand)
{
	const char *raw = d->in->nargs ? d->in->args[0] : "";
	char *v = NULL, *h;
	int r;

	if (expand)
		r = fe_expand(d->fe, d->in, &d->st->env, raw, &v);
	else
		r = (v = strdup(raw)) ? 0 : -ENOMEM;
	if (r < 0)
		return r;
	if (d->in->cmd == DF_STOPSIGNAL && !valid_signal(v))
		r = fe_errorf(d->fe, d->in, "Invalid signal: %s", v);
	else if (d->in->cmd == DF_MAINTAINER)
		r = json_object_set_new(d->st->image, "author", json_string(v)) ? -ENOMEM : 0;
	else
		r = ic_set_str(d->st->image, field, v);
	if (r == 0 && d->in->cmd == DF_USER) {
		free(d->st->user);
		r = (d->st->user = strdup(v)) ? 0 : -ENOMEM;
	}
	if (r == 0 && asprintf(&h, "%s %s", cmd, v) >= 0) {
		r = dispatch_history(d, h, 0);
		free(h);
	} else if (r == 0)
		r = -ENOMEM;
	free(v);
	return r;
}

static int
do_shell(struct dctx *d)
{
	struct strv sh = { NULL, 0 };
	int r = 0;

	if (!d->in->json || d->in->nargs == 0)
		return fe_errorf(d->fe, d->in, "SHELL requires the arguments to be in JSON "
		    "form, like SHELL [\"/bin/sh\", \"-c\"]");
	for (size_t i = 0; i < d->in->nargs && r == 0; i++)
		r = strv_add(&sh, d->in->args[i]);
	if (r == 0)
		r = ic_set_strv(d->st->image, "Shell", sh.v, sh.n);
	if (r == 0)
		r = history_list(d, "SHELL", &sh, 0);
	strv_free(&sh);
	return r;
}

/* ONBUILD keeps the trigger as written; no history entry (BuildKit) */
static int
do_onbuild(struct dctx *d)
{
	const char *t = d->in->onbuild && d->in->onbuild->original ?
	    d->in->onbuild->original : NULL;
	json_t *c = ic_cfg(d->st->image), *ob;

	if (t == NULL) {
		t = d->in->original ? d->in->original : "";
		if (strncasecmp(t, "ONBUILD", 7) == 0)
			t += 7;
		while (*t == ' ' || *t == '\t')
			t++;
	}
	ob = json_object_get(c, "OnBuild");
	if (!json_is_array(ob)) {
		ob = json_array();
		if (ob == NULL || json_object_set_new(c, "OnBuild", ob) < 0)
			return -ENOMEM;
	}
	return json_array_append_new(ob, json_string(t)) < 0 ? -ENOMEM : 0;
}

int
dispatch_meta(struct dctx *d)
{
	switch (d->in->cmd) {
	case DF_CMD:
		return do_cmd(d, 0);
	case DF_ENTRYPOINT:
		return do_cmd(d, 1);
	case DF_HEALTHCHECK:
		return do_healthcheck(d);
	case DF_EXPOSE:
		return do_expose(d);
	case DF_VOLUME:
		return do_volume(d);
	case DF_USER:
		return do_word(d, "USER", "User", 1);
	case DF_STOPSIGNAL:
		return do_word(d, "STOPSIGNAL", "StopSignal", 1);
	case DF_MAINTAINER:
		return do_word(d, "MAINTAINER", NULL, 0);
	case DF_SHELL:
		return do_shell(d);
	case DF_ONBUILD:
		return do_onbuild(d);
	default:
		return fe_errorf(d->fe, d->in, "%s is not handled", df_cmd_name(d->in->cmd));
	}
}
