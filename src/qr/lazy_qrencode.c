/* libqrencode.so.4, opened on first use (see lazy/lazy.h). */
#include "qr/lazy_qrencode.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_QRENCODE
#define LAZY_SONAME_QRENCODE "libqrencode.so.4"
#define LAZY_PACKAGE_QRENCODE "libqrencode4"
#endif

static struct lazy_lib lazy_qrencode_lib = {
    LAZY_SONAME_QRENCODE, LAZY_PACKAGE_QRENCODE, NULL, 0, {0}};
static struct lazy_qrencode_api lazy_qrencode_table;

int
lazy_qrencode_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_qrencode_api *t = &lazy_qrencode_table;
	struct lazy_lib *l = &lazy_qrencode_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_QRENCODE_FNS(LAZY_LOOKUP)
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_qrencode_api *
lazy_qrencode(void)
{
	if (lazy_qrencode_load(NULL) != 0)
		lazy_die(&lazy_qrencode_lib);
	return &lazy_qrencode_table;
}
