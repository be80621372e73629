/*
 * QR rendering: what we draw must be read back by zbarimg (an independent
 * decoder), and the module matrix must be the one the qrencode program
 * draws for the same text (8-bit mode, level M). Terminal output is turned
 * back into a bitmap here, cell by cell, so the half-block mapping itself is
 * under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "qr/encode.h"
#include "qr/image.h"

#define UPPER "\xe2\x96\x80"
#define LOWER "\xe2\x96\x84"
#define FULL "\xe2\x96\x88"
#define SGR_ON "\033[38;5;16;48;5;231m"
#define SGR_OFF "\033[0m"

static const char aws_uri[] =
    "otpauth://totp/Amazon%20Web%20Services:alice@123456789012"
    "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&issuer=Amazon%20Web%20Services";

/* From scito/extract_otp_secrets (see ../shared/fixtures/qr). */
static const char migration_uri[] =
    "otpauth-migration://offline?data="
    "CjMKCkhlbGxvId6tvu8SGFRlc3QxOnRlc3QxQGV4YW1wbGUxLmNvbRoFVGVzdDEg"
    "ASgBMAIKMwoKSGVsbG8h3q2%2B8BIYVGVzdDI6dGVzdDJAZXhhbXBsZTIuY29tGgVU"
    "ZXN0MiABKAEwAgozCgpIZWxsbyHerb7xEhhUZXN0Mzp0ZXN0M0BleGFtcGxlMy5jb"
    "20aBVRlc3QzIAEoATACEAEYASAAKI3orYEE";

static int
have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

#define need(tool)                                                             \
	do {                                                                   \
		if (!have(tool)) {                                             \
			print_message("skipped: %s is not installed\n", tool); \
			skip();                                                \
		}                                                              \
	} while (0)

/* A temp file holding buf; returns its malloc'd path. */
static char *
tmpfile_with(const void *buf, size_t len, const char *suffix)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	path = malloc(strlen(dir) + 64);
	assert_non_null(path);
	sprintf(path, "%s/mfa-test-qr-XXXXXX%s", dir, suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

/* Whole output of a shell command, NUL-terminated, malloc'd. */
static char *
run(const char *cmd, size_t *lenp)
{
	char *out = NULL;
	size_t cap = 0, n = 0, r;
	FILE *p;

	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		r = fread(out + n, 1, cap - n - 1, p);
		if (r == 0)
			break;
		n += r;
	}
	pclose(p);
	out[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return out;
}

/* zbarimg's reading of a file, final newline removed. */
static char *
zbarimg(const char *path)
{
	char cmd[512], *out;
	size_t n;

	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sbinary '%s' 2>/dev/null",
		 path);
	out = run(cmd, &n);
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

/* A square module matrix, 1 = dark. */
struct matrix {
	int side;
	uint8_t *m;
};

static void
matrix_free(struct matrix *mx)
{
	free(mx->m);
	mx->m = NULL;
}

/* The qrencode program's matrix for text, no margin. */
static struct matrix
reference(const char *text)
{
	struct matrix mx;
	char cmd[512], *path, *out, *line;
	size_t n;
	int x, y;

	path = tmpfile_with(text, strlen(text), ".txt");
	snprintf(cmd, sizeof(cmd), "qrencode -8 -l M -t ASCII -m 0 -r '%s'",
		 path);
	out = run(cmd, &n);
	unlink(path);
	free(path);
	line = strchr(out, '\n');
	assert_non_null(line);
	mx.side = (int)(line - out) / 2;
	assert_true(mx.side >= 21 && (mx.side - 21) % 4 == 0);
	assert_int_equal(n, (size_t)mx.side * (2 * mx.side + 1));
	mx.m = malloc((size_t)mx.side * mx.side);
	assert_non_null(mx.m);
	for (y = 0; y < mx.side; y++)
		for (x = 0; x < mx.side; x++)
			mx.m[y * mx.side + x] =
			    out[y * (2 * mx.side + 1) + 2 * x] == '#';
	free(out);
	return mx;
}

/* Write a matrix (plus `quiet` light modules around it) as a PGM, s px a
 * module. */
static char *
matrix_pgm(const struct matrix *mx, int quiet, int s)
{
	int side = (mx->side + 2 * quiet) * s, x, y, mxx, myy;
	char hdr[64], *path;
	uint8_t *buf;
	size_t hl;

	hl = (size_t)snprintf(hdr, sizeof(hdr), "P5\n%d %d\n255\n", side, side);
	buf = malloc(hl + (size_t)side * side);
	assert_non_null(buf);
	memcpy(buf, hdr, hl);
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++) {
			mxx = x / s - quiet;
			myy = y / s - quiet;
			buf[hl + (size_t)y * side + x] =
			    mxx >= 0 && myy >= 0 && mxx < mx->side &&
				    myy < mx->side &&
				    mx->m[myy * mx->side + mxx]
				? 0
				: 255;
		}
	path = tmpfile_with(buf, hl + (size_t)side * side, ".pgm");
	free(buf);
	return path;
}

