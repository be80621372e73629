/*
 * Secrets come in on stdin or from the terminal with echo off, never on the
 * command line, where every user of the machine could read them in ps.
 * The text is either base32 or a whole otpauth:// URI.
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"

extern const struct mfa_cmd cmd_code_entry;

#define SECRET_INPUT_MAX (64 * 1024)

/* Move buf (n bytes used) into a larger secret buffer of cap + 1 bytes. */
static int
secret_grow(char **buf, size_t n, size_t cap)
{
	char *nb = sodium_malloc(cap + 1);

	if (nb == NULL)
		return MFA_ENOMEM;
	memcpy(nb, *buf, n);
	sodium_free(*buf);
	*buf = nb;
	return 0;
}

int
secret_read_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t n = 0, cap = max < 4096 ? max : 4096;
	char *buf, c;
	ssize_t r;

	/* Start small and double: most inputs are a line, a few a file. */
	if ((buf = sodium_malloc(cap + 1)) == NULL)
		return MFA_ENOMEM;
	for (;;) {
		if (n == cap && cap < max) {
			cap = cap > max / 2 ? max : cap * 2;
			if (secret_grow(&buf, n, cap) != 0) {
				sodium_free(buf);
				return MFA_ENOMEM;
			}
		}
		if (n == max) {
			/* One byte more tells "too long" from "exactly max". */
			r = read(fd, &c, 1);
			if (r == 0)
				break;
			if (r < 0 && errno == EINTR)
				continue;
			sodium_free(buf);
			return r < 0 ? MFA_EIO : MFA_ETOOLONG;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sodium_free(buf);
			return MFA_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int
secret_apply_opts(struct mfa_ctx *ctx, const struct mfa_args *a,
		  struct otp_params *p)
{
	uint64_t v;
	int rc, ntypes = args_has(a, OPT_TOTP) + args_has(a, OPT_HOTP) +
			 args_has(a, OPT_STEAM);

	if (ntypes > 1)
		return cli_usage(ctx, "--totp, --hotp and --steam exclude "
				      "each other");
	if (args_has(a, OPT_TOTP))
		p->type = OTP_TOTP;
	if (args_has(a, OPT_HOTP))
		p->type = OTP_HOTP;
	if (args_has(a, OPT_STEAM)) {
		p->type = OTP_STEAM;
		p->digits = OTP_STEAM_DIGITS;
		p->hash = OTP_SHA1;
	}
	if (args_has(a, OPT_ALGORITHM) &&
	    otp_hash_parse(args_get(a, OPT_ALGORITHM), &p->hash) != 0)
		return cli_usage(ctx,
				 "unknown algorithm '%s' (want SHA1, "
				 "SHA256 or SHA512)",
				 args_get(a, OPT_ALGORITHM));
	v = p->digits;
	if ((rc = args_uint(ctx, a, OPT_DIGITS, OTP_DIGITS_MIN, OTP_DIGITS_MAX,
			    &v)) != 0)
		return rc;
	p->digits = (unsigned)v;
	if ((rc = args_uint(ctx, a, OPT_PERIOD, 1, UINT32_MAX, &p->period)))
		return rc;
	/*
	 * What goes into the vault stays within what every export format
	 * carries (add, edit); a code made without a vault (code
	 * --secret-stdin) may use all 64 bits, as oathtool does.
	 */
	if ((rc = args_uint(ctx, a, OPT_COUNTER, 0,
			    a->cmd == &cmd_code_entry ? UINT64_MAX
						      : OTP_COUNTER_MAX,
			    &p->counter)))
		return rc;
	if (p->type == OTP_STEAM &&
	    (args_has(a, OPT_DIGITS) || args_has(a, OPT_ALGORITHM)))
		return cli_usage(ctx, "Steam codes are always 5 characters "
				      "from HMAC-SHA1");
	return 0;
}

void
secret_clear(struct cli_secret *s)
{
	free(s->name);
	free(s->issuer);
	free(s->note);
	free(s->serial);
	if (s->secret != NULL)
		sodium_free(s->secret);
	memset(s, 0, sizeof(*s));
}

static size_t
secret_trim(char *t, size_t n, size_t *start)
{
	size_t b = 0;

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' ||
			 t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	while (b < n &&
	       (t[b] == ' ' || t[b] == '\t' || t[b] == '\n' || t[b] == '\r'))
		b++;
	*start = b;
	return n - b;
}

int
secret_read(struct mfa_ctx *ctx, const struct mfa_args *a, const char *what,
	    struct cli_secret *s)
{
	struct otp_uri u;
	char *text = NULL, *t;
	size_t len = 0, start, errpos = 0, cap;
	const char *errparam = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	otp_params_default(&s->p, OTP_TOTP);
	if (isatty(STDIN_FILENO)) {
		rc = tty_read_secret(
		    "Secret (base32) or otpauth:// URI: ", &text, &len);
		what = "secret from the terminal";
	} else {
		rc =
		    secret_read_fd(STDIN_FILENO, SECRET_INPUT_MAX, &text, &len);
	}
	if (rc != 0)
		return cli_fail(ctx, rc, "%s", what);
	len = secret_trim(text, len, &start);
	t = text + start;
	cap = len + 1;
	if (len == 0) {
		sodium_free(text);
		return cli_fail(ctx, MFA_ESECRET_EMPTY, "%s", what);
	}
	if ((s->secret = sodium_malloc(cap)) == NULL) {
		sodium_free(text);
		return cli_fail(ctx, MFA_ENOMEM, "%s", what);
	}
	if (len >= 8 && strncasecmp(t, "otpauth:", 8) == 0) {
		memset(&u, 0, sizeof(u));
		u.secret = s->secret;
		u.secret_cap = cap;
		rc = uri_parse(t, len, &u, &errparam);
		sodium_free(text);
		if (rc != 0) {
			secret_clear(s);
			if (errparam != NULL)
				return cli_fail(ctx, rc,
						"%s: otpauth URI "
						"parameter '%s'",
						what, errparam);
			return cli_fail(ctx, rc, "%s", what);
		}
		s->p = u.p;
		s->name = u.name;
		s->issuer = u.issuer;
		/* Empty ones are no news: keep NULL, "not given". */
		if (u.note[0] != '\0')
			s->note = u.note;
		else
			free(u.note);
		if (u.serial[0] != '\0')
			s->serial = u.serial;
		else
			free(u.serial);
		s->secret_len = u.secret_len;
		s->from_uri = true;
	} else {
		rc = base32_decode(t, len, s->secret, cap, &s->secret_len,
				   &errpos);
		if (rc == MFA_EBASE32) {
			unsigned char bad = (unsigned char)t[errpos];
			sodium_free(text);
			secret_clear(s);
			if (bad >= 0x21 && bad < 0x7f)
				return cli_fail(ctx, rc,
						"%s: character '%c' "
						"at position %zu",
						what, bad, errpos + 1);
			return cli_fail(ctx, rc,
					"%s: byte 0x%02x at position "
					"%zu",
					what, bad, errpos + 1);
		}
		sodium_free(text);
		if (rc == 0 && s->secret_len == 0)
			rc = MFA_ESECRET_EMPTY;
		if (rc != 0) {
			secret_clear(s);
			return cli_fail(ctx, rc, "%s", what);
		}
	}
	if ((rc = secret_apply_opts(ctx, a, &s->p)) != 0) {
		secret_clear(s);
		return rc;
	}
	return 0;
}

int
secret_check_storable(struct mfa_ctx *ctx, const struct otp_params *p,
		      const char *label)
{
	/* Limits of what every export format (and JSON) can carry back out. */
	if (p->counter > (uint64_t)INT64_MAX)
		return cli_failx(ctx, MFA_EURI_COUNTER,
				 "account %s: HOTP counter %llu is beyond what "
				 "can be exported again (2^63 - 1)",
				 label, (unsigned long long)p->counter);
	if (p->t0 > util_time())
		return cli_failx(ctx, MFA_ETIME,
				 "account %s: its time origin (T0) is in the "
				 "future, so it has no codes yet",
				 label);
	return 0;
}
