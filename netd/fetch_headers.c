/* fetch_headers.c: the response headers ADD of a URL reads: Last-Modified's date and Content-Disposition's file name, both from the network, so parsed with care. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "fetch.h"

/* An HTTP date (RFC 9110's IMF-fixdate, which is what servers send). */
int64_t
fetch_http_date(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

/* filename="x" or filename=x of a Content-Disposition, as a plain name:
 * anything with a '/' or that is "." or ".." is no name. */
int
fetch_disposition_name(const char *cd, char *out, size_t size)
{
	const char *p = strcasestr(cd, "filename=");
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return 0;
	p += strlen("filename=");
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
	} else
		n = strcspn(p, "; \t");
	if (n == 0 || n >= size || memchr(p, '/', n) || memchr(p, '\\', n) ||
	    (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}
