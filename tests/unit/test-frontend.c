/* test-frontend.c: the frontend's semantics without a daemon: stages, ARG/ENV scoping, the graph, the image config, cache keys. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cachekey.h"
#include "frontend.h"
#include "imageconfig.h"

struct plan {
	struct df_file	df;
	struct fe_opts	o;
	struct fe	fe;
	struct fe_image	img[2];
	int		r;
};

static void
opts_init(struct fe_opts *o)
{
	struct plan *p = (struct plan *)((char *)o - offsetof(struct plan, o));

	memset(p, 0, sizeof(*p));
	o->platform = "linux/amd64";
	o->now = 1700000000;
}

/* "busybox" is an image with a config and a layer; "empty" has none */
static void
fake_images(struct plan *p)
{
	p->img[0].ref = strdup("busybox");
	p->img[0].digest = strdup("sha256:1111");
	p->img[0].snap = strdup("s7");
	p->img[0].config = json_loads("{\"architecture\":\"amd64\",\"os\":\"linux\","
	    "\"created\":\"2020-01-01T00:00:00Z\",\"config\":{\"Env\":["
	    "\"PATH=/usr/bin:/bin\",\"HOME=/root\"],\"Cmd\":[\"sh\"],"
	    "\"OnBuild\":null},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
	    "[\"sha256:aa\"]},\"history\":[{\"created_by\":\"base\"}]}", 0, NULL);
	p->img[1].ref = strdup("onb");
	p->img[1].digest = strdup("sha256:2222");
	p->img[1].snap = strdup("s9");
	p->img[1].config = json_loads("{\"config\":{\"OnBuild\":[\"RUN echo triggered\","
	    "\"ENV FROM_ONBUILD=1\"]}}", 0, NULL);
	p->fe.images = p->img;
	p->fe.nimages = 2;
}

static int
plan_run(struct plan *p, const char *text)
{
	struct df_error e;

	memset(&e, 0, sizeof(e));
	p->r = df_parse("Dockerfile", text, strlen(text), &p->df, &e);
	if (p->r < 0) {
		print_error("parse: %s\n", e.msg);
		return p->r;
	}
	if ((p->r = fe_prepare(&p->fe, &p->df, &p->o)) < 0) {
		if (getenv("TEST_VERBOSE"))
			print_error("prepare: %s\n", p->fe.err.msg);
		return p->r;
	}
	fake_images(p);
	p->r = fe_dispatch(&p->fe);
	if (p->r < 0 && getenv("TEST_VERBOSE"))
		print_error("dispatch: %s\n", p->fe.err.msg);
	return p->r;
}

static void
plan_free(struct plan *p)
{
	for (int i = 0; i < 2; i++) {
		free(p->img[i].ref);
		free(p->img[i].digest);
		free(p->img[i].snap);
		json_decref(p->img[i].config);
	}
	p->fe.images = NULL;
	p->fe.nimages = 0;
	fe_free(&p->fe);
	df_file_free(&p->df);
	vars_free(&p->o.build_args);
	vars_free(&p->o.ctx_images);
	strv_free(&p->o.ignore);
	strv_free(&p->o.secrets);
	strv_free(&p->o.nocache_filter);
	strv_free(&p->o.ctx_dirs);
}

static struct vertex *
top(struct plan *p)
{
	return p->fe.stages[p->fe.target].top;
}

static json_t *
cfg(struct plan *p, const char *key)
{
	return json_object_get(ic_cfg(p->fe.stages[p->fe.target].image), key);
}

static const char *
env_of(const struct vertex *v, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < v->env.n; i++)
		if (strncmp(v->env.v[i], key, n) == 0 && v->env.v[i][n] == '=')
			return v->env.v[i] + n + 1;
	return NULL;
}

static const char *
history(struct plan *p, int back)
{
	json_t *h = json_object_get(p->fe.stages[p->fe.target].image, "history");

	return json_string_value(json_object_get(json_array_get(h,
	    json_array_size(h) - 1 - (size_t)back), "created_by"));
}

