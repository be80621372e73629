/*
 * HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes.
 *
 * Steam Guard is HOTP-SHA1 over the 30-second TOTP step with the 31-bit
 * truncated value written in base 26 over Steam's own alphabet instead of
 * decimal digits.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mfa/otp.h"
#include "otp/hmac.h"

static const char otp_steam_alphabet[] = "23456789BCDFGHJKMNPQRTVWXY";

static const uint64_t otp_pow10[] = {
    1ULL,	  10ULL,	 100ULL,	 1000ULL,
    10000ULL,	  100000ULL,	 1000000ULL,	 10000000ULL,
    100000000ULL, 1000000000ULL, 10000000000ULL,
};

void
otp_params_default(struct otp_params *p, enum otp_type type)
{
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->hash = OTP_SHA1;
	p->digits = type == OTP_STEAM ? OTP_STEAM_DIGITS : 6;
	p->period = 30;
}

int
otp_params_check(const struct otp_params *p)
{
	if (p->type != OTP_TOTP && p->type != OTP_HOTP && p->type != OTP_STEAM)
		return MFA_EINVAL;
	if (p->hash != OTP_SHA1 && p->hash != OTP_SHA256 &&
	    p->hash != OTP_SHA512)
		return MFA_EHASH;
	if (p->digits < OTP_DIGITS_MIN || p->digits > OTP_DIGITS_MAX)
		return MFA_EDIGITS;
	if (p->type != OTP_HOTP && p->period < 1)
		return MFA_EPERIOD;
	return 0;
}

/* RFC 4226 section 5.3: the 31-bit dynamic truncation of HMAC(counter). */
static int
otp_truncate(const uint8_t *key, size_t keylen, enum otp_hash hash,
	     uint64_t counter, uint32_t *value)
{
	struct hmac_key k;
	int rc;

	if ((rc = hmac_key_init(&k, hash, key, keylen)) == 0)
		*value = hmac_otp_value(&k, counter);
	hmac_key_wipe(&k);
	return rc;
}

int
otp_hotp(const uint8_t *key, size_t keylen, enum otp_hash hash,
	 uint64_t counter, unsigned digits, char out[OTP_CODE_MAX])
{
	uint32_t v = 0;
	uint64_t n;
	unsigned i;
	int rc;

	if (digits < OTP_DIGITS_MIN || digits > OTP_DIGITS_MAX)
		return MFA_EDIGITS;
	if (keylen > 0 && key == NULL)
		return MFA_EINVAL;
	if ((rc = otp_truncate(key, keylen, hash, counter, &v)) != 0)
		return rc;
	n = v % otp_pow10[digits];
	for (i = digits; i > 0; i--) {
		out[i - 1] = (char)('0' + n % 10);
		n /= 10;
	}
	out[digits] = '\0';
	sodium_memzero(&v, sizeof(v));
	sodium_memzero(&n, sizeof(n));
	return 0;
}

int
otp_steam(const uint8_t *key, size_t keylen, uint64_t counter,
	  char out[OTP_CODE_MAX])
{
	uint32_t v = 0;
	unsigned i;
	int rc;

	if (keylen > 0 && key == NULL)
		return MFA_EINVAL;
	if ((rc = otp_truncate(key, keylen, OTP_SHA1, counter, &v)) != 0)
		return rc;
	for (i = 0; i < OTP_STEAM_DIGITS; i++) {
		out[i] = otp_steam_alphabet[v % 26];
		v /= 26;
	}
	out[OTP_STEAM_DIGITS] = '\0';
	return 0;
}

int
otp_step(int64_t now, int64_t t0, uint64_t period, uint64_t *step)
{
	if (period < 1)
		return MFA_EPERIOD;
	if (now < t0)
		return MFA_ETIME;
	/* The difference of two int64 fits in uint64 once now >= t0. */
	*step = ((uint64_t)now - (uint64_t)t0) / period;
	return 0;
}

uint64_t
otp_remaining(int64_t now, int64_t t0, uint64_t period)
{
	if (period < 1 || now < t0)
		return 0;
	return period - ((uint64_t)now - (uint64_t)t0) % period;
}

