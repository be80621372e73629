/*
 * What mfa aws session prints or writes: shell exports, the Credentials
 * JSON, the credential_process JSON, or a profile in the shared credentials
 * file. Every buffer holding credentials is sodium_malloc'd.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/aws.h"

/* The keys mfa owns in a credentials-file profile. */
static const char *const format_keys[] = {
    "aws_access_key_id", "aws_secret_access_key",
    "aws_session_token", "aws_security_token",
    "expiration",
};

int
aws_format_parse(const char *s, enum aws_format *f)
{
	if (strcmp(s, "env") == 0)
		*f = AWS_FMT_ENV;
	else if (strcmp(s, "json") == 0)
		*f = AWS_FMT_JSON;
	else if (strcmp(s, "credential-process") == 0)
		*f = AWS_FMT_PROCESS;
	else if (strcmp(s, "credentials-file") == 0)
		*f = AWS_FMT_FILE;
	else
		return MFA_EINVAL;
	return 0;
}

int
aws_format_time(int64_t t, char out[AWS_TIME_MAX])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, AWS_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return MFA_ETIME;
	return 0;
}

static bool
format_digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int
aws_format_time_parse(const char *s, int64_t *t)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	struct tm tm;
	time_t v;

	if (strlen(s) < 19 || !format_digits(s, 4, &y) || s[4] != '-' ||
	    !format_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !format_digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
	    !format_digits(s + 11, 2, &h) || s[13] != ':' ||
	    !format_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !format_digits(s + 17, 2, &sec))
		return MFA_EINVAL;
	s += 19;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (!format_digits(s + 1, 2, &oh))
			return MFA_EINVAL;
		s += 3;
		if (*s == ':')
			s++;
		if (!format_digits(s, 2, &om))
			return MFA_EINVAL;
		s += 2;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		return MFA_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((v = timegm(&tm)) == (time_t)-1 && y != 1969)
		return MFA_ETIME;
	*t = (int64_t)v - sign * (oh * 3600 + om * 60);
	return 0;
}

static bool
format_shell_safe(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("_@%+=:,./-", *s) == NULL)
			return false;
	return true;
}

