/*
 * Image decoding for the QR scanner: PNG (libpng), JPEG (libjpeg-turbo) and
 * Netpbm, always to 8-bit grey, always from memory.
 *
 * libpng and libjpeg report errors by longjmp. Each decoder therefore keeps
 * everything it allocates in a context struct owned by the caller's frame,
 * and the function that calls setjmp touches nothing but a pointer to that
 * context: after a longjmp no local of the setjmp frame is read, and the
 * caller frees what the context holds on every path.
 */
#include "qr/image.h"

#include <ctype.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qr/lazy_jpeg.h"
#include "qr/lazy_png.h"
#include <sodium.h>

#include "mfa/rc.h"
#include "qr/decode.h"

/* libjpeg-turbo's advice for untrusted progressive JPEGs (TJFLAG_LIMITSCANS).
 */
#define IMAGE_JPEG_MAX_SCANS 500
/* Progressive JPEGs buffer every coefficient: ~6 bytes a pixel at worst. */
#define IMAGE_JPEG_MAX_MEMORY (400L * 1024 * 1024)

static const uint8_t image_png_sig[8] = {0x89, 'P',  'N',  'G',
					 '\r', '\n', 0x1a, '\n'};

enum image_kind
image_detect(const uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return IMAGE_UNKNOWN;
	if (len >= sizeof(image_png_sig) &&
	    memcmp(buf, image_png_sig, sizeof(image_png_sig)) == 0)
		return IMAGE_PNG;
	if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
		return IMAGE_JPEG;
	if (len >= 3 && buf[0] == 'P' &&
	    (buf[1] == '2' || buf[1] == '3' || buf[1] == '5' ||
	     buf[1] == '6') &&
	    (isspace(buf[2]) || buf[2] == '#'))
		return IMAGE_PNM;
	return IMAGE_UNKNOWN;
}

void
image_free(struct image *img)
{
	if (img == NULL)
		return;
	if (img->px != NULL) {
		/* The pixels may draw a secret's QR code. */
		sodium_memzero(img->px, (size_t)img->w * img->h);
		free(img->px);
	}
	img->px = NULL;
	img->w = img->h = 0;
}

/* Checked before any pixel memory exists, with the header's own numbers. */
static int
image_check_size(unsigned long w, unsigned long h, const char *fmt, char *why)
{
	if (w == 0 || h == 0) {
		snprintf(why, IMAGE_WHY_MAX, "%s image has no pixels", fmt);
		return MFA_EIMAGE;
	}
	if (w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE ||
	    (unsigned long long)w * h > QR_MAX_PIXELS) {
		snprintf(why, IMAGE_WHY_MAX,
			 "%s image of %lux%lu pixels is too large", fmt, w, h);
		return MFA_ETOOBIG;
	}
	return 0;
}

/* PNG */

struct image_png {
	const uint8_t *buf;
	size_t len, off;
	png_structp png;
	png_infop info;
	png_bytep *rows;
	uint8_t *px;
	size_t pxlen;
	int oom;
	char *why;
};

static png_voidp
image_png_malloc(png_structp png, png_alloc_size_t n)
{
	struct image_png *p = png_get_mem_ptr(png);
	void *v = malloc(n);

	if (v == NULL)
		p->oom = 1;
	return v;
}

static void
image_png_free(png_structp png, png_voidp v)
{
	(void)png;
	free(v);
}

static void
image_png_error(png_structp png, png_const_charp msg)
{
	struct image_png *p = png_get_error_ptr(png);

	if (p->why[0] == '\0')
		snprintf(p->why, IMAGE_WHY_MAX, "corrupt PNG: %.100s", msg);
	png_longjmp(png, 1);
}

static void
image_png_warning(png_structp png, png_const_charp msg)
{
	/* Library code never prints; warnings are recoverable by definition. */
	(void)png;
	(void)msg;
}

static void
image_png_read(png_structp png, png_bytep data, size_t n)
{
	struct image_png *p = png_get_io_ptr(png);

	if (n > p->len - p->off) {
		snprintf(p->why, IMAGE_WHY_MAX, "truncated PNG");
		png_error(png, "truncated PNG");
	}
	memcpy(data, p->buf + p->off, n);
	p->off += n;
}

