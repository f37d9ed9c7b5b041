# contrib/local.mk: systemd user units, their verification and socket-activation tests, and the test tools.
systemduserunitdir = $(prefix)/lib/systemd/user
systemduserunit_DATA = contrib/systemd/kilnd.service
dist_systemduserunit_DATA = contrib/systemd/kilnd.socket

# bindir holds ${exec_prefix} until make time, so make (not configure)
# fills it in.
contrib/systemd/kilnd.service: $(srcdir)/contrib/systemd/kilnd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	sed -e 's|@''bindir@|$(bindir)|g' $(srcdir)/contrib/systemd/kilnd.service.in >$@.tmp && \
	mv $@.tmp $@

CLEANFILES += contrib/systemd/kilnd.service
EXTRA_DIST += contrib/systemd/kilnd.service.in

SYSTEMD_TESTS = \
	tests/integration/systemd-units.sh \
	tests/integration/systemd-activation.sh \
	tests/integration/journald.sh
TESTS += $(SYSTEMD_TESTS)
EXTRA_DIST += $(SYSTEMD_TESTS)

include tests/tools/local.mk
EXTRA_DIST += contrib/example/Dockerfile contrib/example/greet.sh contrib/example/words.txt
