/*
 * Large images (phone screenshots, photos): qr_decode_image looks at a
 * reduced copy first and at the full image only when the copy shows
 * nothing. The codes are drawn here from libqrencode's modules (not from
 * mfa's own encoder) into Netpbm images of phone and camera sizes: codes
 * big enough for the reduced copy, a dark-mode code, and a code too fine
 * for the reduced copy (3 pixels a module), which only the full-size scan
 * can read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "mfa/rc.h"
#include "qr/decode.h"

static const char uri[] =
    "otpauth://totp/Amazon%20Web%20Services:alice@123456789012"
    "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&issuer=Amazon%20Web%20Services";

/*
 * A P5 image w x h of grey `bg` with the code at (x0, y0), `scale` pixels
 * a module and 4 modules of quiet zone; dark modules `dark`, light ones
 * `light`; `grain` adds a fixed pattern of +-grain to every pixel.
 */
static uint8_t *
make_pgm(unsigned w, unsigned h, uint8_t bg, unsigned x0, unsigned y0,
	 unsigned scale, uint8_t dark, uint8_t light, int grain, size_t *len)
{
	QRcode *q = QRcode_encodeString8bit(uri, 0, QR_ECLEVEL_M);
	char head[64];
	int hl, m, side;
	uint8_t *buf, *px;
	unsigned x, y, seed = 1;

	assert_non_null(q);
	hl = snprintf(head, sizeof(head), "P5\n%u %u\n255\n", w, h);
	*len = (size_t)hl + (size_t)w * h;
	buf = malloc(*len);
	assert_non_null(buf);
	memcpy(buf, head, (size_t)hl);
	px = buf + hl;
	memset(px, bg, (size_t)w * h);
	side = q->width + 8;
	for (y = 0; y < (unsigned)side * scale; y++)
		for (x = 0; x < (unsigned)side * scale; x++) {
			int mx = (int)(x / scale) - 4,
			    my = (int)(y / scale) - 4;

			m = mx >= 0 && my >= 0 && mx < q->width &&
			    my < q->width && (q->data[my * q->width + mx] & 1);
			px[(size_t)(y0 + y) * w + x0 + x] = m ? dark : light;
		}
	for (size_t i = 0; grain > 0 && i < (size_t)w * h; i++) {
		int v;

		seed = seed * 1103515245u + 12345u;
		v = px[i] + (int)((seed >> 8) % (unsigned)(2 * grain + 1)) -
		    grain;
		px[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	QRcode_free(q);
	return buf;
}

static void
expect_uri(uint8_t *buf, size_t len)
{
	struct qr_texts t = {0};
	struct mfa_err werr = {0};

	assert_int_equal(qr_decode_image(buf, len, &t, &werr), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.len[0], strlen(uri));
	assert_memory_equal(t.text[0], uri, t.len[0]);
	qr_texts_free(&t);
	free(buf);
}

/* 1080x2400, 8 pixels a module: found in the half-size copy. */
static void
test_large_screenshot(void **state)
{
	size_t len;

	(void)state;
	uint8_t *buf = make_pgm(1080, 2400, 245, 190, 500, 8, 0, 255, 0, &len);

	expect_uri(buf, len);
}

/* The same in dark mode: light modules on black. */
static void
test_large_dark_mode(void **state)
{
	size_t len;

	(void)state;
	uint8_t *buf = make_pgm(1080, 2400, 20, 190, 500, 8, 255, 0, 0, &len);

	expect_uri(buf, len);
}

/* 3 pixels a module: lost at half size, read at full size. */
static void
test_large_fine_code(void **state)
{
	size_t len;

	(void)state;
	uint8_t *buf = make_pgm(1080, 2400, 245, 100, 1900, 3, 0, 255, 0, &len);

	expect_uri(buf, len);
}

/* 4000x3000 with grain, 26 pixels a module: the quarter-size copy. */
static void
test_large_photo(void **state)
{
	size_t len;

	(void)state;
	uint8_t *buf =
	    make_pgm(4000, 3000, 190, 1300, 800, 26, 35, 215, 6, &len);

	expect_uri(buf, len);
}

/* Nothing to find: every pass runs and the answer is MFA_ENOQR. */
static void
test_large_empty(void **state)
{
	struct qr_texts t = {0};
	size_t len;
	uint8_t *buf = make_pgm(2400, 1080, 245, 0, 0, 0, 0, 0, 0, &len);

	(void)state;
	assert_int_equal(qr_decode_image(buf, len, &t, NULL), MFA_ENOQR);
	assert_int_equal(t.n, 0);
	qr_texts_free(&t);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_large_screenshot),
	    cmocka_unit_test(test_large_dark_mode),
	    cmocka_unit_test(test_large_fine_code),
	    cmocka_unit_test(test_large_photo),
	    cmocka_unit_test(test_large_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
