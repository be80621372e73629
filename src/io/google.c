/*
 * Google Authenticator's "Transfer accounts" QR codes:
 * otpauth-migration://offline?data=<base64 of a MigrationPayload protobuf>.
 *
 * Google percent-encodes the base64, but copies that went through other
 * tools often carry it raw, with '+', '/' and '=' as they are: '+' is
 * therefore kept as '+' (a form decoder turning it into a space would break
 * the payload), and a space is read back as the '+' it once was.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "io/lazy_protobuf.h"
#include "google_auth.pb-c.h"
#include "io/formats.h"
#include "io/iojson.h"

/* protobuf-c copies secrets into its own blocks: make them wipe on free. */
static void *
google_pb_alloc(void *data, size_t size)
{
	(void)data;
	return io_wipe_alloc(size);
}

static void
google_pb_free(void *data, void *p)
{
	(void)data;
	io_wipe_free(p);
}

static ProtobufCAllocator google_allocator = {
    .alloc = google_pb_alloc,
    .free = google_pb_free,
    .allocator_data = NULL,
};

/*
 * Percent-decode the data value. A '+' is base64, not a space; a space is a
 * '+' that a web form or a copy and paste turned into one.
 */
static int
google_unescape(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t i;
	int rc;

	if ((rc = uri_unescape(s, n, false, out, outlen)) != 0)
		return rc;
	for (i = 0; i < *outlen; i++)
		if (out[i] == ' ')
			out[i] = '+';
	return 0;
}

/* The raw value of the query's data parameter; MFA_EPARSE when absent. */
static int
google_find_data(const char *q, size_t n, const char **val, size_t *vlen)
{
	size_t i = 0, start, end, eq;

	while (i < n) {
		start = i;
		while (i < n && q[i] != '&')
			i++;
		end = i;
		if (i < n)
			i++;
		for (eq = start; eq < end && q[eq] != '='; eq++)
			;
		if (eq - start == 4 && strncasecmp(q + start, "data", 4) == 0) {
			*val = eq < end ? q + eq + 1 : q + end;
			*vlen = eq < end ? end - eq - 1 : 0;
			return 0;
		}
	}
	return MFA_EPARSE;
}

/*
 * Google stores the URI label as the name, so it is often "Issuer:account"
 * with issuer "Issuer": drop a prefix equal to the issuer, or split it like
 * an otpauth label when there is no issuer.
 */
static int
google_names(const char *name, const char *issuer, char **oname, char **oissuer)
{
	const char *colon, *rest = name;
	size_t il = strlen(issuer);

	*oname = *oissuer = NULL;
	if (il > 0) {
		if (strncmp(name, issuer, il) == 0 && name[il] == ':')
			rest = name + il + 1;
		*oissuer = strdup(issuer);
	} else if ((colon = strchr(name, ':')) != NULL) {
		*oissuer = strndup(name, (size_t)(colon - name));
		rest = colon + 1;
	} else {
		*oissuer = strdup("");
	}
	while (*rest == ' ')
		rest++;
	*oname = strdup(rest);
	if (*oname == NULL || *oissuer == NULL) {
		free(*oname);
		free(*oissuer);
		*oname = *oissuer = NULL;
		return MFA_ENOMEM;
	}
	return 0;
}

/*
 * A protobuf bytes field as a C string (malloc'd): MFA_ENUL when it holds a
 * NUL, which would cut the name short.
 */
static int
google_str(const ProtobufCBinaryData *b, char **out)
{
	*out = NULL;
	if (b->len > 0 && memchr(b->data, '\0', b->len) != NULL)
		return MFA_ENUL;
	if ((*out = malloc(b->len + 1)) == NULL)
		return MFA_ENOMEM;
	if (b->len > 0)
		memcpy(*out, b->data, b->len);
	(*out)[b->len] = '\0';
	return 0;
}

