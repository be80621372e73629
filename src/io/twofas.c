/*
 * 2FAS Authenticator backups (.2fas), schema versions 1 to 4, plain or
 * encrypted.
 *
 * Encrypted backups keep the services array in "servicesEncrypted" as
 * base64(ciphertext || tag) ":" base64(salt) ":" base64(iv), AES-256-GCM
 * under PBKDF2-HMAC-SHA256(password, salt, 10000, 32). The "reference"
 * field (a known string encrypted the same way) is not needed: the GCM tag
 * already tells a wrong password.
 *
 * Fields are read the same way for every schema; what a schema lacks takes
 * the defaults. So schema 1 (no parameters at all) gives TOTP SHA1/6/30 and
 * schema 2 (no tokenType) gives TOTP with the stored algorithm and digits,
 * even for services 2FAS itself ran as HOTP, as 2FAS did then.
 *
 * Names: otp.account, else otp.label without an "issuer:" prefix, else the
 * service name. Issuer: otp.issuer when present, else the service name
 * unless that is already the account name (2FAS repeats the label there
 * for accounts created without an issuer).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lazy/jansson.h"
#include <sodium.h>

#include "io/formats.h"
#include "io/iocrypto.h"
#include "io/iojson.h"

#define TWOFAS_SCHEMA_MAX 4
#define TWOFAS_PBKDF2_ITER 10000
#define TWOFAS_SALT_MAX 1024

static int
twofas_service(const json_t *o, size_t idx, struct io_list *out,
	       struct mfa_err *err)
{
	const char *secret = NULL, *sname = NULL, *account = NULL;
	const char *issuer = NULL, *label = NULL, *type = NULL, *algo = NULL;
	const char *name, *colon;
	const json_t *otp;
	struct otp_params p;
	enum otp_type t = OTP_TOTP;
	char lbl[96];
	int rc;
	size_t ilen;

	if (!json_is_object(o))
		return mfa_err_set(err, MFA_EPARSE,
				   "entry %zu: not a JSON object", idx);
	otp = json_object_get(o, "otp");
	if (otp != NULL && !json_is_null(otp) && !json_is_object(otp))
		return mfa_err_set(err, MFA_EPARSE,
				   "entry %zu: otp is not an object", idx);
	if ((rc = iocrypto_json_field(o, "name", &sname, idx, err)) != 0 ||
	    (rc = iocrypto_json_field(otp, "account", &account, idx, err)) !=
		0 ||
	    (rc = iocrypto_json_field(otp, "issuer", &issuer, idx, err)) != 0 ||
	    (rc = iocrypto_json_field(otp, "label", &label, idx, err)) != 0)
		return rc;
	if (account != NULL && *account != '\0')
		name = account;
	else if (label != NULL && *label != '\0') {
		name = label;
		ilen = issuer != NULL ? strlen(issuer) : 0;
		if (ilen > 0 && strncmp(label, issuer, ilen) == 0 &&
		    label[ilen] == ':')
			name = label + ilen + 1;
		else if (issuer == NULL && (colon = strchr(label, ':')) != NULL)
			name = colon + 1;
		name += strspn(name, " ");
	} else
		name = sname != NULL ? sname : "";
	if (issuer == NULL)
		issuer = sname != NULL && strcmp(sname, name) != 0 ? sname : "";
	iocrypto_label(issuer, name, lbl, sizeof(lbl));

	if (iocrypto_json_str(otp, "tokenType", &type) != 0) {
		return mfa_err_set(err, MFA_EPARSE,
				   "entry %zu (%s): tokenType is not a string",
				   idx, lbl);
	}
	if (type == NULL || strcasecmp(type, "TOTP") == 0)
		t = OTP_TOTP;
	else if (strcasecmp(type, "HOTP") == 0)
		t = OTP_HOTP;
	else if (strcasecmp(type, "STEAM") == 0)
		t = OTP_STEAM;
	else
		return mfa_err_set(err, MFA_EUNSUPPORTED,
				   "entry %zu (%s): type %.20s is not "
				   "supported",
				   idx, lbl, type);
	if (iocrypto_json_str(o, "secret", &secret) != 0 || secret == NULL)
		return mfa_err_set(err, MFA_EPARSE, "entry %zu (%s): no secret",
				   idx, lbl);
	otp_params_default(&p, t);
	if (iocrypto_json_str(otp, "algorithm", &algo) != 0 ||
	    (algo != NULL && otp_hash_parse(algo, &p.hash) != 0))
		return mfa_err_set(err, MFA_EHASH,
				   "entry %zu (%s): unknown algorithm", idx,
				   lbl);
	if ((rc = iocrypto_json_params(otp, t, idx, lbl, &p, err)) != 0)
		return rc;
	return iocrypto_entry_push(out, idx, name, issuer, "", "", &p, secret,
				   strlen(secret), err);
}

/* Decrypt servicesEncrypted into a new JSON reference *services. */
static int
twofas_decrypt(const char *enc, io_pass_fn passfn, void *pass_arg,
	       json_t **services, struct mfa_err *err)
{
	const char *c1, *c2;
	uint8_t *ct = NULL, *salt = NULL, *iv = NULL, *key = NULL, *pt = NULL;
	size_t ctlen = 0, saltlen = 0, ivlen = 0, passlen = 0;
	char *pass = NULL;
	int rc;

	*services = NULL;
	if ((c1 = strchr(enc, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL || strchr(c2 + 1, ':') != NULL)
		return mfa_err_set(err, MFA_EPARSE,
				   "servicesEncrypted is not "
				   "ciphertext:salt:iv");
	if (io_base64_decode(enc, (size_t)(c1 - enc), &ct, &ctlen) != 0 ||
	    io_base64_decode(c1 + 1, (size_t)(c2 - c1 - 1), &salt, &saltlen) !=
		0 ||
	    io_base64_decode(c2 + 1, strlen(c2 + 1), &iv, &ivlen) != 0) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "servicesEncrypted: bad base64");
		goto out;
	}
	if (ctlen < IOCRYPTO_GCM_TAG_LEN || saltlen == 0 ||
	    saltlen > TWOFAS_SALT_MAX || ivlen != IOCRYPTO_GCM_NONCE_LEN) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "servicesEncrypted: bad ciphertext, salt or "
				 "iv length");
		goto out;
	}
	ctlen -= IOCRYPTO_GCM_TAG_LEN;
	if ((key = sodium_malloc(IOCRYPTO_KEY_LEN)) == NULL ||
	    (pt = sodium_malloc(ctlen + 1)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((rc = iocrypto_pass_get(passfn, pass_arg, &pass, &passlen, err)) !=
	    0)
		goto out;
	if ((rc = iocrypto_pbkdf2(OTP_SHA256, pass, passlen, salt, saltlen,
				  TWOFAS_PBKDF2_ITER, key, IOCRYPTO_KEY_LEN)) !=
	    0)
		goto out;
	rc = iocrypto_gcm_decrypt(key, iv, ivlen, ct, ctlen, ct + ctlen, pt);
	if (rc == MFA_EDECRYPT) {
		mfa_err_set(err, rc, "wrong password or damaged file");
		goto out;
	}
	if (rc != 0)
		goto out;
	pt[ctlen] = '\0';
	if ((*services = io_json_load(pt, ctlen, JSON_ALLOW_NUL, err)) == NULL)
		rc = MFA_EPARSE;
out:
	if (pass != NULL)
		sodium_free(pass);
	sodium_free(key);
	sodium_free(pt);
	sodium_free(ct);
	sodium_free(salt);
	sodium_free(iv);
	return rc;
}

int
twofas_import(const uint8_t *buf, size_t len, io_pass_fn pass, void *pass_arg,
	      struct io_list *out, struct mfa_err *err)
{
	struct io_list tmp;
	json_t *root, *dec = NULL;
	const json_t *services, *e;
	const char *enc = NULL;
	uint64_t schema;
	bool has;
	size_t i;
	int rc;

	io_list_begin(&tmp, out);
	iocrypto_trim(&buf, &len);
	if ((root = io_json_load(buf, len, JSON_ALLOW_NUL, err)) == NULL)
		return MFA_EPARSE;
	if (!json_is_object(root)) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "not a 2FAS backup (want a JSON object)");
		goto out;
	}
	if (iocrypto_json_uint(root, "schemaVersion", UINT32_MAX, &schema,
			       &has) != 0 ||
	    !has) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "not a 2FAS backup (no schemaVersion)");
		goto out;
	}
	if (schema < 1 || schema > TWOFAS_SCHEMA_MAX) {
		rc = mfa_err_set(err, MFA_EUNSUPPORTED,
				 "2FAS schema version %llu is not supported "
				 "(1 to %d are)",
				 (unsigned long long)schema, TWOFAS_SCHEMA_MAX);
		goto out;
	}
	if (iocrypto_json_str(root, "servicesEncrypted", &enc) != 0) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "servicesEncrypted is not a string");
		goto out;
	}
	if (enc != NULL && *enc != '\0') {
		if ((rc = twofas_decrypt(enc, pass, pass_arg, &dec, err)) != 0)
			goto out;
		services = dec;
	} else
		services = json_object_get(root, "services");
	if (!json_is_array(services)) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "2FAS backup without a services list");
		goto out;
	}
	rc = 0;
	json_array_foreach(services, i, e)
	{
		rc = twofas_service(e, i + 1, &tmp, err);
		if (rc != 0 && (rc = io_skip(&tmp, rc, err)) != 0)
			break;
	}
out:
	rc = io_list_end(out, &tmp, rc, err);
	json_decref(dec);
	json_decref(root);
	return rc;
}

bool
twofas_sniff_json(const json_t *root)
{
	return json_is_object(root) &&
	       json_object_get(root, "schemaVersion") != NULL &&
	       (json_object_get(root, "services") != NULL ||
		json_object_get(root, "servicesEncrypted") != NULL);
}

bool
twofas_sniff(const uint8_t *buf, size_t len)
{
	return io_json_sniff(buf, len, twofas_sniff_json);
}
