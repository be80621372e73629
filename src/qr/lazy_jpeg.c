/* libjpeg.so.62, opened on first use (see lazy/lazy.h). */
#include "qr/lazy_jpeg.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_JPEG
#define LAZY_SONAME_JPEG "libjpeg.so.62"
#define LAZY_PACKAGE_JPEG "libjpeg62-turbo"
#endif

LAZY_DEFINE(jpeg, JPEG, LAZY_JPEG_FNS(LAZY_LOOKUP), )
