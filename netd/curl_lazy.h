/* curl_lazy.h: libcurl through a table of function pointers filled by dlopen on first use, so an idle kiln-netd maps none of it. */
#ifndef KILN_NETD_CURL_LAZY_H
#define KILN_NETD_CURL_LAZY_H

#include <stddef.h>

/* Without this, curl.h makes curl_easy_setopt and curl_easy_getinfo
 * type-checking macros that would call the linked symbols directly. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* Every libcurl function kiln-netd calls, written once: the table, its
 * dlsym loop and (by hand, below) the names the callers use. */
#define CURL_LAZY_FUNCS(X) \
	X(global_init) X(global_cleanup) \
	X(easy_init) X(easy_reset) X(easy_cleanup) X(easy_setopt) \
	X(easy_getinfo) X(easy_strerror) X(easy_escape) X(free) \
	X(slist_append) X(slist_free_all) \
	X(multi_init) X(multi_cleanup) X(multi_setopt) X(multi_assign) \
	X(multi_add_handle) X(multi_remove_handle) X(multi_socket_action) \
	X(multi_info_read)

/* each pointer has the type curl.h declares for its function */
struct curl_lazy_table {
#define CURL_LAZY_FIELD(n) __typeof__(curl_##n) *n;
	CURL_LAZY_FUNCS(CURL_LAZY_FIELD)
#undef CURL_LAZY_FIELD
};
extern struct curl_lazy_table curl_lazy_fn;

#define CURL_LAZY_SONAME	"libcurl.so.4"
#define CURL_LAZY_PACKAGE	"libcurl4"

/* dlopen of CURL_LAZY_SONAME, the table, then curl_global_init; once:
 * after a success it returns 0 at once. After a failure (the library
 * missing) the next call tries again. 0, or -ELIBACC with the reason in
 * why (dlerror's words or curl_global_init's). */
int curl_lazy_load(char *why, size_t size);
/* Whether curl_lazy_load succeeded (the table may be used). */
int curl_lazy_loaded(void);
/* curl_global_cleanup if loaded; the library stays mapped. */
void curl_lazy_unload(void);

/* The callers keep curl's own names; the names mean the table. (curl.h
 * defines the three setopt/getinfo names as macros of themselves.) */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init	(curl_lazy_fn.global_init)
#define curl_global_cleanup	(curl_lazy_fn.global_cleanup)
#define curl_easy_init		(curl_lazy_fn.easy_init)
#define curl_easy_reset		(curl_lazy_fn.easy_reset)
#define curl_easy_cleanup	(curl_lazy_fn.easy_cleanup)
#define curl_easy_setopt	(curl_lazy_fn.easy_setopt)
#define curl_easy_getinfo	(curl_lazy_fn.easy_getinfo)
#define curl_easy_strerror	(curl_lazy_fn.easy_strerror)
#define curl_easy_escape	(curl_lazy_fn.easy_escape)
#define curl_free		(curl_lazy_fn.free)
#define curl_slist_append	(curl_lazy_fn.slist_append)
#define curl_slist_free_all	(curl_lazy_fn.slist_free_all)
#define curl_multi_init		(curl_lazy_fn.multi_init)
#define curl_multi_cleanup	(curl_lazy_fn.multi_cleanup)
#define curl_multi_setopt	(curl_lazy_fn.multi_setopt)
#define curl_multi_assign	(curl_lazy_fn.multi_assign)
#define curl_multi_add_handle	(curl_lazy_fn.multi_add_handle)
#define curl_multi_remove_handle (curl_lazy_fn.multi_remove_handle)
#define curl_multi_socket_action (curl_lazy_fn.multi_socket_action)
#define curl_multi_info_read	(curl_lazy_fn.multi_info_read)

#endif
