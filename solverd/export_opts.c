/* export_opts.c: the image options of a build's outputs (compression=, compression-level=, force-compression=, oci-mediatypes=), as BuildKit's image exporters take them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"

static int
bool_of(const char *v, int *out)
{
	if (strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0)
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

static int
level_of(const char *v, int *out)
{
	char *end;
	long l = strtol(v, &end, 10);

	if (!*v || *end || l < 0 || l > 22)
		return -EINVAL;
	*out = (int)l;
	return 0;
}

static int
pair(struct export_opts *o, const char *k, const char *v, int *oci_given)
{
	if (strcmp(k, "compression") == 0) {
		if (strcmp(v, "gzip") && strcmp(v, "zstd") && strcmp(v, "uncompressed"))
			return -EINVAL;
		snprintf(o->compression, sizeof(o->compression), "%s",
		    strcmp(v, "uncompressed") == 0 ? "none" : v);
		return 0;
	}
	if (strcmp(k, "compression-level") == 0)
		return level_of(v, &o->level);
	if (strcmp(k, "force-compression") == 0)
		return bool_of(v, &o->force);
	if (strcmp(k, "oci-mediatypes") == 0) {
		*oci_given = 1;
		return bool_of(v, &o->oci);
	}
	return -EINVAL;
}

/* The checks BuildKit makes, in its words where it has them. */
static int
check(const struct export_opts *o, int oci_given, char *why, size_t size)
{
	if (strcmp(o->compression, "zstd") == 0 && !o->oci && oci_given) {
		snprintf(why, size, "compression=zstd conflicts with oci-mediatypes=false: "
		    "a zstd layer needs OCI media types");
		return -EINVAL;
	}
	if (o->level > 9 && strcmp(o->compression, "gzip") == 0) {
		snprintf(why, size, "compression-level=%d: gzip takes 0 to 9", o->level);
		return -EINVAL;
	}
	if (o->level >= 0 && strcmp(o->compression, "none") == 0) {
		snprintf(why, size, "compression-level= needs compression=gzip or zstd");
		return -EINVAL;
	}
	return 0;
}

void
export_opts_default(struct export_opts *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->compression, sizeof(o->compression), "gzip");
	o->level = -1;
	o->oci = 1;
}

int
export_opts_parse(const char *spec, struct export_opts *o, char *why, size_t size)
{
	char buf[512], *save, *t;
	int oci_given = 0, r;

	export_opts_default(o);
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf)) {
		snprintf(why, size, "image options: too long");
		return -EINVAL;
	}
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');

		if (eq == NULL)
			r = -EINVAL;
		else {
			*eq = '\0';
			r = pair(o, t, eq + 1, &oci_given);
			*eq = '=';
		}
		if (r < 0) {
			snprintf(why, size, "image option '%s': compression=gzip|zstd|"
			    "uncompressed, compression-level=N, force-compression=true|false, "
			    "oci-mediatypes=true|false", t);
			return r;
		}
	}
	/* zstd has no Docker v2 media type: it implies OCI's */
	if (strcmp(o->compression, "zstd") == 0 && !oci_given)
		o->oci = 1;
	return check(o, oci_given, why, size);
}

void
export_opts_compression(const struct export_opts *o, char *out, size_t size)
{
	if (o->level >= 0)
		snprintf(out, size, "%s:%d", o->compression, o->level);
	else
		snprintf(out, size, "%s", o->compression);
}