int
otp_code_at_step(const struct otp_params *p, const uint8_t *key, size_t keylen,
		 uint64_t step, char out[OTP_CODE_MAX])
{
	int rc;

	if ((rc = otp_params_check(p)) != 0)
		return rc;
	if (p->type == OTP_STEAM)
		return otp_steam(key, keylen, step, out);
	return otp_hotp(key, keylen, p->hash, step, p->digits, out);
}

int
otp_code(const struct otp_params *p, const uint8_t *key, size_t keylen,
	 int64_t now, char out[OTP_CODE_MAX])
{
	uint64_t step;
	int rc;

	if ((rc = otp_params_check(p)) != 0)
		return rc;
	if (p->type == OTP_HOTP)
		return otp_code_at_step(p, key, keylen, p->counter, out);
	if ((rc = otp_step(now, p->t0, p->period, &step)) != 0)
		return rc;
	return otp_code_at_step(p, key, keylen, step, out);
}

bool
otp_code_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = 0;

	/* The length of a code is public (its digits); the content is not. */
	if (la != lb)
		return false;
	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

size_t
otp_utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

bool
otp_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (; *p != '\0'; p += n)
		if ((n = otp_utf8_len(p)) == 0)
			return false;
	return true;
}

int
otp_utf8_repair(char **s, bool *changed)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *p;
	size_t n, bad = 0, o = 0;
	char *out;

	if (changed != NULL)
		*changed = false;
	for (p = (const unsigned char *)*s; *p != '\0'; p += n ? n : 1)
		if ((n = otp_utf8_len(p)) == 0)
			bad++;
	if (bad == 0)
		return 0;
	if ((out = malloc(strlen(*s) + 2 * bad + 1)) == NULL)
		return MFA_ENOMEM;
	for (p = (const unsigned char *)*s; *p != '\0'; p += n ? n : 1) {
		if ((n = otp_utf8_len(p)) == 0) {
			memcpy(out + o, fffd, 3);
			o += 3;
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
	}
	out[o] = '\0';
	free(*s);
	*s = out;
	if (changed != NULL)
		*changed = true;
	return 0;
}

void
otp_label_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f) {
			*p++ = '?';
			continue;
		}
		/*
		 * A byte that starts no valid UTF-8 sequence (0x80-0x9F above
		 * all: raw C1 controls such as CSI 0x9B) is as dangerous on a
		 * terminal that reads 8-bit controls as its UTF-8 form is on
		 * one that reads UTF-8: both become '?'.
		 */
		if ((n = otp_utf8_len(p)) == 0) {
			*p++ = '?';
			continue;
		}
		if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
		p += n;
	}
}

const char *
otp_type_name(enum otp_type t)
{
	switch (t) {
	case OTP_TOTP:
		return "totp";
	case OTP_HOTP:
		return "hotp";
	case OTP_STEAM:
		return "steam";
	}
	return "?";
}

const char *
otp_hash_name(enum otp_hash h)
{
	switch (h) {
	case OTP_SHA1:
		return "SHA1";
	case OTP_SHA256:
		return "SHA256";
	case OTP_SHA512:
		return "SHA512";
	}
	return "?";
}

int
otp_hash_parse(const char *s, enum otp_hash *h)
{
	char buf[16];
	size_t i, j = 0;

	if (strncasecmp(s, "hmac", 4) == 0)
		s += 4;
	/* Drop '-' and '_' so "SHA-256" and "sha_256" read as SHA256. */
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '-' || s[i] == '_')
			continue;
		if (j + 1 >= sizeof(buf))
			return MFA_EHASH;
		buf[j++] = s[i];
	}
	buf[j] = '\0';
	if (strcasecmp(buf, "SHA1") == 0)
		*h = OTP_SHA1;
	else if (strcasecmp(buf, "SHA256") == 0)
		*h = OTP_SHA256;
	else if (strcasecmp(buf, "SHA512") == 0)
		*h = OTP_SHA512;
	else
		return MFA_EHASH;
	return 0;
}

int
otp_type_parse(const char *s, enum otp_type *t)
{
	if (strcasecmp(s, "totp") == 0)
		*t = OTP_TOTP;
	else if (strcasecmp(s, "hotp") == 0)
		*t = OTP_HOTP;
	else if (strcasecmp(s, "steam") == 0)
		*t = OTP_STEAM;
	else
		return MFA_EURI_TYPE;
	return 0;
}
