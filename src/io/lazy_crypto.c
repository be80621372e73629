/* libcrypto.so.3, opened on first use (see lazy/lazy.h). */
#include "io/lazy_crypto.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_CRYPTO
#define LAZY_SONAME_CRYPTO "libcrypto.so.3"
#define LAZY_PACKAGE_CRYPTO "libssl3"
#endif

static struct lazy_lib lazy_crypto_lib = {
    LAZY_SONAME_CRYPTO, LAZY_PACKAGE_CRYPTO, NULL, 0, {0}};
static struct lazy_crypto_api lazy_crypto_table;

int
lazy_crypto_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_crypto_api *t = &lazy_crypto_table;
	struct lazy_lib *l = &lazy_crypto_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_CRYPTO_FNS(LAZY_LOOKUP)
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_crypto_api *
lazy_crypto(void)
{
	if (lazy_crypto_load(NULL) != 0)
		lazy_die(&lazy_crypto_lib);
	return &lazy_crypto_table;
}
