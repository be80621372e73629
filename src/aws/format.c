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

/* A "[name]" line (as Python's configparser reads it): the name. */
static bool
format_header(const char *line, size_t n, const char **name, size_t *nlen)
{
	const char *close;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
			 line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	while (n > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	/*
	 * As Python's configparser (which the AWS CLI uses) reads it: "[",
	 * then the name up to the LAST "]" of the line, anything after it
	 * ignored ("[default-mfa] ; note" names default-mfa).
	 */
	if (n < 2 || line[0] != '[' ||
	    (close = memrchr(line, ']', n)) == NULL || close == line)
		return false;
	*name = line + 1;
	*nlen = (size_t)(close - line - 1);
	return true;
}

/* The key of a "key = value" line, lowercased; false for other lines. */
static bool
format_key(const char *line, size_t n, char *key, size_t keycap)
{
	size_t i = 0, k = 0, end;

	if (n == 0 || line[0] == ' ' || line[0] == '\t' || line[0] == '#' ||
	    line[0] == ';')
		return false;
	for (end = 0; end < n && line[end] != '=' && line[end] != ':'; end++)
		;
	if (end == n)
		return false;
	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	for (i = 0; i < end && k + 1 < keycap; i++)
		key[k++] = (char)tolower((unsigned char)line[i]);
	key[k] = '\0';
	return i == end;
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

int
aws_format_credfile(const char *old, size_t len, const char *section,
		    const struct aws_creds *c, char **out, size_t *outlen)
{
	char exp[AWS_TIME_MAX], key[64], *buf, *block;
	const char *p = old, *stop = old + len, *line, *name;
	size_t n, nlen, o = 0, cap, blen;
	bool in = false, done = false, dropping = false, had_id = false,
	     had_token = false, blank_end = true;
	int rc;

	if (old == NULL)
		p = stop = "";
	if (!format_section_ok(section))
		return MFA_EINVAL;
	if ((rc = aws_format_time(c->expiration, exp)) != 0)
		return rc;
	blen = strlen(c->access_key_id) + strlen(c->secret_access_key) +
	       strlen(c->session_token) + strlen(exp) + 128;
	if ((block = sodium_malloc(blen)) == NULL)
		return MFA_ENOMEM;
	blen = (size_t)snprintf(block, blen,
				"aws_access_key_id = %s\n"
				"aws_secret_access_key = %s\n"
				"aws_session_token = %s\n"
				"expiration = %s\n",
				c->access_key_id, c->secret_access_key,
				c->session_token, exp);
	cap = len + blen + strlen(section) + 8;
	if ((buf = sodium_malloc(cap)) == NULL) {
		sodium_free(block);
		return MFA_ENOMEM;
	}
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));

		line = p;
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(stop - p);
		p += n;
		if (format_header(line, n, &name, &nlen)) {
			dropping = false;
			in = !done && nlen == strlen(section) &&
			     memcmp(name, section, nlen) == 0;
			format_put(buf, &o, line, n);
			if (line[n - 1] != '\n')
				format_put(buf, &o, "\n", 1);
			if (in) {
				done = true;
				format_put(buf, &o, block, blen);
			}
			continue;
		}
		if (in && format_key(line, n, key, sizeof(key)) &&
		    format_ours(key)) {
			had_id |= strcmp(key, "aws_access_key_id") == 0;
			had_token |= strcmp(key, "aws_session_token") == 0;
			dropping = true;
			continue;
		}
		/* An indented line continues the value above it. */
		if (in && dropping && (line[0] == ' ' || line[0] == '\t') &&
		    n > 1 && line[1] != '\n')
			continue;
		dropping = false;
		format_put(buf, &o, line, n);
	}
	if (had_id && !had_token) {
		/* Long-term keys: the credentials mfa itself may rely on. */
		sodium_free(buf);
		sodium_free(block);
		return MFA_EEXIST;
	}
	if (!done) {
		if (o > 0 && buf[o - 1] != '\n')
			format_put(buf, &o, "\n", 1);
		blank_end = o == 0 || (o >= 2 && buf[o - 2] == '\n');
		if (!blank_end)
			format_put(buf, &o, "\n", 1);
		format_put(buf, &o, "[", 1);
		format_put(buf, &o, section, strlen(section));
		format_put(buf, &o, "]\n", 2);
		format_put(buf, &o, block, blen);
	}
	buf[o] = '\0';
	sodium_free(block);
	*out = buf;
	*outlen = o;
	return 0;
}
