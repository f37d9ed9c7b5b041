/* dockerfile-bench.c: how long df_parse and df_expand_word take: a typical 40-line Dockerfile, a 10,000-instruction one, and expansions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dockerfile.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One block of instructions of every kind; repeated to make big files. */
static const char block[] =
    "RUN --mount=type=cache,target=/root/.cache apt-get update && \\\n"
    "    apt-get install -y --no-install-recommends \\\n"
    "      ca-certificates curl git \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "ENV PATH=/opt/bin:$PATH LANG=C.UTF-8 HOME=\"/home/app user\"\n"
    "ARG VERSION=1.2.3 TARGETARCH\n"
    "COPY --from=build --chown=app:app --chmod=0755 /src/out/${VERSION}/ /opt/bin/\n"
    "LABEL org.opencontainers.image.title=\"kiln bench\" version=${VERSION}\n"
    "WORKDIR /work/${TARGETARCH:-amd64}\n"
    "RUN <<EOF\n"
    "set -e\n"
    "echo building $VERSION\n"
    "EOF\n"
    "HEALTHCHECK --interval=30s --timeout=3s CMD [\"curl\", \"-f\", \"http://localhost/\"]\n"
    "EXPOSE 8080/tcp 9090\n"
    "USER app:app\n"
    "CMD [\"/opt/bin/server\", \"--port\", \"8080\"]\n";

static char *
make_file(int blocks, size_t *len)
{
	size_t bn = strlen(block), hn;
	const char *head = "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nFROM ${BASE} AS build\n";
	char *p;
	int i;

	hn = strlen(head);
	p = malloc(hn + bn * (size_t)blocks + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, head, hn);
	for (i = 0; i < blocks; i++)
		memcpy(p + hn + bn * (size_t)i, block, bn);
	*len = hn + bn * (size_t)blocks;
	p[*len] = '\0';
	return p;
}

static double
bench_parse(const char *text, size_t len, int runs, size_t *ninstrs)
{
	struct df_error err;
	struct df_file f;
	double t0, best = 1e18, t;
	int i;

	for (i = 0; i < runs; i++) {
		t0 = now_us();
		if (df_parse("Dockerfile", text, len, &f, &err) != 0) {
			fprintf(stderr, "dockerfile-bench: %s\n", err.msg);
			exit(1);
		}
		t = now_us() - t0;
		*ninstrs = f.ninstrs;
		df_file_free(&f);
		if (t < best)
			best = t;
	}
	return best;
}

static const char *
lookup(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "VERSION") == 0 ? "1.2.3" : strcmp(name, "PATH") == 0 ?
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : NULL;
}

int
main(void)
{
	static const char *const words[] = {
	    "/opt/bin:$PATH", "\"/home/app user\"", "/src/out/${VERSION}/",
	    "/work/${TARGETARCH:-amd64}", "${PATH//:/ }", "plain-word",
	};
	struct df_error err;
	double t0, t;
	size_t len, n, k;
	char *text, *out;
	int i, blocks[] = { 2, 600 };

	for (k = 0; k < 2; k++) {
		if ((text = make_file(blocks[k], &len)) == NULL)
			return 1;
		t = bench_parse(text, len, k ? 20 : 2000, &n);
		printf("df_parse: %zu instructions, %zu lines, %zu bytes: best of %d %.1f us (%.0f MB/s, %.2f us per instruction)\n",
		    n, (size_t)(3 + 17 * blocks[k]), len, k ? 20 : 2000, t,
		    len / t, t / (double)n);
		free(text);
	}
	t0 = now_us();
	for (i = 0; i < 100000; i++) {
		if (df_expand_word(words[i % 6], '\\', lookup, NULL, &out, &err) != 0)
			return 1;
		free(out);
	}
	printf("df_expand_word: %.2f us per word (100000 words of ENV, COPY, WORKDIR kinds)\n",
	    (now_us() - t0) / 100000);
	return 0;
}
