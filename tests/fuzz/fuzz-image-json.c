/* fuzz-image-json.c: libFuzzer harness for the image JSON readers: index, manifest, docker-save manifest.json, config, names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "image_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ij_manifest *m = malloc(sizeof(*m));
	char (*ids)[STORE_DIGEST_MAX] = NULL, name[IJ_NAME_MAX], *s, *made;
	struct ij_docker *d = NULL;
	struct ij_desc *ds = NULL;
	struct snap_err err;
	size_t n;

	if (m == NULL)
		return 0;
	if (ij_parse_index((const char *)data, size, &ds, &n, &err) == 0 && n)
		(void)ij_digest_ok(ds[n - 1].digest);
	free(ds);
	if (ij_parse_manifest((const char *)data, size, m, &err) == 0) {
		made = ij_make_manifest(&m->config, m->layers, m->nlayers);
		free(made);
	}
	if (ij_parse_docker((const char *)data, size, &d, &n, &err) == 0 && n)
		(void)strlen(d[n - 1].config);
	free(d);
	(void)ij_parse_diff_ids((const char *)data, size, &ids, &n, &err);
	free(ids);
	if ((s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		(void)ij_normalize_name(s, name, sizeof(name));
		free(s);
	}
	free(m);
	return 0;
}
