/* internal.h: what the Dockerfile frontend's files share among themselves (not for the solver). */
#ifndef KILN_DF_INTERNAL_H
#define KILN_DF_INTERNAL_H

#include <stddef.h>
#include "dockerfile.h"

/* Unicode's ASCII spaces (Go's unicode.IsSpace), and the set the Dockerfile
 * parser splits words on (BuildKit's [\t\v\f\r ]). */
int df_isspace(int c);
int df_istokspace(int c);

/* A growable string; an allocation failure sticks in oom so a caller
 * checks once at the end. p is always NUL-terminated once non-NULL. */
struct df_buf {
	char	*p;
	size_t	 n, cap;
	int	 oom;
};
void df_buf_addc(struct df_buf *b, char c);
void df_buf_add(struct df_buf *b, const char *s, size_t n);
void df_buf_adds(struct df_buf *b, const char *s);
/* The string (malloc'd, "" when empty), or NULL on oom; b is reset. */
char *df_buf_take(struct df_buf *b);
void df_buf_free(struct df_buf *b);
/* Room for one more element in *v (n used, *cap allocated): 0 or -ENOMEM. */
int df_vec_grow(void *v, size_t *cap, size_t n, size_t elsize);
char *df_strndup(const char *s, size_t n);

/* One logical line (an instruction with its continuations joined) and where
 * each of its bytes came from, for error positions. */
struct df_seg {
	size_t		 off;		/* first byte in text */
	unsigned	 line, col;	/* of that byte in the file */
};
struct df_src {
	char		*text;
	size_t		 len;
	struct df_seg	*segs;
	size_t		 nsegs, segcap;
	unsigned	 start_line, end_line;
};
struct df_pos df_src_pos(const struct df_src *src, size_t off);
void df_src_free(struct df_src *src);

/* The physical lines of a Dockerfile, its directives and continuations. */
struct df_lexer {
	const char	*name;
	const char	*text;
	size_t		 len, off;	/* off: start of the next physical line */
	unsigned	 line;		/* physical lines read so far */
	char		 escape;
	int		 directives_done;
	unsigned	 seen;		/* directives seen, one bit each */
	struct df_file	*file;
	struct df_error	*err;
};
void df_lex_init(struct df_lexer *lx, const char *name, const char *text,
    size_t len, struct df_file *f, struct df_error *err);
/* The next instruction's logical line: 1, 0 at the end, or -errno. */
int df_lex_next(struct df_lexer *lx, struct df_src *src);
/* The next physical line, newline included: 1, or 0 at the end. */
int df_lex_raw_line(struct df_lexer *lx, const char **s, size_t *n);

/* Fills err (its source line from the lexer's text); returns -EINVAL. */
int df_err_at(struct df_lexer *lx, struct df_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int df_err_src(struct df_lexer *lx, const struct df_src *src, size_t off,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Go's %q of s, into buf (for messages that quote user text). */
const char *df_quote(const char *s, size_t n, char *buf, size_t size);

/* The JSON array of exec form. 1 with the strings, 0 when text is not a
 * JSON array (the shell form; *bad is the offset where it stopped being
 * JSON), -EINVAL when it is JSON but holds something else than strings
 * (*bad: that element), -ENOMEM. */
int df_json_array(const char *text, size_t len, char ***out, size_t *n,
    size_t *bad);

/* Docker's shell lexer, with the options BuildKit uses for heredoc names. */
#define DF_XP_RAW_QUOTES	0x1	/* keep the quotes in the result */
#define DF_XP_RAW_ESCAPES	0x2	/* keep the escape characters */
#define DF_XP_SKIP_UNSET	0x4	/* an unset variable stays as written */
struct df_xwords {
	char		**v;
	size_t		*off;		/* where each word starts in the text */
	size_t		 n, cap;
};
int df_expand(const char *text, size_t len, char escape, unsigned opts,
    df_lookup_fn lookup, void *arg, struct df_buf *word,
    struct df_xwords *words, char *errbuf, size_t errsize, size_t *erroff);
void df_xwords_free(struct df_xwords *w);
/* glob.c: 0 when the pattern's escapes are valid; a compiled pattern;
 * the shortest or longest prefix (suffix with rev) of s it matches, or -1 */
struct df_glob;
int df_glob_check(const char *p, size_t n);
struct df_glob *df_glob_compile(const char *p, size_t n);
void df_glob_free(struct df_glob *g);
long df_glob_prefix(const struct df_glob *g, const char *s, size_t n,
    int longest, int rev);

/* Flags: split off the instruction's text, then checked per command. */
int df_flags_extract(struct df_lexer *lx, const struct df_src *src,
    size_t off, size_t end, struct df_instr *in, size_t *rest);
int df_flags_check(struct df_lexer *lx, const struct df_src *src,
    struct df_instr *in);

/* The arguments of one instruction, [off, end) of src trimmed. */
int df_args_parse(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in);
/* exec form or the rest of the line (RUN, CMD, HEALTHCHECK CMD ...) */
int df_args_cmdline(struct df_lexer *lx, const struct df_src *src,
    size_t off, size_t end, struct df_instr *in);
int df_health_parse(struct df_lexer *lx, const struct df_src *src,
    size_t off, size_t end, struct df_instr *in);
/* ONBUILD's trigger, parsed as an instruction of its own */
int df_instr_parse(struct df_lexer *lx, const struct df_src *src, size_t off,
    size_t end, struct df_instr *in, int nested);

/* The heredocs an instruction line opens: found and read from the lexer. */
int df_heredocs_read(struct df_lexer *lx, const struct df_src *src,
    struct df_instr *in);
/* 1 when word is a heredoc marker (<<EOF, <<-"EOF", 2<<EOF ...), with its
 * name (malloc'd) and options; 0 when it is not; -ENOMEM. */
int df_heredoc_word(const char *word, size_t len, char **name, int *expand,
    int *strip_tabs);

#endif
