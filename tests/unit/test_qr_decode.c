/*
 * QR decoding: every image fixture (made by the real qrencode and
 * ImageMagick, see tests/fixtures/qr/PROVENANCE.md) must give back exactly
 * the text that was encoded; third-party images must give what their
 * projects' own tests expect and what zbarimg (an independent program)
 * reads; broken inputs must fail with the right code and leak nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "mfa/rc.h"
#include "qr/decode.h"

#include "fixtures.h"

#define FIX "tests/fixtures/qr/"
#define QRF "/qr/" /* in the third-party fixtures */

static const char aws_uri[] =
    "otpauth://totp/Amazon%20Web%20Services:alice@123456789012"
    "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&issuer=Amazon%20Web%20Services";

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	assert_false(ferror(f));
	fclose(f);
	*len = n;
	return buf;
}

/* Decode a file; returns the rc, texts in *t (caller frees). */
static int
decode_file(const char *path, struct qr_texts *t, struct mfa_err *werr)
{
	uint8_t *buf;
	size_t len;
	int rc;

	buf = slurp(path, &len);
	memset(t, 0, sizeof(*t));
	rc = qr_decode_image(buf, len, t, werr);
	free(buf);
	return rc;
}

static void
expect_one(const char *path, const char *want, size_t wantlen)
{
	struct qr_texts t;
	struct mfa_err werr = {0};
	char *why = werr.why;
	int rc;

	rc = decode_file(path, &t, &werr);
	if (rc != 0)
		fail_msg("%s: %s (%s)", path, mfa_strerror_name(rc), why);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.len[0], wantlen);
	assert_memory_equal(t.text[0], want, wantlen);
	assert_int_equal(t.text[0][wantlen], '\0');
	assert_string_equal(why, "");
	qr_texts_free(&t);
}

static void
expect_aws(const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), FIX "%s", file);
	expect_one(path, aws_uri, strlen(aws_uri));
}

