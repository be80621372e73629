/*
 * FIDO2 security keys through libfido2: listing them, creating a
 * credential with hmac-secret, finding which credential a key holds, and
 * the hmac-secret output for a salt. See fido2.h.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fido/fido2.h"
#include "fido/fidoapi.h"
#include "mfa/rc.h"

static const struct fido2_transport *fido2_tr;
static const struct fidoapi *F;

void
fido2_set_transport(const struct fido2_transport *t)
{
	fido2_tr = t;
}

int
fido2_load(const char **why)
{
	const char *so = fido2_tr != NULL && fido2_tr->soname != NULL
			     ? fido2_tr->soname
			     : FIDO2_SONAME;
	const char *w = NULL;

	if (F == NULL && (F = fidoapi_load(so, &w)) == NULL) {
		if (why != NULL)
			*why = w;
		return MFA_EUNSUPPORTED;
	}
	return 0;
}

static void fido2_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fido2_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* A libfido2 error as an mfa_rc and a sentence. */
static int
fido2_fail(int r, const char *path, char *why, size_t whylen)
{
	switch (r) {
	case FIDO_ERR_NO_CREDENTIALS:
		fido2_why(why, whylen,
			  "security key %s holds no credential "
			  "of this vault",
			  path);
		return MFA_ENOTFOUND;
	case FIDO_ERR_PIN_INVALID:
		fido2_why(why, whylen, "security key %s: wrong PIN", path);
		return MFA_EVAULT_AUTH;
	case FIDO_ERR_PIN_AUTH_BLOCKED:
		fido2_why(why, whylen,
			  "security key %s: too many wrong PINs: unplug it "
			  "and plug it in again",
			  path);
		return MFA_EVAULT_AUTH;
	case FIDO_ERR_PIN_BLOCKED:
		fido2_why(why, whylen,
			  "security key %s: PIN blocked (the key must be "
			  "reset, which loses its credentials)",
			  path);
		return MFA_EVAULT_AUTH;
	case FIDO_ERR_PIN_REQUIRED:
		fido2_why(why, whylen, "security key %s has a PIN: give --pin",
			  path);
		return MFA_EINVAL;
	case FIDO_ERR_PIN_NOT_SET:
		fido2_why(why, whylen,
			  "security key %s has no PIN (set one with "
			  "fido2-token -S, or leave out --pin)",
			  path);
		return MFA_EINVAL;
	case FIDO_ERR_PIN_POLICY_VIOLATION:
		fido2_why(why, whylen,
			  "security key %s: a PIN has 4 to 63 bytes", path);
		return MFA_EINVAL;
	case FIDO_ERR_ACTION_TIMEOUT:
	case FIDO_ERR_USER_ACTION_TIMEOUT:
		fido2_why(why, whylen,
			  "security key %s was not touched in "
			  "time",
			  path);
		return MFA_ECANCELED;
	case FIDO_ERR_UNSUPPORTED_EXTENSION:
		fido2_why(why, whylen,
			  "security key %s does not support hmac-secret", path);
		return MFA_EUNSUPPORTED;
	case FIDO_ERR_UNSUPPORTED_OPTION:
		fido2_why(why, whylen, "security key %s: %s", path,
			  F->strerr(r));
		return MFA_EUNSUPPORTED;
	default:
		fido2_why(why, whylen, "security key %s: %s", path,
			  F->strerr(r));
		return MFA_EIO;
	}
}

int
fido2_devices(struct fido2_dev *devs, size_t max, size_t *n)
{
	const fido_dev_info_t *di;
	fido_dev_info_t *list;
	const char *m, *p;
	size_t i, found = 0;

	*n = 0;
	if (F == NULL)
		return MFA_EUNSUPPORTED;
	if (fido2_tr != NULL && fido2_tr->devices != NULL)
		return fido2_tr->devices(devs, max, n);
	if (max > FIDO2_DEVS_MAX)
		max = FIDO2_DEVS_MAX;
	if ((list = F->dev_info_new(max)) == NULL)
		return MFA_ENOMEM;
	if (F->dev_info_manifest(list, max, &found) != FIDO_OK)
		found = 0;
	for (i = 0; i < found; i++) {
		di = F->dev_info_ptr(list, i);
		m = F->dev_info_manufacturer(di);
		p = F->dev_info_product(di);
		snprintf(devs[*n].path, sizeof(devs[*n].path), "%s",
			 F->dev_info_path(di));
		snprintf(devs[*n].name, sizeof(devs[*n].name), "%s%s%s",
			 m != NULL ? m : "", m != NULL && p != NULL ? " " : "",
			 p != NULL ? p : "");
		(*n)++;
	}
	F->dev_info_free(&list, max);
	return 0;
}

