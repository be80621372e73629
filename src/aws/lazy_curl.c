/* libcurl.so.4, opened on first use (see lazy/lazy.h). */
#include "aws/lazy_curl.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_CURL
#define LAZY_SONAME_CURL "libcurl.so.4"
#define LAZY_PACKAGE_CURL "libcurl4"
#endif

LAZY_DEFINE(curl, CURL, LAZY_CURL_FNS(LAZY_LOOKUP), )
