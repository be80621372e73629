/*
 * URI lists: one otpauth:// or otpauth-migration:// URI a line, as written
 * by Aegis, Ente, Stratum, scito's extract_otp_secrets and `mfa export`.
 * Blank lines and '#' comments are skipped, CRLF is tolerated, and a
 * zbarimg "QR-Code:" prefix is dropped so `zbarimg *.png | mfa import -`
 * works.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "io/formats.h"
#include "io/iojson.h"

static bool
urilist_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
urilist_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);

	return n >= pl && strncasecmp(s, prefix, pl) == 0;
}

/*
 * The label of an otpauth line, to name it in a message: decoded when it
 * decodes, else as written; "" when there is none.
 */
static const char *
urilist_label(const char *line, size_t n, char *buf, size_t bufsz)
{
	const char *p = memchr(line, '/', n), *q;
	size_t len;

	buf[0] = '\0';
	/* otpauth://TYPE/LABEL?... : the third '/' starts the label. */
	if (p == NULL || (size_t)(p - line) + 2 > n || p[1] != '/' ||
	    (p = memchr(p + 2, '/', n - (size_t)(p + 2 - line))) == NULL)
		return buf;
	p++;
	q = memchr(p, '?', n - (size_t)(p - line));
	len = (size_t)((q != NULL ? q : line + n) - p);
	if (len + 1 > bufsz)
		len = bufsz - 1;
	if (uri_unescape(p, len, false, buf, NULL) != 0) {
		memcpy(buf, p, len);
		buf[len] = '\0';
	}
	return buf;
}

/* One otpauth:// line into tmp; the parse errors go to the caller. */
static int
urilist_one(const char *line, size_t n, struct io_list *tmp,
	    const char **errparam, struct mfa_err *sub)
{
	struct otp_uri u;
	struct io_entry e;
	int rc;

	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	/* Decoded base32 is always shorter than the line that holds it. */
	u.secret_cap = n + 1;
	if ((u.secret = io_secret_alloc(tmp, u.secret_cap)) == NULL)
		return MFA_ENOMEM;
	if ((rc = uri_parse(line, n, &u, errparam)) != 0) {
		uri_clear(&u);
		io_secret_trim(tmp, u.secret, u.secret_cap, 0);
		return rc;
	}
	io_secret_trim(tmp, u.secret, u.secret_cap, u.secret_len);
	e.name = u.name;
	e.issuer = u.issuer;
	e.serial = u.serial;
	e.note = u.note;
	e.secret = u.secret;
	e.secret_len = u.secret_len;
	e.in_arena = true;
	e.p = u.p;
	return io_list_add(tmp, &e, sub);
}

int
urilist_import(const uint8_t *buf, size_t len, struct io_list *out,
	       struct mfa_err *err)
{
	const char *s = (const char *)buf, *line;
	const char *errparam;
	struct io_list tmp;
	char label[64], where[96];
	struct mfa_err sub = {0};
	size_t i = 0, lineno = 0, n, eol, from;
	int rc = 0;

	io_list_begin(&tmp, out);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		lineno++;
		line = s + i;
		for (eol = i; eol < len && s[eol] != '\n'; eol++)
			;
		n = eol - i;
		i = eol < len ? eol + 1 : len;
		while (n > 0 && urilist_space(line[0])) {
			line++;
			n--;
		}
		while (n > 0 && urilist_space(line[n - 1]))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (urilist_prefix(line, n, "QR-Code:")) {
			line += strlen("QR-Code:");
			n -= strlen("QR-Code:");
		}
		sub.why[0] = '\0';
		if (urilist_prefix(line, n, "otpauth-migration:")) {
			from = tmp.nskipped;
			snprintf(where, sizeof(where), "line %zu", lineno);
			rc = google_import_uri(line, n, &tmp, &sub);
			if (rc == 0 &&
			    (rc = io_list_prefix_skips(&tmp, from, where)) != 0)
				break;
			if (rc != 0) {
				mfa_err_why(err, "line %zu: %s", lineno,
					    mfa_err_text(&sub, rc));
				if ((rc = io_skip(&tmp, rc, err)) != 0)
					break;
			}
			continue;
		}
		errparam = NULL;
		if ((rc = urilist_one(line, n, &tmp, &errparam, &sub)) != 0) {
			urilist_label(line, n, label, sizeof(label));
			if (label[0] != '\0')
				snprintf(where, sizeof(where), "line %zu (%s)",
					 lineno, label);
			else
				snprintf(where, sizeof(where), "line %zu",
					 lineno);
			if (rc == MFA_EURI_REPEAT)
				mfa_err_why(err, "%s: parameter %s given twice",
					    where, errparam);
			else if (errparam != NULL)
				mfa_err_why(err, "%s: %s (parameter %s)", where,
					    mfa_strerror(rc), errparam);
			else if (sub.why[0] != '\0')
				mfa_err_why(err, "%s: %s", where, sub.why);
			else
				mfa_err_why(err, "%s: %s", where,
					    mfa_strerror(rc));
			if ((rc = io_skip(&tmp, rc, err)) != 0)
				break;
		}
	}
	sodium_memzero(&sub, sizeof(sub));
	return io_list_end(out, &tmp, rc, err);
}
