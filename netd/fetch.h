/* fetch.h: kiln-netd's NET_FETCH (ADD of a URL) and the header parsing it needs. */
#ifndef KILN_NETD_FETCH_H
#define KILN_NETD_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include "ipc.h"

/* NET_FETCH's handler (common/ipc_msg.h has the message). */
int fetch_on_request(struct ipc_peer *p, struct ipc_msg *m);
/* Seconds since the epoch of an HTTP date ("Sun, 06 Nov 1994 08:49:37
 * GMT"), or -1 when it is not one. */
int64_t fetch_http_date(const char *s);
/* The file name a Content-Disposition gives (filename="x" or filename=x),
 * into out: 1; none, or one with a '/' or that is "." or "..": 0, out "". */
int fetch_disposition_name(const char *cd, char *out, size_t size);

#endif
