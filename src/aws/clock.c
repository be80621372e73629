/*
 * What the AWS CLI tells about time and about itself, for mfa doctor.
 *
 * A TOTP code is only as good as the clock it was made with, and AWS's
 * clock is the one that counts. AWS puts its time in every answer's Date
 * header, signed request or not, so an unsigned call that AWS refuses
 * still tells the time, with no credentials needed and none in the log
 * that --debug writes (botocore logs the response headers there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/hygiene.h"

int
aws_cli_version(struct aws_ctx *a, char *out, size_t len)
{
	static const char *const args[] = {"--version", NULL};
	struct aws_raw r;
	const char *s, *e;
	int rc;

	out[0] = '\0';
	if ((rc = aws_run_raw(a, args, &r)) != 0)
		return rc;
	/* v2 and recent v1 print on stdout, old v1 on stderr. */
	s = r.out != NULL && r.out_len > 0 ? r.out : r.err;
	if (r.status != 0 || s == NULL || strncmp(s, "aws-cli/", 8) != 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "'%.300s --version' did not print an AWS CLI version",
			 a->cli);
		aws_raw_clear(&r);
		return MFA_EPARSE;
	}
	e = strchr(s, '\n');
	snprintf(out, len, "%.*s", (int)(e != NULL ? e - s : (long)strlen(s)),
		 s);
	aws_raw_clear(&r);
	return 0;
}

int
aws_http_date_parse(const char *s, int64_t *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char mon[4], tz[4];
	int n = 0, i;
	time_t v;

	/* IMF-fixdate (RFC 9110): "Sun, 06 Nov 1994 08:49:37 GMT". */
	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 29 || s[3] != ',' ||
	    sscanf(s + 4, " %2d %3s %4d %2d:%2d:%2d %3s%n", &tm.tm_mday, mon,
		   &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, tz,
		   &n) != 7 ||
	    strcmp(tz, "GMT") != 0)
		return MFA_EPARSE;
	for (i = 0; i < 12; i++)
		if (strncmp(months + 3 * i, mon, 3) == 0)
			break;
	if (i == 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 1970)
		return MFA_EPARSE;
	tm.tm_mon = i;
	tm.tm_year -= 1900;
	if ((v = timegm(&tm)) == (time_t)-1)
		return MFA_EPARSE;
	*t = (int64_t)v;
	return 0;
}

/* "2026-11-29 13:54:41,371 - ...": logging's asctime, local time. */
static int64_t
clock_log_stamp(const char *line, const char *end)
{
	struct tm tm;
	int ms, n = 0;
	char buf[32];
	time_t t;

	if (end - line < 23)
		return -1;
	memcpy(buf, line, 23);
	buf[23] = '\0';
	memset(&tm, 0, sizeof(tm));
	if (sscanf(buf, "%4d-%2d-%2d %2d:%2d:%2d,%3d%n", &tm.tm_year,
		   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		   &ms, &n) != 7 ||
	    n != 23)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t * 1000 + ms;
}

int
aws_clock_date_from_log(const char *log, size_t len, int64_t *date,
			int64_t *received_ms)
{
	static const char tag[] = "Response headers:";
	const char *p = log, *end = log + len, *line, *nl, *q;
	char val[64];
	size_t n;
	int rc = MFA_ENOTFOUND;

	*received_ms = -1;
	/* Every response the CLI got (retries too): the last one counts. */
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		line = p;
		if ((q = memmem(line, (size_t)(nl - line), tag,
				sizeof(tag) - 1)) == NULL)
			continue;
		/* A Python dict: {'Server': '...', 'Date': 'Sun, ...', ...};
		 * header names in any case. */
		for (q += sizeof(tag) - 1; q + 8 < nl; q++) {
			if (strncasecmp(q, "'date': '", 9) != 0)
				continue;
			q += 9;
			for (n = 0;
			     q + n < nl && q[n] != '\'' && n + 1 < sizeof(val);
			     n++)
				val[n] = q[n];
			val[n] = '\0';
			if (aws_http_date_parse(val, date) == 0) {
				rc = 0;
				*received_ms = clock_log_stamp(line, nl);
			}
			break;
		}
	}
	return rc;
}

int
aws_clock(struct aws_ctx *a, struct aws_clock *c)
{
	static const char *const args[] = {
	    "sts", "get-caller-identity", "--no-sign-request", "--debug", NULL};
	struct aws_raw r;
	int rc;

	memset(c, 0, sizeof(*c));
	a->err.why[0] = '\0';
	c->before = (int64_t)time(NULL);
	if ((rc = aws_run_raw(a, args, &r)) != 0)
		return rc;
	c->after = (int64_t)time(NULL);
	if (r.err == NULL || aws_clock_date_from_log(r.err, r.err_len, &c->date,
						     &c->received_ms) != 0) {
		/* No answer at all: the reason is the CLI's last words. */
		aws_run_errline(r.err, r.err_len, a->err.why,
				sizeof(a->err.why));
		if (a->err.why[0] == '\0')
			snprintf(a->err.why, sizeof(a->err.why),
				 "the AWS CLI's --debug log shows no answer "
				 "from AWS");
		aws_raw_clear(&r);
		return MFA_EAWS;
	}
	aws_raw_clear(&r);
	/* A stamp that is not within the call is not ours to trust. */
	if (c->received_ms >= c->before * 1000 &&
	    c->received_ms < (c->after + 1) * 1000) {
		/* AWS's time was within [date, date + 1): its middle. */
		int64_t d = (c->date * 1000 + 500) - c->received_ms;

		c->offset = (d >= 0 ? d + 500 : d - 500) / 1000;
	} else if (c->date < c->before) {
		c->received_ms = -1;
		c->offset = c->date - c->before;
	} else if (c->date > c->after) {
		c->received_ms = -1;
		c->offset = c->date - c->after;
	} else {
		c->received_ms = -1;
	}
	return 0;
}