static int
fido2_open(const char *path, fido_dev_t **out, char *why, size_t whylen)
{
	fido_dev_io_t io;
	fido_dev_t *d;
	int r;

	*out = NULL;
	if (F == NULL)
		return MFA_EUNSUPPORTED;
	if ((d = F->dev_new()) == NULL)
		return MFA_ENOMEM;
	if (fido2_tr != NULL && fido2_tr->open != NULL) {
		io.open = fido2_tr->open;
		io.close = fido2_tr->close;
		io.read = fido2_tr->read;
		io.write = fido2_tr->write;
		if (F->dev_set_io_functions(d, &io) != FIDO_OK) {
			F->dev_free(&d);
			return MFA_EINVAL;
		}
	}
	if ((r = F->dev_open(d, path)) != FIDO_OK) {
		F->dev_free(&d);
		fido2_why(why, whylen, "cannot open security key %s: %s", path,
			  F->strerr(r));
		return MFA_EIO;
	}
	if (!F->dev_is_fido2(d)) {
		F->dev_close(d);
		F->dev_free(&d);
		fido2_why(why, whylen,
			  "security key %s speaks only U2F: hmac-secret "
			  "needs a FIDO2 key",
			  path);
		return MFA_EUNSUPPORTED;
	}
	*out = d;
	return 0;
}

static void
fido2_close(fido_dev_t **d)
{
	if (*d == NULL)
		return;
	F->dev_close(*d);
	F->dev_free(d);
}

