/* test-dockerfile-parse.c: unit tests of df_parse: every instruction, continuations, directives, heredocs, errors, allocation failures. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dockerfile.h"

const char *__asan_default_options(void);
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

const char *
__asan_default_options(void)
{
	return "detect_leaks=1";
}

/* when > 0, the allocation that brings it to 0 fails */
static long fail_in;

static int
alloc_fails(void)
{
	return fail_in > 0 && --fail_in == 0;
}

void *
__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

static struct df_file file;
static struct df_error err;

/* the previous tree freed first, so a test can parse again and again */
static int
parse(const char *text)
{
	df_file_free(&file);
	return df_parse("Dockerfile", text, strlen(text), &file, &err);
}

static void
parse_ok(const char *text)
{
	if (parse(text) != 0)
		fail_msg("parse failed: %d:%d: %s", err.pos.line, err.pos.col, err.msg);
}

static const struct df_instr *
instr(size_t i)
{
	assert_true(i < file.ninstrs);
	return &file.instrs[i];
}

static int
teardown(void **state)
{
	df_file_free(&file);
	return 0;
}

static void
test_every_instruction(void **state)
{
	const struct df_instr *in;

	parse_ok("ARG BASE=alpine\n"
	    "FROM --platform=$BUILDPLATFORM ${BASE} AS build\n"
	    "RUN echo hello\n"
	    "CMD [\"sh\", \"-c\", \"echo\"]\n"
	    "LABEL a=b \"c d\"=\"e f\"\n"
	    "MAINTAINER me <me@example.com>\n"
	    "EXPOSE 80/tcp 443\n"
	    "ENV A=1 B=\"2 3\"\n"
	    "ADD --chown=1:1 --chmod=644 --link --keep-git-dir=true --checksum=sha256:0 --exclude=*.o src /dst/\n"
	    "COPY --from=build --chown=u --chmod=u+x --link=false --parents --exclude=a --exclude=b a b /c/\n"
	    "ENTRYPOINT [\"/bin/sh\"]\n"
	    "VOLUME /a /b\n"
	    "USER 1000:1000\n"
	    "WORKDIR /x y\n"
	    "ARG A B=2\n"
	    "ONBUILD RUN echo later\n"
	    "STOPSIGNAL SIGKILL\n"
	    "HEALTHCHECK --interval=5s --timeout=1m30s --start-period=0 --start-interval=1ms --retries=3 CMD curl -f http://x/\n"
	    "SHELL [\"/bin/bash\", \"-c\"]\n");
	assert_int_equal(file.ninstrs, 19);
	assert_int_equal(file.escape, '\\');
	assert_null(file.syntax);

	in = instr(0);
	assert_int_equal(in->cmd, DF_ARG);
	assert_int_equal(in->nkvs, 1);
	assert_string_equal(in->kvs[0].key, "BASE");
	assert_string_equal(in->kvs[0].value, "alpine");

	in = instr(1);
	assert_int_equal(in->cmd, DF_FROM);
	assert_int_equal(in->nargs, 3);
	assert_string_equal(in->args[0], "${BASE}");
	assert_string_equal(in->args[1], "AS");
	assert_string_equal(in->args[2], "build");
	assert_null(in->args[3]);
	assert_string_equal(df_flag_get(in, "platform")->value, "$BUILDPLATFORM");
	assert_int_equal(df_flag_get(in, "platform")->pos.col, 6);

	in = instr(2);
	assert_int_equal(in->cmd, DF_RUN);
	assert_int_equal(in->json, 0);
	assert_int_equal(in->nargs, 1);
	assert_string_equal(in->args[0], "echo hello");
	assert_string_equal(in->original, "RUN echo hello");

	in = instr(3);
	assert_int_equal(in->json, 1);
	assert_int_equal(in->nargs, 3);
	assert_string_equal(in->args[2], "echo");

	in = instr(4);
	assert_int_equal(in->nkvs, 2);
	assert_string_equal(in->kvs[1].key, "\"c d\"");
	assert_string_equal(in->kvs[1].value, "\"e f\"");
	assert_int_equal(in->kvs[1].pos.col, 11);

	assert_string_equal(instr(5)->args[0], "me <me@example.com>");
	assert_int_equal(instr(6)->nargs, 2);
	assert_string_equal(instr(7)->kvs[1].value, "\"2 3\"");

	in = instr(8);
	assert_int_equal(in->nflags, 6);
	assert_null(df_flag_get(in, "link")->value);
	assert_int_equal(df_flag_bool(in, "link"), 1);
	assert_string_equal(df_flag_get(in, "keep-git-dir")->value, "true");
	assert_int_equal(in->nargs, 2);

	in = instr(9);
	assert_string_equal(df_flag_get(in, "from")->value, "build");
	assert_string_equal(df_flag_get(in, "exclude")->value, "a");
	assert_string_equal(df_flag_next(in, df_flag_get(in, "exclude"), "exclude")->value, "b");
	assert_null(df_flag_next(in, df_flag_next(in, df_flag_get(in, "exclude"), "exclude"), "exclude"));
	assert_null(df_flag_get(in, "platform"));
	assert_int_equal(in->nargs, 3);

	assert_int_equal(instr(10)->json, 1);
	assert_int_equal(instr(11)->nargs, 2);
	assert_string_equal(instr(12)->args[0], "1000:1000");
	assert_string_equal(instr(13)->args[0], "/x y");

	in = instr(14);
	assert_int_equal(in->nkvs, 2);
	assert_null(in->kvs[0].value);
	assert_string_equal(in->kvs[1].value, "2");

	in = instr(15);
	assert_int_equal(in->cmd, DF_ONBUILD);
	assert_non_null(in->onbuild);
	assert_int_equal(in->onbuild->cmd, DF_RUN);
	assert_string_equal(in->onbuild->args[0], "echo later");
	assert_string_equal(in->onbuild->original, "RUN echo later");
	assert_int_equal(in->onbuild->pos.col, 9);

	assert_string_equal(instr(16)->args[0], "SIGKILL");

	in = instr(17);
	assert_int_equal(in->health_none, 0);
	assert_int_equal(in->nflags, 5);
	assert_int_equal(in->json, 0);
	assert_string_equal(in->args[0], "curl -f http://x/");

	in = instr(18);
	assert_int_equal(in->cmd, DF_SHELL);
	assert_int_equal(in->nargs, 2);
}

