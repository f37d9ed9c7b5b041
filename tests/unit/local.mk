# tests/unit/local.mk: cmocka unit tests of the IPC core, and a valgrind run of them.
if ENABLE_TESTS
UNIT_TESTS = tests/unit/test-ipc-frame tests/unit/test-ipc-peer

UNIT_CFLAGS = $(KILN_COMMON_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LIBS = $(KILN_COMMON_LIBS) $(CMOCKA_LIBS)

tests_unit_test_ipc_frame_SOURCES = tests/unit/test-ipc-frame.c
tests_unit_test_ipc_frame_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ipc_frame_LDADD = $(UNIT_LIBS)

# --wrap (STYLE rule 20): recvmsg and calloc fail on demand; ipc_type_lookup
# learns a test-only EVENT type, since no production type is an EVENT yet.
tests_unit_test_ipc_peer_SOURCES = tests/unit/test-ipc-peer.c
tests_unit_test_ipc_peer_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ipc_peer_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=recvmsg \
	-Wl,--wrap=calloc -Wl,--wrap=ipc_type_lookup
tests_unit_test_ipc_peer_LDADD = $(UNIT_LIBS)

# each area adds its unit tests to UNIT_TESTS in its own file
include tests/unit/snapd.mk
include tests/unit/solverd.mk
include tests/unit/image.mk
include tests/unit/execd.mk
include tests/unit/netd.mk

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

# For a build configured without --enable-sanitizers: valgrind and ASan
# do not mix. scripts/test.sh runs it in a second, plain build.
# Left out, as valgrind 3.19 cannot run them (they still run under ASan in
# make check): openat2 (syscall 437) is unknown to it, and the snapd file
# code resolves every path with it; a seccomp filter loaded under valgrind
# also filters valgrind's own syscalls.
VALGRIND = valgrind --error-exitcode=1 --leak-check=full -q
VALGRIND_SKIP = tests/unit/test-copy tests/unit/test-jail tests/unit/test-checksum-watch \
	tests/unit/test-checksum-pool \
	tests/unit/test-layer-apply tests/unit/test-netd-policy
check-valgrind: $(UNIT_TESTS) tests/fuzz/replay-ipc-frame
	@set -e; for t in $(UNIT_TESTS); do \
		case " $(VALGRIND_SKIP) " in *" $$t "*) continue ;; esac; \
		echo "valgrind $$t"; \
		$(LIBTOOL) --mode=execute $(VALGRIND) ./$$t >$$t.valgrind.log 2>&1 || \
		    { cat $$t.valgrind.log; exit 1; }; \
	done
	$(LIBTOOL) --mode=execute $(VALGRIND) ./tests/fuzz/replay-ipc-frame \
	    $(top_srcdir)/$(FUZZ_IPC_CORPUS)
.PHONY: check-valgrind
endif
