/* libqrencode.so.4, opened on first use (see lazy/lazy.h). */
#include "qr/lazy_qrencode.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_QRENCODE
#define LAZY_SONAME_QRENCODE "libqrencode.so.4"
#define LAZY_PACKAGE_QRENCODE "libqrencode4"
#endif

LAZY_DEFINE(qrencode, QRENCODE, LAZY_QRENCODE_FNS(LAZY_LOOKUP), )
