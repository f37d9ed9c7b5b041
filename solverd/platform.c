/* platform.c: the daemon's own platform; builds run natively, with no emulation. */
#include <string.h>
#include "platform.h"

#if defined(__x86_64__)
#define KILN_ARCH "amd64"
#define KILN_ARCH_ALIAS "x86_64"
#elif defined(__aarch64__)
#define KILN_ARCH "arm64"
#define KILN_ARCH_ALIAS "aarch64"
#elif defined(__i386__)
#define KILN_ARCH "386"
#define KILN_ARCH_ALIAS "i386"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define KILN_ARCH "ppc64le"
#define KILN_ARCH_ALIAS "ppc64le"
#elif defined(__s390x__)
#define KILN_ARCH "s390x"
#define KILN_ARCH_ALIAS "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define KILN_ARCH "riscv64"
#define KILN_ARCH_ALIAS "riscv64"
#else
#define KILN_ARCH "unknown"
#define KILN_ARCH_ALIAS "unknown"
#endif

const char *
platform_self(void)
{
	return "linux/" KILN_ARCH;
}

int
platform_supported(const char *p)
{
	return strcmp(p, "linux/" KILN_ARCH) == 0 || strcmp(p, "linux/" KILN_ARCH_ALIAS) == 0 ||
	    strcmp(p, "local") == 0 || strcmp(p, "linux") == 0;
}