/* One half-block cell at p: its top and bottom ink; bytes used, 0 if none. */
static size_t
cell(const char *p, int *top, int *bot)
{
	if (*p == ' ') {
		*top = *bot = 0;
		return 1;
	}
	if (strncmp(p, FULL, 3) == 0) {
		*top = *bot = 1;
		return 3;
	}
	if (strncmp(p, UPPER, 3) == 0) {
		*top = 1;
		*bot = 0;
		return 3;
	}
	if (strncmp(p, LOWER, 3) == 0) {
		*top = 0;
		*bot = 1;
		return 3;
	}
	return 0;
}

/*
 * Parse terminal output back into modules, checking its shape on the way:
 * every line has the same number of cells, each cell two modules (top and
 * bottom), ceil(side / 2) lines for side module rows. The blocks are ink:
 * dark modules in ansi mode, light ones in plain mode.
 */
static struct matrix
parse_terminal(const char *s, size_t len, bool ansi)
{
	const size_t on = ansi ? strlen(SGR_ON) : 0;
	const char *p, *end = s + len;
	struct matrix mx;
	int x, y = 0, top, bot;
	size_t used;

	assert_int_equal(strlen(s), len);
	assert_true(len > 0 && s[len - 1] == '\n');
	/* The first line gives the width. */
	mx.side = 0;
	for (p = s + on; (used = cell(p, &top, &bot)) > 0; p += used)
		mx.side++;
	assert_true(mx.side >= 21);
	/* One spare row for the lower half of an odd last line. */
	mx.m = calloc((size_t)mx.side + 1, (size_t)mx.side);
	assert_non_null(mx.m);
	for (p = s; p < end; y += 2) {
		if (y >= mx.side + 1)
			fail_msg("more lines than a %d-module square needs",
				 mx.side);
		if (ansi) {
			if (strncmp(p, SGR_ON, on) != 0)
				fail_msg("line %d lacks the colour prefix",
					 y / 2);
			p += on;
		}
		for (x = 0; (used = cell(p, &top, &bot)) > 0; x++, p += used) {
			if (x >= mx.side)
				fail_msg("line %d is too long", y / 2);
			mx.m[y * mx.side + x] = ansi ? top : !top;
			if (y + 1 <= mx.side)
				mx.m[(y + 1) * mx.side + x] = ansi ? bot : !bot;
		}
		if (x != mx.side)
			fail_msg("line %d has %d cells, line 0 has %d", y / 2,
				 x, mx.side);
		if (ansi) {
			if (strncmp(p, SGR_OFF, strlen(SGR_OFF)) != 0)
				fail_msg("line %d lacks the reset", y / 2);
			p += strlen(SGR_OFF);
		}
		if (*p != '\n')
			fail_msg("line %d: unexpected byte 0x%02x", y / 2,
				 (unsigned char)*p);
		p++;
	}
	assert_int_equal(y / 2, (mx.side + 1) / 2);
	return mx;
}

static void
expect_quiet_and_equal(const struct matrix *got, const struct matrix *ref,
		       int quiet)
{
	int x, y, gx, gy, in;

	assert_int_equal(got->side, ref->side + 2 * quiet);
	for (y = 0; y < got->side; y++)
		for (x = 0; x < got->side; x++) {
			gx = x - quiet;
			gy = y - quiet;
			in = gx >= 0 && gy >= 0 && gx < ref->side &&
			     gy < ref->side;
			if (got->m[y * got->side + x] !=
			    (in ? ref->m[gy * ref->side + gx] : 0))
				fail_msg("module (%d,%d) differs%s", x, y,
					 in ? "" : " (quiet zone)");
		}
}

