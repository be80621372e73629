/*
 * andOTP backups: the plain JSON array, and the two encrypted .bin layouts.
 *
 *   new: be32 PBKDF2 iterations | 12-byte salt | 12-byte nonce | ct | tag
 *        key = PBKDF2-HMAC-SHA1(password, salt, iterations, 32)
 *   old: 12-byte nonce | ct | tag, key = SHA-256(password)
 *
 * Neither layout carries a magic number. An iteration count in
 * [1, IOCRYPTO_PBKDF2_MAX_ITER] selects the new layout first (andOTP picks
 * 140000-160000); when that does not authenticate, or the count is not
 * plausible, the old layout is tried with the same password.
 *
 * Old andOTP had no issuer field and wrote labels as "Issuer - Label";
 * such a label is split at the first " - ".
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lazy/jansson.h"
#include <sodium.h>

#include "io/formats.h"
#include "io/iocrypto.h"
#include "io/iojson.h"

#define ANDOTP_SALT_LEN 12
#define ANDOTP_NEW_HDR (4 + ANDOTP_SALT_LEN + IOCRYPTO_GCM_NONCE_LEN)
/* andOTP draws its iteration count from 140000-160000; sniffing accepts a
 * wider band, still narrow enough that text and image files never match. */
#define ANDOTP_SNIFF_ITER_MIN 10000
#define ANDOTP_SNIFF_ITER_MAX 1000000

static uint32_t
andotp_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static int
andotp_entry(const json_t *o, size_t idx, struct io_list *out,
	     struct mfa_err *err)
{
	const char *secret = NULL, *label = NULL, *issuer = NULL;
	const char *type = NULL, *algo = NULL, *sep;
	char *name = NULL, *iss = NULL, lbl[96];
	struct otp_params p;
	enum otp_type t = OTP_TOTP;
	uint64_t v;
	bool has;
	int rc;

	if (!json_is_object(o))
		return mfa_err_set(err, MFA_EPARSE,
				   "entry %zu: not a JSON object", idx);
	if ((rc = iocrypto_json_field(o, "label", &label, idx, err)) != 0 ||
	    (rc = iocrypto_json_field(o, "issuer", &issuer, idx, err)) != 0)
		return rc;
	if (label == NULL)
		label = "";
	if (json_object_get(o, "issuer") == NULL &&
	    (sep = strstr(label, " - ")) != NULL) {
		iss = strndup(label, (size_t)(sep - label));
		name = strdup(sep + 3);
	} else {
		iss = strdup(issuer != NULL ? issuer : "");
		name = strdup(label);
	}
	if (iss == NULL || name == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	iocrypto_label(iss, name, lbl, sizeof(lbl));
	if (iocrypto_json_str(o, "type", &type) != 0) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "entry %zu (%s): type is not a string", idx,
				 lbl);
		goto out;
	}
	if (type == NULL || strcasecmp(type, "TOTP") == 0)
		t = OTP_TOTP;
	else if (strcasecmp(type, "HOTP") == 0)
		t = OTP_HOTP;
	else if (strcasecmp(type, "STEAM") == 0)
		t = OTP_STEAM;
	else {
		rc = mfa_err_set(err, MFA_EUNSUPPORTED,
				 "entry %zu (%s): type %.20s is not supported",
				 idx, lbl, type);
		goto out;
	}
	if (iocrypto_json_str(o, "secret", &secret) != 0 || secret == NULL) {
		rc = mfa_err_set(err, MFA_EPARSE, "entry %zu (%s): no secret",
				 idx, lbl);
		goto out;
	}
	otp_params_default(&p, t);
	if (iocrypto_json_str(o, "algorithm", &algo) != 0 ||
	    (algo != NULL && otp_hash_parse(algo, &p.hash) != 0)) {
		rc = mfa_err_set(err, MFA_EHASH,
				 "entry %zu (%s): unknown algorithm", idx, lbl);
		goto out;
	}
	if (iocrypto_json_uint(o, "digits", OTP_DIGITS_MAX, &v, &has) != 0 ||
	    (has && v < OTP_DIGITS_MIN)) {
		rc = mfa_err_set(err, MFA_EDIGITS, "entry %zu (%s): bad digits",
				 idx, lbl);
		goto out;
	}
	if (has)
		p.digits = (unsigned)v;
	if (t == OTP_HOTP) {
		if (iocrypto_json_uint(o, "counter", INT64_MAX, &v, &has) !=
		    0) {
			rc = mfa_err_set(err, MFA_EURI_COUNTER,
					 "entry %zu (%s): bad counter", idx,
					 lbl);
			goto out;
		}
		p.counter = v;
	} else {
		if (iocrypto_json_uint(o, "period", UINT32_MAX, &v, &has) !=
			0 ||
		    (has && v == 0)) {
			rc =
			    mfa_err_set(err, MFA_EPERIOD,
					"entry %zu (%s): bad period", idx, lbl);
			goto out;
		}
		if (has)
			p.period = v;
	}
	if (t == OTP_STEAM) {
		p.digits = OTP_STEAM_DIGITS;
		p.hash = OTP_SHA1;
	}
	rc = iocrypto_entry_push(out, idx, name, iss, "", "", &p, secret,
				 strlen(secret), err);
