/*
 * mfa's own export format: JSON, one object.
 *
 *   {
 *     "format": "mfa-export",          required, exactly this string
 *     "version": 1,                    required; newer versions are refused
 *     "entries": [                     required, may be empty
 *       {
 *         "name": "alice@example.com", required string, may be ""
 *         "issuer": "Example",         string, default ""
 *         "type": "totp",              "totp" | "hotp" | "steam", default totp
 *         "algorithm": "SHA1",         "SHA1" | "SHA256" | "SHA512", default
 *                                      SHA1 (Steam: SHA1 only)
 *         "digits": 6,                 1..10, default 6 (Steam: 5 only)
 *         "period": 30,                seconds >= 1, default 30
 *         "counter": 0,                HOTP's next counter, >= 0, default 0
 *         "t0": 0,                     TOTP epoch in unix seconds, default
 *                                      0; written only when not 0
 *         "secret": "JBSWY3DPEHPK3PXP",required base32 (RFC 4648; case,
 *                                      spaces and padding forgiven)
 *         "serial": "",                AWS MFA device ARN, default ""
 *         "note": ""                   free text, default ""
 *       }
 *     ]
 *   }
 *
 * mfa writes every field but t0 for every entry (period and counter too,
 * whatever the type); readers ignore members they do not know, so later
 * versions may add some without changing "version".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "io/formats.h"
#include "io/iojson.h"

#define MFAJSON_FORMAT "mfa-export"
#define MFAJSON_VERSION 1

/* Optional string member: *out is "" when absent; MFA_EPARSE if not text. */
static int
mfajson_string(json_t *o, const char *key, const char **out, size_t idx,
	       struct mfa_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = "";
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		mfa_err_why(err, "entry %zu: \"%s\" is not a string", idx, key);
		return MFA_EPARSE;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		mfa_err_why(err, "entry %zu: \"%s\" holds a NUL character", idx,
			    key);
		return MFA_ENUL;
	}
	*out = json_string_value(v);
	return 0;
}

/* Optional integer member in [min, max]; *out untouched when absent. */
static int
mfajson_int(json_t *o, const char *key, json_int_t min, json_int_t max,
	    json_int_t *out, int bad, size_t idx, struct mfa_err *err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		mfa_err_why(err, "entry %zu: \"%s\" is not a whole number", idx,
			    key);
		return bad;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		mfa_err_why(err,
			    "entry %zu: \"%s\" must be between %" PRId64
			    " and %" PRId64,
			    idx, key, (int64_t)min, (int64_t)max);
		return bad;
	}
	*out = json_integer_value(v);
	return 0;
}

