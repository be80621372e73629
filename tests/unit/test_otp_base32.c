/*
 * Base32 (RFC 4648): the section 10 vectors both ways, what people type
 * (case, spaces, hyphens, line breaks, padding or none), exact error
 * positions, in-place decoding, capacities, and seeded random round trips
 * checked against a bit-by-bit reference encoder written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mfa/otp.h"

static const struct {
	const char *plain, *b32;
} rfc4648[] = {
    {"", ""},
    {"f", "MY======"},
    {"fo", "MZXQ===="},
    {"foo", "MZXW6==="},
    {"foob", "MZXW6YQ="},
    {"fooba", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======"},
};
#define NRFC (sizeof(rfc4648) / sizeof(rfc4648[0]))

/* Decode a NUL-terminated string; returns the rc, fills out/outlen. */
static int
dec(const char *in, uint8_t *out, size_t cap, size_t *outlen, size_t *errpos)
{
	return base32_decode(in, strlen(in), out, cap, outlen, errpos);
}

static void
expect_decode(const char *in, const char *want)
{
	uint8_t out[256];
	size_t len = 999, errpos = 999;
	int rc = dec(in, out, sizeof(out), &len, &errpos);

	if (rc != 0)
		fail_msg("decode(\"%s\") = %d at %zu", in, rc, errpos);
	if (len != strlen(want) || memcmp(out, want, len) != 0)
		fail_msg("decode(\"%s\") gave %zu bytes, want \"%s\"", in, len,
			 want);
}

static void
expect_error(const char *in, size_t inlen, size_t pos)
{
	uint8_t out[256];
	size_t len = 999, errpos = 999;
	int rc = base32_decode(in, inlen, out, sizeof(out), &len, &errpos);

	if (rc != MFA_EBASE32)
		fail_msg("decode(\"%.*s\") = %d, want MFA_EBASE32", (int)inlen,
			 in, rc);
	if (errpos != pos)
		fail_msg("decode(\"%.*s\") error at %zu, want %zu", (int)inlen,
			 in, errpos, pos);
	/* errpos may be NULL. */
	assert_int_equal(base32_decode(in, inlen, out, sizeof(out), &len, NULL),
			 MFA_EBASE32);
}