static int
image_png_run(struct image_png *p, struct image *img)
{
	png_uint_32 w, h, y;
	size_t i, n, rowbytes;
	unsigned ch;
	int ctype, rc;

	if (setjmp(png_jmpbuf(p->png)))
		return p->oom ? MFA_ENOMEM : MFA_EIMAGE;

	png_set_read_fn(p->png, p, image_png_read);
	png_set_user_limits(p->png, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
	png_read_info(p->png, p->info);
	w = png_get_image_width(p->png, p->info);
	h = png_get_image_height(p->png, p->info);
	if ((rc = image_check_size(w, h, "PNG", p->why)) != 0)
		return rc;

	/*
	 * Palette to RGB, low bit depths to 8, tRNS to an alpha channel, then
	 * colour to grey: what is left is grey or grey+alpha, 8 bits.
	 */
	ctype = png_get_color_type(p->png, p->info);
	png_set_expand(p->png);
	png_set_strip_16(p->png);
	if (ctype & PNG_COLOR_MASK_COLOR)
		png_set_rgb_to_gray_fixed(p->png, 1, -1, -1);
	png_set_interlace_handling(p->png);
	png_read_update_info(p->png, p->info);

	ch = png_get_channels(p->png, p->info);
	rowbytes = png_get_rowbytes(p->png, p->info);
	if (png_get_bit_depth(p->png, p->info) != 8 || (ch != 1 && ch != 2) ||
	    rowbytes != (size_t)w * ch) {
		snprintf(p->why, IMAGE_WHY_MAX, "unsupported PNG layout");
		return MFA_EIMAGE;
	}

	p->pxlen = rowbytes * h;
	if ((p->px = malloc(p->pxlen)) == NULL ||
	    (p->rows = calloc(h, sizeof(*p->rows))) == NULL)
		return MFA_ENOMEM;
	for (y = 0; y < h; y++)
		p->rows[y] = p->px + (size_t)y * rowbytes;
	png_read_image(p->png, p->rows);

	n = (size_t)w * h;
	if (ch == 2) {
		/*
		 * Compose over white, so that a transparent background reads
		 * as the light part of a code whatever colour it hides. In
		 * place: pixel i is written at i, read from 2i >= i.
		 */
		for (i = 0; i < n; i++) {
			unsigned g = p->px[2 * i], a = p->px[2 * i + 1];

			p->px[i] =
			    (uint8_t)((g * a + 255 * (255 - a) + 127) / 255);
		}
		sodium_memzero(p->px + n, p->pxlen - n);
	}
	img->px = p->px;
	img->w = w;
	img->h = h;
	p->px = NULL;
	return 0;
}

static uint32_t
image_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static int
image_png(const uint8_t *buf, size_t len, struct image *img, char *why)
{
	struct image_png p;
	int rc;

	/*
	 * libpng reads past IHDR before anyone can look at the size; check
	 * the first chunk ourselves so an absurd header is refused early.
	 */
	if (len >= 24 && memcmp(buf + 12, "IHDR", 4) == 0 &&
	    (rc = image_check_size(image_be32(buf + 16), image_be32(buf + 20),
				   "PNG", why)) != 0)
		return rc;

	memset(&p, 0, sizeof(p));
	p.buf = buf;
	p.len = len;
	p.why = why;
	p.png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &p,
					 image_png_error, image_png_warning, &p,
					 image_png_malloc, image_png_free);
	if (p.png == NULL)
		return MFA_ENOMEM;
	if ((p.info = png_create_info_struct(p.png)) == NULL)
		rc = MFA_ENOMEM;
	else
		rc = image_png_run(&p, img);
	png_destroy_read_struct(&p.png, &p.info, NULL);
	if (p.px != NULL) {
		sodium_memzero(p.px, p.pxlen);
		free(p.px);
	}
	free(p.rows);
	return rc;
}

/* JPEG */

struct image_jpeg {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr err;
	struct jpeg_progress_mgr progress;
	jmp_buf jb;
	int rc;
	uint8_t *px;
	size_t pxlen;
	char *why;
};

static struct image_jpeg *
image_jpeg_ctx(j_common_ptr cinfo)
{
	return cinfo->client_data;
}

static void
image_jpeg_error_exit(j_common_ptr cinfo)
{
	struct image_jpeg *j = image_jpeg_ctx(cinfo);
	char msg[JMSG_LENGTH_MAX];

	if (j->why[0] == '\0') {
		if (cinfo->err->msg_code == JERR_OUT_OF_MEMORY)
			j->rc = MFA_ENOMEM;
		(*cinfo->err->format_message)(cinfo, msg);
		snprintf(j->why, IMAGE_WHY_MAX, "corrupt JPEG: %.100s", msg);
	}
	longjmp(j->jb, 1);
}

