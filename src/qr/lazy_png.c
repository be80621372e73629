/* libpng16.so.16, opened on first use (see lazy/lazy.h). */
#include "qr/lazy_png.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_PNG
#define LAZY_SONAME_PNG "libpng16.so.16"
#define LAZY_PACKAGE_PNG "libpng16-16"
#endif

LAZY_DEFINE(png, PNG, LAZY_PNG_FNS(LAZY_LOOKUP), )
