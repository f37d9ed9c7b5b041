/* test-cache-json.c: the build cache's document (kiln-cache.5) made, read back and refused when malformed; cache keys that two daemons compute alike. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cache.h"
#include "cachekey.h"
#include "frontend.h"

#define D(c)	"sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static void
layer(struct cache_layer *l, const char *digest, const char *diff, uint64_t size)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->digest, sizeof(l->digest), "%s", digest);
	snprintf(l->diff_id, sizeof(l->diff_id), "%s", diff);
	snprintf(l->media, sizeof(l->media), "application/vnd.oci.image.layer.v1.tar+gzip");
	l->size = size;
}

/* an image config with the document as CACHE_FIELD */
static char *
config_with(const struct cache_doc *d)
{
	json_t *cfg = json_pack("{s:s, s:s}", "architecture", "amd64", "os", "linux");
	char *text;

	json_object_set_new(cfg, CACHE_FIELD, cachejson_make(d));
	text = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	return text;
}

static void
test_round_trip(void **state)
{
	struct cache_doc d, back;
	struct cache_layer l;
	const struct cache_rec *r;
	size_t idx[2];
	char why[256], *text;

	(void)state;
	memset(&d, 0, sizeof(d));
	snprintf(d.mode, sizeof(d.mode), "max");
	layer(&l, D("a"), D("b"), 100);
	idx[0] = (size_t)cachedoc_layer(&d, &l);
	layer(&l, D("c"), D("d"), 200);
	idx[1] = (size_t)cachedoc_layer(&d, &l);
	/* the same blob twice is one layer */
	assert_int_equal(cachedoc_layer(&d, &l), 1);
	assert_int_equal(cachedoc_rec(&d, D("1"), D("e"), idx, 1), 0);
	assert_int_equal(cachedoc_rec(&d, D("2"), D("f"), idx, 2), 0);
	text = config_with(&d);
	assert_non_null(text);
	assert_int_equal(cachejson_parse(text, strlen(text), &back, why, sizeof(why)), 0);
	assert_string_equal(back.mode, "max");
	assert_int_equal(back.nlayers, 2);
	assert_int_equal(back.nrecs, 2);
	r = cachedoc_find(&back, D("2"));
	assert_non_null(r);
	assert_string_equal(r->image, D("f"));
	assert_int_equal(r->nlayers, 2);
	assert_string_equal(back.layers[r->layers[1]].diff_id, D("d"));
	assert_int_equal(back.layers[r->layers[1]].size, 200);
	assert_null(cachedoc_find(&back, D("3")));
	free(text);
	cachedoc_free(&back);
	cachedoc_free(&d);
}

static void
refused(const char *cfg, int want)
{
	struct cache_doc d;
	char why[256];

	assert_int_equal(cachejson_parse(cfg, strlen(cfg), &d, why, sizeof(why)), want);
	assert_true(why[0] != '\0');
	assert_int_equal(d.nrecs, 0);
}

static void
test_malformed(void **state)
{
	(void)state;
	refused("not json", -EINVAL);
	refused("{\"os\":\"linux\"}", -ENOENT);
	refused("{\"" CACHE_FIELD "\":[]}", -EINVAL);
	refused("{\"" CACHE_FIELD "\":{\"mode\":\"min\",\"layers\":[],\"records\":{}}}",
	    -EINVAL);
	/* a layer index past the list */
	refused("{\"" CACHE_FIELD "\":{\"mode\":\"min\",\"layers\":[],\"records\":"
	    "[{\"key\":\"" D("1") "\",\"image\":\"" D("2") "\",\"layers\":[0]}]}}", -EINVAL);
	/* not a digest */
	refused("{\"" CACHE_FIELD "\":{\"mode\":\"min\",\"layers\":[{\"digest\":\"x\","
	    "\"diffID\":\"" D("1") "\",\"mediaType\":\"t\",\"size\":1}],\"records\":[]}}",
	    -EINVAL);
	refused("{\"" CACHE_FIELD "\":{\"mode\":\"min\",\"layers\":[{\"digest\":\"" D("1")
	    "\",\"diffID\":\"" D("1") "\",\"mediaType\":\"t\",\"size\":-1}],\"records\":[]}}",
	    -EINVAL);
	refused("{\"" CACHE_FIELD "\":{\"mode\":\"min\",\"layers\":[],\"records\":"
	    "[{\"key\":\"" D("1") "\",\"image\":\"../x\",\"layers\":[]}]}}", -EINVAL);
}

/* The keys of one Dockerfile on two daemons: the base image's local
 * snapshot id differs, its manifest digest does not. */
static void
keys_of(const char *snap, char keys[8][GRAPH_KEY_MAX], size_t *n)
{
	static const char text[] = "FROM base\nENV A=1\nRUN echo hi\nWORKDIR /w\n"
	    "COPY <<EOF /f\nx\nEOF\nRUN cat /f\n";
	struct fe_image img = { "base", (char *)D("9"), (char *)snap, NULL };
	struct df_file df;
	struct df_error e;
	struct fe_opts o;
	struct fe fe;

	memset(&df, 0, sizeof(df));
	memset(&e, 0, sizeof(e));
	memset(&o, 0, sizeof(o));
	memset(&fe, 0, sizeof(fe));
	o.platform = "linux/amd64";
	o.now = 1700000000;
	img.config = json_loads("{\"config\":{\"Env\":[\"PATH=/bin\"]},\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[]}}", 0, NULL);
	assert_int_equal(df_parse("Dockerfile", text, strlen(text), &df, &e), 0);
	assert_int_equal(fe_prepare(&fe, &df, &o), 0);
	fe.images = &img;
	fe.nimages = 1;
	assert_int_equal(fe_dispatch(&fe), 0);
	assert_int_equal(cachekey_graph(&fe.g), 0);
	*n = fe.g.nv < 8 ? fe.g.nv : 8;
	for (size_t i = 0; i < *n; i++)
		memcpy(keys[i], fe.g.v[i]->key, GRAPH_KEY_MAX);
	fe.images = NULL;
	fe.nimages = 0;
	fe_free(&fe);
	df_file_free(&df);
	json_decref(img.config);
}

static void
test_keys_portable(void **state)
{
	char a[8][GRAPH_KEY_MAX], b[8][GRAPH_KEY_MAX];
	size_t na, nb;

	(void)state;
	keys_of("s7", a, &na);
	keys_of("s123", b, &nb);
	assert_int_equal(na, nb);
	assert_true(na >= 4);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_keys_portable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