static void
image_jpeg_emit(j_common_ptr cinfo, int level)
{
	struct image_jpeg *j = image_jpeg_ctx(cinfo);

	/*
	 * libjpeg pads a cut-off file with grey and only warns: for us a
	 * truncated file is an error, not a picture with a grey bottom.
	 */
	if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
		snprintf(j->why, IMAGE_WHY_MAX, "truncated JPEG");
		longjmp(j->jb, 1);
	}
}

static void
image_jpeg_output(j_common_ptr cinfo)
{
	/* Library code never prints. */
	(void)cinfo;
}

static void
image_jpeg_progress(j_common_ptr cinfo)
{
	struct image_jpeg *j = image_jpeg_ctx(cinfo);

	/* A tiny file can hold thousands of empty scans: CPU exhaustion. */
	if (j->cinfo.input_scan_number > IMAGE_JPEG_MAX_SCANS) {
		snprintf(j->why, IMAGE_WHY_MAX, "JPEG has too many scans");
		longjmp(j->jb, 1);
	}
}

static int
image_jpeg_run(struct image_jpeg *j, const uint8_t *buf, size_t len,
	       struct image *img)
{
	struct jpeg_decompress_struct *c = &j->cinfo;
	JSAMPROW row;
	int rc;

	if (setjmp(j->jb))
		return j->rc;

	jpeg_create_decompress(c);
	c->client_data = j;
	c->mem->max_memory_to_use = IMAGE_JPEG_MAX_MEMORY;
	c->progress = &j->progress;
	jpeg_mem_src(c, buf, (unsigned long)len);
	jpeg_read_header(c, TRUE);
	if ((rc = image_check_size(c->image_width, c->image_height, "JPEG",
				   j->why)) != 0)
		return rc;

	/* libjpeg converts only luma-based and RGB colour spaces to grey. */
	if (c->jpeg_color_space == JCS_CMYK ||
	    c->jpeg_color_space == JCS_YCCK) {
		snprintf(j->why, IMAGE_WHY_MAX, "CMYK JPEG not supported");
		return MFA_EIMAGE;
	}
	c->out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(c);
	if (c->output_components != 1 || c->output_width != c->image_width ||
	    c->output_height != c->image_height) {
		snprintf(j->why, IMAGE_WHY_MAX, "unsupported JPEG layout");
		return MFA_EIMAGE;
	}
	j->pxlen = (size_t)c->output_width * c->output_height;
	if ((j->px = malloc(j->pxlen)) == NULL)
		return MFA_ENOMEM;
	while (c->output_scanline < c->output_height) {
		row = j->px + (size_t)c->output_scanline * c->output_width;
		if (jpeg_read_scanlines(c, &row, 1) != 1) {
			snprintf(j->why, IMAGE_WHY_MAX, "truncated JPEG");
			return MFA_EIMAGE;
		}
	}
	jpeg_finish_decompress(c);

	img->px = j->px;
	img->w = c->output_width;
	img->h = c->output_height;
	j->px = NULL;
	return 0;
}

static int
image_jpeg(const uint8_t *buf, size_t len, struct image *img, char *why)
{
	struct image_jpeg *j;
	int rc;

	/* On the heap: jmp_buf and the libjpeg structs are large. */
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return MFA_ENOMEM;
	j->why = why;
	j->rc = MFA_EIMAGE;
	j->cinfo.err = jpeg_std_error(&j->err);
	j->err.error_exit = image_jpeg_error_exit;
	j->err.emit_message = image_jpeg_emit;
	j->err.output_message = image_jpeg_output;
	j->progress.progress_monitor = image_jpeg_progress;
	/* error_exit may run inside jpeg_create_decompress already. */
	j->cinfo.client_data = j;

	rc = image_jpeg_run(j, buf, len, img);
	jpeg_destroy_decompress(&j->cinfo);
	if (j->px != NULL) {
		sodium_memzero(j->px, j->pxlen);
		free(j->px);
	}
	free(j);
	return rc;
}

/* Netpbm: P5/P6 binary, P2/P3 plain, maxval up to 65535. */

/* Numbers past this are only ever "too large"; keeps the parse overflow-free.
 */
#define IMAGE_PNM_BIG 100000000ul

/* Skip whitespace and comments, then read one decimal number. */
static bool
image_pnm_number(const uint8_t *buf, size_t len, size_t *off, unsigned long *v)
{
	size_t i = *off;

	for (;;) {
		while (i < len && isspace(buf[i]))
			i++;
		if (i < len && buf[i] == '#') {
			while (i < len && buf[i] != '\n' && buf[i] != '\r')
				i++;
			continue;
		}
		break;
	}
	if (i >= len || !isdigit(buf[i]))
		return false;
	*v = 0;
	for (; i < len && isdigit(buf[i]); i++)
		if (*v <= IMAGE_PNM_BIG)
			*v = *v * 10 + (unsigned long)(buf[i] - '0');
	*off = i;
	return true;
}

