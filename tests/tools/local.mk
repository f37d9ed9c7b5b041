# tests/tools/local.mk: small C programs the integration tests drive (included by contrib/local.mk).
check_PROGRAMS += tests/tools/notify-listen
tests_tools_notify_listen_SOURCES = tests/tools/notify-listen.c
EXTRA_DIST += tests/tools/mkbase.sh
