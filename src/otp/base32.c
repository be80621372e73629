/*
 * Base32 (RFC 4648 section 6).
 *
 * Decoding forgives what people type or paste (case, spaces, hyphens, line
 * breaks, padding present or not) and rejects everything else with the
 * offending position, so a typo is found rather than silently skipped.
 * Trailing bits that do not make a whole byte are dropped, as most
 * authenticators do.
 */
#include <string.h>

#include "mfa/otp.h"

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int
base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

static int
base32_ignorable(char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '\r' || c == '\n';
}

size_t
base32_decoded_max(size_t inlen)
{
	return inlen * 5 / 8 + 1;
}

int
base32_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap,
	      size_t *outlen, size_t *errpos)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;
	int v, padding = 0;

	for (i = 0; i < inlen; i++) {
		char c = in[i];

		if (base32_ignorable(c))
			continue;
		if (c == '=') {
			padding = 1;
			continue;
		}
		/* Data after padding is a mistake, not more secret. */
		if (padding || (v = base32_value(c)) < 0) {
			if (errpos != NULL)
				*errpos = i;
			acc = 0;
			return MFA_EBASE32;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outcap) {
				acc = 0;
				return MFA_ETOOLONG;
			}
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	acc = 0;
	*outlen = o;
	return 0;
}

size_t
base32_encoded_len(size_t n)
{
	return (n * 8 + 4) / 5;
}

int
base32_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, o = 0;

	if (outcap < base32_encoded_len(inlen) + 1)
		return MFA_ETOOLONG;
	for (i = 0; i < inlen; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = base32_alphabet[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		out[o++] = base32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	acc = 0;
	return 0;
}