static void
test_simple_graph(void **state)
{
	struct plan p;
	struct vertex *v;

	opts_init(&p.o);
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox\nWORKDIR /app\nCOPY a.txt .\n"
	    "RUN echo hi > f\nCMD [\"./run\"]\n"), 0);
	v = top(&p);
	assert_non_null(v);
	assert_int_equal(v->op, VOP_EXEC);
	assert_string_equal(v->name, "[4/4] RUN echo hi > f");
	assert_string_equal(v->argv.v[0], "/bin/sh");
	assert_string_equal(v->argv.v[1], "-c");
	assert_string_equal(v->argv.v[2], "echo hi > f");
	assert_string_equal(v->cwd, "/app");
	assert_string_equal(env_of(v, "PATH"), "/usr/bin:/bin");
	v = v->parent;
	assert_int_equal(v->op, VOP_FILE);
	assert_int_equal(v->acts[0].kind, FA_COPY);
	assert_string_equal(v->acts[0].dest, "/app/");
	assert_string_equal(v->acts[0].srcs.v[0], "a.txt");
	v = v->parent;
	assert_int_equal(v->acts[0].kind, FA_MKDIR);
	assert_string_equal(v->acts[0].dest, "/app");
	v = v->parent;
	assert_int_equal(v->op, VOP_SOURCE);
	assert_string_equal(v->snap, "s7");
	assert_null(v->parent);
	assert_string_equal(json_string_value(json_array_get(cfg(&p, "Cmd"), 0)), "./run");
	assert_string_equal(history(&p, 0), "CMD [\"./run\"]");
	assert_string_equal(history(&p, 1), "RUN /bin/sh -c echo hi > f # buildkit");
	assert_string_equal(history(&p, 2), "COPY a.txt . # buildkit");
	assert_string_equal(history(&p, 3), "WORKDIR /app");
	assert_null(json_object_get(p.fe.stages[0].image, "created"));
	plan_free(&p);
}

static void
test_arg_env_scoping(void **state)
{
	struct plan p;
	struct vertex *v;

	opts_init(&p.o);
	vars_set(&p.o.build_args, "V", "cli");
	vars_set(&p.o.build_args, "UNUSED", "x");
	vars_set(&p.o.build_args, "http_proxy", "http://proxy:3128");
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "ARG BASE=busy\nARG G=global\nFROM ${BASE}box\n"
	    "ARG G\nARG V=default\nARG D=d-$G\nENV E=env-$V\nARG E=arg\n"
	    "RUN echo $G\nENV G=from-env\nRUN true\n"), 0);
	v = top(&p);
	assert_string_equal(env_of(v, "G"), "from-env");
	v = v->parent;
	assert_string_equal(env_of(v, "G"), "global");
	assert_string_equal(env_of(v, "V"), "cli");
	assert_string_equal(env_of(v, "D"), "d-global");
	assert_string_equal(env_of(v, "E"), "arg");
	/* proxies reach RUN without an ARG, outside the key */
	assert_null(env_of(v, "http_proxy"));
	assert_string_equal(v->proxy_env.v[1], "http_proxy=http://proxy:3128");
	assert_string_equal(history(&p, 2), "RUN |4 G=global V=cli D=d-global E=arg "
	    "/bin/sh -c echo $G # buildkit");
	/* ARG values are no Env of the image; ENV is */
	assert_int_equal(json_array_size(cfg(&p, "Env")), 4);
	{
		struct strv unused = { NULL, 0 };

		assert_int_equal(fe_unused_args(&p.fe, &unused), 0);
		assert_int_equal(unused.n, 1);
		assert_string_equal(unused.v[0], "UNUSED");
		strv_free(&unused);
	}
	plan_free(&p);
}