static void
expect_rc(const char *path, int want, const char *why_has)
{
	struct qr_texts t;
	struct mfa_err werr = {0};
	char *why = werr.why;
	int rc;

	rc = decode_file(path, &t, &werr);
	if (rc != want)
		fail_msg("%s: got %s (%s), want %s", path,
			 mfa_strerror_name(rc), why, mfa_strerror_name(want));
	assert_int_equal(t.n, 0);
	assert_null(t.text);
	if (why_has != NULL && strstr(why, why_has) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", path, why, why_has);
	qr_texts_free(&t);
}

/*
 * Run zbarimg (zbar-tools), an independent program, on a file. Returns its
 * output without the final newline (malloc'd), or NULL when zbarimg is not
 * installed. -Sbinary: the bytes as encoded, as qr_decode_image gives them.
 */
static char *
zbarimg(const char *path)
{
	char cmd[512], *out = NULL;
	size_t cap = 0, n = 0, r;
	FILE *p;

	if (system("command -v zbarimg >/dev/null 2>&1") != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sbinary '%s' 2>/dev/null",
		 path);
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
	if (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	return out;
}

/* Skips the calling test when zbarimg is not installed: call it first. */
static void
need_zbarimg(void)
{
	if (system("command -v zbarimg >/dev/null 2>&1") != 0) {
		print_message(
		    "skipped: zbarimg (zbar-tools) is not installed\n");
		skip();
	}
}

/* After need_zbarimg(): zbarimg reads path as want. */
static void
expect_zbarimg_agrees(const char *path, const char *want)
{
	char *ref = zbarimg(path);

	if (ref == NULL)
		fail_msg("zbarimg missing: %s not cross-checked", path);
	assert_string_equal(ref, want);
	free(ref);
}

/* AWS's own QR image shape, through every decoder path. */

static void
test_aws_png_palette1(void **state)
{
	(void)state;
	need_zbarimg();
	expect_aws("aws.png");
	expect_zbarimg_agrees(FIX "aws.png", aws_uri);
}

static void
test_aws_jpeg(void **state)
{
	(void)state;
	expect_aws("aws.jpg");
	expect_aws("aws_progressive.jpg");
}

static void
test_aws_png_rgb16(void **state)
{
	(void)state;
	expect_aws("aws_rgb16.png");
}

static void
test_aws_png_palette8(void **state)
{
	(void)state;
	expect_aws("aws_palette8.png");
}

static void
test_aws_png_gray_alpha(void **state)
{
	(void)state;
	/* Transparent black background: only compositing on white works. */
	expect_aws("aws_gray_alpha.png");
}

static void
test_aws_png_interlaced(void **state)
{
	(void)state;
	expect_aws("aws_interlaced.png");
}

static void
test_aws_netpbm(void **state)
{
	(void)state;
	expect_aws("aws.ppm");
	expect_aws("aws.pgm");
	expect_aws("aws16.pgm");
	expect_aws("aws_plain.pgm");
}

static void
test_aws_inverted(void **state)
{
	(void)state;
	expect_aws("aws_inverted.png");
}

static void
test_aws_tiny(void **state)
{
	(void)state;
	/* One pixel a module, 49x49. */
	expect_aws("aws_tiny.png");
}

static void
test_url(void **state)
{
	(void)state;
	expect_one(FIX "url.png", "https://example.com/", 20);
}

static void
test_utf8_bytes_unchanged(void **state)
{
	static const char want[] =
	    "otpauth://totp/B\xc3\xa4nk:j\xc3\xb6rg@example.com"
	    "?secret=JBSWY3DPEHPK3PXP&issuer=B\xc3\xa4nk";

	(void)state;
	need_zbarimg();
	expect_one(FIX "utf8.png", want, strlen(want));
	expect_zbarimg_agrees(FIX "utf8.png", want);
}

static void
test_screenshot_rgba(void **state)
{
	(void)state;
	/* 1080x2400 RGBA with other shapes around the code. */
	expect_aws("screenshot_rgba.png");
}

static void
test_two_codes(void **state)
{
	static const char *want[2] = {
	    "otpauth://totp/Example:one@example.com"
	    "?secret=GEZDGNBVGY3TQOJQ&issuer=Example",
	    "otpauth://hotp/Example:two@example.com"
	    "?secret=MFRGGZDFMZTWQ2LK&issuer=Example&counter=7"};
	struct qr_texts t;
	struct mfa_err werr = {0};
	int seen[2] = {0, 0};
	size_t i, k;

	(void)state;
	assert_int_equal(decode_file(FIX "two_codes.png", &t, &werr), 0);
	assert_int_equal(t.n, 2);
	for (i = 0; i < t.n; i++)
		for (k = 0; k < 2; k++)
			if (t.len[i] == strlen(want[k]) &&
			    memcmp(t.text[i], want[k], t.len[i]) == 0)
				seen[k]++;
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	qr_texts_free(&t);
}

static void
test_appends(void **state)
{
	struct qr_texts t = {0};
	uint8_t *a, *b;
	size_t alen, blen;
	struct mfa_err werr = {0};

	(void)state;
	a = slurp(FIX "aws.png", &alen);
	b = slurp(FIX "url.png", &blen);
	assert_int_equal(qr_decode_image(a, alen, &t, &werr), 0);
	assert_int_equal(qr_decode_image(b, blen, &t, &werr), 0);
	/* A failure leaves what was there. */
	assert_int_equal(qr_decode_image(b, blen / 2, &t, &werr), MFA_EIMAGE);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.text[0], aws_uri);
	assert_string_equal(t.text[1], "https://example.com/");
	qr_texts_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.text);
	qr_texts_free(&t);
	qr_texts_free(NULL);
	free(a);
	free(b);
}

/* Failures. */

static void
test_no_qr(void **state)
{
	(void)state;
	expect_rc(FIX "no_qr.png", MFA_ENOQR, "no QR code");
}

static void
test_truncated_png(void **state)
{
	(void)state;
	expect_rc(FIX "truncated.png", MFA_EIMAGE, "truncated PNG");
}

static void
test_noise(void **state)
{
	(void)state;
	expect_rc(FIX "noise.png", MFA_EIMAGE, "not a PNG/JPEG/PPM image");
}

static void
test_cmyk_jpeg(void **state)
{
	(void)state;
	expect_rc(FIX "aws_cmyk.jpg", MFA_EIMAGE, "CMYK");
}

static void
test_huge_header(void **state)
{
	(void)state;
	/* IHDR says 100000x100000: refused from the header alone. */
	expect_rc(FIX "huge_header.png", MFA_ETOOBIG, "too large");
}

