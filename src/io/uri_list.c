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

/* One otpauth:// line into tmp; the parse errors go to the caller. */
static int
urilist_one(const char *line, size_t n, struct io_list *tmp,
	    const char **errparam)
{
	struct otp_uri u;
	struct io_entry e;
	int rc;

	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	/* Decoded base32 is always shorter than the line that holds it. */
	u.secret_cap = n + 1;
	if ((u.secret = sodium_malloc(u.secret_cap)) == NULL)
		return MFA_ENOMEM;
	if ((rc = uri_parse(line, n, &u, errparam)) != 0) {
		uri_clear(&u);
		sodium_free(u.secret);
		return rc;
	}
	e.name = u.name;
	e.issuer = u.issuer;
	e.secret = u.secret;
	e.secret_len = u.secret_len;
	e.p = u.p;
	e.serial = strdup("");
	e.note = strdup("");
	if (e.serial == NULL || e.note == NULL) {
		io_entry_clear(&e);
		return MFA_ENOMEM;
	}
	return io_list_push(tmp, &e);
}

int
urilist_import(const uint8_t *buf, size_t len, struct io_list *out,
	       char why[IO_WHY_MAX])
{
	const char *s = (const char *)buf, *line;
	const char *errparam;
	struct io_list tmp;
	char sub[IO_WHY_MAX];
	size_t i = 0, lineno = 0, n, eol;
	int rc = 0;

	memset(&tmp, 0, sizeof(tmp));
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
		sub[0] = '\0';
		if (urilist_prefix(line, n, "otpauth-migration:")) {
			if ((rc = google_import_uri(line, n, &tmp, sub)) != 0) {
				io_why(why, "line %zu: %s", lineno,
				       sub[0] != '\0' ? sub : mfa_strerror(rc));
				break;
			}
			continue;
		}
		errparam = NULL;
		if ((rc = urilist_one(line, n, &tmp, &errparam)) != 0) {
			if (errparam != NULL)
				io_why(why, "line %zu: %s (parameter %s)",
				       lineno, mfa_strerror(rc), errparam);
			else
				io_why(why, "line %zu: %s", lineno,
				       mfa_strerror(rc));
			break;
		}
	}
	sodium_memzero(sub, sizeof(sub));
	if (rc == 0 && (rc = io_list_move(out, &tmp)) != 0)
		io_why(why, "%s", mfa_strerror(rc));
	if (rc != 0)
		io_list_free(&tmp);
	return rc;
}
