/*
 * QR rendering with libqrencode. The module matrix is the secret drawn in
 * black and white, so it is wiped before libqrencode frees it; libqrencode's
 * own intermediate buffers are out of our reach.
 */
#include "qr/encode.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "qr/lazy_png.h"
#include "qr/lazy_qrencode.h"
#include <sodium.h>

#include "mfa/rc.h"
#include "qr/image.h"

#define ENCODE_SGR_ON "\033[38;5;16;48;5;231m"
#define ENCODE_SGR_OFF "\033[0m"
#define ENCODE_UPPER "\xe2\x96\x80" /* U+2580 upper half block */
#define ENCODE_LOWER "\xe2\x96\x84" /* U+2584 lower half block */
#define ENCODE_FULL "\xe2\x96\x88"  /* U+2588 full block */

static int
encode_qr(const char *text, QRcode **qr)
{
	size_t len;

	*qr = NULL;
	if (text == NULL || (len = strlen(text)) == 0)
		return MFA_EINVAL;
	if (sodium_init() < 0)
		return MFA_ECRYPTO;
	if (len > INT_MAX)
		return MFA_ETOOLONG;
	errno = 0;
	*qr = QRcode_encodeData((int)len, (const unsigned char *)text, 0,
				QR_ECLEVEL_M);
	if (*qr != NULL)
		return 0;
	if (errno == ERANGE)
		return MFA_ETOOLONG;
	if (errno == ENOMEM)
		return MFA_ENOMEM;
	return MFA_EINVAL;
}

static void
encode_qr_free(QRcode *qr)
{
	if (qr == NULL)
		return;
	sodium_memzero(qr->data, (size_t)qr->width * qr->width);
	QRcode_free(qr);
}

/* Is module (x, y) of the code plus a quiet zone of q modules dark? */
static int
encode_dark(const QRcode *qr, int q, int x, int y)
{
	x -= q;
	y -= q;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[(size_t)y * qr->width + x] & 1;
}

