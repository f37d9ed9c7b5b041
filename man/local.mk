# man/local.mk: mdoc pages, installed, and linted by make check (tests/integration/man-lint.sh).
dist_man_MANS += \
	man/kilnd.8 \
	man/kilnctl.1 \
	man/kilnd.conf.5 \
	man/kiln-cache.5 \
	man/kiln-solverd.8 \
	man/kiln-execd.8 \
	man/kiln-snapd.8 \
	man/kiln-netd.8

TESTS += tests/integration/man-lint.sh
EXTRA_DIST += tests/integration/man-lint.sh
