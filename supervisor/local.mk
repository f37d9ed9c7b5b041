# supervisor/local.mk: kilnd.
bin_PROGRAMS += kilnd
kilnd_SOURCES = supervisor/kilnd.h supervisor/main.c supervisor/config.c \
	supervisor/subid.c supervisor/userns.c supervisor/copyup.c \
	supervisor/spawn.c supervisor/helpers.c supervisor/control.c \
	supervisor/api.c supervisor/net.c supervisor/check.c
kilnd_CFLAGS = $(KILN_COMMON_CFLAGS)
kilnd_LDADD = $(KILN_COMMON_LIBS)