static void
terminal_roundtrip(const char *text, bool ansi)
{
	struct matrix got, ref;
	char *out, *path, *read;
	size_t len;

	need("qrencode");
	need("zbarimg");
	assert_int_equal(qr_render_terminal(text, ansi, &out, &len), 0);
	got = parse_terminal(out, len, ansi);
	ref = reference(text);
	assert_int_equal(QR_TERMINAL_QUIET, 2);
	expect_quiet_and_equal(&got, &ref, QR_TERMINAL_QUIET);
	/* The drawing as it is, quiet zone included, 6 px a module. */
	path = matrix_pgm(&got, 0, 6);
	read = zbarimg(path);
	assert_string_equal(read, text);
	unlink(path);
	free(path);
	free(read);
	matrix_free(&got);
	matrix_free(&ref);
	sodium_free(out);
}

static void
test_terminal_plain(void **state)
{
	(void)state;
	terminal_roundtrip(aws_uri, false);
}

static void
test_terminal_ansi(void **state)
{
	(void)state;
	terminal_roundtrip(aws_uri, true);
}

static void
test_terminal_long(void **state)
{
	(void)state;
	terminal_roundtrip(migration_uri, false);
	terminal_roundtrip(migration_uri, true);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_terminal_shape_plain(void **state)
{
	struct matrix mx;
	char *out, *last;
	size_t len, i;

	(void)state;
	/* "hi" is version 1: 21 modules + 2 * 2 quiet = 25 cells, 13 lines. */
	assert_int_equal(qr_render_terminal("hi", false, &out, &len), 0);
	assert_int_equal(count_lines(out), 13);
	mx = parse_terminal(out, len, false);
	assert_int_equal(mx.side, 25);
	matrix_free(&mx);
	/* First line: two light module rows, all full blocks in plain mode. */
	for (i = 0; i < 25; i++)
		assert_memory_equal(out + 3 * i, FULL, 3);
	assert_int_equal(out[75], '\n');
	/* Last line: one light row, then nothing. */
	last = out + len - 1 - 25 * 3;
	assert_int_equal(last[-1], '\n');
	for (i = 0; i < 25; i++)
		assert_memory_equal(last + 3 * i, UPPER, 3);
	assert_null(strchr(out, '\033'));
	sodium_free(out);
}

static void
test_terminal_shape_ansi(void **state)
{
	static const char first[] =
	    SGR_ON "                         " SGR_OFF "\n";
	struct matrix mx;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(qr_render_terminal("hi", true, &out, &len), 0);
	assert_int_equal(count_lines(out), 13);
	mx = parse_terminal(out, len, true);
	assert_int_equal(mx.side, 25);
	matrix_free(&mx);
	/* Light only, so spaces on the white background, first and last. */
	assert_memory_equal(out, first, strlen(first));
	assert_string_equal(out + len - strlen(first), first);
	sodium_free(out);
}

static void
png_roundtrip(const char *text, unsigned scale)
{
	struct matrix ref, got;
	struct image img;
	char *path, *read, why[IMAGE_WHY_MAX];
	uint8_t *png;
	size_t len;
	int x, y, m;

	need("qrencode");
	need("zbarimg");
	assert_int_equal(qr_render_png(text, scale, &png, &len), 0);
	assert_true(len > 8 + 25);
	/* 8-bit grey, square, whole modules plus the 4-module quiet zone. */
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	assert_memory_equal(png + 16, png + 20, 4);
	assert_int_equal(png[24], 8);
	assert_int_equal(png[25], 0);
	assert_int_equal(png[28], 0);

	path = tmpfile_with(png, len, ".png");
	read = zbarimg(path);
	assert_string_equal(read, text);
	unlink(path);
	free(path);
	free(read);

	/* Pixel by pixel against qrencode's matrix. */
	ref = reference(text);
	assert_int_equal(image_load(png, len, &img, why), 0);
	assert_int_equal(img.w, (ref.side + 2 * QR_PNG_QUIET) * scale);
	assert_int_equal(img.h, img.w);
	got.side = ref.side + 2 * QR_PNG_QUIET;
	got.m = malloc((size_t)got.side * got.side);
	assert_non_null(got.m);
	for (y = 0; y < (int)img.h; y++)
		for (x = 0; x < (int)img.w; x++) {
			uint8_t p = img.px[(size_t)y * img.w + x];

			assert_true(p == 0 || p == 255);
			m = (int)(y / scale) * got.side + (int)(x / scale);
			if (x % scale == 0 && y % scale == 0)
				got.m[m] = p == 0;
			else
				assert_int_equal(got.m[m], p == 0);
		}
	expect_quiet_and_equal(&got, &ref, QR_PNG_QUIET);
	matrix_free(&got);
	matrix_free(&ref);
	image_free(&img);
	sodium_free(png);
}

static void
test_png_aws(void **state)
{
	(void)state;
	png_roundtrip(aws_uri, 8);
	png_roundtrip(aws_uri, 3);
}

static void
test_png_migration(void **state)
{
	(void)state;
	png_roundtrip(migration_uri, 8);
}

static void
test_png_long(void **state)
{
	char *uri;
	size_t i, n = 1500;

	(void)state;
	/* A Google export of ten accounts is about this long. */
	uri = malloc(n + 1);
	assert_non_null(uri);
	i = (size_t)snprintf(uri, n + 1, "otpauth-migration://offline?data=");
	for (; i < n; i++)
		uri[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789+/"[(i * 7 + i / 5) % 64];
	uri[n] = '\0';
	png_roundtrip(uri, 4);
	terminal_roundtrip(uri, true);
	free(uri);
}

static void
test_png_utf8(void **state)
{
	(void)state;
	png_roundtrip("otpauth://totp/B\xc3\xa4nk:j\xc3\xb6rg?secret=JBSWY3DP"
		      "EHPK3PXP&issuer=B\xc3\xa4nk",
		      5);
}

static void
test_png_scale1(void **state)
{
	struct image img;
	char why[IMAGE_WHY_MAX];
	uint8_t *png;
	size_t len;

	(void)state;
	/* "hi": 21 modules + 8 quiet = 29 pixels at scale 1. */
	assert_int_equal(qr_render_png("hi", 1, &png, &len), 0);
	assert_int_equal(image_load(png, len, &img, why), 0);
	assert_int_equal(img.w, 29);
	assert_int_equal(img.h, 29);
	image_free(&img);
	sodium_free(png);
}

static void
test_errors(void **state)
{
	char big[3000], *s = (char *)1;
	uint8_t *png = (uint8_t *)1;
	size_t len = 1;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	assert_int_equal(qr_render_terminal(NULL, false, &s, &len), MFA_EINVAL);
	assert_null(s);
	assert_int_equal(len, 0);
	assert_int_equal(qr_render_terminal("", true, &s, &len), MFA_EINVAL);
	assert_int_equal(qr_render_terminal("x", true, NULL, &len), MFA_EINVAL);
	assert_int_equal(qr_render_terminal("x", true, &s, NULL), MFA_EINVAL);
	/* 2999 bytes: past version 40-M's 2331 in 8-bit mode. */
	s = (char *)1;
	assert_int_equal(qr_render_terminal(big, false, &s, &len),
			 MFA_ETOOLONG);
	assert_null(s);

	assert_int_equal(qr_render_png(NULL, 8, &png, &len), MFA_EINVAL);
	assert_null(png);
	assert_int_equal(qr_render_png("", 8, &png, &len), MFA_EINVAL);
	assert_int_equal(qr_render_png("x", 0, &png, &len), MFA_EINVAL);
	assert_int_equal(qr_render_png("x", 8, NULL, &len), MFA_EINVAL);
	assert_int_equal(qr_render_png(big, 8, &png, &len), MFA_ETOOLONG);
	/* 29 modules * 700 = 20300 pixels a side. */
	assert_int_equal(qr_render_png("hi", 700, &png, &len), MFA_ETOOBIG);
	assert_int_equal(qr_render_png("hi", ~0u, &png, &len), MFA_ETOOBIG);
	assert_null(png);
	assert_int_equal(len, 0);
	/* 2331 bytes is the most that fits. */
	big[2331] = '\0';
	assert_int_equal(qr_render_png(big, 1, &png, &len), 0);
	sodium_free(png);
	big[2331] = 'a';
	big[2332] = '\0';
	assert_int_equal(qr_render_png(big, 1, &png, &len), MFA_ETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_terminal_plain),
	    cmocka_unit_test(test_terminal_ansi),
	    cmocka_unit_test(test_terminal_long),
	    cmocka_unit_test(test_terminal_shape_plain),
	    cmocka_unit_test(test_terminal_shape_ansi),
	    cmocka_unit_test(test_png_aws),
	    cmocka_unit_test(test_png_migration),
	    cmocka_unit_test(test_png_long),
	    cmocka_unit_test(test_png_utf8),
	    cmocka_unit_test(test_png_scale1),
	    cmocka_unit_test(test_errors),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