static void
test_keywords_any_case(void **state)
{
	parse_ok("from a\nRuN x\nhealthcheck none\ncopy a b\n");
	assert_int_equal(instr(1)->cmd, DF_RUN);
	assert_int_equal(instr(2)->health_none, 1);
	assert_int_equal(instr(2)->nargs, 0);
	assert_string_equal(df_cmd_name(instr(3)->cmd), "COPY");
}

static void
test_continuations(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM a\n"
	    "RUN --mount=type=cache,target=/c \\\n"
	    "    --network=none \\\n"
	    " # a comment inside\n"
	    "\n"
	    "    echo a\\\n"
	    "b \\  \n"
	    "  c\n"
	    "RUN echo x \\\\\n"
	    "RUN \\\n"
	    "  last\n"
	    "RUN end \\");
	in = instr(1);
	assert_int_equal(in->pos.line, 2);
	assert_int_equal(in->end_line, 8);
	assert_int_equal(in->nflags, 2);
	assert_int_equal(df_flag_get(in, "network")->pos.line, 3);
	assert_int_equal(df_flag_get(in, "network")->pos.col, 5);
	/* no separator is added where lines join */
	assert_string_equal(in->args[0], "echo ab   c");
	/* an escaped escape character does not continue */
	assert_string_equal(instr(2)->args[0], "echo x \\\\");
	assert_int_equal(instr(2)->end_line, 9);
	assert_string_equal(instr(3)->args[0], "last");
	/* a continuation at the end of the file just ends */
	assert_string_equal(instr(4)->args[0], "end");
}

