/* dockerfile.h: the Dockerfile frontend's syntax tree, parser and word expansion (no I/O, fuzzable). */
#ifndef KILN_DOCKERFILE_H
#define KILN_DOCKERFILE_H

#include <stddef.h>

/*
 * df_parse() turns a Dockerfile's text into instructions; it checks the
 * syntax of every instruction and flag (unknown ones are errors) but
 * expands no variable: which instruction expands which word, with which
 * values, depends on the build (ARG, ENV, --build-arg) and is the solver's
 * work, done with df_expand_word() and df_expand_words().
 *
 * Positions are 1-based; col counts bytes.
 */

struct df_pos {
	unsigned	line, col;
};

enum df_cmd {
	DF_FROM = 1, DF_RUN, DF_CMD, DF_LABEL, DF_MAINTAINER, DF_EXPOSE,
	DF_ENV, DF_ADD, DF_COPY, DF_ENTRYPOINT, DF_VOLUME, DF_USER,
	DF_WORKDIR, DF_ARG, DF_ONBUILD, DF_STOPSIGNAL, DF_HEALTHCHECK,
	DF_SHELL,
};

/* --name=value (value NULL for a bare --name), unexpanded. RUN may have
 * several --mount; the parser checks the flag is known to the command.
 * The values of boolean flags (ADD --link --keep-git-dir, COPY --link
 * --parents) are NULL, "true" or "false": df_flag_bool() reads them. */
struct df_flag {
	char		*name;
	char		*value;
	struct df_pos	 pos;
};

/* key=value of ENV, LABEL, ARG; for ARG, value is NULL when no default is
 * given. Quotes are still in key and value: df_expand_word() removes them. */
struct df_kv {
	char		*key;
	char		*value;
	struct df_pos	 pos;
};

/* <<EOF, <<-EOF (tabs stripped), <<"EOF" or <<'EOF' (no expansion).
 * Markers are words of the instruction's line (RUN, COPY, ADD, and ONBUILD's
 * trigger: then in->onbuild has them); their bodies follow the line, in the
 * order of the markers. */
struct df_heredoc {
	char		*name;		/* the delimiter, without quotes */
	char		*content;	/* every line up to the delimiter, each ending in \n
					 * (as written: \r\n stays); with <<- the leading
					 * tabs of every line are already stripped */
	int		 expand;	/* 0 when the delimiter was quoted */
	int		 strip_tabs;	/* <<- */
};

struct df_instr {
	enum df_cmd	 cmd;
	struct df_pos	 pos;		/* the instruction keyword */
	unsigned	 end_line;	/* last line, continuations and heredocs included */
	char		*original;	/* the instruction as written, continuations joined:
					 * for history's created_by and for errors */
	struct df_flag	*flags;
	size_t		 nflags;
	/*
	 * The arguments after the flags:
	 *  - exec (JSON) form of RUN, CMD, ENTRYPOINT, SHELL, VOLUME, ADD,
	 *    COPY, HEALTHCHECK CMD: json = 1, args are the array's strings;
	 *  - shell form of RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD: json = 0,
	 *    one arg, the rest of the line (heredoc markers kept);
	 *  - FROM, ADD, COPY, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL,
	 *    MAINTAINER, ONBUILD: whitespace-separated words, quotes kept
	 *    (USER, WORKDIR, STOPSIGNAL, MAINTAINER: one arg, the rest of the
	 *    line, trimmed);
	 *  - ENV, LABEL, ARG: kvs instead (ENV's legacy "ENV key value" form
	 *    becomes one kv).
	 * args[nargs] is NULL. FROM's args are IMAGE or IMAGE AS NAME, "AS" in
	 * any case; stage names compare case-insensitively (BuildKit lowercases
	 * them). Flag values have their quotes removed (BuildKit's rule), but
	 * no variable expanded. Words Docker expands (ENV/LABEL/ARG values,
	 * WORKDIR, USER, COPY/ADD words, EXPOSE, VOLUME, FROM's image ...) had
	 * their syntax checked, so df_expand_word fails on them only for
	 * ${v:?message}.
	 */
	int		 json;
	char		**args;
	size_t		 nargs;
	struct df_kv	*kvs;
	size_t		 nkvs;
	struct df_heredoc *heredocs;
	size_t		 nheredocs;
	/* HEALTHCHECK: NONE gives health_none = 1 and no args; CMD gives the
	 * command in args/json and its options in flags */
	int		 health_none;
	/* ONBUILD: the instruction to run later, parsed and checked now */
	struct df_instr	*onbuild;
};

