/*
 * Text exporters: otpauth URI lists and Google Authenticator migration URIs.
 * Every output buffer holds secrets, so it is sodium_malloc'd, and so is
 * every intermediate (protobuf bytes, base64).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "io/lazy_protobuf.h"
#include "google_auth.pb-c.h"
#include "io/formats.h"
#include "io/io_lazy.h"
#include "io/iojson.h"

/* Google Authenticator puts at most 10 accounts in one QR code. */
#define EXPORT_GOOGLE_BATCH 10
#define EXPORT_GOOGLE_PREFIX "otpauth-migration://offline?data="

int
io_export_uri(const struct io_entry *e, size_t n, char **out, size_t *outlen)
{
	size_t i, total = 1, o = 0, one;
	char *buf;
	int rc;

	*out = NULL;
	*outlen = 0;
	for (i = 0; i < n; i++) {
		/* otpauth has no T0: codes would silently differ. */
		if (e[i].p.type != OTP_HOTP && e[i].p.t0 != 0)
			return MFA_EUNSUPPORTED;
		one = uri_format_full_len(e[i].issuer, e[i].name, e[i].serial,
					  e[i].note, e[i].secret_len);
		if (one > SIZE_MAX - total - 1)
			return MFA_ETOOBIG;
		total += one + 1;
	}
	if ((buf = sodium_malloc(total)) == NULL)
		return MFA_ENOMEM;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if ((rc = uri_format_full(&e[i].p, e[i].issuer, e[i].name,
					  e[i].serial, e[i].note, e[i].secret,
					  e[i].secret_len, buf + o,
					  total - o)) != 0) {
			sodium_free(buf);
			return rc;
		}
		o += strlen(buf + o);
		buf[o++] = '\n';
		buf[o] = '\0';
	}
	*out = buf;
	*outlen = o;
	return 0;
}

static const char *
export_label(const struct io_entry *e, char *buf, size_t bufsz)
{
	if (e->issuer[0] != '\0')
		snprintf(buf, bufsz, "%s:%s", e->issuer, e->name);
	else
		snprintf(buf, bufsz, "%s", e->name);
	return buf;
}

/* What Google Authenticator's migration format cannot hold. */
static int
export_google_unsupported(const struct io_entry *e, struct mfa_err *err)
{
	if (e->p.type == OTP_STEAM) {
		mfa_err_why(err, "Google Authenticator has no Steam codes");
		return MFA_EUNSUPPORTED;
	}
	if (e->p.digits != 6 && e->p.digits != 8) {
		mfa_err_why(err,
			    "Google Authenticator cannot hold %u-digit codes",
			    e->p.digits);
		return MFA_EUNSUPPORTED;
	}
	if (e->p.type == OTP_TOTP && (e->p.period != 30 || e->p.t0 != 0)) {
		if (e->p.period != 30)
			mfa_err_why(
			    err,
			    "Google Authenticator cannot hold a %llu-second "
			    "period%s",
			    (unsigned long long)e->p.period,
			    e->p.t0 != 0 ? " or a T0" : "");
		else
			mfa_err_why(err,
				    "Google Authenticator cannot hold a time "
				    "origin (T0)");
		return MFA_EUNSUPPORTED;
	}
	if (e->p.type == OTP_HOTP && e->p.counter > OTP_COUNTER_MAX) {
		mfa_err_why(err,
			    "Google Authenticator cannot hold a counter above "
			    "2^63 - 1");
		return MFA_EUNSUPPORTED;
	}
	return 0;
}

int
io_export_check(enum io_format f, const struct io_entry *e, const char **lost,
		struct mfa_err *err)
{
	bool note = e->note != NULL && e->note[0] != '\0';
	bool serial = e->serial != NULL && e->serial[0] != '\0';
	int rc;