static void
test_comments_and_blanks(void **state)
{
	parse_ok("# comment\n\n   # indented comment\nFROM a\n\t\nRUN echo # not a comment\r\n");
	assert_int_equal(file.ninstrs, 2);
	assert_int_equal(instr(0)->pos.line, 4);
	assert_string_equal(instr(1)->args[0], "echo # not a comment");
}

static void
test_directives(void **state)
{
	parse_ok("# syntax=docker/dockerfile:1\n#ESCAPE = `\n#  check=skip=all;error=true\nFROM a\nRUN dir C:\\x `\n  y\n");
	assert_string_equal(file.syntax, "docker/dockerfile:1");
	assert_string_equal(file.check, "skip=all;error=true");
	assert_int_equal(file.escape, '`');
	assert_string_equal(instr(1)->args[0], "dir C:\\x   y");
	df_file_free(&file);

	/* after a comment, a blank line or an instruction: only comments */
	parse_ok("# hello\n# escape=`\nFROM a\nRUN a \\\nb\n");
	assert_int_equal(file.escape, '\\');
	assert_string_equal(instr(1)->args[0], "a b");
	df_file_free(&file);
	parse_ok("\n# escape=`\nFROM a\n");
	assert_int_equal(file.escape, '\\');
	df_file_free(&file);
	parse_ok("FROM a\n# syntax=x\n");
	assert_null(file.syntax);
	df_file_free(&file);
	/* an unknown directive ends them too */
	parse_ok("# foo=bar\n# escape=`\nFROM a\n");
	assert_int_equal(file.escape, '\\');
	df_file_free(&file);
	/* a UTF-8 BOM before the first line */
	parse_ok("\xef\xbb\xbf# escape=`\nFROM a\n");
	assert_int_equal(file.escape, '`');
}

static void
test_json_forms(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM a\n"
	    "RUN [ \"a\" , \"\\u00e9\\n\\\"\\\\\" ]\n"
	    "RUN [\"not\", json]\n"
	    "CMD [\"a\"] trailing\n"
	    "CMD []\n"
	    "ENTRYPOINT [\"\\ud83d\\ude00\"]\n"
	    "RUN [\"unterminated\"\n"
	    "VOLUME [\"/v\", \"/w\"]\n"
	    "COPY [\"a b\", \"/c d/\"]\n");
	in = instr(1);
	assert_int_equal(in->json, 1);
	assert_string_equal(in->args[1], "\xc3\xa9\n\"\\");
	assert_int_equal(instr(2)->json, 0);
	assert_string_equal(instr(2)->args[0], "[\"not\", json]");
	assert_int_equal(instr(3)->json, 0);
	assert_int_equal(instr(4)->json, 1);
	assert_int_equal(instr(4)->nargs, 0);
	assert_non_null(instr(4)->args);
	assert_string_equal(instr(5)->args[0], "\xf0\x9f\x98\x80");
	assert_int_equal(instr(6)->json, 0);
	assert_int_equal(instr(7)->nargs, 2);
	assert_string_equal(instr(8)->args[0], "a b");
}

static void
test_env_and_label(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM a\n"
	    "ENV legacy  value with  spaces \n"
	    "ENV a=1 b=\"x y\" c=z\\ w d= e='q r'\n"
	    "LABEL key value\n");
	in = instr(1);
	assert_int_equal(in->nkvs, 1);
	assert_string_equal(in->kvs[0].key, "legacy");
	assert_string_equal(in->kvs[0].value, "value with  spaces");
	in = instr(2);
	assert_int_equal(in->nkvs, 5);
	assert_string_equal(in->kvs[1].value, "\"x y\"");
	assert_string_equal(in->kvs[2].value, "z\\ w");
	assert_string_equal(in->kvs[3].value, "");
	assert_string_equal(in->kvs[4].value, "'q r'");
	assert_int_equal(in->kvs[4].pos.col, 27);
	assert_string_equal(instr(3)->kvs[0].value, "value");
}

