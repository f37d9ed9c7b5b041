/* test-jail.c: unit tests of the jail: a child's answer comes back, a refused syscall is named, a crash is reported, fds are closed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "files.h"
#include "sandbox.h"

static int
answer(void *arg, struct jail_out *out)
{
	out->data[0] = 42;
	return snap_errf(&out->err, -EEXIST, "told %s", (const char *)arg);
}

static int
use_socket(void *arg, struct jail_out *out)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	return fd < 0 ? -errno : 0;
}

static int
crash(void *arg, struct jail_out *out)
{
	raise(SIGSEGV);
	return 0;
}

static int
fd_open(void *arg, struct jail_out *out)
{
	out->data[0] = (uint64_t)fcntl(*(int *)arg, F_GETFD) ;
	out->data[1] = (uint64_t)(fcntl(*(int *)arg + 1, F_GETFD) < 0);
	return 0;
}

static void
test_answer(void **state)
{
	struct jail_out out;

	jail_set_mode(SANDBOX_SECCOMP_ENFORCE);
	assert_int_equal(jail_run(answer, "hello", NULL, 0, &out), -EEXIST);
	assert_int_equal(out.data[0], 42);
	assert_string_equal(out.err.msg, "told hello");
}

static void
test_refused(void **state)
{
	struct jail_out out;

	jail_set_mode(SANDBOX_SECCOMP_ENFORCE);
	assert_int_equal(jail_run(use_socket, NULL, NULL, 0, &out), -ENOSYS);
	assert_non_null(strstr(out.err.msg, "syscall socket"));
}

static void
test_crash(void **state)
{
	struct jail_out out;

	jail_set_mode(-1);
	signal(SIGSEGV, SIG_DFL);
	assert_int_equal(jail_run(crash, NULL, NULL, 0, &out), -EIO);
	assert_non_null(strstr(out.err.msg, "signal"));
}

static void
test_fds(void **state)
{
	struct jail_out out;
	int p[2];

	assert_int_equal(pipe(p), 0);
	/* p[0] kept, p[1] (= p[0] + 1) closed in the child */
	jail_set_mode(SANDBOX_SECCOMP_ENFORCE);
	assert_int_equal(jail_run(fd_open, &p[0], &p[0], 1, &out), 0);
	assert_int_equal(out.data[0], 0);
	assert_int_equal(out.data[1], 1);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
