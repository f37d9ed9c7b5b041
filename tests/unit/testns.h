/* testns.h: puts a unit test in a user namespace where it is root (uid 0 = the caller, one id), as kiln-snapd is. */
#ifndef KILN_TESTS_TESTNS_H
#define KILN_TESTS_TESTNS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int testns_active;

static inline int
testns_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

/* Only ids 0 (the caller) is mapped, so uid 200000 is outside the map as
 * an unmapped subordinate id would be. Root runs as it is. */
static inline void
testns_enter(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (uid == 0 || unshare(CLONE_NEWUSER) < 0)
		return;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (testns_write("/proc/self/uid_map", map) < 0)
		return;
	testns_write("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	testns_active = testns_write("/proc/self/gid_map", map) == 0;
}

#endif