static void
test_flags(void **state)
{
	const struct df_instr *in;
	const struct df_flag *f;
	int n = 0;

	parse_ok("FROM a\n"
	    "RUN --mount=type=secret,id=\"a b\" --mount=type=tmpfs,target=/t --security=insecure -- --not-a-flag\n"
	    "COPY --chown=\"1:1\" -- --a b\n");
	in = instr(1);
	for (f = df_flag_get(in, "mount"); f; f = df_flag_next(in, f, "mount"))
		n++;
	assert_int_equal(n, 2);
	assert_string_equal(df_flag_get(in, "mount")->value, "type=secret,id=a b");
	assert_string_equal(in->args[0], "--not-a-flag");
	in = instr(2);
	assert_string_equal(df_flag_get(in, "chown")->value, "1:1");
	assert_string_equal(in->args[0], "--a");
}

static void
test_heredocs(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM a\n"
	    "RUN <<EOF\n"
	    "echo $HOME\n"
	    "EOF\n"
	    "RUN cat <<-\"A\" <<'B' > out && cat<<NOT\n"
	    "\t\tindented\n"
	    "\tA\n"
	    "b $x\r\n"
	    "B\n"
	    "COPY <<one 2<<two /dest/\n"
	    "1\n"
	    "one\n"
	    "two\n"
	    "RUN [\"<<EOF\"]\n"
	    "ONBUILD RUN <<X\n"
	    "later\n"
	    "X\n"
	    "RUN <<E\"O\"F\n"
	    "literal\n"
	    "EOF");
	in = instr(1);
	assert_int_equal(in->nheredocs, 1);
	assert_string_equal(in->heredocs[0].name, "EOF");
	assert_string_equal(in->heredocs[0].content, "echo $HOME\n");
	assert_int_equal(in->heredocs[0].expand, 1);
	assert_int_equal(in->heredocs[0].strip_tabs, 0);
	assert_string_equal(in->args[0], "<<EOF");
	assert_int_equal(in->end_line, 4);

	in = instr(2);
	assert_int_equal(in->pos.line, 5);
	assert_int_equal(in->nheredocs, 2);
	assert_string_equal(in->heredocs[0].name, "A");
	assert_string_equal(in->heredocs[0].content, "indented\n");
	assert_int_equal(in->heredocs[0].expand, 0);
	assert_int_equal(in->heredocs[0].strip_tabs, 1);
	assert_string_equal(in->heredocs[1].name, "B");
	assert_string_equal(in->heredocs[1].content, "b $x\r\n");
	assert_int_equal(in->heredocs[1].expand, 0);
	assert_int_equal(in->end_line, 9);

	in = instr(3);
	assert_int_equal(in->nheredocs, 2);
	assert_string_equal(in->heredocs[0].content, "1\n");
	assert_string_equal(in->heredocs[1].content, "");
	assert_ptr_equal(df_heredoc_find(in, in->args[0]), &in->heredocs[0]);
	assert_ptr_equal(df_heredoc_find(in, in->args[1]), &in->heredocs[1]);
	assert_null(df_heredoc_find(in, in->args[2]));

	/* the exec form has no heredocs */
	assert_int_equal(instr(4)->nheredocs, 0);
	assert_int_equal(instr(4)->pos.line, 14);

	in = instr(5);
	assert_int_equal(in->end_line, 17);
	assert_int_equal(in->onbuild->end_line, 17);
	assert_int_equal(in->onbuild->nheredocs, 1);
	assert_string_equal(in->onbuild->heredocs[0].content, "later\n");

	in = instr(6);
	assert_string_equal(in->heredocs[0].name, "EOF");
	assert_int_equal(in->heredocs[0].expand, 0);
	assert_string_equal(in->heredocs[0].content, "literal\n");
	assert_int_equal(in->end_line, 20);
}

