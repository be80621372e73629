/*
 * Crypto plumbing shared by the Aegis, andOTP and 2FAS importers. OpenSSL
 * does scrypt, PBKDF2 and AES-GCM (libsodium's AES-GCM needs AES-NI and it
 * has no PBKDF2); libsodium does secret memory, randomness and hex.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/lazy_crypto.h"
#include <sodium.h>

#include "io/iocrypto.h"
#include "io/iojson.h"

int
iocrypto_json_str(const json_t *o, const char *key, const char **out)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return MFA_EPARSE;
	/* Files are read with JSON_ALLOW_NUL, so this is where "\u0000"
	 * stops: as a C string it would cut the name (or secret) short. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return MFA_ENUL;
	*out = json_string_value(v);
	return 0;
}

int
iocrypto_json_field(const json_t *o, const char *key, const char **out,
		    size_t idx, struct mfa_err *err)
{
	int rc = iocrypto_json_str(o, key, out);

	if (rc == MFA_ENUL)
		return mfa_err_set(err, rc,
				   "entry %zu: \"%s\" holds a NUL character",
				   idx, key);
	if (rc != 0)
		return mfa_err_set(err, rc, "entry %zu: \"%s\" is not a string",
				   idx, key);
	return 0;
}

int
iocrypto_json_uint(const json_t *o, const char *key, uint64_t max,
		   uint64_t *out, bool *present)
{
	const json_t *v = json_object_get(o, key);
	json_int_t i;

	*present = false;
	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return MFA_EPARSE;
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return MFA_EINVAL;
	*out = (uint64_t)i;
	*present = true;
	return 0;
}

int
iocrypto_trim(const uint8_t **buf, size_t *len)
{
	const uint8_t *b = *buf;
	size_t n = *len;

	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
		b += 3;
		n -= 3;
	}
	while (n > 0 && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) {
		b++;
		n--;
	}
	*buf = b;
	*len = n;
	return n > 0 ? *b : -1;
}

int
iocrypto_scrypt_check(uint64_t n, uint64_t r, uint64_t p)
{
	if (n < 2 || (n & (n - 1)) != 0 || r < 1 || r > 32 || p < 1 || p > 16)
		return MFA_EUNSUPPORTED;
	/* RFC 7914: N < 2^(128 r / 8); OpenSSL refuses the rest. */
	if (r < 4 && n >= 1ULL << (16 * r))
		return MFA_EUNSUPPORTED;
	/* OpenSSL needs 128 * r * (N + 2) bytes for V plus 128 * r * p for B.
	 */
	if (n > IOCRYPTO_SCRYPT_MAXMEM / 128 / r - 2 - p)
		return MFA_EUNSUPPORTED;
	return 0;
}

int
iocrypto_scrypt(const char *pass, size_t passlen, const uint8_t *salt,
		size_t saltlen, uint64_t n, uint64_t r, uint64_t p,
		uint8_t *key, size_t keylen)
{
	int rc;

	if ((rc = iocrypto_scrypt_check(n, r, p)) != 0)
		return rc;
	if (EVP_PBE_scrypt(passlen > 0 ? pass : "", passlen, salt, saltlen, n,
			   r, p, 128 * r * (n + 2 + p) + 65536, key,
			   keylen) != 1) {
		sodium_memzero(key, keylen);
		return MFA_ECRYPTO;
	}
	return 0;
}

int
iocrypto_pbkdf2(enum otp_hash hash, const char *pass, size_t passlen,
		const uint8_t *salt, size_t saltlen, uint32_t iter,
		uint8_t *key, size_t keylen)
{
	const EVP_MD *md;

	switch (hash) {
	case OTP_SHA1:
		md = EVP_sha1();
		break;
	case OTP_SHA256:
		md = EVP_sha256();
		break;
	case OTP_SHA512:
		md = EVP_sha512();
		break;
	default:
		return MFA_EHASH;
	}
	if (iter < 1 || iter > IOCRYPTO_PBKDF2_MAX_ITER)
		return MFA_EUNSUPPORTED;
	if (passlen > INT_MAX || saltlen > INT_MAX || keylen > INT_MAX)
		return MFA_ETOOBIG;
	if (PKCS5_PBKDF2_HMAC(passlen > 0 ? pass : "", (int)passlen, salt,
			      (int)saltlen, (int)iter, md, (int)keylen,
			      key) != 1) {
		sodium_memzero(key, keylen);
		return MFA_ECRYPTO;
	}
	return 0;
}

