/* libjpeg.so.62, opened on first use (see lazy/lazy.h). */
#include "qr/lazy_jpeg.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_JPEG
#define LAZY_SONAME_JPEG "libjpeg.so.62"
#define LAZY_PACKAGE_JPEG "libjpeg62-turbo"
#endif

static struct lazy_lib lazy_jpeg_lib = {
    LAZY_SONAME_JPEG, LAZY_PACKAGE_JPEG, NULL, 0, {0}};
static struct lazy_jpeg_api lazy_jpeg_table;

int
lazy_jpeg_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_jpeg_api *t = &lazy_jpeg_table;
	struct lazy_lib *l = &lazy_jpeg_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_JPEG_FNS(LAZY_LOOKUP)
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_jpeg_api *
lazy_jpeg(void)
{
	if (lazy_jpeg_load(NULL) != 0)
		lazy_die(&lazy_jpeg_lib);
	return &lazy_jpeg_table;
}
