# netd/local.mk: kiln-netd, installed in $(pkglibexecdir).
pkglibexec_PROGRAMS += kiln-netd
kiln_netd_SOURCES = netd/netd.h netd/main.c netd/policy.c netd/launch.c \
	netd/slirp.c
kiln_netd_CFLAGS = $(KILN_COMMON_CFLAGS)
kiln_netd_LDADD = $(KILN_COMMON_LIBS)