/* One account of the payload into tmp; `idx` counts from 1 for messages. */
static int
google_account(const OtpParameters *op, size_t idx, struct io_list *tmp,
	       struct mfa_err *err)
{
	struct io_entry e;
	struct otp_params p;
	char *gname = NULL, *gissuer = NULL, label[96];
	struct mfa_err sub = {0};
	const char *field;
	size_t n;
	int rc;

	memset(&e, 0, sizeof(e));
	otp_params_default(&p, OTP_TOTP);
	rc = google_str(&op->name, &gname);
	field = "name";
	if (rc == 0) {
		rc = google_str(&op->issuer, &gissuer);
		field = "issuer";
	}
	if (rc != 0) {
		if (rc == MFA_ENUL) {
			/* Name it by what comes before the NUL. */
			n = op->name.data != NULL
				? strnlen((const char *)op->name.data,
					  op->name.len < 64 ? op->name.len : 64)
				: 0;
			mfa_err_why(err,
				    "account %zu (%.*s): its %s holds a NUL "
				    "byte",
				    idx, (int)n,
				    n > 0 ? (const char *)op->name.data : "",
				    field);
		}
		goto out;
	}
	snprintf(label, sizeof(label), "%s", gname);
	switch (op->type) {
	case OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_UNSPECIFIED: /* as Google */
	case OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_TOTP:
		break;
	case OTP_PARAMETERS__OTP_TYPE__OTP_TYPE_HOTP:
		p.type = OTP_HOTP;
		if (op->counter < 0) {
			mfa_err_why(err, "account %zu (%s): negative counter",
				    idx, label);
			rc = MFA_EURI_COUNTER;
			goto out;
		}
		p.counter = (uint64_t)op->counter;
		break;
	default:
		mfa_err_why(err, "account %zu (%s): unknown OTP type %d", idx,
			    label, (int)op->type);
		rc = MFA_EURI_TYPE;
		goto out;
	}
	switch (op->algorithm) {
	case OTP_PARAMETERS__ALGORITHM__ALGORITHM_UNSPECIFIED:
	case OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA1:
		p.hash = OTP_SHA1;
		break;
	case OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA256:
		p.hash = OTP_SHA256;
		break;
	case OTP_PARAMETERS__ALGORITHM__ALGORITHM_SHA512:
		p.hash = OTP_SHA512;
		break;
	case OTP_PARAMETERS__ALGORITHM__ALGORITHM_MD5:
		mfa_err_why(err, "account %zu (%s): MD5 is not supported", idx,
			    label);
		rc = MFA_EHASH;
		goto out;
	default:
		mfa_err_why(err, "account %zu (%s): unknown algorithm %d", idx,
			    label, (int)op->algorithm);
		rc = MFA_EHASH;
		goto out;
	}
	switch (op->digits) {
	case OTP_PARAMETERS__DIGIT_COUNT__DIGIT_COUNT_UNSPECIFIED:
	case OTP_PARAMETERS__DIGIT_COUNT__DIGIT_COUNT_SIX:
		p.digits = 6;
		break;
	case OTP_PARAMETERS__DIGIT_COUNT__DIGIT_COUNT_EIGHT:
		p.digits = 8;
		break;
	default:
		mfa_err_why(err, "account %zu (%s): unknown digit count %d",
			    idx, label, (int)op->digits);
		rc = MFA_EDIGITS;
		goto out;
	}
	if (op->secret.len == 0) {
		mfa_err_why(err, "account %zu (%s): %s", idx, label,
			    mfa_strerror(MFA_ESECRET_EMPTY));
		rc = MFA_ESECRET_EMPTY;
		goto out;
	}
	if (op->secret.len > OTP_SECRET_MAX) {
		mfa_err_why(err,
			    "account %zu (%s): secret longer than %d bytes",
			    idx, label, OTP_SECRET_MAX);
		rc = MFA_ETOOLONG;
		goto out;
	}
	if ((rc = io_entry_make(&e, NULL, NULL, &p, op->secret.data,
				op->secret.len)) != 0)
		goto out;
	free(e.name);
	free(e.issuer);
	e.name = e.issuer = NULL;
	if ((rc = google_names(gname, gissuer, &e.name, &e.issuer))) {
		io_entry_clear(&e);
		goto out;
	}
	sub.why[0] = '\0';
	if ((rc = io_list_add(tmp, &e, &sub)) != 0)
		mfa_err_why(err, "account %zu (%s): %s", idx, label,
			    mfa_err_text(&sub, rc));
out:
	free(gname);
	free(gissuer);
	return rc;
}