static void
test_heredoc_edges(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM a\n"
	    "RUN echo \"<<NOT\" '<<NOR' && cat <<EOF | sh \\\n"
	    "  -e\n"
	    "# not a comment here\n"
	    "\n"
	    "  EOF\n"
	    "EOF\n"
	    "COPY --chmod=644 <<a.txt <<b.txt /d/\n"
	    "a\n"
	    "a.txt\n"
	    "b.txt");
	in = instr(1);
	assert_int_equal(in->nheredocs, 1);
	assert_string_equal(in->heredocs[0].name, "EOF");
	/* the body: every line as written, blank and # lines included */
	assert_string_equal(in->heredocs[0].content, "# not a comment here\n\n  EOF\n");
	assert_int_equal(in->pos.line, 2);
	assert_int_equal(in->end_line, 7);
	assert_string_equal(in->args[0], "echo \"<<NOT\" '<<NOR' && cat <<EOF | sh   -e");
	in = instr(2);
	assert_int_equal(in->nheredocs, 2);
	assert_string_equal(in->heredocs[1].name, "b.txt");
	assert_string_equal(in->heredocs[1].content, "");
	assert_int_equal(in->end_line, 11);
	assert_string_equal(df_flag_get(in, "chmod")->value, "644");
}

static void
test_directive_edges(void **state)
{
	/* a directive without a value is none, and ends them */
	parse_ok("# syntax=\n# escape=`\nFROM a\n");
	assert_null(file.syntax);
	assert_int_equal(file.escape, '\\');
	df_file_free(&file);
	parse_ok("#   Escape   =   `   \n# check = skip=JSONArgsRecommended,StageNameCasing ; error = False\nFROM a\n");
	assert_int_equal(file.escape, '`');
	assert_string_equal(file.check, "skip=JSONArgsRecommended,StageNameCasing ; error = False");
	df_file_free(&file);
	assert_int_equal(parse("# check=error=maybe\nFROM a\n"), -EINVAL);
	assert_string_equal(err.msg, "failed to parse check option \"error=maybe\": expected true or false");
	assert_int_equal(parse("# check=skip\nFROM a\n"), -EINVAL);
	assert_int_equal(parse("# escape=``\nFROM a\n"), -EINVAL);
	assert_int_equal(err.pos.line, 1);
	/* with ` as escape, \ is an ordinary character, JSON keeps its own */
	parse_ok("# escape=`\nFROM a\nRUN [\"C:\\\\a b\"]\nCOPY C:\\x\\ C:\\y\\\nRUN echo `\n  done\n");
	assert_string_equal(instr(1)->args[0], "C:\\a b");
	assert_string_equal(instr(2)->args[0], "C:\\x\\");
	assert_string_equal(instr(3)->args[0], "echo   done");
}

static void
test_onbuild(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM a\nONBUILD COPY --from=b --chown=1 x y\nonbuild  env a=1\n");
	in = instr(1)->onbuild;
	assert_int_equal(in->cmd, DF_COPY);
	assert_string_equal(df_flag_get(in, "from")->value, "b");
	assert_int_equal(df_flag_get(in, "from")->pos.col, 14);
	assert_int_equal(in->nargs, 2);
	assert_int_equal(instr(1)->nflags, 0);
	assert_int_equal(instr(2)->onbuild->cmd, DF_ENV);
	assert_string_equal(instr(2)->onbuild->original, "env a=1");
	assert_int_equal(parse("FROM a\nONBUILD RUN --nope x\n"), -EINVAL);
	assert_int_equal(err.pos.col, 13);
	assert_int_equal(parse("FROM a\nONBUILD MAINTAINER me\n"), -EINVAL);
	assert_string_equal(err.msg, "MAINTAINER isn't allowed as an ONBUILD trigger");
}

