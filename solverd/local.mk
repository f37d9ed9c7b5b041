# solverd/local.mk: kiln-solverd, installed in $(pkglibexecdir).
include solverd/dockerfile/local.mk
pkglibexec_PROGRAMS += kiln-solverd
kiln_solverd_SOURCES = solverd/solverd.h solverd/main.c solverd/policy.c solverd/api.c \
	solverd/forward.c solverd/forward.h \
	solverd/forward_exec.c solverd/forward_exec.h
kiln_solverd_CFLAGS = $(KILN_COMMON_CFLAGS)
kiln_solverd_LDADD = $(KILN_COMMON_LIBS)
