/*
 * otp_verify_window against codes made by oathtool 2.6.7 and pyotp (both
 * agree on every one below), for the RFC 6238 key "12345678901234567890"
 * and the step of 2005-03-18T01:58:29Z (37037036), e.g.
 *   oathtool --totp=sha256 -d 8 -N @$(((37037036 + 123456) * 30)) \
 *       3132333435363738393031323334353637383930
 * The sequential and the threaded scans must give the same answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mfa/otp.h"

#define CENTER 37037036ULL

static const uint8_t key[] = "12345678901234567890";

static const struct {
	int64_t off;
	const char *sha1, *sha256, *sha512, *sha1_6;
} codes[] = {
    {-250000, "84317038", "91818575", "48209263", "317038"},
    {-3, "31404137", "69340524", "88327898", "404137"},
    {-1, "89731029", "22067564", "94534530", "731029"},
    {0, "07081804", "34756375", "63049338", "081804"},
    {1, "14050471", "74584430", "54380122", "050471"},
    {3, "02306183", "48110219", "88155376", "306183"},
    {123456, "99530764", "34252818", "29569120", "530764"},
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

static const unsigned thread_counts[] = {1, 2, 3, 0};

static void
verify(enum otp_hash h, unsigned digits, const char *given, uint64_t before,
       uint64_t after, unsigned threads, bool *found, int64_t *off)
{
	struct otp_params p;
	struct otp_verify v;

	otp_params_default(&p, OTP_TOTP);
	p.hash = h;
	p.digits = digits;
	memset(&v, 0, sizeof(v));
	v.center = CENTER;
	v.before = before;
	v.after = after;
	v.threads = threads;
	assert_int_equal(otp_verify_window(&p, key, 20, given, &v), 0);
	*found = v.found;
	*off = v.offset;
}

/* One run with a centre of its own (all threads). */
static void
verify_at(enum otp_hash h, const char *given, uint64_t center, uint64_t before,
	  uint64_t after, bool want_found, int64_t want_off)
{
	struct otp_params p;
	struct otp_verify v;

	otp_params_default(&p, OTP_TOTP);
	p.hash = h;
	p.digits = (unsigned)strlen(given);
	memset(&v, 0, sizeof(v));
	v.center = center;
	v.before = before;
	v.after = after;
	assert_int_equal(otp_verify_window(&p, key, 20, given, &v), 0);
	assert_int_equal(v.found, want_found);
	if (want_found)
		assert_int_equal(v.offset, want_off);
}

static void
expect(enum otp_hash h, unsigned digits, const char *given, uint64_t before,
       uint64_t after, bool want_found, int64_t want_off)
{
	bool found;
	int64_t off;
	size_t t;

	for (t = 0; t < sizeof(thread_counts) / sizeof(thread_counts[0]); t++) {
		verify(h, digits, given, before, after, thread_counts[t],
		       &found, &off);
		if (found != want_found || (found && off != want_off))
			fail_msg(
			    "%s %s window -%llu/+%llu threads %u: got "
			    "%d %lld, want %d %lld",
			    otp_hash_name(h), given, (unsigned long long)before,
			    (unsigned long long)after, thread_counts[t], found,
			    (long long)off, want_found, (long long)want_off);
	}
}

/* Each 8-digit code found at its own offset, narrow and wide windows. */
static void
test_verify_offsets(void **state)
{
	size_t i;
	uint64_t d;

	(void)state;
	for (i = 0; i < NCODES; i++) {
		d = (uint64_t)(codes[i].off < 0 ? -codes[i].off : codes[i].off);
		expect(OTP_SHA1, 8, codes[i].sha1, d, d, true, codes[i].off);
		if (d > 200000)
			continue; /* the slower hashes: not that wide */
		expect(OTP_SHA256, 8, codes[i].sha256, d, d, true,
		       codes[i].off);
		expect(OTP_SHA512, 8, codes[i].sha512, d, d, true,
		       codes[i].off);
		/* One step short of it: not found (8 digits: no collision). */
		if (d > 0 && d < 200000)
			expect(OTP_SHA1, 8, codes[i].sha1, d - 1, d - 1, false,
			       0);
	}
	/*
	 * oathtool --totp=sha512 -d 8 gives 15361690 at both +6633297 and
	 * +9999999; each is found where it is.
	 */
	verify_at(OTP_SHA512, "15361690", CENTER + 6633300, 3, 3, true, -3);
	verify_at(OTP_SHA512, "15361690", CENTER + 9999990, 9, 9, true, 9);
	/* The widest window is accepted (here clipped at step 0). */
	verify_at(OTP_SHA1, "84755224", 2, OTP_VERIFY_MAX, 0, true, -2);
	/* One side only: the HOTP lookahead shape. */
	expect(OTP_SHA1, 8, codes[6].sha1, 0, 200000, true, 123456);
	expect(OTP_SHA1, 8, codes[0].sha1, 0, 200000, false, 0);
	expect(OTP_SHA1, 8, codes[0].sha1, 250000, 0, true, -250000);
}