static int
mfajson_entry(json_t *o, size_t idx, struct io_list *tmp, struct mfa_err *err)
{
	const char *name, *issuer, *type, *alg, *b32, *serial, *note;
	struct otp_params p;
	struct io_entry e;
	json_int_t digits, period, counter, t0;
	json_t *v;
	struct mfa_err sub = {0};
	size_t errpos = 0, b32len, cap;
	enum otp_type t = OTP_TOTP;
	int rc;

	if (!json_is_object(o)) {
		mfa_err_why(err, "entry %zu: not an object", idx);
		return MFA_EPARSE;
	}
	if (!json_is_string(json_object_get(o, "name"))) {
		mfa_err_why(err, "entry %zu: no \"name\" string", idx);
		return MFA_EPARSE;
	}
	if ((rc = mfajson_string(o, "name", &name, idx, err)) != 0 ||
	    (rc = mfajson_string(o, "issuer", &issuer, idx, err)) != 0 ||
	    (rc = mfajson_string(o, "type", &type, idx, err)) != 0 ||
	    (rc = mfajson_string(o, "algorithm", &alg, idx, err)) != 0 ||
	    (rc = mfajson_string(o, "serial", &serial, idx, err)) != 0 ||
	    (rc = mfajson_string(o, "note", &note, idx, err)) != 0)
		return rc;
	if (type[0] != '\0' && otp_type_parse(type, &t) != 0) {
		mfa_err_why(err,
			    "entry %zu: unknown type \"%.32s\" (want totp, "
			    "hotp or steam)",
			    idx, type);
		return MFA_EURI_TYPE;
	}
	otp_params_default(&p, t);
	if (alg[0] != '\0' && otp_hash_parse(alg, &p.hash) != 0) {
		mfa_err_why(err,
			    "entry %zu: unknown algorithm \"%.32s\" (want "
			    "SHA1, SHA256 or SHA512)",
			    idx, alg);
		return MFA_EHASH;
	}
	digits = p.digits;
	period = (json_int_t)p.period;
	counter = 0;
	t0 = 0;
	if ((rc = mfajson_int(o, "digits", OTP_DIGITS_MIN, OTP_DIGITS_MAX,
			      &digits, MFA_EDIGITS, idx, err)) != 0 ||
	    (rc = mfajson_int(o, "period", 1, UINT32_MAX, &period, MFA_EPERIOD,
			      idx, err)) != 0 ||
	    (rc = mfajson_int(o, "counter", 0, INT64_MAX, &counter,
			      MFA_EURI_COUNTER, idx, err)) != 0 ||
	    (rc = mfajson_int(o, "t0", INT64_MIN, INT64_MAX, &t0,
			      MFA_EURI_NUMBER, idx, err)) != 0)
		return rc;
	p.digits = (unsigned)digits;
	p.period = (uint64_t)period;
	p.counter = (uint64_t)counter;
	p.t0 = t0;
	if (t == OTP_STEAM &&
	    (p.digits != OTP_STEAM_DIGITS || p.hash != OTP_SHA1)) {
		mfa_err_why(
		    err, "entry %zu: Steam codes are SHA1 with 5 digits", idx);
		return MFA_EINVAL;
	}

	v = json_object_get(o, "secret");
	if (!json_is_string(v)) {
		mfa_err_why(err, "entry %zu: no \"secret\" string", idx);
		return MFA_EURI_NOSECRET;
	}
	b32 = json_string_value(v);
	b32len = json_string_length(v);
	cap = base32_decoded_max(b32len);
	if (cap > OTP_SECRET_MAX + 1) {
		mfa_err_why(err, "entry %zu: secret longer than %d bytes", idx,
			    OTP_SECRET_MAX);
		return MFA_ETOOLONG;
	}
	memset(&e, 0, sizeof(e));
	if ((e.secret = io_secret_alloc(tmp, cap)) == NULL)
		return MFA_ENOMEM;
	e.in_arena = true;
	rc = base32_decode(b32, b32len, e.secret, cap, &e.secret_len, &errpos);
	io_secret_trim(tmp, e.secret, cap, rc == 0 ? e.secret_len : 0);
	if (rc == 0 && e.secret_len == 0)
		rc = MFA_ESECRET_EMPTY;
	if (rc == MFA_EBASE32)
		mfa_err_why(err,
			    "entry %zu: secret is not base32 (character %zu)",
			    idx, errpos + 1);
	else if (rc != 0)
		mfa_err_why(err, "entry %zu: %s", idx, mfa_strerror(rc));
	if (rc != 0) {
		io_entry_clear(&e);
		return rc;
	}
	e.p = p;
	e.name = strdup(name);
	e.issuer = strdup(issuer);
	e.serial = strdup(serial);
	e.note = strdup(note);
	if (e.name == NULL || e.issuer == NULL || e.serial == NULL ||
	    e.note == NULL) {
		io_entry_clear(&e);
		return MFA_ENOMEM;
	}
	sub.why[0] = '\0';
	if ((rc = io_list_add(tmp, &e, &sub)) != 0)
		mfa_err_why(err, "entry %zu: %s", idx, mfa_err_text(&sub, rc));
	return rc;
}

int
mfajson_import(const uint8_t *buf, size_t len, struct io_list *out,
	       struct mfa_err *err)
{
	struct io_list tmp;
	json_t *root, *v, *entries;
	size_t i;
	int rc = 0;

	io_list_begin(&tmp, out);
	if (err != NULL)
		err->why[0] = '\0';
	if ((root =
		 io_json_load(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			      err)) == NULL)
		return MFA_EPARSE;
	v = json_object_get(root, "format");
	if (!json_is_object(root) || !json_is_string(v) ||
	    strcmp(json_string_value(v), MFAJSON_FORMAT) != 0) {
		mfa_err_why(err, "not an mfa export (no \"format\": \"%s\")",
			    MFAJSON_FORMAT);
		rc = MFA_EFORMAT;
		goto done;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		mfa_err_why(err, "\"version\" is not a positive whole number");
		rc = MFA_EPARSE;
		goto done;
	}
	if (json_integer_value(v) > MFAJSON_VERSION) {
		mfa_err_why(err,
			    "export version %" PRId64 " is newer than this mfa "
			    "understands (%d)",
			    (int64_t)json_integer_value(v), MFAJSON_VERSION);
		rc = MFA_EUNSUPPORTED;
		goto done;
	}
	entries = json_object_get(root, "entries");
	if (!json_is_array(entries)) {
		mfa_err_why(err, "no \"entries\" array");
		rc = MFA_EPARSE;
		goto done;
	}
	for (i = 0; i < json_array_size(entries); i++) {
		rc =
		    mfajson_entry(json_array_get(entries, i), i + 1, &tmp, err);
		if (rc != 0 && (rc = io_skip(&tmp, rc, err)) != 0)
			goto done;
	}
done:
	rc = io_list_end(out, &tmp, rc, err);
	json_decref(root);
	if (rc != 0 && err != NULL && err->why[0] == '\0')
		mfa_err_why(err, "%s", mfa_strerror(rc));
	return rc;
}