static int
iocrypto_gcm(int enc, const uint8_t *key, const uint8_t *nonce, size_t noncelen,
	     const uint8_t *in, size_t inlen, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx;
	int rc = MFA_ECRYPTO, outl;
	/* Final writes nothing for GCM, but gets a real buffer anyway. */
	uint8_t fin[16];

	if (inlen > INT_MAX || noncelen == 0 || noncelen > 128)
		return MFA_ETOOBIG;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return MFA_ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) !=
		1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)noncelen,
				NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		goto out;
	if (inlen > 0 &&
	    (EVP_CipherUpdate(ctx, out, &outl, in, (int)inlen) != 1 ||
	     (size_t)outl != inlen))
		goto out;
	if (!enc) {
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					IOCRYPTO_GCM_TAG_LEN, tag) != 1)
			goto out;
		if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1) {
			rc = MFA_EDECRYPT;
			goto out;
		}
	} else {
		if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					IOCRYPTO_GCM_TAG_LEN, tag) != 1)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0 && inlen > 0)
		sodium_memzero(out, inlen);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
iocrypto_gcm_decrypt(const uint8_t key[IOCRYPTO_KEY_LEN], const uint8_t *nonce,
		     size_t noncelen, const uint8_t *ct, size_t ctlen,
		     const uint8_t tag[IOCRYPTO_GCM_TAG_LEN], uint8_t *pt)
{
	uint8_t t[IOCRYPTO_GCM_TAG_LEN];

	memcpy(t, tag, sizeof(t));
	return iocrypto_gcm(0, key, nonce, noncelen, ct, ctlen, pt, t);
}

int
iocrypto_gcm_encrypt(const uint8_t key[IOCRYPTO_KEY_LEN], const uint8_t *nonce,
		     size_t noncelen, const uint8_t *pt, size_t ptlen,
		     uint8_t *ct, uint8_t tag[IOCRYPTO_GCM_TAG_LEN])
{
	return iocrypto_gcm(1, key, nonce, noncelen, pt, ptlen, ct, tag);
}

int
iocrypto_hex_decode(const char *hex, uint8_t *out, size_t outlen)
{
	size_t got;

	if (hex == NULL || strlen(hex) != 2 * outlen)
		return MFA_EPARSE;
	if (sodium_hex2bin(out, outlen, hex, 2 * outlen, NULL, &got, NULL) !=
		0 ||
	    got != outlen) {
		sodium_memzero(out, outlen);
		return MFA_EPARSE;
	}
	return 0;
}

int
iocrypto_hex_decode_alloc(const char *hex, size_t maxlen, uint8_t **out,
			  size_t *outlen)
{
	size_t n;
	uint8_t *b;
	int rc;

	*out = NULL;
	if (hex == NULL || (n = strlen(hex)) == 0 || n % 2 != 0 ||
	    n / 2 > maxlen)
		return MFA_EPARSE;
	if ((b = malloc(n / 2)) == NULL)
		return MFA_ENOMEM;
	if ((rc = iocrypto_hex_decode(hex, b, n / 2)) != 0) {
		free(b);
		return rc;
	}
	*out = b;
	*outlen = n / 2;
	return 0;
}