int
qr_render_terminal(const char *text, bool ansi, char **out, size_t *outlen)
{
	static const char *cells[4] = {" ", ENCODE_LOWER, ENCODE_UPPER,
				       ENCODE_FULL};
	const int q = QR_TERMINAL_QUIET;
	size_t cap, n = 0, linecap;
	int side, lines, x, y, top, bot, rc;
	QRcode *qr;
	char *buf;

	if (out == NULL || outlen == NULL)
		return MFA_EINVAL;
	*out = NULL;
	*outlen = 0;
	if ((rc = encode_qr(text, &qr)) != 0)
		return rc;

	side = qr->width + 2 * q;
	lines = (side + 1) / 2;
	linecap = sizeof(ENCODE_SGR_ON) + (size_t)side * 3 +
		  sizeof(ENCODE_SGR_OFF) + 1;
	cap = (size_t)lines * linecap + 1;
	if ((buf = sodium_malloc(cap)) == NULL) {
		encode_qr_free(qr);
		return MFA_ENOMEM;
	}

	for (y = 0; y < side; y += 2) {
		if (ansi) {
			memcpy(buf + n, ENCODE_SGR_ON, strlen(ENCODE_SGR_ON));
			n += strlen(ENCODE_SGR_ON);
		}
		for (x = 0; x < side; x++) {
			/*
			 * The cell's ink is dark modules with colours, light
			 * modules without (drawn on a dark background).
			 * Below the last row is quiet: ink-free either way.
			 */
			top = encode_dark(qr, q, x, y);
			bot = y + 1 < side ? encode_dark(qr, q, x, y + 1) : 0;
			if (!ansi) {
				top = !top;
				bot = y + 1 < side ? !bot : 0;
			}
			memcpy(buf + n, cells[top << 1 | bot],
			       strlen(cells[top << 1 | bot]));
			n += strlen(cells[top << 1 | bot]);
		}
		if (ansi) {
			memcpy(buf + n, ENCODE_SGR_OFF, strlen(ENCODE_SGR_OFF));
			n += strlen(ENCODE_SGR_OFF);
		}
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	encode_qr_free(qr);
	*out = buf;
	*outlen = n;
	return 0;
}

/* PNG output into a growing sodium_malloc'd buffer. */
struct encode_png {
	png_structp png;
	png_infop info;
	uint8_t *buf;
	size_t len, cap;
	uint8_t *row;
	size_t rowlen;
	int oom;
};

static void
encode_png_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void
encode_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
encode_png_write(png_structp png, png_bytep data, size_t n)
{
	struct encode_png *e = png_get_io_ptr(png);
	size_t cap;
	uint8_t *nbuf;

	if (n > e->cap - e->len) {
		/* sodium_malloc cannot grow: move to a bigger one. */
		cap = e->cap;
		while (n > cap - e->len) {
			if (cap > SIZE_MAX / 2) {
				e->oom = 1;
				png_error(png, "out of memory");
			}
			cap *= 2;
		}
		if ((nbuf = sodium_malloc(cap)) == NULL) {
			e->oom = 1;
			png_error(png, "out of memory");
		}
		memcpy(nbuf, e->buf, e->len);
		sodium_free(e->buf);
		e->buf = nbuf;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, data, n);
	e->len += n;
}

static void
encode_png_flush(png_structp png)
{
	(void)png;
}

static int
encode_png_run(struct encode_png *e, const QRcode *qr, unsigned scale)
{
	unsigned side, x, y, i, m = (unsigned)qr->width + 2 * QR_PNG_QUIET;

	if (setjmp(png_jmpbuf(e->png)))
		return e->oom ? MFA_ENOMEM : MFA_EIO;

	side = m * scale;
	png_set_write_fn(e->png, e, encode_png_write, encode_png_flush);
	png_set_IHDR(e->png, e->info, side, side, 8, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(e->png, e->info);
	for (y = 0; y < m; y++) {
		for (x = 0; x < side; x++)
			e->row[x] =
			    255 * !encode_dark(qr, QR_PNG_QUIET, x / scale, y);
		for (i = 0; i < scale; i++)
			png_write_row(e->png, e->row);
	}
	png_write_end(e->png, NULL);
	return 0;
}

int
qr_render_png(const char *text, unsigned scale, uint8_t **out, size_t *outlen)
{
	struct encode_png e;
	QRcode *qr;
	int rc;

	if (out == NULL || outlen == NULL)
		return MFA_EINVAL;
	*out = NULL;
	*outlen = 0;
	if (scale == 0)
		return MFA_EINVAL;
	if ((rc = encode_qr(text, &qr)) != 0)
		return rc;
	if (scale > IMAGE_MAX_SIDE ||
	    ((unsigned)qr->width + 2 * QR_PNG_QUIET) * scale > IMAGE_MAX_SIDE) {
		encode_qr_free(qr);
		return MFA_ETOOBIG;
	}

	memset(&e, 0, sizeof(e));
	e.rowlen = ((size_t)qr->width + 2 * QR_PNG_QUIET) * scale;
	e.cap = 4096;
	if ((e.buf = sodium_malloc(e.cap)) == NULL ||
	    (e.row = malloc(e.rowlen)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	e.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e,
					encode_png_error, encode_png_warning);
	if (e.png == NULL || (e.info = png_create_info_struct(e.png)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	rc = encode_png_run(&e, qr, scale);

out:
	if (e.png != NULL)
		png_destroy_write_struct(&e.png, &e.info);
	if (e.row != NULL) {
		sodium_memzero(e.row, e.rowlen);
		free(e.row);
	}
	encode_qr_free(qr);
	if (rc != 0) {
		if (e.buf != NULL)
			sodium_free(e.buf);
		return rc;
	}
	*out = e.buf;
	*outlen = e.len;
	return 0;
}
