/*
 * Our HMAC construction (src/otp/hmac.c) against OpenSSL's own HMAC() on
 * random keys and messages of every interesting length, including keys
 * longer than a block, and RFC 4231 / RFC 2202 vectors.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otp/hmac.h"

static const EVP_MD *
md_of(enum otp_hash h)
{
	return h == OTP_SHA1	 ? EVP_sha1()
	       : h == OTP_SHA256 ? EVP_sha256()
				 : EVP_sha512();
}

static void
test_hmac_vs_openssl(void **state)
{
	static const size_t lens[] = {0,  1,   19,  20,	 32,  63,  64,
				      65, 127, 128, 129, 200, 1000};
	uint8_t key[1000], msg[1000], a[HMAC_MAX_OUT], b[EVP_MAX_MD_SIZE];
	unsigned int blen;
	size_t alen, i, j, h;
	struct hmac_key *k;

	(void)state;
	srand(4226);
	for (i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)rand();
		msg[i] = (uint8_t)rand();
	}
	for (h = 0; h < 3; h++)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
				assert_int_equal(hmac_mac((enum otp_hash)h, key,
							  lens[i], msg, lens[j],
							  a, &alen),
						 0);
				assert_non_null(HMAC(md_of((enum otp_hash)h),
						     key, (int)lens[i], msg,
						     lens[j], b, &blen));
				assert_int_equal(alen, blen);
				assert_memory_equal(a, b, alen);
				assert_int_equal(hmac_key_new((enum otp_hash)h,
							      key, lens[i], &k),
						 0);
				memset(a, 0, sizeof(a));
				assert_int_equal(
				    hmac_key_mac(k, msg, lens[j], a, &alen), 0);
				assert_memory_equal(a, b, alen);
				/* A keyed state is reusable. */
				assert_int_equal(
				    hmac_key_mac(k, msg, lens[j], a, &alen), 0);
				assert_memory_equal(a, b, alen);
				hmac_key_free(k);
			}
}

/* RFC 2202 test case 1 (SHA-1) and RFC 4231 test case 1 (SHA-256/512). */
static void
test_hmac_rfc_vectors(void **state)
{
	uint8_t key[20], out[HMAC_MAX_OUT];
	static const uint8_t sha1[] = {0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72,
				       0x64, 0xe2, 0x8b, 0xc0, 0xb6, 0xfb, 0x37,
				       0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
	static const uint8_t sha256[] = {
	    0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53, 0x5c, 0xa8, 0xaf,
	    0xce, 0xaf, 0x0b, 0xf1, 0x2b, 0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83,
	    0x3d, 0xa7, 0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7};
	static const uint8_t sha512_head[] = {0x87, 0xaa, 0x7c, 0xde,
					      0xa5, 0xef, 0x61, 0x9d};
	size_t n;

	(void)state;
	memset(key, 0x0b, sizeof(key));
	assert_int_equal(hmac_mac(OTP_SHA1, key, 20,
				  (const uint8_t *)"Hi There", 8, out, &n),
			 0);
	assert_memory_equal(out, sha1, sizeof(sha1));
	assert_int_equal(hmac_mac(OTP_SHA256, key, 20,
				  (const uint8_t *)"Hi There", 8, out, &n),
			 0);
	assert_memory_equal(out, sha256, sizeof(sha256));
	assert_int_equal(hmac_mac(OTP_SHA512, key, 20,
				  (const uint8_t *)"Hi There", 8, out, &n),
			 0);
	assert_int_equal(n, 64);
	assert_memory_equal(out, sha512_head, sizeof(sha512_head));
	assert_int_equal(hmac_mac((enum otp_hash)7, key, 20,
				  (const uint8_t *)"x", 1, out, &n),
			 MFA_EHASH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hmac_vs_openssl),
	    cmocka_unit_test(test_hmac_rfc_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
