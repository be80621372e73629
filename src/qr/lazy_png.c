/* libpng16.so.16, opened on first use (see lazy/lazy.h). */
#include "qr/lazy_png.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_PNG
#define LAZY_SONAME_PNG "libpng16.so.16"
#define LAZY_PACKAGE_PNG "libpng16-16"
#endif

static struct lazy_lib lazy_png_lib = {
    LAZY_SONAME_PNG, LAZY_PACKAGE_PNG, NULL, 0, {0}};
static struct lazy_png_api lazy_png_table;

int
lazy_png_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_png_api *t = &lazy_png_table;
	struct lazy_lib *l = &lazy_png_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_PNG_FNS(LAZY_LOOKUP)
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_png_api *
lazy_png(void)
{
	if (lazy_png_load(NULL) != 0)
		lazy_die(&lazy_png_lib);
	return &lazy_png_table;
}