static void
test_target_stages(void **state)
{
	struct plan p;

	opts_init(&p.o);
	p.o.target = "build";
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox AS base\nRUN echo base\n"
	    "FROM scratch AS unused\nCOPY x /\n"
	    "FROM base AS build\nCOPY --from=0 /bin/sh /sh\nRUN echo build\n"
	    "FROM busybox\nCOPY --from=build /out /\n"), 0);
	assert_int_equal(p.fe.target, 2);
	assert_true(p.fe.stages[0].reachable);
	assert_false(p.fe.stages[1].reachable);
	assert_false(p.fe.stages[3].reachable);
	assert_string_equal(top(&p)->name, "[build 2/2] RUN echo build");
	assert_ptr_equal(top(&p)->parent->acts[0].from, p.fe.stages[0].top);
	assert_ptr_equal(top(&p)->parent->parent, p.fe.stages[0].top);
	assert_int_equal(p.fe.need.n, 1);
	plan_free(&p);

	opts_init(&p.o);
	p.o.target = "nope";
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox AS a\n"), -EINVAL);
	assert_string_equal(p.fe.err.msg, "target stage \"nope\" could not be found");
	plan_free(&p);

	opts_init(&p.o);
	p.o.target = "first";
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox AS first\nCOPY --from=later /x /x\n"
	    "FROM busybox AS later\n"), -EINVAL);
	assert_non_null(strstr(p.fe.err.msg, "needs to be defined before"));
	assert_int_equal(p.fe.err.pos.line, 2);
	plan_free(&p);
}

static void
test_config(void **state)
{
	struct plan p;
	json_t *hc;

	opts_init(&p.o);
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox\nENTRYPOINT [\"/e\"]\n"
	    "LABEL a=b \"c d\"=\"e f\"\nEXPOSE 80 53/udp 7000-7001\nVOLUME /data\n"
	    "USER 1000:1000\nSTOPSIGNAL SIGKILL\nSHELL [\"/bin/bash\", \"-c\"]\n"
	    "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://x/\n"
	    "ONBUILD RUN echo later\nMAINTAINER me\n"), 0);
	/* ENTRYPOINT resets the base's CMD */
	assert_null(cfg(&p, "Cmd"));
	assert_string_equal(json_string_value(json_object_get(cfg(&p, "Labels"), "c d")),
	    "e f");
	assert_non_null(json_object_get(cfg(&p, "ExposedPorts"), "53/udp"));
	assert_non_null(json_object_get(cfg(&p, "ExposedPorts"), "7001/tcp"));
	assert_non_null(json_object_get(cfg(&p, "Volumes"), "/data"));
	assert_string_equal(json_string_value(cfg(&p, "User")), "1000:1000");
	assert_string_equal(json_string_value(cfg(&p, "StopSignal")), "SIGKILL");
	hc = cfg(&p, "Healthcheck");
	assert_string_equal(json_string_value(json_array_get(json_object_get(hc, "Test"), 0)),
	    "CMD-SHELL");
	assert_int_equal(json_integer_value(json_object_get(hc, "Interval")), 30000000000LL);
	assert_int_equal(json_integer_value(json_object_get(hc, "Retries")), 3);
	assert_null(json_object_get(hc, "Timeout"));
	assert_string_equal(json_string_value(json_array_get(cfg(&p, "OnBuild"), 0)),
	    "RUN echo later");
	assert_string_equal(history(&p, 1), "HEALTHCHECK {Test:[CMD-SHELL curl -f http://x/] "
	    "Interval:30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:3}");
	assert_string_equal(history(&p, 6), "EXPOSE [80/tcp 53/udp 7000/tcp 7001/tcp]");
	plan_free(&p);

	/* CMD in the same stage survives a later ENTRYPOINT; SHELL shapes RUN */
	opts_init(&p.o);
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM scratch\nCMD echo hi\nENTRYPOINT [\"/e\"]\n"
	    "SHELL [\"/bin/bash\", \"-eu\", \"-c\"]\nRUN make\n"), 0);
	assert_string_equal(json_string_value(json_array_get(cfg(&p, "Cmd"), 2)), "echo hi");
	assert_string_equal(top(&p)->argv.v[1], "-eu");
	assert_string_equal(json_string_value(json_array_get(cfg(&p, "Env"), 0)),
	    "PATH=" IC_DEFAULT_PATH);
	assert_string_equal(top(&p)->name, "[1/1] RUN make");
	plan_free(&p);
}