static void
test_flag_values(void **state)
{
	const struct df_instr *in;

	parse_ok("FROM --platform= a\nCOPY --link=TRUE --parents=false --exclude= a b\nADD --keep-git-dir=False a b\n");
	assert_string_equal(df_flag_get(instr(0), "platform")->value, "");
	in = instr(1);
	assert_string_equal(df_flag_get(in, "link")->value, "true");
	assert_int_equal(df_flag_bool(in, "link"), 1);
	assert_int_equal(df_flag_bool(in, "parents"), 0);
	assert_int_equal(df_flag_bool(in, "from"), 0);
	assert_string_equal(df_flag_get(instr(2), "keep-git-dir")->value, "false");
	assert_string_equal(df_flag_get(in, "exclude")->value, "");
	/* ADD --unpack (Dockerfile 1.17), a boolean; COPY has none */
	parse_ok("FROM a\nADD --unpack=false a.tar /d/\nADD --unpack a.tar /e/\n");
	assert_int_equal(df_flag_bool(instr(1), "unpack"), 0);
	assert_int_equal(df_flag_bool(instr(2), "unpack"), 1);
	assert_int_equal(parse("FROM a\nCOPY --unpack a b\n"), -EINVAL);
	assert_int_equal(parse("FROM a\nCOPY --link= a b\n"), -EINVAL);
	assert_int_equal(parse("FROM a\nHEALTHCHECK --interval=500us CMD x\n"), -EINVAL);
	assert_string_equal(err.msg, "Interval \"interval\" cannot be less than 1ms");
	assert_int_equal(parse("FROM a\nHEALTHCHECK --retries=x CMD x\n"), -EINVAL);
	parse_ok("FROM a\nHEALTHCHECK --interval=0s --retries=0 CMD [\"x\"]\n");
	assert_int_equal(instr(1)->json, 1);
}

