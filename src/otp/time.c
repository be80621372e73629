/*
 * TIME arguments: unix seconds or ISO-8601 UTC. Parsed by hand rather than
 * with strptime/timegm so that years past 2038 and the exact accepted forms
 * do not depend on the C library.
 */
#include <stdbool.h>
#include <string.h>

#include "mfa/otp.h"

/* n digits at *s into *out, *s moved past them; false when not digits. */
static bool
time_digits(const char **s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
time_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
time_mdays(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30,
				 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

int
otp_time_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec = 0;
	uint64_t v = 0, max;
	bool neg = false;

	if (*p == '-' || (*p >= '0' && *p <= '9' && strchr(p, '-') == NULL &&
			  strchr(p, 'T') == NULL && strchr(p, ':') == NULL)) {
		if (*p == '-') {
			neg = true;
			p++;
		}
		if (*p == '\0')
			return MFA_EINVAL;
		/* The whole int64 range, INT64_MIN included. */
		max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9' ||
			    v > (max - (uint64_t)(*p - '0')) / 10)
				return MFA_EINVAL;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
		return 0;
	}
	if (!time_digits(&p, 4, &y) || *p++ != '-' ||
	    !time_digits(&p, 2, &mo) || *p++ != '-' || !time_digits(&p, 2, &d))
		return MFA_EINVAL;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return MFA_EINVAL;
	p++;
	if (!time_digits(&p, 2, &h) || *p++ != ':' || !time_digits(&p, 2, &mi))
		return MFA_EINVAL;
	if (*p == ':') {
		p++;
		if (!time_digits(&p, 2, &sec))
			return MFA_EINVAL;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (strcmp(p, "+00:00") == 0 || strcmp(p, "+0000") == 0)
		p += strlen(p);
	if (*p != '\0')
		return MFA_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > time_mdays(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return MFA_EINVAL;
	*out = time_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}
