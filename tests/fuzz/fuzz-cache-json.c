/* fuzz-cache-json.c: libFuzzer harness for the build cache's document (kiln-cache.5), read from a registry's or a directory's config blob: parsed, made again, read back alike. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cache_doc d, back;
	char why[256], *text;
	json_t *cfg;

	if (cachejson_parse((const char *)data, size, &d, why, sizeof(why)) < 0)
		return 0;
	for (size_t i = 0; i < d.nrecs; i++)
		for (size_t k = 0; k < d.recs[i].nlayers; k++)
			if (d.recs[i].layers[k] >= d.nlayers)
				abort();
	cfg = json_object();
	json_object_set_new(cfg, CACHE_FIELD, cachejson_make(&d));
	text = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	if (text == NULL || cachejson_parse(text, strlen(text), &back, why, sizeof(why)) < 0 ||
	    back.nrecs != d.nrecs || back.nlayers != d.nlayers)
		abort();
	free(text);
	cachedoc_free(&back);
	cachedoc_free(&d);
	return 0;
}