/* Set key to a new value; false (and the value released) on failure. */
static bool
mfajson_set(json_t *o, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(o, key, v) == 0;
}

static int
mfajson_export_entry(json_t *arr, const struct io_entry *e)
{
	json_t *o;
	char *b32;
	size_t b32cap;
	bool ok;
	int rc;

	if ((rc = otp_params_check(&e->p)) != 0)
		return rc;
	if (e->secret_len == 0)
		return MFA_ESECRET_EMPTY;
	if (e->p.counter > INT64_MAX || e->p.period > INT64_MAX)
		return MFA_ETOOBIG;
	b32cap = base32_encoded_len(e->secret_len) + 1;
	if ((b32 = sodium_malloc(b32cap)) == NULL)
		return MFA_ENOMEM;
	if ((rc = base32_encode(e->secret, e->secret_len, b32, b32cap)) != 0) {
		sodium_free(b32);
		return rc;
	}
	if ((o = json_object()) == NULL) {
		sodium_free(b32);
		return MFA_ENOMEM;
	}
	/* jansson copies the secret into blocks that io_wipe_free wipes. */
	ok =
	    mfajson_set(o, "name", json_string(e->name)) &&
	    mfajson_set(o, "issuer", json_string(e->issuer)) &&
	    mfajson_set(o, "type", json_string(otp_type_name(e->p.type))) &&
	    mfajson_set(o, "algorithm",
			json_string(otp_hash_name(e->p.hash))) &&
	    mfajson_set(o, "digits", json_integer(e->p.digits)) &&
	    mfajson_set(o, "period", json_integer((json_int_t)e->p.period)) &&
	    mfajson_set(o, "counter", json_integer((json_int_t)e->p.counter)) &&
	    (e->p.t0 == 0 || mfajson_set(o, "t0", json_integer(e->p.t0))) &&
	    mfajson_set(o, "secret", json_string(b32)) &&
	    mfajson_set(o, "serial", json_string(e->serial)) &&
	    mfajson_set(o, "note", json_string(e->note));
	sodium_free(b32);
	if (!ok) {
		json_decref(o);
		/* json_string() refuses invalid UTF-8 as well as no memory. */
		return MFA_EINVAL;
	}
	return json_array_append_new(arr, o) == 0 ? 0 : MFA_ENOMEM;
}

int
io_export_json(const struct io_entry *e, size_t n, char **out, size_t *outlen)
{
	const size_t flags = JSON_INDENT(2);
	json_t *root = NULL, *arr;
	size_t i, need, got;
	char *buf;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	io_json_secure_init();
	if ((root = json_object()) == NULL || (arr = json_array()) == NULL) {
		json_decref(root);
		return MFA_ENOMEM;
	}
	if (!mfajson_set(root, "format", json_string(MFAJSON_FORMAT)) ||
	    !mfajson_set(root, "version", json_integer(MFAJSON_VERSION)) ||
	    json_object_set_new(root, "entries", arr) != 0) {
		rc = MFA_ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++)
		if ((rc = mfajson_export_entry(arr, &e[i])) != 0)
			goto done;
	/* Size first, then straight into secret memory: no stray copy. */
	if ((need = json_dumpb(root, NULL, 0, flags)) == 0) {
		rc = MFA_ENOMEM;
		goto done;
	}
	if ((buf = sodium_malloc(need + 2)) == NULL) {
		rc = MFA_ENOMEM;
		goto done;
	}
	if ((got = json_dumpb(root, buf, need, flags)) != need) {
		sodium_free(buf);
		rc = MFA_ENOMEM;
		goto done;
	}
	buf[need] = '\n';
	buf[need + 1] = '\0';
	*out = buf;
	*outlen = need + 1;
done:
	json_decref(root);
	return rc;
}
