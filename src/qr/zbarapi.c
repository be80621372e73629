/* Loading libzbar on first use; see zbarapi.h for why. */
#include "qr/zbarapi.h"

#include <dlfcn.h>
#include <stddef.h>

#include "lazy/lazy.h"

/* The run-time name of the library zbar.h belongs to (Debian: libzbar0). */
#ifndef LAZY_SONAME_ZBAR
#define LAZY_SONAME_ZBAR "libzbar.so.0"
#define LAZY_PACKAGE_ZBAR "libzbar0"
#endif

const struct zbarapi *
zbarapi_load(const char **why)
{
	static struct zbarapi api;
	static int loaded; /* 0 not tried, 1 ok, -1 failed */
	static const char *err;
	static struct lazy_lib lib = {
	    LAZY_SONAME_ZBAR, LAZY_PACKAGE_ZBAR, NULL, 0, {0}};
	void *h;

	if (loaded != 0) {
		if (why != NULL)
			*why = err;
		return loaded > 0 ? &api : NULL;
	}
	loaded = -1;
	if (lazy_open(&lib) != 0) {
		err = lib.why;
		if (why != NULL)
			*why = err;
		return NULL;
	}
	h = lib.handle;
#define ZBARAPI_SYM(field, name)                                               \
	if ((api.field = (__typeof__(api.field))dlsym(h, name)) == NULL)       \
		goto fail;
	ZBARAPI_SYM(image_create, "zbar_image_create")
	ZBARAPI_SYM(image_destroy, "zbar_image_destroy")
	ZBARAPI_SYM(image_set_format, "zbar_image_set_format")
	ZBARAPI_SYM(image_set_size, "zbar_image_set_size")
	ZBARAPI_SYM(image_set_data, "zbar_image_set_data")
	ZBARAPI_SYM(image_first_symbol, "zbar_image_first_symbol")
	ZBARAPI_SYM(symbol_next, "zbar_symbol_next")
	ZBARAPI_SYM(symbol_get_type, "zbar_symbol_get_type")
	ZBARAPI_SYM(symbol_get_data, "zbar_symbol_get_data")
	ZBARAPI_SYM(symbol_get_data_length, "zbar_symbol_get_data_length")
	ZBARAPI_SYM(image_scanner_create, "zbar_image_scanner_create")
	ZBARAPI_SYM(image_scanner_destroy, "zbar_image_scanner_destroy")
	ZBARAPI_SYM(image_scanner_set_config, "zbar_image_scanner_set_config")
	ZBARAPI_SYM(scan_image, "zbar_scan_image")
#undef ZBARAPI_SYM
	loaded = 1;
	return &api;
fail:
	err = LAZY_SONAME_ZBAR " lacks a needed function";
	if (why != NULL)
		*why = err;
	return NULL;
}
