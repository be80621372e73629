/*
 * libFuzzer harness for base32: decode, encode, decode again must give the
 * same bytes; errors point at a character that really is wrong; in-place
 * decoding agrees with decoding into another buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfa/otp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_otp_base32: %s:%d: %s\n",        \
				__FILE__, __LINE__, #c);                       \
			abort();                                               \
		}                                                              \
	} while (0)

static int
fuzz_b32_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '2' && c <= '7');
}

static int
fuzz_ignorable(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '\r' || c == '\n';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t cap = base32_decoded_max(size), len = 0, len2 = 0, len3 = 0;
	size_t errpos = (size_t)-1, i, nchars = 0;
	uint8_t *out, *out2, *inplace;
	char *enc;
	int rc, seen_pad = 0;

	out = malloc(cap);
	inplace = malloc(size + 1);
	if (out == NULL || inplace == NULL) {
		free(out);
		free(inplace);
		return 0;
	}
	rc = base32_decode(in, size, out, cap, &len, &errpos);
	if (rc != 0) {
		/* Only a bad character; the room was always enough. */
		FUZZ_CHECK(rc == MFA_EBASE32);
		FUZZ_CHECK(errpos < size);
		for (i = 0; i < errpos; i++) {
			unsigned char c = data[i];

			FUZZ_CHECK(fuzz_ignorable(c) || c == '=' ||
				   (fuzz_b32_char(c) && !seen_pad));
			seen_pad |= c == '=';
		}
		FUZZ_CHECK(!fuzz_b32_char(data[errpos]) || seen_pad);
		FUZZ_CHECK(!fuzz_ignorable(data[errpos]) &&
			   data[errpos] != '=');
		free(out);
		free(inplace);
		return 0;
	}
	for (i = 0; i < size; i++)
		nchars += fuzz_b32_char(data[i]);
	FUZZ_CHECK(len == nchars * 5 / 8);

	/* In place, as uri_parse does it. */
	memcpy(inplace, data, size);
	FUZZ_CHECK(base32_decode((const char *)inplace, size, inplace, size,
				 &len3, NULL) == 0);
	FUZZ_CHECK(len3 == len && memcmp(inplace, out, len) == 0);

	enc = malloc(base32_encoded_len(len) + 1);
	out2 = malloc(len + 1);
	FUZZ_CHECK(enc != NULL && out2 != NULL);
	FUZZ_CHECK(base32_encode(out, len, enc, base32_encoded_len(len) + 1) ==
		   0);
	FUZZ_CHECK(strlen(enc) == base32_encoded_len(len));
	FUZZ_CHECK(
	    base32_decode(enc, strlen(enc), out2, len + 1, &len2, NULL) == 0);
	FUZZ_CHECK(len2 == len && memcmp(out2, out, len) == 0);
	/* Too little room is an error, never an overflow. */
	if (len > 0)
		FUZZ_CHECK(base32_decode(enc, strlen(enc), out2, len - 1, &len2,
					 NULL) == MFA_ETOOLONG);
	free(enc);
	free(out2);
	free(out);
	free(inplace);
	return 0;
}