	*lost = NULL;
	if (err != NULL)
		err->why[0] = '\0';
	if ((rc = otp_params_check(&e->p)) != 0) {
		mfa_err_why(err, "%s", mfa_strerror(rc));
		return rc;
	}
	if (e->secret_len == 0) {
		mfa_err_why(err, "%s", mfa_strerror(MFA_ESECRET_EMPTY));
		return MFA_ESECRET_EMPTY;
	}
	switch (f) {
	case IO_JSON:
		return 0;
	case IO_URI:
	case IO_AEGIS:
		if (e->p.type != OTP_HOTP && e->p.t0 != 0) {
			mfa_err_why(err, "%s cannot carry a time origin (T0)",
				    f == IO_URI ? "an otpauth URI" : "Aegis");
			return MFA_EUNSUPPORTED;
		}
		return 0;
	case IO_GOOGLE:
		if ((rc = export_google_unsupported(e, err)) != 0)
			return rc;
		*lost = note && serial ? "note and serial"
			: note	       ? "note"
			: serial       ? "serial"
				       : NULL;
		return 0;
	default:
		mfa_err_why(err, "%s is not an export format",
			    io_format_name(f));
		return MFA_EINVAL;
	}
}

/* Refuse what Google Authenticator would show wrong codes for. */
static int
export_google_check(const struct io_entry *e, struct mfa_err *err)
{
	char label[128];
	struct mfa_err sub = {0};
	const char *lost;
	int rc;

	if ((rc = io_export_check(IO_GOOGLE, e, &lost, &sub)) != 0)
		mfa_err_why(err, "%s: %s", sub.why,
			    export_label(e, label, sizeof(label)));
	return rc;
}

/* Fill op for e; *gname is the malloc'd "issuer:name" Google stores. */
static int
export_google_params(OtpParameters *op, const struct io_entry *e, char **gname)
{
	otp_parameters__init(op);
	if (e->issuer[0] != '\0') {
		if (asprintf(gname, "%s:%s", e->issuer, e->name) < 0) {
			*gname = NULL;
			return MFA_ENOMEM;
		}
	} else if ((*gname = strdup(e->name)) == NULL) {
		return MFA_ENOMEM;
	}
	op->secret.data = e->secret;
	op->secret.len = e->secret_len;
	op->name.data = (uint8_t *)*gname;
	op->name.len = strlen(*gname);
	op->issuer.data = (uint8_t *)e->issuer;
	op->issuer.len = strlen(e->issuer);
	switch (e->p.hash) {
	case OTP_SHA256:
		op->algorithm = OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA256;
		break;
	case OTP_SHA512:
		op->algorithm = OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA512;
		break;
	default:
		op->algorithm = OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA1;
		break;
	}
	op->digits = e->p.digits == 8
			 ? OTP_PARAMETERS__DIGIT_COUNT__DIGIT_COUNT_EIGHT
			 : OTP_PARAMETERS__DIGIT_COUNT__DIGIT_COUNT_SIX;
	if (e->p.type == OTP_HOTP) {
		op->type = OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_HOTP;
		op->counter = (int64_t)e->p.counter;
	} else {
		op->type = OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_TOTP;
	}
	return 0;
}