static void
test_onbuild_and_heredoc(void **state)
{
	struct plan p;
	struct vertex *v;

	opts_init(&p.o);
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM onb\nRUN <<EOF\necho one\necho two\nEOF\n"
	    "COPY <<A <<B /etc/\nhello $FROM_ONBUILD\nA\nsecond\nB\n"), 0);
	v = top(&p);
	assert_int_equal(v->nacts, 2);
	assert_string_equal(v->acts[0].dest, "/etc/A");
	assert_string_equal(v->acts[0].content, "hello 1\n");
	assert_string_equal(v->acts[1].dest, "/etc/B");
	v = v->parent;
	assert_string_equal(v->argv.v[2], "echo one\necho two\n");
	v = v->parent;
	assert_string_equal(v->name, "[2/4] ONBUILD RUN echo triggered");
	assert_null(cfg(&p, "OnBuild"));
	plan_free(&p);
}

/* The reference's examples: every word of an ENV sees the variables as
 * they were before it; COPY <<EOF reads backslashes as BuildKit does. */
static void
test_env_order_and_heredoc_escapes(void **state)
{
	struct plan p;
	json_t *env;
	struct vertex *v;

	opts_init(&p.o);
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox\nENV abc=hello\n"
	    "ENV abc=bye def=$abc\nENV ghi=$abc\n"
	    "COPY <<EOF /e\n\\\\ \\$abc \"$abc\" 'q'\nEOF\n"), 0);
	env = cfg(&p, "Env");
	assert_string_equal(json_string_value(json_array_get(env, 2)), "abc=bye");
	assert_string_equal(json_string_value(json_array_get(env, 3)), "def=hello");
	assert_string_equal(json_string_value(json_array_get(env, 4)), "ghi=bye");
	v = top(&p);
	assert_string_equal(v->acts[0].content, "\\ $abc \"bye\" 'q'\n");
	plan_free(&p);
}

