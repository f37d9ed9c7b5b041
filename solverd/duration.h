/* duration.h: Go's time.Duration text, as HEALTHCHECK options and Docker's history write it. */
#ifndef KILN_SOLVERD_DURATION_H
#define KILN_SOLVERD_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* "1m30s", "500ms", "1.5h" -> nanoseconds. 0 or -EINVAL. */
int duration_parse(const char *s, int64_t *ns);
/* nanoseconds -> "1m30s", "0s", "1.5ms", as time.Duration.String(). */
char *duration_format(int64_t ns, char *buf, size_t size);

#endif