/* Append one batch's URI line to buf at *o (room checked by the caller). */
static int
export_google_batch(const struct io_entry *e, size_t n, int32_t batch_size,
		    int32_t batch_index, int32_t batch_id, char *buf,
		    size_t cap, size_t *o)
{
	static const char hex[] = "0123456789ABCDEF";
	OtpParameters ops[EXPORT_GOOGLE_BATCH];
	OtpParameters *opp[EXPORT_GOOGLE_BATCH];
	char *names[EXPORT_GOOGLE_BATCH];
	MigrationPayload mp;
	uint8_t *pb = NULL;
	char *b64 = NULL;
	size_t i, pblen, b64len = 0;
	unsigned char c;
	int rc = 0;

	memset(names, 0, sizeof(names));
	migration_payload__init(&mp);
	for (i = 0; i < n; i++) {
		if ((rc = export_google_params(&ops[i], &e[i], &names[i])))
			goto done;
		opp[i] = &ops[i];
	}
	mp.n_otp_parameters = n;
	mp.otp_parameters = opp;
	mp.version = 1;
	mp.batch_size = batch_size;
	mp.batch_index = batch_index;
	mp.batch_id = batch_id;
	pblen = migration_payload__get_packed_size(&mp);
	if ((pb = sodium_malloc(pblen > 0 ? pblen : 1)) == NULL) {
		rc = MFA_ENOMEM;
		goto done;
	}
	if (migration_payload__pack(&mp, pb) != pblen) {
		rc = MFA_EINVAL;
		goto done;
	}
	if ((rc = io_base64_encode(pb, pblen, &b64, &b64len)) != 0)
		goto done;
	if (cap - *o < strlen(EXPORT_GOOGLE_PREFIX) + 3 * b64len + 2) {
		rc = MFA_ETOOLONG;
		goto done;
	}
	memcpy(buf + *o, EXPORT_GOOGLE_PREFIX, strlen(EXPORT_GOOGLE_PREFIX));
	*o += strlen(EXPORT_GOOGLE_PREFIX);
	/* Percent-encode '+', '/' and '=' as Google does. */
	for (i = 0; i < b64len; i++) {
		c = (unsigned char)b64[i];
		if (c == '+' || c == '/' || c == '=') {
			buf[(*o)++] = '%';
			buf[(*o)++] = hex[c >> 4];
			buf[(*o)++] = hex[c & 15];
		} else {
			buf[(*o)++] = (char)c;
		}
	}
	buf[(*o)++] = '\n';
	buf[*o] = '\0';
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	if (pb != NULL)
		sodium_free(pb);
	if (b64 != NULL)
		sodium_free(b64);
	return rc;
}

int
io_export_google(const struct io_entry *e, size_t n, char **out, size_t *outlen,
		 struct mfa_err *err)
{
	size_t i, nb, total = 1, o = 0, k, payload;
	int32_t batch_id;
	char *buf;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (err != NULL)
		err->why[0] = '\0';
	if ((rc = io_lazy_need(IO_GOOGLE, err)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = export_google_check(&e[i], err)) != 0)
			return rc;
	}
	nb = (n + EXPORT_GOOGLE_BATCH - 1) / EXPORT_GOOGLE_BATCH;
	if (nb > INT32_MAX) {
		mfa_err_why(err, "too many accounts");
		return MFA_ETOOBIG;
	}
	/* A generous bound on each line: every protobuf byte as %XX twice. */
	for (i = 0; i < n; i++) {
		payload = 64 + e[i].secret_len + 2 * strlen(e[i].issuer) +
			  strlen(e[i].name);
		if (payload > (SIZE_MAX - total) / 8 - 64) {
			mfa_err_why(err, "accounts too large");
			return MFA_ETOOBIG;
		}
		total += 8 * payload;
	}
	total += nb * (strlen(EXPORT_GOOGLE_PREFIX) + 128);
	if ((buf = sodium_malloc(total)) == NULL)
		return MFA_ENOMEM;
	buf[0] = '\0';
	/* One id for the run ties the batches together, as Google does. */
	batch_id = (int32_t)(randombytes_random() & 0x7fffffff);
	for (i = 0, k = 0; i < n; i += EXPORT_GOOGLE_BATCH, k++) {
		rc = export_google_batch(
		    e + i,
		    n - i < EXPORT_GOOGLE_BATCH ? n - i : EXPORT_GOOGLE_BATCH,
		    (int32_t)nb, (int32_t)k, batch_id, buf, total, &o);
		if (rc != 0) {
			mfa_err_why(err, "%s", mfa_strerror(rc));
			sodium_free(buf);
			return rc;
		}
	}
	*out = buf;
	*outlen = o;
	return 0;
}