static void
test_cache_keys(void **state)
{
	const char *df = "FROM busybox\nCOPY a /a\nRUN one\nCOPY b /b\nRUN two\n";
	char keys[2][5][GRAPH_KEY_MAX];
	struct plan p;

	for (int round = 0; round < 2; round++) {
		struct vertex *v;

		opts_init(&p.o);
		if (round)
			vars_set(&p.o.build_args, "HTTP_PROXY", "http://p");
		memset(&p.fe, 0, sizeof(p.fe));
		assert_int_equal(plan_run(&p, df), 0);
		/* the two COPYs read files whose checksums snapd gives */
		v = top(&p)->parent;
		snprintf(v->acts[0].checksum, sizeof(v->acts[0].checksum), "sha256:b%d",
		    round);
		snprintf(v->parent->parent->acts[0].checksum, 80, "sha256:a");
		assert_int_equal(cachekey_graph(&p.fe.g), 0);
		v = top(&p);
		for (int i = 0; i < 5; i++, v = v->parent)
			snprintf(keys[round][i], GRAPH_KEY_MAX, "%s", v->key);
		plan_free(&p);
	}
	/* b changed: its COPY and what follows are new; what came before, and
	 * the proxy, are not part of it */
	assert_string_not_equal(keys[0][0], keys[1][0]);
	assert_string_not_equal(keys[0][1], keys[1][1]);
	assert_string_equal(keys[0][2], keys[1][2]);
	assert_string_equal(keys[0][3], keys[1][3]);
	assert_string_equal(keys[0][4], keys[1][4]);
	assert_int_equal(strncmp(keys[0][0], "sha256:", 7), 0);
	assert_int_equal(strlen(keys[0][0]), 71);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *df, *msg;
	} cases[] = {
		{ "FROM $NOPE\n", "base name ($NOPE) should not be blank" },
		{ "FROM --platform=linux/arm64 busybox\n", "platform linux/arm64 is not" },
		{ "FROM busybox\nCOPY --chmod=999 a /\n", "invalid chmod parameter" },
		{ "FROM busybox\nCOPY --from=$X a /\n", "variable expansion is not supported" },
		{ "FROM busybox\nSTOPSIGNAL NOPE\n", "Invalid signal: NOPE" },
		{ "FROM busybox\nEXPOSE 80/xyz\n", "invalid proto: xyz" },
		{ "FROM busybox\nRUN --mount=type=bind,foo=1 true\n", "unexpected key 'foo'" },
		{ "FROM busybox\nRUN --mount=type=secret,id=s,required true\n",
		    "secret s: not found" },
		{ "FROM busybox\nADD git@github.com:a/b.git /x\n", "Git sources are not" },
		{ "FROM busybox\nADD --checksum=sha256:00 https://e.com/x /x\n",
		    "invalid checksum 'sha256:00'" },
		{ "FROM busybox\nADD --checksum=sha256:"
		    "0000000000000000000000000000000000000000000000000000000000000000 a /x\n",
		    "checksum requires HTTP(S) or Git sources" },
		{ "FROM busybox\nADD https://e.com/x https://e.com/y /x\n",
		    "the destination must be a directory and end with a /" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan p;

		opts_init(&p.o);
		memset(&p.fe, 0, sizeof(p.fe));
		assert_int_equal(plan_run(&p, cases[i].df), -EINVAL);
		if (strstr(p.fe.err.msg, cases[i].msg) == NULL)
			fail_msg("%s: got \"%s\"", cases[i].df, p.fe.err.msg);
		plan_free(&p);
	}
}

static void
test_mounts(void **state)
{
	struct plan p;
	struct vertex *v;

	opts_init(&p.o);
	strv_add(&p.o.secrets, "tok");
	memset(&p.fe, 0, sizeof(p.fe));
	assert_int_equal(plan_run(&p, "FROM busybox AS b\nRUN true\nFROM busybox\n"
	    "WORKDIR /w\nRUN --mount=type=cache,target=c,sharing=locked "
	    "--mount=type=secret,id=tok --mount=type=secret,id=gone "
	    "--mount=from=b,target=/mnt --mount=type=tmpfs,target=/t,size=1m "
	    "--network=none make\n"), 0);
	v = top(&p);
	assert_int_equal(v->nmounts, 4);
	assert_int_equal(v->mounts[0].type, VM_CACHE);
	assert_string_equal(v->mounts[0].target, "/w/c");
	assert_string_equal(v->mounts[0].source, "/w/c");
	assert_string_equal(v->mounts[0].sharing, "locked");
	assert_int_equal(v->mounts[1].type, VM_SECRET);
	assert_string_equal(v->mounts[1].target, "/run/secrets/tok");
	assert_int_equal(v->mounts[1].mode, 0400);
	assert_ptr_equal(v->mounts[2].from, p.fe.stages[0].top);
	assert_true(v->mounts[2].readonly);
	assert_int_equal(v->mounts[3].size, 1 << 20);
	assert_string_equal(v->network, "none");
	plan_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_graph),
		cmocka_unit_test(test_arg_env_scoping),
		cmocka_unit_test(test_target_stages),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_onbuild_and_heredoc),
		cmocka_unit_test(test_env_order_and_heredoc_escapes),
		cmocka_unit_test(test_cache_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_mounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
