/*
 * libzbar, loaded on first use.
 *
 * Debian's libzbar pulls in X11, D-Bus, V4L and systemd (17 more shared
 * objects), whose relocation cost every `mfa code` several million
 * instructions at start-up though only `import` ever scans an image. So the
 * qr layer opens libzbar with dlopen() when it first decodes, and calls it
 * through this table; the types come from <zbar.h> itself.
 */
#ifndef MFA_QR_ZBARAPI_H
#define MFA_QR_ZBARAPI_H

#include <zbar.h>

struct zbarapi {
	__typeof__(&zbar_image_create) image_create;
	__typeof__(&zbar_image_destroy) image_destroy;
	__typeof__(&zbar_image_set_format) image_set_format;
	__typeof__(&zbar_image_set_size) image_set_size;
	__typeof__(&zbar_image_set_data) image_set_data;
	__typeof__(&zbar_image_first_symbol) image_first_symbol;
	__typeof__(&zbar_symbol_next) symbol_next;
	__typeof__(&zbar_symbol_get_type) symbol_get_type;
	__typeof__(&zbar_symbol_get_data) symbol_get_data;
	__typeof__(&zbar_symbol_get_data_length) symbol_get_data_length;
	__typeof__(&zbar_image_scanner_create) image_scanner_create;
	__typeof__(&zbar_image_scanner_destroy) image_scanner_destroy;
	__typeof__(&zbar_image_scanner_set_config) image_scanner_set_config;
	__typeof__(&zbar_scan_image) scan_image;
};

/*
 * The loaded table (static storage, loaded once, never unloaded), or NULL
 * when libzbar cannot be opened; then *why names the library and dlerror().
 */
const struct zbarapi *zbarapi_load(const char **why);

#endif
