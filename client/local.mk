# client/local.mk: kilnctl.
bin_PROGRAMS += kilnctl
kilnctl_SOURCES = client/kilnctl.h client/main.c client/conn.c client/cmd_info.c \
	client/cmd_run.c client/cmd_call.c client/cmd_image.c \
	client/cmd_status.c \
	client/cmd_login.c client/dockercfg.c client/dockercfg.h \
	client/build.h client/build_opts.c client/build_send.c client/build_send.h \
	client/dockerignore.c client/cmd_build.c client/cmd_history.c \
	client/progress.h client/progress.c client/progress_json.c client/progress_tty.c \
	client/progress_blob.c \
	client/cmd_du.c client/cmd_pull.c client/cmd_save.c
kilnctl_CFLAGS = $(KILN_COMMON_CFLAGS) $(JANSSON_CFLAGS)
kilnctl_LDADD = $(KILN_COMMON_LIBS) $(JANSSON_LIBS)