static void
test_errors_basic(void **state)
{
	char buf[2048];

	assert_int_equal(parse("FROM a\n\tFORM b\n"), -EINVAL);
	assert_int_equal(err.pos.line, 2);
	assert_int_equal(err.pos.col, 2);
	assert_string_equal(err.file, "Dockerfile");
	assert_string_equal(err.line, "\tFORM b");
	assert_non_null(strstr(err.msg, "did you mean FROM?"));
	assert_null(file.instrs);
	assert_int_equal(file.ninstrs, 0);
	df_error_format(&err, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Dockerfile:2:2: unknown instruction: FORM ("));
	assert_non_null(strstr(buf, "\n   2 | \tFORM b\n     | \t^"));

	/* a truncated buffer stays a string */
	df_error_format(&err, buf, 8);
	assert_string_equal(buf, "Dockerf");

	assert_int_equal(parse("FROM a\nRUN\n"), -EINVAL);
	assert_string_equal(err.msg, "RUN requires at least one argument");
	assert_int_equal(df_parse("Dockerfile", "FROM a\0\n", 8, &file, &err), -EINVAL);
	assert_int_equal(err.pos.col, 7);
	assert_int_equal(parse("FROM a\nRUN --mount type=bind x\n"), -EINVAL);
	assert_string_equal(err.msg, "missing a value on flag: mount (expected --mount=VALUE)");
	assert_int_equal(parse("FROM a\nCOPY --from=a --from=b x y\n"), -EINVAL);
	assert_string_equal(err.msg, "duplicate flag specified: from");
	assert_int_equal(err.pos.col, 15);
}

static void
test_error_line_numbers(void **state)
{
	struct df_error e = { "Dockerfile", { 12345, 3 }, "bad", "ab c" };
	char buf[256];

	assert_string_equal(df_error_format(&e, buf, sizeof(buf)),
	    "Dockerfile:12345:3: bad\n12345 | ab c\n      |   ^");
}

static void
test_duration(void **state)
{
	long long ns;

	assert_int_equal(df_duration_parse("1m30s", &ns), 0);
	assert_true(ns == 90000000000LL);
	assert_int_equal(df_duration_parse("1.5ms", &ns), 0);
	assert_true(ns == 1500000);
	assert_int_equal(df_duration_parse("0", &ns), 0);
	assert_true(ns == 0);
	assert_int_equal(df_duration_parse("-2h", &ns), 0);
	assert_true(ns == -7200000000000LL);
	assert_int_equal(df_duration_parse("10", &ns), -EINVAL);
	assert_int_equal(df_duration_parse("", &ns), -EINVAL);
	assert_int_equal(df_duration_parse("1x", &ns), -EINVAL);
	assert_int_equal(df_duration_parse(".s", &ns), -EINVAL);
	assert_int_equal(df_duration_parse("9999999999h", &ns), -ERANGE);
}

/* Every allocation of a full parse fails in turn: -ENOMEM, nothing leaks. */
static void
test_alloc_failures(void **state)
{
	static const char text[] =
	    "# syntax=x\n# check=error=true\nARG A=1 B\nFROM a AS b\n"
	    "RUN --mount=type=cache,target=/x echo \\\n  a\n"
	    "RUN [\"a\", \"b\"]\nENV a=1 b=2\nLABEL x y\n"
	    "COPY --from=b <<EOF /d\nx\nEOF\nONBUILD RUN <<Y\ny\nY\n"
	    "HEALTHCHECK --retries=1 CMD [\"c\"]\nVOLUME /v\nWORKDIR ${A:-/w}\n";
	long k;
	int r;

	for (k = 1; k < 100000; k++) {
		fail_in = k;
		r = df_parse("Dockerfile", text, sizeof(text) - 1, &file, &err);
		fail_in = 0;
		if (r == 0)
			break;
		if (r != -ENOMEM)
			fail_msg("allocation %ld: %d %s", k, r, err.msg);
		assert_null(file.instrs);
	}
	assert_int_equal(r, 0);
	assert_true(k > 20);
	assert_int_equal(file.ninstrs, 11);
}

static const char *
one_var(const char *name, void *arg)
{
	return strcmp(name, "A") == 0 ? "x" : NULL;
}

static void
test_expand_alloc_failures(void **state)
{
	char *out, **w;
	size_t n;
	long k;
	int r;

	for (k = 1; k < 10000; k++) {
		fail_in = k;
		r = df_expand_word("a$A \"b ${A:-c}\" ${A/x/yy}", '\\', one_var, NULL, &out, &err);
		fail_in = 0;
		if (r == 0)
			break;
		assert_int_equal(r, -ENOMEM);
	}
	assert_string_equal(out, "ax b x yy");
	free(out);
	for (k = 1; k < 10000; k++) {
		fail_in = k;
		r = df_expand_words("a$A \"b ${A:-c}\" d e f g h", '\\', one_var, NULL, &w, &n, &err);
		fail_in = 0;
		if (r == 0)
			break;
		assert_int_equal(r, -ENOMEM);
	}
	if (n != 7)
		fail_msg("allocation %ld: %zu words", k, n);
	df_words_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_instruction, teardown),
		cmocka_unit_test_teardown(test_keywords_any_case, teardown),
		cmocka_unit_test_teardown(test_continuations, teardown),
		cmocka_unit_test_teardown(test_comments_and_blanks, teardown),
		cmocka_unit_test_teardown(test_directives, teardown),
		cmocka_unit_test_teardown(test_json_forms, teardown),
		cmocka_unit_test_teardown(test_env_and_label, teardown),
		cmocka_unit_test_teardown(test_flags, teardown),
		cmocka_unit_test_teardown(test_heredocs, teardown),
		cmocka_unit_test_teardown(test_heredoc_edges, teardown),
		cmocka_unit_test_teardown(test_directive_edges, teardown),
		cmocka_unit_test_teardown(test_onbuild, teardown),
		cmocka_unit_test_teardown(test_flag_values, teardown),
		cmocka_unit_test_teardown(test_errors_basic, teardown),
		cmocka_unit_test(test_error_line_numbers),
		cmocka_unit_test(test_duration),
		cmocka_unit_test_teardown(test_alloc_failures, teardown),
		cmocka_unit_test(test_expand_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
