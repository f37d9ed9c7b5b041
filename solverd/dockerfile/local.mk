# solverd/dockerfile/local.mk: the Dockerfile frontend (parser, expansion), a noinst library solverd and its tests link.
# The sources alone, so the libFuzzer build (tests/fuzz/dockerfile.mk) can
# compile them with clang.
KILN_DOCKERFILE_SRCS = \
	solverd/dockerfile/buf.c solverd/dockerfile/lexer.c \
	solverd/dockerfile/parse.c solverd/dockerfile/flags.c \
	solverd/dockerfile/args.c solverd/dockerfile/health.c \
	solverd/dockerfile/heredoc.c solverd/dockerfile/json.c \
	solverd/dockerfile/expand.c solverd/dockerfile/glob.c \
	solverd/dockerfile/error.c
noinst_LTLIBRARIES += libkilndockerfile.la
libkilndockerfile_la_SOURCES = solverd/dockerfile/dockerfile.h \
	solverd/dockerfile/internal.h $(KILN_DOCKERFILE_SRCS)
libkilndockerfile_la_CFLAGS = $(AM_CFLAGS)
KILN_DOCKERFILE_CFLAGS = -I$(top_srcdir)/solverd/dockerfile
KILN_DOCKERFILE_LIBS = libkilndockerfile.la
