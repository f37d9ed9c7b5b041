/* sweep.c: finds and unmounts what a crashed kiln-snapd left mounted under its store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include "log.h"
#include "snapd.h"

#define SWEEP_MAX	4096

/* mountinfo writes space, tab, newline and backslash as \ooo */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else
			*o = *s;
	}
	*o = '\0';
}

static int
by_length_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Mount points strictly under dir, from this process's mountinfo. */
static int
collect(const char *dir, char **out, int max)
{
	size_t dl = strlen(dir);
	char line[8192];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (f == NULL)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *save, *mp = NULL, *t = strtok_r(line, " ", &save);

		/* id parent major:minor root mountpoint ... */
		for (int i = 0; t && i < 4; i++)
			mp = t = strtok_r(NULL, " ", &save);
		if (mp == NULL)
			continue;
		unescape(mp);
		if (strncmp(mp, dir, dl) == 0 && mp[dl] == '/' &&
		    (out[n] = strdup(mp)) != NULL)
			n++;
	}
	fclose(f);
	return n;
}

int
sweep_mounts(const char *dir)
{
	char **mps = calloc(SWEEP_MAX, sizeof(*mps));
	int n, r = 0;

	if (mps == NULL)
		return -ENOMEM;
	n = collect(dir, mps, SWEEP_MAX);
	if (n < 0) {
		free(mps);
		return n;
	}
	/* deepest first, so a mount on a mount goes before its parent */
	qsort(mps, (size_t)n, sizeof(*mps), by_length_desc);
	for (int i = 0; i < n; i++) {
		log_info("unmounting %s, left mounted before", mps[i]);
		if (umount2(mps[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
		    r == 0)
			r = -errno;
		free(mps[i]);
	}
	free(mps);
	return r;
}
