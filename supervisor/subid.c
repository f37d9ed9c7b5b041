/* subid.c: reads a user's subordinate id ranges from /etc/subuid or /etc/subgid. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kilnd.h"

/* useradd may already have written the range an admin adds again: a
 * range that overlaps one taken is skipped, or newuidmap refuses all. */
static int
overlaps(const struct subid_range *r, int n)
{
	for (int i = 0; i < n; i++)
		if (r[n].start < r[i].start + r[i].count &&
		    r[i].start < r[n].start + r[n].count)
			return 1;
	return 0;
}

/* Test switch: KILN_SUBUID_FILE and KILN_SUBGID_FILE stand in for
 * /etc/subuid and /etc/subgid, so the integration tests can show what
 * kilnd --check says about a user without a range. Only what kilnd reads
 * changes: newuidmap still reads the real files. */
static const char *
subid_file(const char *file)
{
	const char *env = NULL;

	if (strcmp(file, "/etc/subuid") == 0)
		env = getenv("KILN_SUBUID_FILE");
	else if (strcmp(file, "/etc/subgid") == 0)
		env = getenv("KILN_SUBGID_FILE");
	return env && *env ? env : file;
}

/* Lines are NAME_OR_ID:START:COUNT (subuid(5)); ranges are returned in
 * file order, as newuidmap takes them. */
int
subid_lookup(const char *file, const char *user, uid_t id,
    struct subid_range *out, int max)
{
	char line[512], idstr[32];
	int n = 0;
	FILE *f;

	f = fopen(subid_file(file), "re");
	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	snprintf(idstr, sizeof(idstr), "%u", (unsigned)id);
	while (n < max && fgets(line, sizeof(line), f)) {
		char *name, *start, *count, *save, *end1, *end2;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		name = strtok_r(line, ":", &save);
		start = strtok_r(NULL, ":", &save);
		count = strtok_r(NULL, ":\n", &save);
		if (!name || !start || !count)
			continue;
		if (strcmp(name, user) != 0 && strcmp(name, idstr) != 0)
			continue;
		out[n].start = strtoull(start, &end1, 10);
		out[n].count = strtoull(count, &end2, 10);
		if (*end1 || *end2 || out[n].count == 0 || overlaps(out, n))
			continue;
		n++;
	}
	fclose(f);
	return n;
}
