/*
 * otpauth:// URIs (Google's Key Uri Format), parsed and written.
 *
 * Where the projects we read disagree (see tests/unit/test_otp_uri.c), we
 * follow the Key Uri Format: "%3A" separates like ':', the issuer parameter
 * wins over the label prefix, spaces after the separator are dropped. Beyond
 * it we accept what real exports contain: upper-case scheme, type and keys,
 * '+' for space in the query, "&amp;" from web pages, Steam written as
 * otpauth://steam/, encoder=steam or issuer Steam.
 */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mfa/otp.h"

#define URI_MAX_LEN (64 * 1024)

static int
uri_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into out (cap >= n + 1), NUL terminated; '+' is a
 * space when plus_space. A NUL byte decoded from "%00" is refused: names
 * are C strings and a secret never holds one in its base32 text.
 */
int
uri_unescape(const char *s, size_t n, bool plus_space, char *out,
	     size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3)
				return MFA_EURI_ENCODING;
			hi = uri_hexval(s[i + 1]);
			lo = uri_hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return MFA_EURI_ENCODING;
			if (hi == 0 && lo == 0)
				return MFA_ENUL;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space) {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return 0;
}

static int
uri_pct_strdup(const char *s, size_t n, bool plus_space, char **out)
{
	char *p = malloc(n + 1);
	int rc;

	if (p == NULL)
		return MFA_ENOMEM;
	if ((rc = uri_unescape(s, n, plus_space, p, NULL)) != 0) {
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* A whole decimal number in [min, max]; no sign, no spaces. */
static bool
uri_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void
uri_trim_spaces(char *s)
{
	size_t i = 0;

	while (s[i] == ' ')
		i++;
	if (i > 0)
		memmove(s, s + i, strlen(s + i) + 1);
}

void
uri_clear(struct otp_uri *u)
{
	free(u->name);
	free(u->issuer);
	free(u->note);
	free(u->serial);
	u->name = u->issuer = u->note = u->serial = NULL;
	if (u->secret != NULL && u->secret_cap > 0)
		sodium_memzero(u->secret, u->secret_cap);
	u->secret_len = 0;
}

struct uri_state {
	bool have_secret, have_counter, have_digits, steam_encoder;
	unsigned seen; /* bit per known parameter, to refuse repeats */
	char *issuer_param;
};

/*
 * The parameters we read. A repeat of one is refused: readers disagree on
 * which copy wins (pyotp takes the first, others the last), so a URI that
 * repeats one means different accounts to different apps. mfa-note and
 * mfa-serial are mfa's own: other readers ignore them.
 */
static const char *const uri_known[] = {
    "secret",  "issuer",  "algorithm", "digits",     "period",
    "counter", "encoder", "mfa-note",  "mfa-serial",
};

/* One key=value pair of the query; value still percent-encoded. */
static int
uri_param(struct otp_uri *u, struct uri_state *st, const char *key, size_t klen,
	  const char *val, size_t vlen, const char **errparam)
{
	char buf[64], **str;
	uint64_t n;
	size_t slen = 0, errpos = 0, k;
	int rc;

	for (k = 0; k < sizeof(uri_known) / sizeof(uri_known[0]); k++)
		if (strlen(uri_known[k]) == klen &&
		    strncasecmp(key, uri_known[k], klen) == 0)
			break;
	if (k == sizeof(uri_known) / sizeof(uri_known[0]))
		return 0; /* unknown parameters are someone else's business */
	*errparam = uri_known[k];
	if (st->seen & (1u << k))
		return MFA_EURI_REPEAT;
	st->seen |= 1u << k;

#define KEY_IS(k) (klen == sizeof(k) - 1 && strncasecmp(key, k, klen) == 0)
	if (KEY_IS("secret")) {
		if (vlen + 1 > u->secret_cap)
			return MFA_ETOOLONG;
		/* Decode in place in the caller's secret memory. */
		rc = uri_unescape(val, vlen, true, (char *)u->secret, &slen);
		if (rc == 0)
			rc = base32_decode((char *)u->secret, slen, u->secret,
					   u->secret_cap, &u->secret_len,
					   &errpos);
		if (rc != 0) {
			sodium_memzero(u->secret, u->secret_cap);
			u->secret_len = 0;
			return rc;
		}
		st->have_secret = true;
		*errparam = NULL;
		return 0;
	}
	if (KEY_IS("issuer") || KEY_IS("mfa-note") || KEY_IS("mfa-serial")) {
		str = KEY_IS("issuer")	   ? &st->issuer_param
		      : KEY_IS("mfa-note") ? &u->note
					   : &u->serial;
		if ((rc = uri_pct_strdup(val, vlen, true, str)) != 0)
			return rc;
		*errparam = NULL;
		return 0;
	}
	if (vlen >= sizeof(buf) && KEY_IS("encoder")) {
		*errparam = NULL; /* too long to be "steam" */
		return 0;
	}
	if (vlen >= sizeof(buf))
		return KEY_IS("algorithm") ? MFA_EHASH
		       : KEY_IS("digits")  ? MFA_EDIGITS
		       : KEY_IS("period")  ? MFA_EPERIOD
					   : MFA_EURI_COUNTER;
	if ((rc = uri_unescape(val, vlen, true, buf, NULL)) != 0)
		return rc;
	if (KEY_IS("algorithm")) {
		if ((rc = otp_hash_parse(buf, &u->p.hash)) != 0)
			return rc;
	} else if (KEY_IS("digits")) {
		if (!uri_number(buf, OTP_DIGITS_MIN, OTP_DIGITS_MAX, &n))
			return MFA_EDIGITS;
		u->p.digits = (unsigned)n;
		st->have_digits = true;
	} else if (KEY_IS("period")) {
		if (!uri_number(buf, 1, UINT32_MAX, &n))
			return MFA_EPERIOD;
		u->p.period = n;
	} else if (KEY_IS("counter")) {
		/* Beyond 2^63 - 1 no export format (nor most apps) can follow.
		 */
		if (!uri_number(buf, 0, OTP_COUNTER_MAX, &n))
			return MFA_EURI_COUNTER;
		u->p.counter = n;
		st->have_counter = true;
	} else if (strcasecmp(buf, "steam") == 0) {
		st->steam_encoder = true;
	}
#undef KEY_IS
	*errparam = NULL;
	return 0;
}

static int
uri_query(struct otp_uri *u, struct uri_state *st, const char *q, size_t n,
	  const char **errparam)
{
	size_t i = 0, start, end, eq;
	int rc;

	while (i < n) {
		start = i;
		while (i < n && q[i] != '&')
			i++;
		end = i;
		if (i < n) {
			i++; /* the '&' */
			/* "&amp;" pasted from HTML separates like '&'. */
			if (n - i >= 4 && strncmp(q + i, "amp;", 4) == 0)
				i += 4;
		}
		if (end == start)
			continue;
		for (eq = start; eq < end && q[eq] != '='; eq++)
			;
		rc = uri_param(u, st, q + start, eq - start,
			       eq < end ? q + eq + 1 : q + end,
			       eq < end ? end - eq - 1 : 0, errparam);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Split the decoded label into issuer prefix and account name. The split is
 * at the first ':', except when the label starts with the issuer parameter
 * and a ':': an issuer that itself holds ':' ("Text: More Text") is taken
 * whole, so the name after it survives.
 */
static int
uri_label(struct otp_uri *u, char *label, const char *issuer_param,
	  char **label_issuer)
{
	size_t ilen = issuer_param != NULL ? strlen(issuer_param) : 0;
	char *colon;

	if (ilen > 0 && strncmp(label, issuer_param, ilen) == 0 &&
	    label[ilen] == ':')
		colon = label + ilen;
	else if ((colon = strchr(label, ':')) == NULL) {
		u->name = label;
		return 0;
	}
	*colon = '\0';
	if ((u->name = strdup(colon + 1)) == NULL) {
		free(label);
		return MFA_ENOMEM;
	}
	uri_trim_spaces(u->name);
	*label_issuer = label;
	return 0;
}

int
uri_parse(const char *uri, size_t len, struct otp_uri *u, const char **errparam)
{
	static const char scheme[] = "otpauth://";
	struct uri_state st;
	const char *p, *end, *type, *label = NULL, *query = NULL;
	const char *dummy;
	char *label_issuer = NULL, *label_text = NULL;
	size_t typelen, labellen = 0;
	int rc;

	if (errparam == NULL)
		errparam = &dummy;
	*errparam = NULL;
	memset(&st, 0, sizeof(st));
	u->name = u->issuer = u->note = u->serial = NULL;
	u->secret_len = 0;
	while (len > 0 && (uri[len - 1] == '\n' || uri[len - 1] == '\r' ||
			   uri[len - 1] == ' ' || uri[len - 1] == '\t'))
		len--;
	if (len > URI_MAX_LEN)
		return MFA_ETOOLONG;
	if (len < sizeof(scheme) - 1 ||
	    strncasecmp(uri, scheme, sizeof(scheme) - 1) != 0)
		return MFA_EURI_SCHEME;
	if (memchr(uri, '\0', len) != NULL)
		return MFA_EURI_ENCODING;
	end = uri + len;
	type = p = uri + sizeof(scheme) - 1;
	while (p < end && *p != '/' && *p != '?')
		p++;
	typelen = (size_t)(p - type);
	otp_params_default(&u->p, OTP_TOTP);
	if (typelen == 4 && strncasecmp(type, "totp", 4) == 0)
		u->p.type = OTP_TOTP;
	else if (typelen == 4 && strncasecmp(type, "hotp", 4) == 0)
		u->p.type = OTP_HOTP;
	else if (typelen == 5 && strncasecmp(type, "steam", 5) == 0)
		u->p.type = OTP_STEAM;
	else
		return MFA_EURI_TYPE;
	if (p < end && *p == '/') {
		label = ++p;
		while (p < end && *p != '?')
			p++;
		labellen = (size_t)(p - label);
	}
	if (p < end && *p == '?')
		query = p + 1;

	if (label != NULL &&
	    (rc = uri_pct_strdup(label, labellen, false, &label_text)) != 0) {
		*errparam = "label";
		goto fail;
	}
	if (query != NULL &&
	    (rc = uri_query(u, &st, query, (size_t)(end - query), errparam)))
		goto fail;
	if (label_text != NULL) {
		rc = uri_label(u, label_text, st.issuer_param, &label_issuer);
		label_text = NULL; /* now u->name or label_issuer */
		if (rc != 0)
			goto fail;
	}
	if (!st.have_secret || u->secret_len == 0) {
		*errparam = "secret";
		rc = st.have_secret ? MFA_ESECRET_EMPTY : MFA_EURI_NOSECRET;
		goto fail;
	}
	if (u->p.type == OTP_HOTP && !st.have_counter) {
		*errparam = "counter";
		rc = MFA_EURI_COUNTER;
		goto fail;
	}
	/* The issuer parameter wins; an empty one does not erase the label's.
	 */
	if (st.issuer_param != NULL && st.issuer_param[0] != '\0') {
		u->issuer = st.issuer_param;
		st.issuer_param = NULL;
	} else if (label_issuer != NULL) {
		u->issuer = label_issuer;
		label_issuer = NULL;
	} else if ((u->issuer = strdup("")) == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	if ((u->name == NULL && (u->name = strdup("")) == NULL) ||
	    (u->note == NULL && (u->note = strdup("")) == NULL) ||
	    (u->serial == NULL && (u->serial = strdup("")) == NULL)) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	if (u->p.type == OTP_TOTP &&
	    (st.steam_encoder ||
	     (strcasecmp(u->issuer, "Steam") == 0 &&
	      (!st.have_digits || u->p.digits == OTP_STEAM_DIGITS))))
		u->p.type = OTP_STEAM;
	/* Steam Guard is fixed: whatever the URI says, 5 characters of
	 * HMAC-SHA1 over 30-second steps (pyotp ignores them too). */
	if (u->p.type == OTP_STEAM) {
		u->p.period = 30;
		u->p.digits = OTP_STEAM_DIGITS;
		u->p.hash = OTP_SHA1;
	}
	free(label_issuer);
	free(st.issuer_param);
	return 0;
fail:
	free(label_text);
	free(label_issuer);
	free(st.issuer_param);
	uri_clear(u);
	return rc;
}

static const char uri_hex[] = "0123456789ABCDEF";

/* Append s percent-encoded; keep_at leaves '@' readable in labels. */
static size_t
uri_pct_encode(char *out, const char *s, bool keep_at)
{
	size_t o = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || (keep_at && c == '@')) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = uri_hex[c >> 4];
			out[o++] = uri_hex[c & 15];
		}
	}
	return o;
}

size_t
uri_format_full_len(const char *issuer, const char *name, const char *serial,
		    const char *note, size_t secret_len)
{
	/* Fixed text + worst-case encodings (3x) + base32 + numbers. */
	return 200 + 3 * (2 * strlen(issuer) + strlen(name)) +
	       (serial != NULL ? 3 * strlen(serial) : 0) +
	       (note != NULL ? 3 * strlen(note) : 0) +
	       base32_encoded_len(secret_len);
}

size_t
uri_format_len(const char *issuer, const char *name, size_t secret_len)
{
	return uri_format_full_len(issuer, name, NULL, NULL, secret_len);
}

int
uri_format(const struct otp_params *p, const char *issuer, const char *name,
	   const uint8_t *secret, size_t secret_len, char *out, size_t outcap)
{
	return uri_format_full(p, issuer, name, NULL, NULL, secret, secret_len,
			       out, outcap);
}

int
uri_format_full(const struct otp_params *p, const char *issuer,
		const char *name, const char *serial, const char *note,
		const uint8_t *secret, size_t secret_len, char *out,
		size_t outcap)
{
	size_t o, b32len = base32_encoded_len(secret_len);
	bool colon;
	int rc, n;

	if ((rc = otp_params_check(p)) != 0)
		return rc;
	if (secret_len == 0)
		return MFA_ESECRET_EMPTY;
	if (outcap <
	    uri_format_full_len(issuer, name, serial, note, secret_len))
		return MFA_ETOOLONG;
	/* Steam goes out as the header promises: TOTP, encoder=steam and,
	 * lacking one of its own, issuer Steam. */
	if (p->type == OTP_STEAM && issuer[0] == '\0')
		issuer = "Steam";
	o = (size_t)snprintf(
	    out, outcap, "otpauth://%s/",
	    otp_type_name(p->type == OTP_STEAM ? OTP_TOTP : p->type));
	/*
	 * Spaces after the separator are dropped when read back, so a name
	 * starting with one goes out without the prefix (issuer= still says
	 * it) unless a ':' in it needs one.
	 */
	colon = strchr(name, ':') != NULL;
	if (issuer[0] != '\0' && (name[0] != ' ' || colon)) {
		o += uri_pct_encode(out + o, issuer, false);
		out[o++] = ':';
	} else if (colon) {
		/* An empty prefix, so a ':' in the name is not read as one. */
		out[o++] = ':';
	}
	o += uri_pct_encode(out + o, name, true);
	memcpy(out + o, "?secret=", 8);
	o += 8;
	if ((rc = base32_encode(secret, secret_len, out + o, b32len + 1)) != 0)
		return rc;
	o += b32len;
	if (issuer[0] != '\0') {
		memcpy(out + o, "&issuer=", 8);
		o += 8;
		o += uri_pct_encode(out + o, issuer, false);
	}
	if (p->type == OTP_STEAM)
		n = snprintf(out + o, outcap - o,
			     "&digits=5&period=30&encoder=steam");
	else if (p->type == OTP_HOTP)
		n = snprintf(out + o, outcap - o,
			     "&algorithm=%s&digits=%u&counter=%llu",
			     otp_hash_name(p->hash), p->digits,
			     (unsigned long long)p->counter);
	else
		n = snprintf(out + o, outcap - o,
			     "&algorithm=%s&digits=%u&period=%llu",
			     otp_hash_name(p->hash), p->digits,
			     (unsigned long long)p->period);
	if (n < 0 || (size_t)n >= outcap - o)
		return MFA_ETOOLONG;
	o += (size_t)n;
	if (serial != NULL && serial[0] != '\0') {
		memcpy(out + o, "&mfa-serial=", 12);
		o += 12;
		o += uri_pct_encode(out + o, serial, false);
	}
	if (note != NULL && note[0] != '\0') {
		memcpy(out + o, "&mfa-note=", 10);
		o += 10;
		o += uri_pct_encode(out + o, note, false);
	}
	out[o] = '\0';
	return 0;
}
