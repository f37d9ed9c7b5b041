/* http.h: kiln-netd's HTTP transfers: libcurl's multi interface driven by the helper's libevent loop. */
#ifndef KILN_NETD_HTTP_H
#define KILN_NETD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "curl_lazy.h"
#include "imgref.h"

struct event_base;

#define HTTP_BODY_MAX	(64 * 1024)	/* bodies kept in memory: errors, tokens */

/* TLS and scheme settings of one request (from the registry's config). */
struct http_tls {
	int		verify;		/* 0: insecure, skip verification */
	const char	*ca_file;	/* NULL: the system's bundle */
};

struct http_xfer;
typedef void (*http_done_fn)(struct http_xfer *x);

struct http_xfer {
	/* the request, set by the caller before http_start */
	const char	*method;	/* "GET", "HEAD", "POST", "PUT", "PATCH" */
	char		 url[4096];
	struct curl_slist *headers;	/* freed with the xfer */
	struct http_tls	 tls;
	int		 follow;	/* follow redirects (blob GETs) */
	int		 out_fd;	/* -1: 2xx bodies go to body[] too */
	off_t		 out_off;	/* where out_fd's content starts */
	uint64_t	 range_from;	/* ask for bytes from here (resume) */
	int		 in_fd;		/* -1: no request body */
	off_t		 in_off;	/* where the body starts in in_fd */
	uint64_t	 in_size;
	uint64_t	 out_max;	/* 0: no bound on what out_fd takes */
	/* authentication; curl copies them, so they may go after http_start */
	const char	*auth_user, *auth_secret;	/* Basic */
	const char	*auth_bearer;			/* Bearer token */
	size_t		 body_max;	/* 0: HTTP_BODY_MAX */
	http_done_fn	 done;
	void		*arg;

	/* the answer, valid in done */
	CURLcode	 result;
	long		 status;
	char		 error[CURL_ERROR_SIZE];
	char		 content_type[128];
	char		 digest[IMGREF_DIGEST_MAX];	/* Docker-Content-Digest */
	char		 location[4096];
	char		 www_auth[1024];
	char		 retry_after[32];
	char		 last_modified[64];	/* as sent: an HTTP date */
	char		 disposition[512];	/* Content-Disposition, as sent */
	char		 etag[256];		/* ETag, as sent */
	int64_t		 content_length;		/* -1: none */
	char		*body;		/* NUL-terminated; non-2xx bodies always */
	size_t		 body_len;
	int		 body_cut;	/* longer than body_max */
	uint64_t	 written;	/* bytes this try wrote, after range_from */
	int		 write_err;	/* errno of a failed write to out_fd */
	int		 too_big;	/* the body passed out_max */
	int		 read_err;	/* errno of a failed read of in_fd */
	uint64_t	 in_read;	/* of the body, read so far */

	CURL		*easy;
	int		 running;
};

/* Before lockdown: the event base and the timer; libcurl is not loaded. */
int http_init(struct event_base *base);
/* Loads libcurl (curl_lazy.c) and makes the multi handle, the first time;
 * then 0 at once. Before any other http_ call but http_free. 0, or
 * -ELIBACC/-ENOMEM with a sentence for the user in msg (what is missing
 * and what to install). */
int http_load(char *msg, size_t size);
void http_shutdown(void);
/* A zeroed transfer with out_fd and in_fd at -1. */
struct http_xfer *http_new(void);
/* Starts x; done runs from the event loop, exactly once, unless x is
 * cancelled first. The answer fields are cleared. 0 or negative errno. */
int http_start(struct http_xfer *x);
/* Stops x if it runs (done is not called) and frees it. */
void http_free(struct http_xfer *x);
/* Header list helper: appends "name: value". 0 or -ENOMEM. */
int http_header(struct http_xfer *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
