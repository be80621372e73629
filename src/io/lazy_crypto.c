/* libcrypto.so.3, opened on first use (see lazy/lazy.h). */
#include "io/lazy_crypto.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_CRYPTO
#define LAZY_SONAME_CRYPTO "libcrypto.so.3"
#define LAZY_PACKAGE_CRYPTO "libssl3"
#endif

LAZY_DEFINE(crypto, CRYPTO, LAZY_CRYPTO_FNS(LAZY_LOOKUP), )
