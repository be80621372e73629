/*
 * QR decoding: image_load() turns the file into grey pixels, zbar finds the
 * codes. zbar is told to look for QR codes only (other symbologies just add
 * false positives in screenshots full of text) and to retry on the inverted
 * image, which is how dark-mode screenshots draw codes.
 */
#include "qr/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "qr/image.h"
#include "qr/zbarapi.h"

/*
 * zbar misses codes drawn with one or two pixels a module; small images are
 * scanned a second time blown up to about this many pixels a side.
 */
#define DECODE_UPSCALE_TO 600u
#define DECODE_UPSCALE_MAX 8u
/*
 * zbar's time grows with the pixels it scans, and a code in a phone
 * screenshot or photo still has several pixels a module at a half or a
 * quarter of the size. So an image whose longer side is at least twice
 * this first gets a look at a copy reduced by a whole factor to no less
 * than this; the full image is scanned only when the copy shows nothing.
 */
#define DECODE_SMALL_SIDE 1000u

bool
qr_is_image(const uint8_t *buf, size_t len)
{
	return image_detect(buf, len) != IMAGE_UNKNOWN;
}

void
qr_texts_free(struct qr_texts *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		sodium_free(t->text[i]); /* wipes */
	free(t->text);
	free(t->len);
	memset(t, 0, sizeof(*t));
}

static int
decode_append(struct qr_texts *t, const char *data, size_t len)
{
	char **text, *copy;
	size_t *lens;

	if (len == SIZE_MAX || t->n >= SIZE_MAX / sizeof(*text) - 1)
		return MFA_ENOMEM;
	if ((copy = sodium_malloc(len + 1)) == NULL)
		return MFA_ENOMEM;
	memcpy(copy, data, len);
	copy[len] = '\0';
	if ((text = realloc(t->text, (t->n + 1) * sizeof(*text))) == NULL) {
		sodium_free(copy);
		return MFA_ENOMEM;
	}
	t->text = text;
	if ((lens = realloc(t->len, (t->n + 1) * sizeof(*lens))) == NULL) {
		sodium_free(copy);
		return MFA_ENOMEM;
	}
	t->len = lens;
	t->text[t->n] = copy;
	t->len[t->n] = len;
	t->n++;
	return 0;
}

/* Scan w*h grey pixels; append what zbar finds. */
static int
decode_scan(const struct zbarapi *zb, zbar_image_scanner_t *scn,
	    const uint8_t *px, unsigned w, unsigned h, struct qr_texts *out)
{
	const zbar_symbol_t *sym;
	zbar_image_t *zimg;
	const char *data;
	unsigned len;
	int rc = 0;

	if ((zimg = zb->image_create()) == NULL)
		return MFA_ENOMEM;
	zb->image_set_format(zimg, zbar_fourcc('Y', '8', '0', '0'));
	zb->image_set_size(zimg, w, h);
	/* No cleanup handler: the pixels stay ours. */
	zb->image_set_data(zimg, px, (unsigned long)w * h, NULL);
	if (zb->scan_image(scn, zimg) < 0)
		rc = MFA_ENOMEM;
	for (sym = zb->image_first_symbol(zimg); sym != NULL;
	     sym = zb->symbol_next(sym)) {
		if (zb->symbol_get_type(sym) != ZBAR_QRCODE)
			continue;
		data = zb->symbol_get_data(sym);
		len = zb->symbol_get_data_length(sym);
		if (data == NULL)
			continue;
		if (rc == 0)
			rc = decode_append(out, data, len);
		/*
		 * zbar's copy lives in its own malloc'd buffer until the
		 * symbol is recycled; the text is usually a secret.
		 */
		sodium_memzero((char *)data, len);
	}
	zb->image_destroy(zimg);
	return rc;
}

/* Nearest-neighbour enlargement for a second look at a small image. */
static int
decode_upscaled(const struct zbarapi *zb, zbar_image_scanner_t *scn,
		const struct image *img, struct qr_texts *out)
{
	unsigned f, x, y, w, h, side = img->w > img->h ? img->w : img->h;
	uint8_t *px;
	size_t n;
	int rc;

	f = (DECODE_UPSCALE_TO + side - 1) / side;
	if (f > DECODE_UPSCALE_MAX)
		f = DECODE_UPSCALE_MAX;
	w = img->w * f;
	h = img->h * f;
	n = (size_t)w * h;
	if ((px = malloc(n)) == NULL)
		return MFA_ENOMEM;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			px[(size_t)y * w + x] =
			    img->px[(size_t)(y / f) * img->w + x / f];
	rc = decode_scan(zb, scn, px, w, h, out);
	sodium_memzero(px, n);
	free(px);
	return rc;
}

static void decode_invert(struct image *img);

/*
 * Reduce img by f in both directions, each pixel the mean of an f x f
 * block (the ragged right and bottom edges are dropped), into small.
 */