static void
test_limits_in_memory(void **state)
{
	static const struct {
		const char *img;
		int rc;
	} cases[] = {
	    {"P5\n100000 100000\n255\n", MFA_ETOOBIG},
	    {"P5 20001 1 255\n", MFA_ETOOBIG},
	    {"P6 1 20001 255\n", MFA_ETOOBIG},
	    /* 20000 x 2001 = 40.02 million pixels. */
	    {"P5 20000 2001 255\n", MFA_ETOOBIG},
	    {"P5 99999999999999999999 1 255\n", MFA_ETOOBIG},
	    /* Within limits, but the raster is missing. */
	    {"P5 20000 2000 255\n", MFA_EIMAGE},
	    {"P5 0 10 255\n", MFA_EIMAGE},
	    {"P5 2 2 0\n\1\1\1\1", MFA_EIMAGE},
	    {"P5 2 2 65536\n\1\1\1\1\1\1\1\1", MFA_EIMAGE},
	    {"P2 2 2 255\n1 2 3 256\n", MFA_EIMAGE},
	    {"P2 2 2 255\n1 2 3\n", MFA_EIMAGE},
	    {"P5 2 2 255\n\1\1\1", MFA_EIMAGE},
	    {"P5 2 2", MFA_EIMAGE},
	    {"P5 x 2 255\n", MFA_EIMAGE},
	    {"P4 2 2\n\0\0", MFA_EIMAGE},
	    {"\xff\xd8\xff", MFA_EIMAGE},
	    {"\x89PNG\r\n\x1a\n", MFA_EIMAGE},
	};
	struct qr_texts t = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = qr_decode_image((const uint8_t *)cases[i].img,
				     strlen(cases[i].img), &t, &werr);
		if (rc != cases[i].rc)
			fail_msg("case %zu: got %s (%s), want %s", i,
				 mfa_strerror_name(rc), why,
				 mfa_strerror_name(cases[i].rc));
		assert_int_equal(t.n, 0);
		assert_true(why[0] != '\0');
	}
	/* A well-formed 2x2 grey image: decodes, has no code. */
	rc = qr_decode_image((const uint8_t *)"P5 2 2 255\n\1\2\3\4", 15, &t,
			     &werr);
	assert_int_equal(rc, MFA_ENOQR);
	rc = qr_decode_image((const uint8_t *)"P5 2 2 255\n\1\2\3\4", 15, &t,
			     NULL);
	assert_int_equal(rc, MFA_ENOQR);
	assert_int_equal(qr_decode_image(NULL, 0, &t, &werr), MFA_EINVAL);
	qr_texts_free(&t);
}

static void
test_file_limit(void **state)
{
	struct qr_texts t = {0};
	uint8_t *big;
	struct mfa_err werr = {0};

	(void)state;
	/* A valid PGM header, then zeros: over QR_MAX_FILE all the same. */
	big = calloc(1, (size_t)QR_MAX_FILE + 1);
	assert_non_null(big);
	memcpy(big, "P5 8000 8000 255\n", 17);
	assert_int_equal(
	    qr_decode_image(big, (size_t)QR_MAX_FILE + 1, &t, &werr),
	    MFA_ETOOBIG);
	assert_int_equal(t.n, 0);
	free(big);
}

static void
test_pnm_comments(void **state)
{
	struct qr_texts t = {0};
	uint8_t *pgm, *buf;
	size_t len, hdr = 0, nl = 0;
	struct mfa_err werr = {0};
	int n;

	(void)state;
	/* Rewrite the header of aws.pgm with comments in every gap. */
	pgm = slurp(FIX "aws.pgm", &len);
	while (nl < 3) {
		assert_true(hdr < len);
		if (pgm[hdr++] == '\n')
			nl++;
	}
	buf = malloc(len + 200);
	assert_non_null(buf);
	n = snprintf((char *)buf, 200,
		     "P5 # made by hand\n#another\n106\t# w\n 106 #h\r255\n");
	memcpy(buf + n, pgm + hdr, len - hdr);
	assert_int_equal(qr_decode_image(buf, (size_t)n + len - hdr, &t, &werr),
			 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.text[0], aws_uri);
	qr_texts_free(&t);
	free(buf);
	free(pgm);
}

/*
 * Every prefix of a file must fail cleanly: EIMAGE (never a crash, a leak
 * or a code read from a grey-padded picture).
 */