struct df_file {
	char		 escape;	/* '\\' or '`' (# escape=) */
	char		*syntax;	/* # syntax=, or NULL */
	char		*check;		/* # check=, or NULL */
	struct df_instr	*instrs;
	size_t		 ninstrs;
};

/*
 * An error: where, what was expected, and the line itself. df_error_format
 * gives the message users see:
 *   Dockerfile:3:1: unknown instruction: FORM (did you mean FROM? expected one of FROM, RUN, ...)
 *      3 | FORM busybox
 *        | ^
 * (the line number right-aligned in at least 4 columns, tabs of the line
 * kept under the caret, no trailing newline). Without a position (pos.line
 * 0: an expansion error nobody placed) only "file: msg".
 */
struct df_error {
	char		 file[256];
	struct df_pos	 pos;
	char		 msg[512];	/* without the file:line:col prefix */
	char		 line[512];	/* the offending source line, no newline */
};

/* 0, or -EINVAL with err filled (a syntax error), -ENOMEM. name is the
 * file name errors show. text need not be NUL-terminated. */
int df_parse(const char *name, const char *text, size_t len,
    struct df_file *out, struct df_error *err);
void df_file_free(struct df_file *f);
void df_instr_free(struct df_instr *in);	/* its contents, not in itself */
/* The message above, into buf. Returns buf. */
char *df_error_format(const struct df_error *err, char *buf, size_t size);
/* "FROM", "RUN", ... */
const char *df_cmd_name(enum df_cmd cmd);
/* The flag's value, or NULL when the instruction does not have it. With
 * several of the same name (RUN --mount), the first; see df_flag_next. */
const struct df_flag *df_flag_get(const struct df_instr *in, const char *name);
const struct df_flag *df_flag_next(const struct df_instr *in,
    const struct df_flag *prev, const char *name);
/* 1 when the boolean flag is given and not =false, else 0. */
int df_flag_bool(const struct df_instr *in, const char *name);
/* The heredoc a COPY/ADD source word (or any word) is the marker of, or
 * NULL when the word is no heredoc marker. */
const struct df_heredoc *df_heredoc_find(const struct df_instr *in,
    const char *word);
/* Go's time.ParseDuration ("1m30s", "500ms", "0"), as HEALTHCHECK's options
 * take them (the parser checked them already): 0 and *ns, or -EINVAL,
 * -ERANGE. */
int df_duration_parse(const char *s, long long *ns);

/*
 * Word expansion with Docker's shell-lexer rules: $v ${v} ${v:-w} ${v-w}
 * ${v:+w} ${v+w} (also ${v:?w} ${v?w}), quotes removed ('...' literal,
 * "..." expands), the escape character escapes the next one. lookup
 * returns a variable's value, or NULL when it is unset.
 */
typedef const char *(*df_lookup_fn)(const char *name, void *arg);

/* One word (ENV/ARG/LABEL values, WORKDIR, USER, COPY --chown ...):
 * *out is malloc'd. 0, or -EINVAL with err filled (msg, pos of the word
 * within the instruction unknown: pos left 0; the caller sets it). */
int df_expand_word(const char *word, char escape, df_lookup_fn lookup,
    void *arg, char **out, struct df_error *err);
/* Expands and splits on unquoted whitespace (FROM, COPY/ADD sources,
 * EXPOSE, VOLUME in shell form ...): *out is a NULL-terminated malloc'd
 * array of malloc'd words, *n their count. */
int df_expand_words(const char *text, char escape, df_lookup_fn lookup,
    void *arg, char ***out, size_t *n, struct df_error *err);
void df_words_free(char **words);

#endif
