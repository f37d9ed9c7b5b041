# execd/local.mk: kiln-execd, installed in $(pkglibexecdir).
pkglibexec_PROGRAMS += kiln-execd
kiln_execd_SOURCES = execd/execd.h execd/main.c execd/policy.c \
	execd/run.c execd/spec.c execd/spawner.c execd/container.c \
	execd/mounts.c execd/caps.c execd/profile.c \
	execd/stepmounts.c execd/files.c execd/stubs.c execd/user.c
kiln_execd_CFLAGS = $(KILN_COMMON_CFLAGS)
kiln_execd_LDADD = $(KILN_COMMON_LIBS)