/*
 * Six digits over +-250000 steps: other steps share a code. oathtool -N
 * gives 404137 at offsets -37949, -3 and +59498: the nearest wins,
 * whatever the split; where the window holds only one, that one.
 */
static void
test_verify_nearest(void **state)
{
	(void)state;
	expect(OTP_SHA1, 6, "404137", 60000, 60000, true, -3);
	expect(OTP_SHA1, 6, "404137", 2, 60000, true, 59498);
	expect(OTP_SHA1, 6, "404137", 37948, 2, true, -3);
	verify_at(OTP_SHA1, "404137", CENTER - 37000, 1000, 1000, true, -949);
	expect(OTP_SHA1, 6, codes[0].sha1_6, 250000, 250000, true, -250000);
	expect(OTP_SHA1, 6, codes[3].sha1_6, 1, 1, true, 0);
	expect(OTP_SHA1, 6, codes[2].sha1_6, 1, 1, true, -1);
	expect(OTP_SHA1, 6, codes[4].sha1_6, 1, 1, true, 1);
	expect(OTP_SHA1, 6, codes[5].sha1_6, 1, 1, false, 0);
}

/* What can never match, and what is refused. */
static void
test_verify_edges(void **state)
{
	struct otp_params p;
	struct otp_verify v;

	(void)state;
	expect(OTP_SHA1, 8, "0708180", 5, 5, false, 0);	  /* too short */
	expect(OTP_SHA1, 8, "070818040", 5, 5, false, 0); /* too long */
	expect(OTP_SHA1, 8, "0708180x", 5, 5, false, 0);
	expect(OTP_SHA1, 8, "", 5, 5, false, 0);
	otp_params_default(&p, OTP_TOTP);
	memset(&v, 0, sizeof(v));
	v.center = CENTER;
	v.before = OTP_VERIFY_MAX + 1;
	assert_int_equal(otp_verify_window(&p, key, 20, "081804", &v),
			 MFA_EINVAL);
	v.before = 0;
	v.after = OTP_VERIFY_MAX + 1;
	assert_int_equal(otp_verify_window(&p, key, 20, "081804", &v),
			 MFA_EINVAL);
	/* Windows clip at step 0 and at the top of the counter range. */
	v.center = 2;
	v.before = 10;
	v.after = 0;
	assert_int_equal(otp_verify_window(&p, key, 20, "755224", &v), 0);
	assert_true(v.found); /* RFC 4226 counter 0 */
	assert_int_equal(v.offset, -2);
	v.center = UINT64_MAX - 1;
	v.before = 0;
	v.after = 5;
	assert_int_equal(otp_verify_window(&p, key, 20, "000000", &v), 0);
	p.digits = 11;
	assert_int_equal(otp_verify_window(&p, key, 20, "000000", &v),
			 MFA_EDIGITS);
}

/* HOTP counters (RFC 4226 Appendix D) and Steam letters. */
static void
test_verify_hotp_steam(void **state)
{
	static const char *rfc4226[] = {"755224", "287082", "359152", "969429",
					"338314", "254676", "287922", "162583",
					"399871", "520489"};
	struct otp_params p;
	struct otp_verify v;
	char code[OTP_CODE_MAX];
	size_t i;

	(void)state;
	otp_params_default(&p, OTP_HOTP);
	for (i = 0; i < 10; i++) {
		memset(&v, 0, sizeof(v));
		v.after = 9;
		assert_int_equal(otp_verify_window(&p, key, 20, rfc4226[i], &v),
				 0);
		assert_true(v.found);
		assert_int_equal(v.offset, (int64_t)i);
	}
	otp_params_default(&p, OTP_STEAM);
	assert_int_equal(otp_steam(key, 20, CENTER + 7, code), 0);
	memset(&v, 0, sizeof(v));
	v.center = CENTER;
	v.before = v.after = 7;
	assert_int_equal(otp_verify_window(&p, key, 20, code, &v), 0);
	assert_true(v.found);
	assert_int_equal(v.offset, 7);
	v.before = v.after = 6;
	assert_int_equal(otp_verify_window(&p, key, 20, code, &v), 0);
	assert_false(v.found);
	assert_int_equal(otp_verify_window(&p, key, 20, "AAAAA", &v), 0);
	assert_false(v.found);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_offsets),
	    cmocka_unit_test(test_verify_nearest),
	    cmocka_unit_test(test_verify_edges),
	    cmocka_unit_test(test_verify_hotp_steam),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