int
google_import_uri(const char *uri, size_t len, struct io_list *out,
		  struct mfa_err *err)
{
	static const char scheme[] = "otpauth-migration://";
	const char *p, *end, *host, *val;
	char *raw = NULL;
	uint8_t *bin = NULL;
	size_t hostlen, vlen = 0, rawlen = 0, binlen = 0, i;
	MigrationPayload *mp = NULL;
	struct io_list tmp;
	int rc;

	io_list_begin(&tmp, out);
	if (err != NULL)
		err->why[0] = '\0';
	while (len > 0 && (uri[len - 1] == '\n' || uri[len - 1] == '\r' ||
			   uri[len - 1] == ' ' || uri[len - 1] == '\t'))
		len--;
	if (len < sizeof(scheme) - 1 ||
	    strncasecmp(uri, scheme, sizeof(scheme) - 1) != 0) {
		mfa_err_why(err, "not an otpauth-migration:// URI");
		return MFA_EURI_SCHEME;
	}
	if (memchr(uri, '\0', len) != NULL) {
		mfa_err_why(err, "NUL byte in URI");
		return MFA_EURI_ENCODING;
	}
	end = uri + len;
	host = p = uri + sizeof(scheme) - 1;
	while (p < end && *p != '/' && *p != '?')
		p++;
	hostlen = (size_t)(p - host);
	if (hostlen != 7 || strncasecmp(host, "offline", 7) != 0) {
		mfa_err_why(err,
			    "otpauth-migration:// URI without \"offline\"");
		return MFA_EPARSE;
	}
	if (p < end && *p == '/')
		p++;
	if (p >= end || *p != '?' ||
	    google_find_data(p + 1, (size_t)(end - p - 1), &val, &vlen) != 0) {
		mfa_err_why(err,
			    "no data parameter in otpauth-migration:// URI");
		return MFA_EPARSE;
	}
	if (vlen == 0) {
		mfa_err_why(err,
			    "empty data parameter in otpauth-migration:// URI");
		return MFA_EPARSE;
	}
	if ((raw = sodium_malloc(vlen + 1)) == NULL)
		return MFA_ENOMEM;
	if ((rc = google_unescape(val, vlen, raw, &rawlen)) != 0) {
		mfa_err_why(err, "bad percent-encoding in the data parameter");
		goto done;
	}
	if ((rc = io_base64_decode(raw, rawlen, &bin, &binlen)) != 0) {
		if (rc == MFA_EPARSE)
			mfa_err_why(err, "the data parameter is not base64");
		goto done;
	}
	mp = migration_payload__unpack(&google_allocator, binlen, bin);
	if (mp == NULL) {
		mfa_err_why(err,
			    "cannot decode the migration payload (not a Google "
			    "Authenticator export, or truncated)");
		rc = MFA_EPARSE;
		goto done;
	}
	for (i = 0; i < mp->n_otp_parameters; i++) {
		rc = google_account(mp->otp_parameters[i], i + 1, &tmp, err);
		if (rc != 0 && (rc = io_skip(&tmp, rc, err)) != 0)
			goto done;
	}
done:
	if (mp != NULL)
		migration_payload__free_unpacked(mp, &google_allocator);
	if (bin != NULL)
		sodium_free(bin);
	sodium_free(raw);
	rc = io_list_end(out, &tmp, rc, err);
	if (rc != 0 && err != NULL && err->why[0] == '\0')
		mfa_err_why(err, "%s", mfa_strerror(rc));
	return rc;
}
