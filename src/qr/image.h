/*
 * image: PNG, JPEG and Netpbm decoding to 8-bit grey, private to src/qr.
 *
 * The loaders treat their input as hostile: sizes are checked against
 * QR_MAX_PIXELS and IMAGE_MAX_SIDE before any pixel memory is allocated, and
 * every libpng/libjpeg error path frees what it allocated.
 */
#ifndef MFA_QR_IMAGE_H
#define MFA_QR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_SIDE 20000u
#define IMAGE_WHY_MAX 128

enum image_kind {
	IMAGE_UNKNOWN = 0,
	IMAGE_PNG,
	IMAGE_JPEG,
	IMAGE_PNM, /* P2, P3, P5, P6 */
};

struct image {
	uint8_t *px; /* malloc'd, w * h bytes, row after row, 0 = black */
	unsigned w, h;
};

/* What the first bytes of buf look like; never reads past len. */
enum image_kind image_detect(const uint8_t *buf, size_t len);

/*
 * Decode buf into img (8-bit grey; transparency composed over white).
 * Returns 0, MFA_EIMAGE (why says what is wrong), MFA_ETOOBIG (dimensions
 * past the limits; nothing allocated) or MFA_ENOMEM. On error img is empty.
 * The caller must image_free() after success.
 */
int image_load(const uint8_t *buf, size_t len, struct image *img,
	       char why[IMAGE_WHY_MAX]);

/* Wipe and free the pixels; safe on an empty image. */
void image_free(struct image *img);

#endif
