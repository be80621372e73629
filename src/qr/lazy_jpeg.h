/*
 * libjpeg, opened on first use: include this instead of <jpeglib.h> and
 * <jerror.h>. jpeg_create_decompress() expands to jpeg_CreateDecompress(),
 * which goes through the table.
 */
#ifndef MFA_QR_LAZY_JPEG_H
#define MFA_QR_LAZY_JPEG_H

#include <stddef.h>
#include <stdio.h>

#include <jpeglib.h>
#include <jerror.h>

#include "lazy/lazy.h"

#define LAZY_JPEG_FNS(X)                                                       \
	X(jpeg_CreateDecompress)                                               \
	X(jpeg_destroy_decompress)                                             \
	X(jpeg_finish_decompress)                                              \
	X(jpeg_mem_src)                                                        \
	X(jpeg_read_header)                                                    \
	X(jpeg_read_scanlines)                                                 \
	X(jpeg_start_decompress)                                               \
	X(jpeg_std_error)

struct lazy_jpeg_api {
	LAZY_JPEG_FNS(LAZY_FIELD)
};

/*
 * Open libjpeg.so.62 and fill the table: 0, or MFA_EUNSUPPORTED with *why (when
 * not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_jpeg_load(const char **why);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_jpeg_api *lazy_jpeg(void);

/* From here on, calls go through the table. */
#undef jpeg_CreateDecompress
#define jpeg_CreateDecompress(...)                                             \
	(lazy_jpeg()->p_jpeg_CreateDecompress(__VA_ARGS__))
#undef jpeg_destroy_decompress
#define jpeg_destroy_decompress(...)                                           \
	(lazy_jpeg()->p_jpeg_destroy_decompress(__VA_ARGS__))
#undef jpeg_finish_decompress
#define jpeg_finish_decompress(...)                                            \
	(lazy_jpeg()->p_jpeg_finish_decompress(__VA_ARGS__))
#undef jpeg_mem_src
#define jpeg_mem_src(...) (lazy_jpeg()->p_jpeg_mem_src(__VA_ARGS__))
#undef jpeg_read_header
#define jpeg_read_header(...) (lazy_jpeg()->p_jpeg_read_header(__VA_ARGS__))
#undef jpeg_read_scanlines
#define jpeg_read_scanlines(...)                                               \
	(lazy_jpeg()->p_jpeg_read_scanlines(__VA_ARGS__))
#undef jpeg_start_decompress
#define jpeg_start_decompress(...)                                             \
	(lazy_jpeg()->p_jpeg_start_decompress(__VA_ARGS__))
#undef jpeg_std_error
#define jpeg_std_error(...) (lazy_jpeg()->p_jpeg_std_error(__VA_ARGS__))

#endif
