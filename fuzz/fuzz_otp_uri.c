/*
 * libFuzzer harness for uri_parse and uri_format: whatever parses must
 * format, and the formatted URI must parse back to the same account.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfa/otp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                          \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_otp_uri: %s:%d: %s\n", __FILE__, \
				__LINE__, #c);                                 \
			abort();                                               \
		}                                                              \
	} while (0)

static const char *const fuzz_params[] = {
    "secret",  "issuer", "algorithm", "digits",	    "period", "counter",
    "encoder", "label",	 "mfa-note",  "mfa-serial", NULL,
};

static int
fuzz_known_param(const char *p)
{
	size_t i;

	for (i = 0; fuzz_params[i] != NULL; i++)
		if (strcmp(p, fuzz_params[i]) == 0)
			return 1;
	return 0;
}

/*
 * Spaces after the issuer separator are dropped by the Key Uri Format. A
 * name that starts with spaces and holds a ':' needs a separator, so it can
 * only come back without them; any other name must come back whole.
 */
static const char *
fuzz_name(const char *s)
{
	if (s[0] == ' ' && strchr(s, ':') != NULL)
		while (*s == ' ')
			s++;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct otp_uri u, v;
	const char *errparam = "unset", *want_issuer;
	char *out;
	size_t cap;
	int rc;

	memset(&u, 0, sizeof(u));
	memset(&v, 0, sizeof(v));
	u.secret_cap = size + 1;
	if ((u.secret = malloc(u.secret_cap)) == NULL)
		return 0;
	rc = uri_parse((const char *)data, size, &u, &errparam);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0 && rc >= MFA_RC_MIN);
		FUZZ_CHECK(errparam == NULL || fuzz_known_param(errparam));
		FUZZ_CHECK(u.name == NULL && u.issuer == NULL &&
			   u.note == NULL && u.serial == NULL);
		free(u.secret);
		return 0;
	}
	FUZZ_CHECK(errparam == NULL);
	FUZZ_CHECK(u.name != NULL && u.issuer != NULL);
	FUZZ_CHECK(u.secret_len > 0 && u.secret_len <= u.secret_cap);
	FUZZ_CHECK(otp_params_check(&u.p) == 0);

	cap = uri_format_full_len(u.issuer, u.name, u.serial, u.note,
				  u.secret_len);
	out = malloc(cap);
	FUZZ_CHECK(out != NULL);
	rc = uri_format_full(&u.p, u.issuer, u.name, u.serial, u.note, u.secret,
			     u.secret_len, out, cap);
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(strlen(out) < cap);

	v.secret_cap = strlen(out) + 1;
	v.secret = malloc(v.secret_cap);
	FUZZ_CHECK(v.secret != NULL);
	rc = uri_parse(out, strlen(out), &v, &errparam);
	if (rc != 0)
		fprintf(stderr, "fuzz_otp_uri: %s does not parse: %s\n", out,
			mfa_strerror_name(rc));
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(v.p.type == u.p.type);
	FUZZ_CHECK(v.p.hash == u.p.hash);
	FUZZ_CHECK(v.p.digits == u.p.digits);
	/* HOTP has no period; its URI carries the counter instead. */
	FUZZ_CHECK(u.p.type == OTP_HOTP || v.p.period == u.p.period);
	FUZZ_CHECK(u.p.type != OTP_HOTP || v.p.counter == u.p.counter);
	FUZZ_CHECK(v.secret_len == u.secret_len);
	FUZZ_CHECK(memcmp(v.secret, u.secret, u.secret_len) == 0);
	/* Steam with no issuer is written with issuer Steam. */
	want_issuer =
	    u.p.type == OTP_STEAM && u.issuer[0] == '\0' ? "Steam" : u.issuer;
	if (strcmp(v.issuer, want_issuer) != 0 ||
	    strcmp(fuzz_name(v.name), fuzz_name(u.name)) != 0)
		fprintf(stderr,
			"fuzz_otp_uri: [%s] [%s] came back as [%s] [%s] "
			"via %s\n",
			u.issuer, u.name, v.issuer, v.name, out);
	FUZZ_CHECK(strcmp(v.issuer, want_issuer) == 0);
	FUZZ_CHECK(strcmp(v.note, u.note) == 0);
	FUZZ_CHECK(strcmp(v.serial, u.serial) == 0);
	FUZZ_CHECK(strcmp(fuzz_name(v.name), fuzz_name(u.name)) == 0);

	uri_clear(&v);
	uri_clear(&u);
	free(v.secret);
	free(u.secret);
	free(out);
	return 0;
}
