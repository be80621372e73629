/*
 * libpng, opened on first use: include this instead of <png.h>.
 * png_jmpbuf() expands to png_set_longjmp_fn(), which goes through the table
 * like every other call.
 */
#ifndef MFA_QR_LAZY_PNG_H
#define MFA_QR_LAZY_PNG_H

#include <png.h>

#include "lazy/lazy.h"

#define LAZY_PNG_FNS(X)                                                        \
	X(png_create_info_struct)                                              \
	X(png_create_read_struct_2)                                            \
	X(png_create_write_struct)                                             \
	X(png_destroy_read_struct)                                             \
	X(png_destroy_write_struct)                                            \
	X(png_error)                                                           \
	X(png_get_bit_depth)                                                   \
	X(png_get_channels)                                                    \
	X(png_get_color_type)                                                  \
	X(png_get_error_ptr)                                                   \
	X(png_get_image_height)                                                \
	X(png_get_image_width)                                                 \
	X(png_get_io_ptr)                                                      \
	X(png_get_mem_ptr)                                                     \
	X(png_get_rowbytes)                                                    \
	X(png_longjmp)                                                         \
	X(png_read_image)                                                      \
	X(png_read_info)                                                       \
	X(png_read_update_info)                                                \
	X(png_set_IHDR)                                                        \
	X(png_set_expand)                                                      \
	X(png_set_interlace_handling)                                          \
	X(png_set_longjmp_fn)                                                  \
	X(png_set_read_fn)                                                     \
	X(png_set_rgb_to_gray_fixed)                                           \
	X(png_set_strip_16)                                                    \
	X(png_set_user_limits)                                                 \
	X(png_set_write_fn)                                                    \
	X(png_write_end)                                                       \
	X(png_write_info)                                                      \
	X(png_write_row)

struct lazy_png_api {
	LAZY_PNG_FNS(LAZY_FIELD)
};

/*
 * Open libpng16.so.16 and fill the table: 0, or MFA_EUNSUPPORTED with *why
 * (when not NULL) naming the library and its Debian package. Loads once.
 */
int lazy_png_load(const char **why);
/* The table, loaded on demand; exits with that message if it cannot be. */
const struct lazy_png_api *lazy_png(void);

/* From here on, calls go through the table. */
#undef png_create_info_struct
#define png_create_info_struct(...)                                            \
	(lazy_png()->p_png_create_info_struct(__VA_ARGS__))
#undef png_create_read_struct_2
#define png_create_read_struct_2(...)                                          \
	(lazy_png()->p_png_create_read_struct_2(__VA_ARGS__))
#undef png_create_write_struct
#define png_create_write_struct(...)                                           \
	(lazy_png()->p_png_create_write_struct(__VA_ARGS__))
#undef png_destroy_read_struct
#define png_destroy_read_struct(...)                                           \
	(lazy_png()->p_png_destroy_read_struct(__VA_ARGS__))
#undef png_destroy_write_struct
#define png_destroy_write_struct(...)                                          \
	(lazy_png()->p_png_destroy_write_struct(__VA_ARGS__))
#undef png_error
#define png_error(...) (lazy_png()->p_png_error(__VA_ARGS__))
#undef png_get_bit_depth
#define png_get_bit_depth(...) (lazy_png()->p_png_get_bit_depth(__VA_ARGS__))
#undef png_get_channels
#define png_get_channels(...) (lazy_png()->p_png_get_channels(__VA_ARGS__))
#undef png_get_color_type
#define png_get_color_type(...) (lazy_png()->p_png_get_color_type(__VA_ARGS__))
#undef png_get_error_ptr
#define png_get_error_ptr(...) (lazy_png()->p_png_get_error_ptr(__VA_ARGS__))
#undef png_get_image_height
#define png_get_image_height(...)                                              \
	(lazy_png()->p_png_get_image_height(__VA_ARGS__))
#undef png_get_image_width
#define png_get_image_width(...)                                               \
	(lazy_png()->p_png_get_image_width(__VA_ARGS__))
#undef png_get_io_ptr
#define png_get_io_ptr(...) (lazy_png()->p_png_get_io_ptr(__VA_ARGS__))
#undef png_get_mem_ptr
#define png_get_mem_ptr(...) (lazy_png()->p_png_get_mem_ptr(__VA_ARGS__))
#undef png_get_rowbytes
#define png_get_rowbytes(...) (lazy_png()->p_png_get_rowbytes(__VA_ARGS__))
#undef png_longjmp
#define png_longjmp(...) (lazy_png()->p_png_longjmp(__VA_ARGS__))
#undef png_read_image
#define png_read_image(...) (lazy_png()->p_png_read_image(__VA_ARGS__))
#undef png_read_info
#define png_read_info(...) (lazy_png()->p_png_read_info(__VA_ARGS__))
#undef png_read_update_info
#define png_read_update_info(...)                                              \
	(lazy_png()->p_png_read_update_info(__VA_ARGS__))
#undef png_set_IHDR
#define png_set_IHDR(...) (lazy_png()->p_png_set_IHDR(__VA_ARGS__))
#undef png_set_expand
#define png_set_expand(...) (lazy_png()->p_png_set_expand(__VA_ARGS__))
#undef png_set_interlace_handling
#define png_set_interlace_handling(...)                                        \
	(lazy_png()->p_png_set_interlace_handling(__VA_ARGS__))
#undef png_set_longjmp_fn
#define png_set_longjmp_fn(...) (lazy_png()->p_png_set_longjmp_fn(__VA_ARGS__))
#undef png_set_read_fn
#define png_set_read_fn(...) (lazy_png()->p_png_set_read_fn(__VA_ARGS__))
#undef png_set_rgb_to_gray_fixed
#define png_set_rgb_to_gray_fixed(...)                                         \
	(lazy_png()->p_png_set_rgb_to_gray_fixed(__VA_ARGS__))
#undef png_set_strip_16
#define png_set_strip_16(...) (lazy_png()->p_png_set_strip_16(__VA_ARGS__))
#undef png_set_user_limits
#define png_set_user_limits(...)                                               \
	(lazy_png()->p_png_set_user_limits(__VA_ARGS__))
#undef png_set_write_fn
#define png_set_write_fn(...) (lazy_png()->p_png_set_write_fn(__VA_ARGS__))
#undef png_write_end
#define png_write_end(...) (lazy_png()->p_png_write_end(__VA_ARGS__))
#undef png_write_info
#define png_write_info(...) (lazy_png()->p_png_write_info(__VA_ARGS__))
#undef png_write_row
#define png_write_row(...) (lazy_png()->p_png_write_row(__VA_ARGS__))

#endif