/* RFC 4648 section 6, one output character at a time from the bit string. */
static void
ref_encode(const uint8_t *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t nbits = n * 8, i, b;
	unsigned v;

	for (i = 0; i * 5 < nbits; i++) {
		v = 0;
		for (b = i * 5; b < i * 5 + 5; b++) {
			v <<= 1;
			if (b < nbits)
				v |= (in[b / 8] >> (7 - b % 8)) & 1;
		}
		out[i] = a[v];
	}
	out[i] = '\0';
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64*: seeded, so a failure can be replayed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static void
test_rfc4648_decode(void **state)
{
	char unpadded[32], lower[32];
	size_t i, j;

	(void)state;
	for (i = 0; i < NRFC; i++) {
		expect_decode(rfc4648[i].b32, rfc4648[i].plain);
		/* Missing padding. */
		snprintf(unpadded, sizeof(unpadded), "%s", rfc4648[i].b32);
		if (strchr(unpadded, '=') != NULL)
			*strchr(unpadded, '=') = '\0';
		expect_decode(unpadded, rfc4648[i].plain);
		/* Lower case. */
		for (j = 0; rfc4648[i].b32[j] != '\0'; j++)
			lower[j] = (char)(rfc4648[i].b32[j] >= 'A' &&
						  rfc4648[i].b32[j] <= 'Z'
					      ? rfc4648[i].b32[j] + 32
					      : rfc4648[i].b32[j]);
		lower[j] = '\0';
		expect_decode(lower, rfc4648[i].plain);
	}
}

static void
test_rfc4648_encode(void **state)
{
	char out[64], want[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < NRFC; i++) {
		n = strlen(rfc4648[i].plain);
		snprintf(want, sizeof(want), "%s", rfc4648[i].b32);
		if (strchr(want, '=') != NULL)
			*strchr(want, '=') = '\0';
		assert_int_equal(base32_encoded_len(n), strlen(want));
		memset(out, 'x', sizeof(out));
		assert_int_equal(
		    base32_encode((const uint8_t *)rfc4648[i].plain, n, out,
				  sizeof(out)),
		    0);
		assert_string_equal(out, want);
		/* Exactly enough room: the characters and the NUL. */
		assert_int_equal(
		    base32_encode((const uint8_t *)rfc4648[i].plain, n, out,
				  strlen(want) + 1),
		    0);
		assert_string_equal(out, want);
		assert_int_equal(
		    base32_encode((const uint8_t *)rfc4648[i].plain, n, out,
				  strlen(want)),
		    MFA_ETOOLONG);
	}
}

static void
test_forgiving(void **state)
{
	(void)state;
	expect_decode("mzxw6ytboi", "foobar");
	expect_decode("MzXw6YtBoI", "foobar");
	expect_decode("MZXW 6YTB OI", "foobar");
	expect_decode("mzxw-6ytb-oi", "foobar");
	expect_decode("MZXW\n6YTB\r\nOI\n", "foobar");
	expect_decode("\tMZXW6YTBOI\t", "foobar");
	expect_decode("  MZ XW 6Y TB OI ====== ", "foobar");
	expect_decode("MZXW6YTBOI======\n", "foobar");
	expect_decode("MZXW6YTBOI=", "foobar");
	expect_decode("MZXW6YTBOI==========", "foobar");
	expect_decode("MZXW6YTBOI= = =", "foobar");
	expect_decode("   ", "");
	expect_decode("====", "");
	/* Leftover bits that make no whole byte are dropped. */
	expect_decode("M", "");
	expect_decode("MZXW6YQ", "foob");
	/* The oath-toolkit spaced form of a Dropbox-style secret. */
	{
		uint8_t a[32], b[32];
		size_t la, lb;

		assert_int_equal(dec("gr6d 5br7 25s6 vnck v4vl hlao re", a,
				     sizeof(a), &la, NULL),
				 0);
		assert_int_equal(
		    dec("GR6D5BR725S6VNCKV4VLHLAORE", b, sizeof(b), &lb, NULL),
		    0);
		assert_int_equal(la, 16);
		assert_int_equal(lb, 16);
		assert_memory_equal(a, b, 16);
	}
}

static void
test_errors(void **state)
{
	(void)state;
	/* Data after padding: the first character after the '='. */
	expect_error("MZ=XW6", 6, 3);
	expect_error("MZXW6===YQ", 10, 8);
	expect_error("MY====== MY", 11, 9);
	expect_error("=A", 2, 1);
	/* Characters outside the alphabet, at their exact offset. */
	expect_error("0", 1, 0);
	expect_error("MZXW0", 5, 4);
	expect_error("MZXW1YTB", 8, 4);
	expect_error("MZXW6YT8", 8, 7);
	expect_error("MZXW69", 6, 5);
	expect_error("MZ!XW", 5, 2);
	expect_error("MZXW_6", 6, 4);
	expect_error("MZXW+6", 6, 4);
	expect_error("MZXW/6", 6, 4);
	expect_error("MZXW.6", 6, 4);
	expect_error("MZ XW 6YTB,OI", 13, 10);
	expect_error("MZXW6YTBOI#", 11, 10);
	expect_error("MZ\xc3\xa9XW", 6, 2);
	expect_error("\xff", 1, 0);
	expect_error("MZXW6YTB\x80", 9, 8);
	/* A NUL inside the given length is a bad character too. */
	expect_error("MZ\0XW", 5, 2);
	expect_error("MZXW6\v", 6, 5);
	expect_error("MZXW6\f", 6, 5);
}

static void
test_in_place(void **state)
{
	char buf[64];
	size_t i, len, errpos;

	(void)state;
	for (i = 0; i < NRFC; i++) {
		snprintf(buf, sizeof(buf), "%s", rfc4648[i].b32);
		len = 999;
		assert_int_equal(base32_decode(buf, strlen(buf), (uint8_t *)buf,
					       sizeof(buf), &len, &errpos),
				 0);
		assert_int_equal(len, strlen(rfc4648[i].plain));
		assert_memory_equal(buf, rfc4648[i].plain, len);
	}
	snprintf(buf, sizeof(buf), "gezd gnbv-gy3t qojq\ngezdgnbvgy3tqojq");
	assert_int_equal(base32_decode(buf, strlen(buf), (uint8_t *)buf,
				       sizeof(buf), &len, &errpos),
			 0);
	assert_int_equal(len, 20);
	assert_memory_equal(buf, "12345678901234567890", 20);
}

static void
test_capacity(void **state)
{
	uint8_t out[16];
	size_t len, errpos, i;

	(void)state;
	/* "foobar" needs 6 bytes: 5 is too few, 6 is enough. */
	assert_int_equal(dec("MZXW6YTBOI", out, 5, &len, &errpos),
			 MFA_ETOOLONG);
	assert_int_equal(dec("MZXW6YTBOI", out, 6, &len, &errpos), 0);
	assert_int_equal(len, 6);
	assert_int_equal(dec("MY", out, 0, &len, &errpos), MFA_ETOOLONG);
	assert_int_equal(dec("", out, 0, &len, &errpos), 0);
	assert_int_equal(len, 0);
	assert_int_equal(dec("M", NULL, 0, &len, &errpos), 0);
	assert_int_equal(len, 0);
	/* base32_decoded_max is always enough. */
	for (i = 0; i < 40; i++)
		assert_true(base32_decoded_max(i) >= i * 5 / 8);
	/* The encoder checks its room before writing. */
	memset(out, 'x', sizeof(out));
	assert_int_equal(
	    base32_encode((const uint8_t *)"foobar", 6, (char *)out, 10),
	    MFA_ETOOLONG);
	assert_int_equal(out[0], 'x');
	assert_int_equal(base32_encode(NULL, 0, (char *)out, 1), 0);
	assert_int_equal(out[0], '\0');
	assert_int_equal(base32_encode(NULL, 0, (char *)out, 0), MFA_ETOOLONG);
}

static void
test_random_round_trips(void **state)
{
	uint8_t in[300], out[300];
	char enc[600], ref[600], messy[1800];
	size_t n, len, errpos, i, j, m;
	const char *seed_env = getenv("MFA_TEST_SEED");
	int round;

	(void)state;
	rng_state = seed_env != NULL ? strtoull(seed_env, NULL, 0)
				     : UINT64_C(0x6d66612d62333221);
	if (rng_state == 0)
		rng_state = 1;
	print_message("base32 random seed 0x%llx (set MFA_TEST_SEED)\n",
		      (unsigned long long)rng_state);
	for (round = 0; round < 3000; round++) {
		n = (size_t)(rng() % sizeof(in));
		for (i = 0; i < n; i++)
			in[i] = (uint8_t)rng();
		ref_encode(in, n, ref);
		assert_int_equal(base32_encode(in, n, enc, sizeof(enc)), 0);
		if (strcmp(enc, ref) != 0)
			fail_msg("round %d: encode of %zu bytes differs", round,
				 n);
		assert_int_equal(strlen(enc), base32_encoded_len(n));
		len = 999;
		assert_int_equal(base32_decode(enc, strlen(enc), out,
					       base32_decoded_max(strlen(enc)),
					       &len, &errpos),
				 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, in, n);

		/* Messy input: random case, separators and padding. */
		for (i = j = 0; enc[i] != '\0'; i++) {
			m = (size_t)(rng() % 16);
			if (m == 0)
				messy[j++] = ' ';
			else if (m == 1)
				messy[j++] = '-';
			else if (m == 2)
				messy[j++] = '\n';
			messy[j++] =
			    (char)(enc[i] >= 'A' && rng() % 2 ? enc[i] + 32
							      : enc[i]);
		}
		while (rng() % 3 != 0)
			messy[j++] = '=';
		messy[j] = '\0';
		len = 999;
		if (base32_decode(messy, j, out, sizeof(out), &len, &errpos) !=
		    0)
			fail_msg("round %d: \"%s\" refused at %zu", round,
				 messy, errpos);
		assert_int_equal(len, n);
		assert_memory_equal(out, in, n);

		/* One bad character is found where it was put. */
		if (j > 0) {
			static const char bad[] = "01890!_+/=";

			m = (size_t)(rng() % j);
			messy[m] = bad[rng() % 9];
			/* Padding later in the string makes an earlier
			 * character the first fault; skip those cases. */
			if (strchr(messy, '=') == NULL ||
			    strchr(messy, '=') > messy + m) {
				errpos = 999;
				assert_int_equal(base32_decode(messy, j, out,
							       sizeof(out),
							       &len, &errpos),
						 MFA_EBASE32);
				assert_int_equal(errpos, m);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4648_decode),
	    cmocka_unit_test(test_rfc4648_encode),
	    cmocka_unit_test(test_forgiving),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_in_place),
	    cmocka_unit_test(test_capacity),
	    cmocka_unit_test(test_random_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
