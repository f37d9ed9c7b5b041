# tests/fuzz/image.mk: libFuzzer harnesses of what kiln-netd reads from registries (challenges, tokens) and references.
FUZZ_REG_CORPUS = tests/fuzz/corpus/registry-auth
check_PROGRAMS += tests/fuzz/replay-registry-auth
tests_fuzz_replay_registry_auth_SOURCES = tests/fuzz/fuzz-registry-auth.c \
	tests/fuzz/replay.c netd/auth.c netd/fetch_headers.c
tests_fuzz_replay_registry_auth_CFLAGS = $(KILN_COMMON_CFLAGS) -I$(top_srcdir)/netd \
	$(JANSSON_CFLAGS) $(LIBCRYPTO_CFLAGS)
tests_fuzz_replay_registry_auth_LDADD = $(KILN_COMMON_LIBS) $(JANSSON_LIBS) \
	$(LIBCRYPTO_LIBS)
TESTS += tests/fuzz/replay-registry-auth.sh
EXTRA_DIST += tests/fuzz/replay-registry-auth.sh tests/fuzz/fuzz-registry-auth.sh \
	$(FUZZ_REG_CORPUS)

if ENABLE_FUZZ
FUZZ_REG_SRCS = tests/fuzz/fuzz-registry-auth.c netd/auth.c netd/fetch_headers.c \
	common/imgref.c

tests/fuzz/fuzz-registry-auth: $(FUZZ_REG_SRCS:%=$(top_srcdir)/%) \
    $(top_srcdir)/netd/auth.h $(top_srcdir)/netd/fetch.h $(top_srcdir)/common/imgref.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/netd \
	    $(JANSSON_CFLAGS) -o $@ $(FUZZ_REG_SRCS:%=$(top_srcdir)/%) \
	    $(JANSSON_LIBS) $(LIBCRYPTO_LIBS)

noinst_SCRIPTS += tests/fuzz/fuzz-registry-auth
CLEANFILES += tests/fuzz/fuzz-registry-auth
TESTS += tests/fuzz/fuzz-registry-auth.sh
endif

# the build cache's document (solverd/cache_json.c), read from registries
FUZZ_CACHE_CORPUS = tests/fuzz/corpus/cache-json
check_PROGRAMS += tests/fuzz/replay-cache-json
tests_fuzz_replay_cache_json_SOURCES = tests/fuzz/fuzz-cache-json.c \
	tests/fuzz/replay.c solverd/cache_json.c
tests_fuzz_replay_cache_json_CFLAGS = $(KILN_COMMON_CFLAGS) -I$(top_srcdir)/solverd \
	$(JANSSON_CFLAGS)
tests_fuzz_replay_cache_json_LDADD = $(KILN_COMMON_LIBS) $(JANSSON_LIBS)
TESTS += tests/fuzz/replay-cache-json.sh
EXTRA_DIST += tests/fuzz/replay-cache-json.sh tests/fuzz/fuzz-cache-json.sh \
	$(FUZZ_CACHE_CORPUS)

if ENABLE_FUZZ
FUZZ_CACHE_SRCS = tests/fuzz/fuzz-cache-json.c solverd/cache_json.c

tests/fuzz/fuzz-cache-json: $(FUZZ_CACHE_SRCS:%=$(top_srcdir)/%) \
    $(top_srcdir)/solverd/cache.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/solverd \
	    $(JANSSON_CFLAGS) -o $@ $(FUZZ_CACHE_SRCS:%=$(top_srcdir)/%) $(JANSSON_LIBS)

noinst_SCRIPTS += tests/fuzz/fuzz-cache-json
CLEANFILES += tests/fuzz/fuzz-cache-json
TESTS += tests/fuzz/fuzz-cache-json.sh
endif