static int
decode_shrink(const struct image *img, unsigned f, struct image *small)
{
	unsigned x, y, i, j, w = img->w / f, h = img->h / f;
	uint32_t *sum;
	const uint8_t *row;
	size_t n = (size_t)w * h;

	memset(small, 0, sizeof(*small));
	if ((sum = calloc(w, sizeof(*sum))) == NULL)
		return MFA_ENOMEM;
	if ((small->px = malloc(n)) == NULL) {
		free(sum);
		return MFA_ENOMEM;
	}
	small->w = w;
	small->h = h;
	for (y = 0; y < h; y++) {
		memset(sum, 0, w * sizeof(*sum));
		for (j = 0; j < f; j++) {
			row = img->px + (size_t)(y * f + j) * img->w;
			for (x = 0; x < w; x++)
				for (i = 0; i < f; i++)
					sum[x] += row[x * f + i];
		}
		for (x = 0; x < w; x++)
			small->px[(size_t)y * w + x] =
			    (uint8_t)(sum[x] / (f * f));
	}
	/* Sums of pixels of a code that may hold a secret. */
	sodium_memzero(sum, w * sizeof(*sum));
	free(sum);
	return 0;
}

/* The normal, then the inverted image (see qr_decode_image). */
static int
decode_both(const struct zbarapi *zb, zbar_image_scanner_t *scn,
	    struct image *img, size_t start, struct qr_texts *out)
{
	int pass, rc = 0;

	for (pass = 0; pass < 2 && rc == 0 && out->n == start; pass++) {
		if (pass == 1)
			decode_invert(img);
		rc = decode_scan(zb, scn, img->px, img->w, img->h, out);
	}
	return rc;
}

static void
decode_invert(struct image *img)
{
	size_t i, n = (size_t)img->w * img->h;

	for (i = 0; i < n; i++)
		img->px[i] = (uint8_t)(255 - img->px[i]);
}

static void
decode_rollback(struct qr_texts *t, size_t n)
{
	while (t->n > n)
		sodium_free(t->text[--t->n]);
}

int
qr_decode_image(const uint8_t *buf, size_t len, struct qr_texts *out,
		struct mfa_err *err)
{
	char reason[IMAGE_WHY_MAX] = "";
	zbar_image_scanner_t *scn = NULL;
	const struct zbarapi *zb = NULL;
	const char *dlwhy = NULL;
	struct image img = {0}, small = {0};
	unsigned f;
	int pass;
	size_t start;
	int rc;

	if (buf == NULL || out == NULL) {
		rc = MFA_EINVAL;
		goto done;
	}
	start = out->n;
	if (sodium_init() < 0) {
		rc = MFA_ECRYPTO;
		goto done;
	}
	if (len > QR_MAX_FILE) {
		snprintf(reason, sizeof(reason), "image file over %u MiB",
			 QR_MAX_FILE / 1024 / 1024);
		rc = MFA_ETOOBIG;
		goto done;
	}
	if ((rc = image_load(buf, len, &img, reason)) != 0)
		goto done;
	if ((zb = zbarapi_load(&dlwhy)) == NULL) {
		snprintf(reason, sizeof(reason),
			 "cannot load the QR decoder: %s",
			 dlwhy ? dlwhy : "libzbar.so.0");
		rc = MFA_EUNSUPPORTED;
		goto done;
	}

	if ((scn = zb->image_scanner_create()) == NULL) {
		rc = MFA_ENOMEM;
		goto done;
	}
	zb->image_scanner_set_config(scn, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zb->image_scanner_set_config(scn, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/*
	 * The bytes as encoded: zbar's charset guessing tries Shift-JIS and
	 * Big5 before UTF-8 and so mangles "ä" in an issuer name (zbar issue
	 * #212). otpauth URIs are ASCII or UTF-8; the cli validates them.
	 */
	zb->image_scanner_set_config(scn, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);

	/*
	 * Light-on-dark codes (dark-mode screenshots) get a second look at
	 * the inverted image. We invert it ourselves rather than set
	 * ZBAR_CFG_TEST_INVERTED: zbar's own inverted copy writes whole
	 * machine words past the end of its buffer (seen under valgrind).
	 */
	/* A reduced copy first (DECODE_SMALL_SIDE), normal and inverted. */
	if ((f = (img.w > img.h ? img.w : img.h) / DECODE_SMALL_SIDE) >= 2) {
		if ((rc = decode_shrink(&img, f, &small)) != 0)
			goto done;
		rc = decode_both(zb, scn, &small, start, out);
		image_free(&small);
	}
	for (pass = 0; pass < 2 && rc == 0 && out->n == start; pass++) {
		if (pass == 1)
			decode_invert(&img);
		rc = decode_scan(zb, scn, img.px, img.w, img.h, out);
		if (rc == 0 && out->n == start && img.w < DECODE_UPSCALE_TO &&
		    img.h < DECODE_UPSCALE_TO)
			rc = decode_upscaled(zb, scn, &img, out);
	}
	if (rc == 0 && out->n == start) {
		snprintf(reason, sizeof(reason), "no QR code in the image");
		rc = MFA_ENOQR;
	}
	if (rc != 0)
		decode_rollback(out, start);

done:
	if (scn != NULL)
		zb->image_scanner_destroy(scn);
	image_free(&img);
	image_free(&small);
	if (rc == MFA_ENOMEM && reason[0] == '\0')
		snprintf(reason, sizeof(reason), "out of memory");
	if (rc != 0)
		mfa_err_why(err, "%s", reason);
	return rc;
}