int
fido2_info(const char *path, struct fido2_info *info, char *why, size_t whylen)
{
	fido_cbor_info_t *ci = NULL;
	fido_dev_t *d;
	char **ext;
	size_t i, n;
	int rc, r;

	memset(info, 0, sizeof(*info));
	if ((rc = fido2_open(path, &d, why, whylen)) != 0)
		return rc;
	if ((ci = F->cbor_info_new()) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((r = F->dev_get_cbor_info(d, ci)) != FIDO_OK) {
		rc = fido2_fail(r, path, why, whylen);
		goto out;
	}
	ext = F->cbor_info_extensions_ptr(ci);
	n = F->cbor_info_extensions_len(ci);
	for (i = 0; i < n; i++)
		if (strcmp(ext[i], "hmac-secret") == 0)
			info->hmac_secret = true;
	info->pin_set = F->dev_has_pin(d);
	info->pin_support = F->dev_supports_pin(d);
out:
	F->cbor_info_free(&ci);
	fido2_close(&d);
	return rc;
}

/* After a wrong PIN: say how many attempts are left. */
static void
fido2_pin_left(fido_dev_t *d, const char *path, char *why, size_t whylen)
{
	int left;

	if (F->dev_get_retry_count(d, &left) != FIDO_OK)
		return;
	fido2_why(why, whylen, "security key %s: wrong PIN (%d attempts left)",
		  path, left);
}

int
fido2_enroll(const char *path, const uint8_t *user_id, size_t user_len,
	     const char *pin, uint8_t *cred, size_t *cred_len, char *why,
	     size_t whylen)
{
	uint8_t cdh[32];
	fido_cred_t *c = NULL;
	fido_dev_t *d;
	int rc, r;

	*cred_len = 0;
	if ((rc = fido2_open(path, &d, why, whylen)) != 0)
		return rc;
	/* Nobody checks the attestation: the client data only has to be
	 * fresh, so it is random. */
	randombytes_buf(cdh, sizeof(cdh));
	if ((c = F->cred_new()) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((r = F->cred_set_type(c, COSE_ES256)) != FIDO_OK ||
	    (r = F->cred_set_clientdata_hash(c, cdh, sizeof(cdh))) != FIDO_OK ||
	    (r = F->cred_set_rp(c, FIDO2_RP_ID, "mfa")) != FIDO_OK ||
	    (r = F->cred_set_user(c, user_id, user_len, "mfa", "mfa vault",
				  NULL)) != FIDO_OK ||
	    (r = F->cred_set_extensions(c, FIDO_EXT_HMAC_SECRET)) != FIDO_OK ||
	    (r = F->cred_set_rk(c, FIDO_OPT_OMIT)) != FIDO_OK ||
	    (r = F->dev_make_cred(d, c, pin)) != FIDO_OK) {
		rc = fido2_fail(r, path, why, whylen);
		if (r == FIDO_ERR_PIN_INVALID)
			fido2_pin_left(d, path, why, whylen);
		goto out;
	}
	if (F->cred_id_len(c) == 0 || F->cred_id_len(c) > FIDO2_CRED_MAX) {
		fido2_why(why, whylen,
			  "security key %s made a credential id of an "
			  "unusable length",
			  path);
		rc = MFA_EUNSUPPORTED;
		goto out;
	}
	*cred_len = F->cred_id_len(c);
	memcpy(cred, F->cred_id_ptr(c), *cred_len);
out:
	F->cred_free(&c);
	fido2_close(&d);
	return rc;
}

int
fido2_find(const char *path, const uint8_t *const *creds, const size_t *lens,
	   size_t n, size_t *which, char *why, size_t whylen)
{
	const unsigned char *id;
	uint8_t cdh[32];
	fido_assert_t *a = NULL;
	fido_dev_t *d;
	size_t i, idlen;
	int rc, r;

	if ((rc = fido2_open(path, &d, why, whylen)) != 0)
		return rc;
	randombytes_buf(cdh, sizeof(cdh));
	if ((a = F->assert_new()) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((r = F->assert_set_rp(a, FIDO2_RP_ID)) != FIDO_OK ||
	    (r = F->assert_set_clientdata_hash(a, cdh, sizeof(cdh))) !=
		FIDO_OK ||
	    (r = F->assert_set_up(a, FIDO_OPT_FALSE)) != FIDO_OK) {
		rc = fido2_fail(r, path, why, whylen);
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((r = F->assert_allow_cred(a, creds[i], lens[i])) !=
		    FIDO_OK) {
			rc = fido2_fail(r, path, why, whylen);
			goto out;
		}
	/* No touch: a key only tells whether it knows the credential. */
	if ((r = F->dev_get_assert(d, a, NULL)) != FIDO_OK) {
		rc = fido2_fail(r, path, why, whylen);
		goto out;
	}
	rc = MFA_ENOTFOUND;
	id = F->assert_count(a) > 0 ? F->assert_id_ptr(a, 0) : NULL;
	idlen = F->assert_count(a) > 0 ? F->assert_id_len(a, 0) : 0;
	for (i = 0; i < n && id != NULL; i++)
		if (lens[i] == idlen && memcmp(creds[i], id, idlen) == 0) {
			*which = i;
			rc = 0;
			break;
		}
out:
	F->assert_free(&a);
	fido2_close(&d);
	return rc;
}

int
fido2_hmac_secret(const char *path, const uint8_t *cred, size_t cred_len,
		  const uint8_t salt[FIDO2_SALT_BYTES], const char *pin,
		  uint8_t *out, char *why, size_t whylen)
{
	const unsigned char *s;
	uint8_t cdh[32];
	fido_assert_t *a = NULL;
	fido_dev_t *d;
	int rc, r;

	if ((rc = fido2_open(path, &d, why, whylen)) != 0)
		return rc;
	randombytes_buf(cdh, sizeof(cdh));
	if ((a = F->assert_new()) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((r = F->assert_set_rp(a, FIDO2_RP_ID)) != FIDO_OK ||
	    (r = F->assert_set_clientdata_hash(a, cdh, sizeof(cdh))) !=
		FIDO_OK ||
	    (r = F->assert_allow_cred(a, cred, cred_len)) != FIDO_OK ||
	    (r = F->assert_set_extensions(a, FIDO_EXT_HMAC_SECRET)) !=
		FIDO_OK ||
	    (r = F->assert_set_hmac_salt(a, salt, FIDO2_SALT_BYTES)) !=
		FIDO_OK ||
	    (r = F->assert_set_up(a, FIDO_OPT_TRUE)) != FIDO_OK ||
	    (r = F->dev_get_assert(d, a, pin)) != FIDO_OK) {
		rc = fido2_fail(r, path, why, whylen);
		if (r == FIDO_ERR_PIN_INVALID)
			fido2_pin_left(d, path, why, whylen);
		goto out;
	}
	if (F->assert_count(a) != 1 ||
	    F->assert_hmac_secret_len(a, 0) != FIDO2_KEY_BYTES ||
	    (s = F->assert_hmac_secret_ptr(a, 0)) == NULL) {
		fido2_why(why, whylen,
			  "security key %s gave no hmac-secret output", path);
		rc = MFA_EUNSUPPORTED;
		goto out;
	}
	memcpy(out, s, FIDO2_KEY_BYTES);
out:
	/* libfido2 wipes its copy of the output when it frees it. */
	F->assert_free(&a);
	fido2_close(&d);
	return rc;
}

int
fido2_slot_key(const char *path, const uint8_t *cred, size_t cred_len,
	       const uint8_t salt[FIDO2_SALT_BYTES], const char *pin,
	       uint8_t *key, char *why, size_t whylen)
{
	uint8_t *s;
	int rc;

	if ((s = sodium_malloc(FIDO2_KEY_BYTES)) == NULL)
		return MFA_ENOMEM;
	if ((rc = fido2_hmac_secret(path, cred, cred_len, salt, pin, s, why,
				    whylen)) == 0)
		rc = fido2_hkdf(
		    key, FIDO2_KEY_BYTES, NULL, 0, s, FIDO2_KEY_BYTES,
		    (const uint8_t *)FIDO2_HKDF_INFO, strlen(FIDO2_HKDF_INFO));
	sodium_free(s);
	return rc;
}
