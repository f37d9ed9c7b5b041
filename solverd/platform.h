/* platform.h: the one platform this daemon builds for, as OCI names it (linux/amd64). */
#ifndef KILN_SOLVERD_PLATFORM_H
#define KILN_SOLVERD_PLATFORM_H

/* "linux/amd64", "linux/arm64", ... from the architecture kiln was built for */
const char *platform_self(void);
/* p names it too ("linux/amd64", "linux/x86_64", "local", "linux") */
int platform_supported(const char *p);

#endif
