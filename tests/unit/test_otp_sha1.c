/*
 * The engine's SHA-1 (src/otp/sha1.c) against the FIPS 180 examples and
 * against OpenSSL's SHA1() on random messages of every length around the
 * block and padding boundaries, fed whole and in pieces; the SHA-extension
 * compression (where this processor has it) against the portable one.
 */
#include <openssl/sha.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otp/sha1.h"

static void
hex(const uint8_t *d, char out[41])
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 20; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[40] = '\0';
}

static void
check(const char *msg, size_t repeat, const char *want)
{
	struct sha1_ctx c;
	uint8_t d[SHA1_DIGEST];
	char h[41];
	size_t i;

	sha1_init(&c);
	for (i = 0; i < repeat; i++)
		sha1_update(&c, msg, strlen(msg));
	sha1_final(&c, d);
	hex(d, h);
	assert_string_equal(h, want);
}

/* FIPS 180-2 Appendix A and the NIST example set. */
static void
test_sha1_fips(void **state)
{
	(void)state;
	check("abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	      "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	check("a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	check("", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	      "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	      1, "a49b2446a02c645bf419f995b67091253a04a259");
}

static void
test_sha1_vs_openssl(void **state)
{
	uint8_t msg[300], a[SHA1_DIGEST], b[SHA1_DIGEST];
	struct sha1_ctx c;
	size_t n, cut, i;

	(void)state;
	srand(180);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)rand();
	for (n = 0; n <= sizeof(msg); n++) {
		SHA1(msg, n, b);
		sha1_init(&c);
		sha1_update(&c, msg, n);
		sha1_final(&c, a);
		assert_memory_equal(a, b, sizeof(a));
		/* In two pieces, split anywhere. */
		cut = n == 0 ? 0 : (size_t)rand() % n;
		sha1_init(&c);
		sha1_update(&c, msg, cut);
		sha1_update(&c, msg + cut, n - cut);
		sha1_final(&c, a);
		assert_memory_equal(a, b, sizeof(a));
	}
}

/* The portable and the dispatched compression agree on random blocks. */
static void
test_sha1_compress_both(void **state)
{
	uint32_t a[5], b[5];
	uint8_t block[SHA1_BLOCK];
	size_t i, j;

	(void)state;
	srand(4);
	for (i = 0; i < 5; i++)
		a[i] = b[i] = (uint32_t)rand() * 2654435761u;
	for (i = 0; i < 1000; i++) {
		for (j = 0; j < sizeof(block); j++)
			block[j] = (uint8_t)rand();
		sha1_compress(a, block);
		sha1_compress_portable(b, block);
		assert_memory_equal(a, b, sizeof(a));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha1_fips),
	    cmocka_unit_test(test_sha1_vs_openssl),
	    cmocka_unit_test(test_sha1_compress_both),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
