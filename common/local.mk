# common/local.mk: libkilncommon, linked by every program and by the tests.
noinst_LTLIBRARIES += libkilncommon.la
libkilncommon_la_SOURCES = \
	common/proc.c common/proc.h \
	common/ipc_msg.c common/ipc_msg.h \
	common/ipc.h common/ipc_frame.c common/ipc_read.c common/ipc_io.c \
	common/ipc_peer.c \
	common/log.c common/log.h \
	common/sandbox.c common/sandbox.h common/policy_base.h \
	common/helper.c common/helper.h \
	common/notify.c common/notify.h \
	common/util.c common/util.h \
	common/imgref.c common/imgref.h \
	common/chmod.c common/chmod.h
libkilncommon_la_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(SECCOMP_CFLAGS) \
	$(LIBCAP_CFLAGS) $(MSGPACK_CFLAGS)
libkilncommon_la_LIBADD = $(LIBEVENT_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS) $(MSGPACK_LIBS)
KILN_COMMON_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(SECCOMP_CFLAGS) \
	$(LIBCAP_CFLAGS) $(MSGPACK_CFLAGS)
KILN_COMMON_LIBS = libkilncommon.la
EXTRA_DIST += common/ERRORS.md
