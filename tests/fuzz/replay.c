/* replay.c: runs a libFuzzer harness once over every file of a corpus directory, without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t input[1 << 20];

static int
replay_file(const char *dir, const char *name)
{
	char path[4096];
	uint8_t *copy;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(input, 1, sizeof(input), f);
	fclose(f);
	/* a copy of exactly n bytes, so ASan sees reads past the input */
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, input, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("KILN_FUZZ_CORPUS");
	struct dirent *e;
	int runs = 0, bad = 0;
	DIR *d;

	if (dir == NULL) {
		fprintf(stderr, "usage: replay dir (or KILN_FUZZ_CORPUS=dir)\n");
		return 2;
	}
	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (replay_file(dir, e->d_name) < 0)
			bad++;
		else
			runs++;
	}
	closedir(d);
	printf("replay: %d inputs from %s\n", runs, dir);
	return bad || runs == 0 ? 1 : 0;
}
