/* select.c: picks the snapshotter: the one asked for, or auto's first that passes a trial mount here. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "driver.h"
#include "log.h"
#include "snapd.h"

/* auto's order: fastest first (issue 3) */
static const struct snap_driver *const drivers[] = {
	&driver_overlay, &driver_fuse, &driver_native,
};

const struct snap_driver *
select_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

/* With --test-hooks, KILN_SNAPD_TEST_REFUSE="overlayfs,..." fails those
 * drivers' trials, so tests see the fallback on a machine where all work. */
static int
refused_by_test(const struct snapd_config *cfg, const char *name)
{
	const char *list = getenv("KILN_SNAPD_TEST_REFUSE");
	size_t n = strlen(name);

	if (!cfg->test_hooks || list == NULL)
		return 0;
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

static int
trial(const struct snapd_config *cfg, const struct snap_driver *d, char *why,
    size_t len)
{
	char scratch[PATH_MAX];
	int r;

	if (refused_by_test(cfg, d->name)) {
		snprintf(why, len, "refused by the test hook KILN_SNAPD_TEST_REFUSE");
		return -EPERM;
	}
	snprintf(scratch, sizeof(scratch), "%s/trial/%s", cfg->state_dir, d->name);
	sweep_mounts(scratch);
	tree_remove(scratch);
	if (mkdir(scratch, 0700) < 0) {
		r = -errno;
		snprintf(why, len, "mkdir %.200s: %s", scratch, strerror(-r));
		return r;
	}
	why[0] = '\0';
	r = d->probe(scratch, why, len);
	if (r < 0 && !why[0])
		snprintf(why, len, "%s", strerror(-r));
	sweep_mounts(scratch);
	tree_remove(scratch);
	return r;
}

int
select_driver(const struct snapd_config *cfg, const struct snap_driver **out,
    char *why, size_t len)
{
	char reason[512];
	size_t used = 0;

	why[0] = '\0';
	if (strcmp(cfg->snapshotter, "auto") != 0) {
		const struct snap_driver *d = select_by_name(cfg->snapshotter);

		if (d == NULL)
			return -EINVAL;
		if (trial(cfg, d, reason, sizeof(reason)) < 0) {
			snprintf(why, len, "%s does not work here: %s", d->name, reason);
			return -EOPNOTSUPP;
		}
		snprintf(why, len, "asked for with --snapshotter");
		*out = d;
		return 0;
	}
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (trial(cfg, drivers[i], reason, sizeof(reason)) == 0) {
			if (used == 0)
				snprintf(why, len, "auto: the first choice, its trial "
				    "mount worked");
			*out = drivers[i];
			return 0;
		}
		if (used + 8 < len)
			used += (size_t)snprintf(why + used, len - used, "%s%s rejected: "
			    "%s", used ? "; " : "auto: ", drivers[i]->name, reason);
	}
	return -EOPNOTSUPP;
}