out:
	free(name);
	free(iss);
	return rc;
}

static int
andotp_list(const json_t *root, struct io_list *out, struct mfa_err *err)
{
	const json_t *e;
	size_t i;
	int rc;

	if (!json_is_array(root))
		return mfa_err_set(err, MFA_EPARSE,
				   "not an andOTP backup (want a JSON array)");
	json_array_foreach(root, i, e)
	{
		rc = andotp_entry(e, i + 1, out, err);
		if (rc != 0 && (rc = io_skip(out, rc, err)) != 0)
			return rc;
	}
	return 0;
}

/* Plaintext of an encrypted backup into *pt (secret, NUL terminated). */
static int
andotp_decrypt(const uint8_t *buf, size_t len, io_pass_fn passfn,
	       void *pass_arg, uint8_t **pt, size_t *ptlen, struct mfa_err *err)
{
	uint8_t *key = NULL, *p = NULL;
	const uint8_t *tag;
	char *pass = NULL;
	size_t passlen = 0, ctlen;
	uint32_t iter;
	int rc;

	*pt = NULL;
	if (len < IOCRYPTO_GCM_NONCE_LEN + IOCRYPTO_GCM_TAG_LEN)
		return mfa_err_set(err, MFA_EPARSE,
				   "too short for an encrypted andOTP backup");
	if ((key = sodium_malloc(IOCRYPTO_KEY_LEN)) == NULL ||
	    (p = sodium_malloc(len + 1)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((rc = iocrypto_pass_get(passfn, pass_arg, &pass, &passlen, err)) !=
	    0)
		goto out;
	tag = buf + len - IOCRYPTO_GCM_TAG_LEN;
	rc = MFA_EDECRYPT;
	iter = andotp_be32(buf);
	if (len >= ANDOTP_NEW_HDR + IOCRYPTO_GCM_TAG_LEN && iter >= 1 &&
	    iter <= IOCRYPTO_PBKDF2_MAX_ITER) {
		ctlen = len - ANDOTP_NEW_HDR - IOCRYPTO_GCM_TAG_LEN;
		if ((rc = iocrypto_pbkdf2(OTP_SHA1, pass, passlen, buf + 4,
					  ANDOTP_SALT_LEN, iter, key,
					  IOCRYPTO_KEY_LEN)) != 0)
			goto out;
		rc = iocrypto_gcm_decrypt(key, buf + 4 + ANDOTP_SALT_LEN,
					  IOCRYPTO_GCM_NONCE_LEN,
					  buf + ANDOTP_NEW_HDR, ctlen, tag, p);
		if (rc != 0 && rc != MFA_EDECRYPT)
			goto out;
	}
	if (rc == MFA_EDECRYPT) {
		ctlen = len - IOCRYPTO_GCM_NONCE_LEN - IOCRYPTO_GCM_TAG_LEN;
		crypto_hash_sha256(key, (const unsigned char *)pass, passlen);
		rc = iocrypto_gcm_decrypt(key, buf, IOCRYPTO_GCM_NONCE_LEN,
					  buf + IOCRYPTO_GCM_NONCE_LEN, ctlen,
					  tag, p);
	}
	if (rc == MFA_EDECRYPT) {
		mfa_err_set(err, rc, "wrong password or damaged file");
		goto out;
	}
	if (rc != 0)
		goto out;
	p[ctlen] = '\0';
	*pt = p;
	*ptlen = ctlen;
	p = NULL;
out:
	if (pass != NULL)
		sodium_free(pass);
	sodium_free(key);
	sodium_free(p);
	return rc;
}

/*
 * True when buf is text (what a JSON backup would be): no control bytes
 * but white space, and UTF-8, or a JSON array whose stray bytes the JSON
 * loader repairs. Ciphertext has control bytes and does not start "[".
 */
static bool
andotp_is_text(const uint8_t *buf, size_t len)
{
	const uint8_t *t = buf;
	size_t i = 0, n, tlen = len;
	bool utf8 = true;

	while (i < len) {
		if (buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return false;
		/* A sequence cut by the end of buf is not text either. */
		if (buf[i] >= 0x80 && len - i < 4) {
			uint8_t tail[4] = {0};

			memcpy(tail, buf + i, len - i);
			if ((n = otp_utf8_len(tail)) == 0 || n > len - i)
				n = 0;
		} else
			n = otp_utf8_len(buf + i);
		if (n == 0) {
			utf8 = false;
			n = 1;
		}
		i += n;
	}
	return utf8 || iocrypto_trim(&t, &tlen) == '[';
}

int
andotp_import(const uint8_t *buf, size_t len, io_pass_fn pass, void *pass_arg,
	      struct io_list *out, struct mfa_err *err)
{
	struct io_list tmp;
	json_t *root = NULL;
	const uint8_t *t = buf;
	uint8_t *pt = NULL;
	size_t tlen = len, ptlen = 0;
	int rc;

	if (andotp_is_text(buf, len)) {
		iocrypto_trim(&t, &tlen);
		if ((root = io_json_load(t, tlen, JSON_ALLOW_NUL, err)) == NULL)
			return MFA_EPARSE;
	} else {
		rc = andotp_decrypt(buf, len, pass, pass_arg, &pt, &ptlen, err);
		if (rc != 0)
			return rc;
		root = io_json_load(pt, ptlen, JSON_ALLOW_NUL, err);
		sodium_free(pt);
		if (root == NULL)
			return MFA_EPARSE;
	}
	io_list_begin(&tmp, out);
	rc = andotp_list(root, &tmp, err);
	rc = io_list_end(out, &tmp, rc, err);
	json_decref(root);
	return rc;
}

bool
andotp_sniff_json(const json_t *root)
{
	const json_t *e = json_array_get(root, 0);

	return json_is_array(root) && json_is_object(e) &&
	       json_object_get(e, "secret") != NULL &&
	       json_object_get(e, "label") != NULL;
}

bool
andotp_sniff(const uint8_t *buf, size_t len)
{
	const uint8_t *t = buf;
	size_t tlen = len;
	uint32_t iter;

	if (iocrypto_trim(&t, &tlen) == '[')
		return io_json_sniff(buf, len, andotp_sniff_json);
	/*
	 * The new encrypted layout: binary, room for header, tag and a JSON
	 * array, and a plausible big-endian iteration count up front (which
	 * needs a NUL first byte, never found in text). The old layout has
	 * nothing to recognise: io_detect takes a binary file of no other
	 * kind for one.
	 */
	if (len < ANDOTP_NEW_HDR + IOCRYPTO_GCM_TAG_LEN + 2)
		return false;
	iter = andotp_be32(buf);
	return iter >= ANDOTP_SNIFF_ITER_MIN && iter <= ANDOTP_SNIFF_ITER_MAX;
}
