/*
 * Test images for `make bench`, without ImageMagick: a phone screenshot
 * (1080x2400 PNG, app bars and text-like blocks around a QR code at 8
 * pixels per module) and a 12 MP photo (4000x3000 JPEG of a printed QR
 * code: uneven light, grain). Deterministic (fixed seed).
 *   mkimg screenshot|photo OUT TEXT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <qrencode.h>

static uint32_t seed = 12345;

static unsigned
rnd(unsigned n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static void
fill(uint8_t *px, unsigned w, unsigned x0, unsigned y0, unsigned cw,
     unsigned ch, uint8_t v)
{
	for (unsigned y = y0; y < y0 + ch; y++)
		memset(px + (size_t)y * w + x0, v, cw);
}

/* The code's modules, `scale` pixels each, at (x0, y0), dark = 0 + dark. */
static unsigned
draw_qr(uint8_t *px, unsigned w, const char *text, unsigned x0, unsigned y0,
	unsigned scale, uint8_t dark, uint8_t light)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	unsigned side, quiet = 4;

	if (q == NULL)
		exit(1);
	side = (unsigned)(q->width + 2 * quiet) * scale;
	fill(px, w, x0, y0, side, side, light);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				fill(px, w, x0 + (x + quiet) * scale,
				     y0 + (y + quiet) * scale, scale, scale,
				     dark);
	QRcode_free(q);
	return side;
}

static void
screenshot(const char *out, const char *text)
{
	unsigned w = 1080, h = 2400;
	uint8_t *px = malloc((size_t)w * h);
	FILE *f = fopen(out, "wb");
	png_structp p =
	    png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(p);

	memset(px, 250, (size_t)w * h);
	fill(px, w, 0, 0, w, 90, 40);	      /* status bar */
	fill(px, w, 0, 90, w, 170, 70);	      /* app bar */
	fill(px, w, 0, h - 140, w, 140, 230); /* navigation bar */
	for (unsigned y = 1500; y + 40 < h - 200; y += 70)
		for (unsigned x = 60; x + 30 < w - 60;) {
			unsigned cw = 20 + rnd(120);
			if (x + cw > w - 60)
				break;
			fill(px, w, x, y, cw, 32, 60 + rnd(40)); /* "words" */
			x += cw + 18;
		}
	draw_qr(px, w, text, 190, 500, 8, 0, 255);
	png_init_io(p, f);
	png_set_IHDR(p, info, w, h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(p, info);
	for (unsigned y = 0; y < h; y++)
		png_write_row(p, px + (size_t)y * w);
	png_write_end(p, NULL);
	png_destroy_write_struct(&p, &info);
	fclose(f);
	free(px);
}

static void
photo(const char *out, const char *text)
{
	unsigned w = 4000, h = 3000;
	uint8_t *px = malloc((size_t)w * h), *rgb = malloc((size_t)w * 3);
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	FILE *f = fopen(out, "wb");
	JSAMPROW row = rgb;

	/* Paper under a lamp: lighter in one corner, grain everywhere. */
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++)
			px[(size_t)y * w + x] =
			    (uint8_t)(150 + 60 * (w - x) / w + 30 * y / h);
	draw_qr(px, w, text, 1300, 800, 26, 35, 215);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		int v = px[i] + (int)rnd(13) - 6;
		px[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 88, TRUE);
	jpeg_start_compress(&c, TRUE);
	for (unsigned y = 0; y < h; y++) {
		/* A warm cast, as phone photos of paper have. */
		for (unsigned x = 0; x < w; x++) {
			uint8_t v = px[(size_t)y * w + x];
			rgb[3 * x] = v;
			rgb[3 * x + 1] = (uint8_t)(v * 95 / 100);
			rgb[3 * x + 2] = (uint8_t)(v * 85 / 100);
		}
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fclose(f);
	free(px);
	free(rgb);
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mkimg screenshot|photo OUT TEXT\n");
		return 2;
	}
	if (strcmp(argv[1], "screenshot") == 0)
		screenshot(argv[2], argv[3]);
	else if (strcmp(argv[1], "photo") == 0)
		photo(argv[2], argv[3]);
	else
		return 2;
	return 0;
}
