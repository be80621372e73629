/*
 * libcurl, opened on first use: include this instead of <curl/curl.h>.
 * Only the commands that talk to AWS themselves (aws keys, creds, exec,
 * rotate, login) load it; `mfa code` never does. The type-checking macros
 * of curl.h are left out: every call goes through the table.
 */
#ifndef MFA_AWS_LAZY_CURL_H
#define MFA_AWS_LAZY_CURL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "lazy/lazy.h"

#define LAZY_CURL_FNS(X)                                                       \
	X(curl_easy_cleanup)                                                   \
	X(curl_easy_getinfo)                                                   \
	X(curl_easy_init)                                                      \
	X(curl_easy_perform)                                                   \
	X(curl_easy_setopt)                                                    \
	X(curl_easy_strerror)                                                  \
	X(curl_slist_append)                                                   \
	X(curl_slist_free_all)

struct lazy_curl_api {
	LAZY_CURL_FNS(LAZY_FIELD)
};

/*
 * Open libcurl.so.4 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_curl_load(const char **why);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_curl_api *lazy_curl(void);

#undef curl_easy_cleanup
#define curl_easy_cleanup(...) (lazy_curl()->p_curl_easy_cleanup(__VA_ARGS__))
#undef curl_easy_getinfo
#define curl_easy_getinfo(...) (lazy_curl()->p_curl_easy_getinfo(__VA_ARGS__))
#undef curl_easy_init
#define curl_easy_init(...) (lazy_curl()->p_curl_easy_init(__VA_ARGS__))
#undef curl_easy_perform
#define curl_easy_perform(...) (lazy_curl()->p_curl_easy_perform(__VA_ARGS__))
#undef curl_easy_setopt
#define curl_easy_setopt(...) (lazy_curl()->p_curl_easy_setopt(__VA_ARGS__))
#undef curl_easy_strerror
#define curl_easy_strerror(...) (lazy_curl()->p_curl_easy_strerror(__VA_ARGS__))
#undef curl_slist_append
#define curl_slist_append(...) (lazy_curl()->p_curl_slist_append(__VA_ARGS__))
#undef curl_slist_free_all
#define curl_slist_free_all(...)                                               \
	(lazy_curl()->p_curl_slist_free_all(__VA_ARGS__))

#endif
