/* test-netd-policy.c: kiln-netd's real seccomp filter, loaded in a child: threads, reads, name lookups, FIONREAD and the lazy load of libcurl pass; processes, writes and other ioctls do not. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "curl_lazy.h"
#include "netd.h"
#include "sandbox.h"

/* Sanitizer builds allow clone and openat outright (policy_base.h), so
 * their argument rules are skipped there; the ioctl rules always hold. */
#if defined(__SANITIZE_ADDRESS__)
#define OUTRIGHT_CLONE_OPENAT 1
#else
#define OUTRIGHT_CLONE_OPENAT 0
#endif

enum { DIED_OF_SIGSYS = -1 };

/* Runs probe() in a child under netd's filter; its exit code, or
 * DIED_OF_SIGSYS. */
static int
run_filtered(int (*probe)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (sandbox_seccomp_load_rules(netd_syscalls, netd_nsyscalls,
		    netd_rules, netd_nrules, SANDBOX_SECCOMP_ENFORCE, -1) < 0)
			_exit(100);
		_exit(probe());
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		return DIED_OF_SIGSYS;
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
probe_fionread(void)
{
	int sv[2], n = -1;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 || write(sv[0], "abc", 3) != 3)
		return 1;
	return ioctl(sv[1], FIONREAD, &n) == 0 && n == 3 ? 0 : 2;
}

static int
probe_tty_ioctl(void)
{
	struct winsize ws;

	return ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && errno == ENOTTY ? 0 : 1;
}

static void *
thread_main(void *arg)
{
	return arg;
}

static int
probe_thread(void)
{
	pthread_t t;
	void *ret = NULL;

	if (pthread_create(&t, NULL, thread_main, (void *)7) != 0)
		return 1;
	return pthread_join(t, &ret) == 0 && ret == (void *)7 ? 0 : 2;
}

/* libcurl's resolver: getaddrinfo in a thread (hosts file, nsswitch) */
static void *
resolve_main(void *arg)
{
	/* curl's hints: no AI_ADDRCONFIG (that would ask netlink) */
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int r = getaddrinfo("localhost", "80", &hints, &ai);

	if (ai)
		freeaddrinfo(ai);
	return r == 0 ? arg : NULL;
}

static int
probe_resolve(void)
{
	pthread_t t;
	void *ret = NULL;

	if (pthread_create(&t, NULL, resolve_main, (void *)9) != 0)
		return 1;
	return pthread_join(t, &ret) == 0 && ret == (void *)9 ? 0 : 2;
}

/* glibc's qsort asks it, from OpenSSL's setup in curl_global_init */
static int
probe_sysinfo(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 && si.totalram > 0 ? 0 : 1;
}

/* kiln-netd loads libcurl after lockdown, on its first registry request:
 * dlopen, its ~30 libraries' constructors, curl_global_init, a handle */
static int
probe_curl_load(void)
{
	char why[512];
	CURL *e;

	if (curl_lazy_load(why, sizeof(why)) < 0) {
		fprintf(stderr, "curl_lazy_load: %s\n", why);
		return 1;
	}
	if ((e = curl_easy_init()) == NULL ||
	    curl_easy_setopt(e, CURLOPT_URL, "http://127.0.0.1/") != CURLE_OK)
		return 2;
	curl_easy_cleanup(e);
	curl_lazy_unload();
	return 0;
}

static int
probe_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS ? 0 : 1;
}

static int
probe_fork(void)
{
	/* a raw clone without CLONE_THREAD, as fork() makes */
	long r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		_exit(0);
	return 3;
}

static int
probe_read_open(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return fd >= 0 ? 0 : 1;
}

static int
probe_write_open(void)
{
	return open("/dev/null", O_WRONLY | O_CLOEXEC) >= 0 ? 4 : 5;
}

static int
probe_trunc_open(void)
{
	return open("/dev/null", O_RDONLY | O_TRUNC | O_CLOEXEC) >= 0 ? 4 : 5;
}

static void
test_allowed(void **state)
{
	assert_int_equal(run_filtered(probe_fionread), 0);
	assert_int_equal(run_filtered(probe_thread), 0);
	assert_int_equal(run_filtered(probe_resolve), 0);
	assert_int_equal(run_filtered(probe_read_open), 0);
	assert_int_equal(run_filtered(probe_sysinfo), 0);
}

static void
test_curl_load(void **state)
{
	assert_int_equal(run_filtered(probe_curl_load), 0);
}

static void
test_ioctl_refused(void **state)
{
	assert_int_equal(run_filtered(probe_tty_ioctl), 0);
}

static void
test_process_refused(void **state)
{
	if (OUTRIGHT_CLONE_OPENAT)
		skip();
	assert_int_equal(run_filtered(probe_clone3), 0);
	assert_int_equal(run_filtered(probe_fork), DIED_OF_SIGSYS);
}

static void
test_write_open_refused(void **state)
{
	if (OUTRIGHT_CLONE_OPENAT)
		skip();
	assert_int_equal(run_filtered(probe_write_open), DIED_OF_SIGSYS);
	assert_int_equal(run_filtered(probe_trunc_open), DIED_OF_SIGSYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_curl_load),
		cmocka_unit_test(test_ioctl_refused),
		cmocka_unit_test(test_process_refused),
		cmocka_unit_test(test_write_open_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