char *
aws_format_shell_quote(const char *value)
{
	size_t n = 3, i, o = 0;
	const char *s;
	char *out;

	if (format_shell_safe(value))
		return strdup(value);
	for (s = value; *s != '\0'; s++)
		n += *s == '\'' ? 4 : 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	out[o++] = '\'';
	for (i = 0; value[i] != '\0'; i++) {
		if (value[i] == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = value[i];
		}
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* Shell-quoted copy into secret memory (credentials may need quoting). */
static char *
format_quote_secret(const char *value)
{
	size_t n = 3;
	const char *s;
	char *out, *o;

	if (format_shell_safe(value)) {
		n = strlen(value) + 1;
		if ((out = sodium_malloc(n)) != NULL)
			memcpy(out, value, n);
		return out;
	}
	for (s = value; *s != '\0'; s++)
		n += *s == '\'' ? 4 : 1;
	if ((out = sodium_malloc(n)) == NULL)
		return NULL;
	o = out;
	*o++ = '\'';
	for (s = value; *s != '\0'; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

static int
format_env(const struct aws_creds *c, const char *exp, char **out, size_t *len)
{
	static const char *const names[] = {
	    "AWS_ACCESS_KEY_ID",
	    "AWS_SECRET_ACCESS_KEY",
	    "AWS_SESSION_TOKEN",
	    "AWS_CREDENTIAL_EXPIRATION",
	};
	const char *vals[4];
	char *q[4] = {NULL, NULL, NULL, NULL}, *buf = NULL;
	size_t n = 1, o = 0, i;
	int rc = 0;

	vals[0] = c->access_key_id;
	vals[1] = c->secret_access_key;
	vals[2] = c->session_token;
	vals[3] = exp;
	for (i = 0; i < 4; i++) {
		if ((q[i] = format_quote_secret(vals[i])) == NULL) {
			rc = MFA_ENOMEM;
			goto out;
		}
		n += strlen("export =\n") + strlen(names[i]) + strlen(q[i]);
	}
	if ((buf = sodium_malloc(n)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	for (i = 0; i < 4; i++)
		o += (size_t)snprintf(buf + o, n - o, "export %s=%s\n",
				      names[i], q[i]);
	*out = buf;
	*len = o;
out:
	for (i = 0; i < 4; i++)
		if (q[i] != NULL)
			sodium_free(q[i]);
	return rc;
}

static int
format_json(const struct aws_creds *c, const char *exp, bool process,
	    char **out, size_t *len)
{
	json_t *o;
	size_t need, flags;
	char *buf;
	int bad = 0;

	if ((o = json_object()) == NULL)
		return MFA_ENOMEM;
	if (process)
		bad |= json_object_set_new(o, "Version", json_integer(1));
	bad |= json_object_set_new(o, "AccessKeyId",
				   json_string(c->access_key_id));
	bad |= json_object_set_new(o, "SecretAccessKey",
				   json_string(c->secret_access_key));
	bad |= json_object_set_new(o, "SessionToken",
				   json_string(c->session_token));
	bad |= json_object_set_new(o, "Expiration", json_string(exp));
	/* credential_process wants one object; people read the other. */
	flags = JSON_PRESERVE_ORDER | (process ? JSON_COMPACT : JSON_INDENT(4));
	if (bad || (need = json_dumpb(o, NULL, 0, flags)) == 0) {
		json_decref(o);
		return MFA_ENOMEM;
	}
	if ((buf = sodium_malloc(need + 2)) == NULL) {
		json_decref(o);
		return MFA_ENOMEM;
	}
	if (json_dumpb(o, buf, need, flags) != need) {
		sodium_free(buf);
		json_decref(o);
		return MFA_ENOMEM;
	}
	json_decref(o);
	buf[need] = '\n';
	buf[need + 1] = '\0';
	*out = buf;
	*len = need + 1;
	return 0;
}

int
aws_format_creds(const struct aws_creds *c, enum aws_format f, char **out,
		 size_t *len)
{
	char exp[AWS_TIME_MAX];
	int rc;

	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    c->session_token == NULL)
		return MFA_EINVAL;
	if ((rc = aws_format_time(c->expiration, exp)) != 0)
		return rc;
	switch (f) {
	case AWS_FMT_ENV:
		return format_env(c, exp, out, len);
	case AWS_FMT_JSON:
		return format_json(c, exp, false, out, len);
	case AWS_FMT_PROCESS:
		return format_json(c, exp, true, out, len);
	default:
		return MFA_EINVAL;
	}
}

/*
 * The shared credentials file as botocore reads it: Python's configparser
 * (RawConfigParser, defaults). Lines end at "\n", "\r\n" or a lone "\r"
 * (universal newlines). A line is blank or a comment ("#" or ";" after
 * any indent), which changes nothing; else a continuation of the option
 * above when it is indented deeper than that option's line; else, after
 * its indent, a "[name]" section header (the name runs to the line's last
 * "]"), or a "key = value" / "key: value" option; anything else (an option
 * before any section, a line with neither) makes the file unreadable.
 */
enum cp_kind { CP_SKIP, CP_CONT, CP_SECTION, CP_OPTION, CP_ERROR };

struct cp_state {
	bool sect;     /* in a section */
	bool opt;      /* an option line came since it began */
	size_t indent; /* the indent of the last section or option line */
};

/* Python's str.isspace() for ASCII. */
static bool
cp_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/*
 * One line (without its line end): its kind, and the section name or the
 * option's key (lowercased into key; "" when too long) with it.
 */
static enum cp_kind
cp_line(struct cp_state *st, const char *line, size_t n, const char **name,
	size_t *nlen, char *key, size_t keycap)
{
	const char *v = line, *close;
	size_t vn = n, indent, i, k;

	while (vn > 0 && cp_space((unsigned char)*v)) {
		v++;
		vn--;
	}
	while (vn > 0 && cp_space((unsigned char)v[vn - 1]))
		vn--;
	if (vn == 0 || *v == '#' || *v == ';')
		return CP_SKIP;
	indent = (size_t)(v - line);
	if (st->sect && st->opt && indent > st->indent)
		return CP_CONT;
	st->indent = indent;
	if (vn >= 3 && v[0] == '[' && (close = memrchr(v, ']', vn)) != NULL &&
	    close - v >= 2) {
		*name = v + 1;
		*nlen = (size_t)(close - v - 1);
		st->sect = true;
		st->opt = false;
		return CP_SECTION;
	}
	if (!st->sect)
		return CP_ERROR;
	for (i = 0; i < vn && v[i] != '=' && v[i] != ':'; i++)
		;
	if (i == vn)
		return CP_ERROR;
	while (i > 0 && cp_space((unsigned char)v[i - 1]))
		i--;
	/* An empty key is an error, and leaves no option to continue. */
	st->opt = i > 0;
	if (i == 0)
		return CP_ERROR;
	for (k = 0; k < i && k + 1 < keycap; k++)
		key[k] = (char)tolower((unsigned char)v[k]);
	key[k < i ? 0 : k] = '\0';
	return CP_OPTION;
}

/* The next line of p..stop: its length without and with its line end. */
static void
cp_next(const char *p, const char *stop, size_t *len, size_t *whole)
{
	const char *e = p;

	while (e < stop && *e != '\n' && *e != '\r')
		e++;
	*len = (size_t)(e - p);
	if (e < stop && *e == '\r' && e + 1 < stop && e[1] == '\n')
		e += 2;
	else if (e < stop)
		e++;
	*whole = (size_t)(e - p);
}

static bool
format_ours(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(format_keys) / sizeof(format_keys[0]); i++)
		if (strcmp(key, format_keys[i]) == 0)
			return true;
	return false;
}

static bool
format_section_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 200)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '[' || *s == ']' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return false;
	return true;
}

static void
format_put(char *buf, size_t *o, const char *p, size_t n)
{
	memcpy(buf + *o, p, n);
	*o += n;
}

/* Credentials that can go into a file, a shell or a JSON reader as they
 * are: no control character (a newline in a value would start a new line of
 * the credentials file, e.g. a "[base]" section). */
int
aws_creds_check(const struct aws_creds *c)
{
	const char *v[3] = {c->access_key_id, c->secret_access_key,
			    c->session_token};
	const unsigned char *p;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (v[i] == NULL)
			return MFA_EINVAL;
		for (p = (const unsigned char *)v[i]; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f)
				return MFA_EPARSE;
	}
	return 0;
}

int
aws_format_credfile(const char *old, size_t len, const char *section,
		    const struct aws_creds *c, char **out, size_t *outlen,
		    size_t *errline)
{
	char exp[AWS_TIME_MAX], key[64], *buf = NULL, *block = NULL;
	const char *p = old, *stop = old + len, *name, *indent = "";
	struct cp_state st = {false, false, 0};
	size_t n, whole, nlen, o = 0, cap, blen, ins = 0, ilen = 0, line = 0, i;
	bool in = false, done = false, dropping = false, want_indent = false,
	     had_id = false, had_token = false;
	enum cp_kind kind;
	int rc = 0;

	*errline = 0;
	if (old == NULL)
		p = stop = "";
	if (!format_section_ok(section))
		return MFA_EINVAL;
	if ((rc = aws_creds_check(c)) != 0)
		return rc;
	if ((rc = aws_format_time(c->expiration, exp)) != 0)
		return rc;
	blen = strlen(c->access_key_id) + strlen(c->secret_access_key) +
	       strlen(c->session_token) + strlen(exp) + 128;
	/* Room for the block, its four lines indented (by less than len). */
	blen += 4 * len;
	cap = len + blen + strlen(section) + 8;
	if ((block = sodium_malloc(blen)) == NULL ||
	    (buf = sodium_malloc(cap)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	for (; p < stop; p += whole) {
		cp_next(p, stop, &n, &whole);
		line++;
		kind = cp_line(&st, p, n, &name, &nlen, key, sizeof(key));
		if (kind == CP_ERROR) {
			*errline = line;
			rc = MFA_EFORMAT;
			goto out;
		}
		if (kind == CP_SECTION)
			dropping = false;
		else if (kind == CP_OPTION)
			dropping = in && format_ours(key);
		if (dropping && kind != CP_SKIP) {
			had_id |= kind == CP_OPTION &&
				  strcmp(key, "aws_access_key_id") == 0;
			had_token |= kind == CP_OPTION &&
				     strcmp(key, "aws_session_token") == 0;
			continue;
		}
		/*
		 * The block goes right after our header, indented as the
		 * first line that stays after it: so that line, and the
		 * ones after it, keep their meaning (an indented line after
		 * the block would otherwise continue its last value).
		 */
		if (want_indent && kind != CP_SKIP) {
			want_indent = false;
			indent = p;
			for (ilen = 0; cp_space((unsigned char)p[ilen]); ilen++)
				;
		}
		if (kind == CP_SECTION) {
			in = nlen == strlen(section) &&
			     memcmp(name, section, nlen) == 0;
			format_put(buf, &o, p, whole);
			if (whole == n)
				format_put(buf, &o, "\n", 1);
			if (in && !done) {
				done = true;
				ins = o;
				want_indent = true;
			}
			continue;
		}
		format_put(buf, &o, p, whole);
	}
	if (had_id && !had_token) {
		/* Long-term keys: the credentials mfa itself may rely on. */
		rc = MFA_EEXIST;
		goto out;
	}
	if (!done) {
		if (o > 0 && buf[o - 1] != '\n' && buf[o - 1] != '\r')
			format_put(buf, &o, "\n", 1);
		/* A blank line before it, unless the file is empty or ends
		 * with one. */
		if (o > 0 &&
		    !(o >= 2 && (buf[o - 2] == '\n' || buf[o - 2] == '\r')))
			format_put(buf, &o, "\n", 1);
		format_put(buf, &o, "[", 1);
		format_put(buf, &o, section, strlen(section));
		format_put(buf, &o, "]\n", 2);
		ins = o;
	}
	{
		const char *kv[4][2] = {
		    {"aws_access_key_id", c->access_key_id},
		    {"aws_secret_access_key", c->secret_access_key},
		    {"aws_session_token", c->session_token},
		    {"expiration", exp},
		};
		size_t b = 0;

		for (i = 0; i < 4; i++) {
			format_put(block, &b, indent, ilen);
			b += (size_t)snprintf(block + b, blen - b, "%s = %s\n",
					      kv[i][0], kv[i][1]);
		}
		memmove(buf + ins + b, buf + ins, o - ins);
		memcpy(buf + ins, block, b);
		o += b;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	buf = NULL;
out:
	if (block != NULL)
		sodium_free(block);
	if (buf != NULL)
		sodium_free(buf);
	return rc;
}