static void
truncations(const char *file, size_t step, size_t keep)
{
	struct qr_texts t = {0};
	char path[256];
	struct mfa_err werr = {0};
	char *why = werr.why;
	uint8_t *buf;
	size_t len, n;
	int rc;

	snprintf(path, sizeof(path), FIX "%s", file);
	buf = slurp(path, &len);
	for (n = 0; n + keep < len; n += step) {
		rc = qr_decode_image(buf, n, &t, &werr);
		if (rc != MFA_EIMAGE)
			fail_msg("%s cut to %zu of %zu bytes: %s (%s)", file, n,
				 len, mfa_strerror_name(rc), why);
		assert_int_equal(t.n, 0);
	}
	free(buf);
}

static void
test_truncations(void **state)
{
	(void)state;
	/* PNG: all but IEND (12 bytes) is needed. */
	truncations("aws.png", 1, 12);
	truncations("aws_interlaced.png", 7, 12);
	truncations("aws_rgb16.png", 13, 12);
	truncations("aws_gray_alpha.png", 11, 12);
	truncations("aws.jpg", 17, 0);
	truncations("aws_progressive.jpg", 17, 0);
	truncations("aws.pgm", 97, 0);
	truncations("aws.ppm", 301, 0);
	truncations("aws_plain.pgm", 331, 1);
}

static void
test_corruptions(void **state)
{
	static const char *files[] = {"aws.png", "aws_palette8.png", "aws.jpg"};
	struct qr_texts t = {0};
	char path[256];
	struct mfa_err werr = {0};
	char *why = werr.why;
	uint8_t *buf;
	size_t len, i, f, step;
	int rc;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		snprintf(path, sizeof(path), FIX "%s", files[f]);
		buf = slurp(path, &len);
		step = len > 1000 ? len / 300 : 1;
		for (i = 0; i < len; i += step) {
			buf[i] ^= 0x5a;
			rc = qr_decode_image(buf, len, &t, &werr);
			buf[i] ^= 0x5a;
			/* Anything but a crash, a leak or a wrong text. */
			if (rc == 0) {
				assert_string_equal(t.text[t.n - 1], aws_uri);
			} else if (rc != MFA_EIMAGE && rc != MFA_ENOQR &&
				   rc != MFA_ETOOBIG)
				fail_msg("%s byte %zu: %s (%s)", files[f], i,
					 mfa_strerror_name(rc), why);
		}
		qr_texts_free(&t);
		free(buf);
	}
}

