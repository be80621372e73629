/*
 * AWS virtual MFA seed files: `aws iam create-virtual-mfa-device
 * --bootstrap-method Base32StringSeed --outfile F` writes the secret as bare
 * base32 (64 characters for AWS's 40-byte seeds). AWS devices are always
 * TOTP SHA1, 6 digits, 30 seconds. The file holds no name: the cli asks for
 * one.
 */
#include <string.h>

#include <sodium.h>

#include "io/formats.h"
#include "io/iojson.h"

int
awsseed_import(const uint8_t *buf, size_t len, struct io_list *out,
	       struct mfa_err *err)
{
	struct otp_params p;
	struct io_entry e;
	uint8_t *secret;
	size_t slen = 0, errpos = 0, off = 0;
	int rc;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	if ((secret = sodium_malloc(base32_decoded_max(len))) == NULL) {
		mfa_err_why(err, "%s", mfa_strerror(MFA_ENOMEM));
		return MFA_ENOMEM;
	}
	rc = base32_decode((const char *)buf + off, len - off, secret,
			   base32_decoded_max(len), &slen, &errpos);
	if (rc == MFA_EBASE32) {
		mfa_err_why(err,
			    "not a base32 seed: bad character at offset %zu",
			    errpos + off);
		goto done;
	}
	if (rc != 0) {
		mfa_err_why(err, "%s", mfa_strerror(rc));
		goto done;
	}
	if (slen == 0) {
		rc = MFA_ESECRET_EMPTY;
		mfa_err_why(err, "no seed in the file");
		goto done;
	}
	if (slen > OTP_SECRET_MAX) {
		rc = MFA_ETOOLONG;
		mfa_err_why(err, "seed longer than %d bytes", OTP_SECRET_MAX);
		goto done;
	}
	otp_params_default(&p, OTP_TOTP);
	if ((rc = io_entry_make(&e, "", "", &p, secret, slen)) != 0)
		mfa_err_why(err, "%s", mfa_strerror(rc));
	else
		rc = io_list_add(out, &e, err);
done:
	sodium_free(secret);
	return rc;
}