static uint8_t
image_pnm_scale(unsigned long s, unsigned long maxval)
{
	return (uint8_t)((s * 255 + maxval / 2) / maxval);
}

/* BT.601 luma in 8.8 fixed point, the weights libjpeg and libpng use. */
static uint8_t
image_luma(const unsigned long rgb[3])
{
	return (uint8_t)((77 * rgb[0] + 150 * rgb[1] + 29 * rgb[2] + 128) >> 8);
}

static int
image_pnm(const uint8_t *buf, size_t len, struct image *img, char *why)
{
	const char *fmt = (buf[1] == '3' || buf[1] == '6') ? "PPM" : "PGM";
	bool plain = buf[1] == '2' || buf[1] == '3';
	unsigned ch = (buf[1] == '3' || buf[1] == '6') ? 3 : 1;
	unsigned long w, h, maxval, s, v[3];
	size_t off = 2, i, n, bps;
	unsigned k;
	uint8_t *px;
	int rc;

	if (!image_pnm_number(buf, len, &off, &w) ||
	    !image_pnm_number(buf, len, &off, &h) ||
	    !image_pnm_number(buf, len, &off, &maxval)) {
		snprintf(why, IMAGE_WHY_MAX, "corrupt %s header", fmt);
		return MFA_EIMAGE;
	}
	if ((rc = image_check_size(w, h, fmt, why)) != 0)
		return rc;
	if (maxval == 0 || maxval > 65535) {
		snprintf(why, IMAGE_WHY_MAX, "corrupt %s header (maxval %lu)",
			 fmt, maxval);
		return MFA_EIMAGE;
	}
	/* Exactly one whitespace byte separates the header from a raster. */
	if (off >= len || !isspace(buf[off])) {
		snprintf(why, IMAGE_WHY_MAX, "truncated %s", fmt);
		return MFA_EIMAGE;
	}
	off++;

	n = (size_t)w * h;
	bps = maxval > 255 ? 2 : 1;
	/* Every sample takes at least one byte: refuse before allocating. */
	if ((len - off) / ch < n || (!plain && (len - off) / ch / bps < n)) {
		snprintf(why, IMAGE_WHY_MAX, "truncated %s", fmt);
		return MFA_EIMAGE;
	}
	if ((px = malloc(n)) == NULL)
		return MFA_ENOMEM;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ch; k++) {
			if (plain) {
				if (!image_pnm_number(buf, len, &off, &s)) {
					snprintf(why, IMAGE_WHY_MAX,
						 "truncated %s", fmt);
					goto fail;
				}
			} else if (bps == 2) {
				s = (unsigned long)buf[off] << 8 | buf[off + 1];
				off += 2;
			} else
				s = buf[off++];
			if (s > maxval) {
				snprintf(why, IMAGE_WHY_MAX,
					 "corrupt %s: sample above maxval",
					 fmt);
				goto fail;
			}
			v[k] = image_pnm_scale(s, maxval);
		}
		px[i] = ch == 1 ? (uint8_t)v[0] : image_luma(v);
	}
	img->px = px;
	img->w = (unsigned)w;
	img->h = (unsigned)h;
	return 0;

fail:
	sodium_memzero(px, n);
	free(px);
	return MFA_EIMAGE;
}

int
image_load(const uint8_t *buf, size_t len, struct image *img,
	   char why[IMAGE_WHY_MAX])
{
	const char *lw = NULL;
	int rc;

	why[0] = '\0';
	memset(img, 0, sizeof(*img));
	switch (image_detect(buf, len)) {
	case IMAGE_PNG:
		if ((rc = lazy_png_load(&lw)) == 0)
			rc = image_png(buf, len, img, why);
		break;
	case IMAGE_JPEG:
		if ((rc = lazy_jpeg_load(&lw)) == 0)
			rc = image_jpeg(buf, len, img, why);
		break;
	case IMAGE_PNM:
		rc = image_pnm(buf, len, img, why);
		break;
	default:
		snprintf(why, IMAGE_WHY_MAX, "not a PNG/JPEG/PPM image");
		return MFA_EIMAGE;
	}
	if (lw != NULL)
		snprintf(why, IMAGE_WHY_MAX, "%s", lw);
	if (rc != 0)
		image_free(img);
	if (rc == MFA_ENOMEM && why[0] == '\0')
		snprintf(why, IMAGE_WHY_MAX, "out of memory decoding image");
	return rc;
}