static void
test_is_image(void **state)
{
	static const struct {
		const char *buf;
		size_t len;
		bool yes;
	} cases[] = {
	    {"\x89PNG\r\n\x1a\n", 8, true},
	    {"\x89PNG\r\n\x1a", 7, false},
	    {"\x89PNG\r\n\x0a\n", 8, false},
	    {"\xff\xd8\xff\xe0", 4, true},
	    {"\xff\xd8\xff", 3, true},
	    {"\xff\xd8", 2, false},
	    {"P6\n", 3, true},
	    {"P5 ", 3, true},
	    {"P3\t", 3, true},
	    {"P2\r", 3, true},
	    {"P6", 2, false},
	    {"P6x", 3, false},
	    {"P4\n", 3, false},
	    {"P1\n", 3, false},
	    {"P7\n", 3, false},
	    {"P\0\n", 3, false},
	    {"otpauth://totp/x?secret=AAAA", 28, false},
	    {"", 0, false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (qr_is_image((const uint8_t *)cases[i].buf, cases[i].len) !=
		    cases[i].yes)
			fail_msg("case %zu", i);
	assert_false(qr_is_image(NULL, 0));
}

/* Third-party images (../shared/fixtures/qr, see its PROVENANCE.md). */

static void
test_shared_dim13(void **state)
{
	static const char want[] =
	    "otpauth://totp/Example:alice@google.com"
	    "?issuer=Example&period=30&secret=JBSWY3DPEHPK3PXP";

	(void)state;
	need_zbarimg();
	fixture_need(QRF "PROVENANCE.md");
	expect_one(fixture(QRF "dim13_otpauth_example.png"), want,
		   strlen(want));
	expect_zbarimg_agrees(fixture(QRF "dim13_otpauth_example.png"), want);
}

static void
test_shared_scito_export(void **state)
{
	static const char want[] =
	    "otpauth-migration://offline?data="
	    "CjMKCkhlbGxvId6tvu8SGFRlc3QxOnRlc3QxQGV4YW1wbGUxLmNvbRoFVGVzdDEg"
	    "ASgBMAIKMwoKSGVsbG8h3q2%2B8BIYVGVzdDI6dGVzdDJAZXhhbXBsZTIuY29tGgVU"
	    "ZXN0MiABKAEwAgozCgpIZWxsbyHerb7xEhhUZXN0Mzp0ZXN0M0BleGFtcGxlMy5jb"
	    "20aBVRlc3QzIAEoATACEAEYASAAKI3orYEE";

	(void)state;
	need_zbarimg();
	fixture_need(QRF "PROVENANCE.md");
	/* A real phone screenshot, 523x942 RGB. */
	expect_one(fixture(QRF "scito_example_export.png"), want, strlen(want));
	expect_zbarimg_agrees(fixture(QRF "scito_example_export.png"), want);
}

static void
test_shared_scito_not_otp(void **state)
{
	static const char want[] = "NOT A otpauth-migration:// URL";

	(void)state;
	need_zbarimg();
	fixture_need(QRF "PROVENANCE.md");
	expect_one(fixture(QRF "scito_qr_but_without_otp.png"), want,
		   strlen(want));
	expect_zbarimg_agrees(fixture(QRF "scito_qr_but_without_otp.png"),
			      want);
}

static void
test_shared_scito_text(void **state)
{
	(void)state;
	fixture_need(QRF "PROVENANCE.md");
	expect_rc(fixture(QRF "scito_text_masquerading_as_image.jpeg"),
		  MFA_EIMAGE, "not a PNG/JPEG/PPM image");
}

static void
test_shared_aegis_camera(void **state)
{
	static const char want[] =
	    "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M"
	    "&issuer=neo4j&algorithm=SHA1&digits=6&period=30";
	static const char hdr[] = "P5\n1600 1200\n255\n";
	const size_t plane = 1600 * 1200;
	struct qr_texts t = {0};
	uint8_t *buf;
	size_t n = 0, r;
	char cmd[1100];
	struct mfa_err werr = {0};
	FILE *p;

	(void)state;
	fixture_need(QRF "PROVENANCE.md");
	/* zlib is not linked into the tests: gzip(1) does the inflating. */
	if (system("command -v gzip >/dev/null 2>&1") != 0) {
		print_message("gzip missing: aegis_qr.y.gz not tested\n");
		skip();
	}
	buf = malloc(sizeof(hdr) - 1 + plane + 1);
	assert_non_null(buf);
	memcpy(buf, hdr, sizeof(hdr) - 1);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'",
		 fixture(QRF "aegis_qr.y.gz"));
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((r = fread(buf + sizeof(hdr) - 1 + n, 1, plane + 1 - n, p)) > 0)
		n += r;
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, plane);
	/* A real camera frame, through the PGM path. */
	assert_int_equal(qr_decode_image(buf, sizeof(hdr) - 1 + n, &t, &werr),
			 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.text[0], want);
	qr_texts_free(&t);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aws_png_palette1),
	    cmocka_unit_test(test_aws_jpeg),
	    cmocka_unit_test(test_aws_png_rgb16),
	    cmocka_unit_test(test_aws_png_palette8),
	    cmocka_unit_test(test_aws_png_gray_alpha),
	    cmocka_unit_test(test_aws_png_interlaced),
	    cmocka_unit_test(test_aws_netpbm),
	    cmocka_unit_test(test_aws_inverted),
	    cmocka_unit_test(test_aws_tiny),
	    cmocka_unit_test(test_url),
	    cmocka_unit_test(test_utf8_bytes_unchanged),
	    cmocka_unit_test(test_screenshot_rgba),
	    cmocka_unit_test(test_two_codes),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_no_qr),
	    cmocka_unit_test(test_truncated_png),
	    cmocka_unit_test(test_noise),
	    cmocka_unit_test(test_cmyk_jpeg),
	    cmocka_unit_test(test_huge_header),
	    cmocka_unit_test(test_limits_in_memory),
	    cmocka_unit_test(test_file_limit),
	    cmocka_unit_test(test_pnm_comments),
	    cmocka_unit_test(test_truncations),
	    cmocka_unit_test(test_corruptions),
	    cmocka_unit_test(test_is_image),
	    cmocka_unit_test(test_shared_dim13),
	    cmocka_unit_test(test_shared_scito_export),
	    cmocka_unit_test(test_shared_scito_not_otp),
	    cmocka_unit_test(test_shared_scito_text),
	    cmocka_unit_test(test_shared_aegis_camera),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