void
iocrypto_hex_encode(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

void
iocrypto_random(uint8_t *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void
iocrypto_uuid4(char out[37])
{
	uint8_t u[16];
	char hex[33];

	iocrypto_random(u, sizeof(u));
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	iocrypto_hex_encode(u, sizeof(u), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
		 hex + 16, hex + 20);
}

int
iocrypto_pass_get(io_pass_fn fn, void *arg, char **pass, size_t *len,
		  struct mfa_err *err)
{
	int rc;

	*pass = NULL;
	*len = 0;
	if (fn == NULL)
		return mfa_err_set(err, MFA_ENOPASS,
				   "the file is encrypted and no password "
				   "was given");
	if ((rc = fn(arg, pass, len)) != 0) {
		if (*pass != NULL)
			sodium_free(*pass);
		*pass = NULL;
		return mfa_err_set(err, rc, "no password: %s",
				   mfa_strerror(rc));
	}
	if (*pass == NULL)
		return mfa_err_set(err, MFA_ENOPASS, "no password given");
	return 0;
}

const char *
iocrypto_label(const char *issuer, const char *name, char *buf, size_t bufsz)
{
	if (issuer != NULL && *issuer != '\0')
		snprintf(buf, bufsz, "%s:%s", issuer, name != NULL ? name : "");
	else
		snprintf(buf, bufsz, "%s", name != NULL ? name : "");
	return buf;
}

int
iocrypto_entry_push(struct io_list *out, size_t idx, const char *name,
		    const char *issuer, const char *note, const char *serial,
		    const struct otp_params *p, const char *b32, size_t b32len,
		    struct mfa_err *err)
{
	struct io_entry e;
	char label[96];
	struct mfa_err sub = {0};
	size_t cap, errpos = 0;
	int rc;

	iocrypto_label(issuer, name, label, sizeof(label));
	if ((rc = otp_params_check(p)) != 0)
		return mfa_err_set(err, rc, "entry %zu (%s): %s", idx, label,
				   mfa_strerror(rc));
	memset(&e, 0, sizeof(e));
	e.p = *p;
	cap = base32_decoded_max(b32len);
	if (cap > OTP_SECRET_MAX + 1)
		return mfa_err_set(err, MFA_ETOOLONG,
				   "entry %zu (%s): secret too long", idx,
				   label);
	if ((e.secret = io_secret_alloc(out, cap)) == NULL)
		return MFA_ENOMEM;
	e.in_arena = true;
	rc = base32_decode(b32, b32len, e.secret, cap, &e.secret_len, &errpos);
	io_secret_trim(out, e.secret, cap, rc == 0 ? e.secret_len : 0);
	if (rc == MFA_EBASE32) {
		rc = mfa_err_set(err, rc,
				 "entry %zu (%s): bad base32 secret (offset "
				 "%zu)",
				 idx, label, errpos);
		goto fail;
	}
	if (rc != 0) {
		rc = mfa_err_set(err, rc, "entry %zu (%s): %s", idx, label,
				 mfa_strerror(rc));
		goto fail;
	}
	if (e.secret_len == 0) {
		rc = mfa_err_set(err, MFA_ESECRET_EMPTY,
				 "entry %zu (%s): empty secret", idx, label);
		goto fail;
	}
	e.name = strdup(name != NULL ? name : "");
	e.issuer = strdup(issuer != NULL ? issuer : "");
	e.serial = strdup(serial != NULL ? serial : "");
	e.note = strdup(note != NULL ? note : "");
	if (e.name == NULL || e.issuer == NULL || e.serial == NULL ||
	    e.note == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	sub.why[0] = '\0';
	if ((rc = io_list_add(out, &e, &sub)) != 0)
		return mfa_err_set(err, rc, "entry %zu (%s): %s", idx, label,
				   mfa_err_text(&sub, rc));
	return 0;
fail:
	io_entry_clear(&e);
	return rc;
}

int
iocrypto_json_params(const json_t *o, enum otp_type t, size_t idx,
		     const char *label, struct otp_params *p,
		     struct mfa_err *err)
{
	uint64_t v;
	bool has;
	int rc;

	if ((rc = iocrypto_json_uint(o, "digits", OTP_DIGITS_MAX, &v, &has)) !=
		0 ||
	    (has && v < OTP_DIGITS_MIN))
		return mfa_err_set(err, MFA_EDIGITS,
				   "entry %zu (%s): bad digits", idx, label);
	if (has)
		p->digits = (unsigned)v;
	if (t == OTP_HOTP) {
		if (iocrypto_json_uint(o, "counter", INT64_MAX, &v, &has) != 0)
			return mfa_err_set(err, MFA_EURI_COUNTER,
					   "entry %zu (%s): bad counter", idx,
					   label);
		p->counter = v;
	} else {
		if (iocrypto_json_uint(o, "period", UINT32_MAX, &v, &has) !=
			0 ||
		    (has && v == 0))
			return mfa_err_set(err, MFA_EPERIOD,
					   "entry %zu (%s): bad period", idx,
					   label);
		if (has)
			p->period = v;
	}
	if (t == OTP_STEAM) {
		p->digits = OTP_STEAM_DIGITS;
		p->hash = OTP_SHA1;
	}
	return 0;
}
