/*
 * Code verification over a window of steps: one keyed HMAC state per
 * secret, a branch-free comparison per candidate, and the window split over
 * the cores when it is wide.
 */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "mfa/otp.h"
#include "otp/hmac.h"

#define VERIFY_MAX_THREADS 64

static const char verify_steam_alphabet[] = "23456789BCDFGHJKMNPQRTVWXY";

/*
 * A code is a number below `modulus`: decimal digits (value mod 10^digits)
 * or Steam's five base-26 letters (value mod 26^5, first letter lowest).
 */
struct verify_scan {
	const struct hmac_key *k;
	uint64_t modulus, want;
	uint64_t lo, hi, center;
	/* out: found as all-ones or 0, best step and its distance to center */
	uint64_t found, best, bestd;
};

/* all-ones when x == 0, else 0, without a branch */
static inline uint64_t
verify_is_zero(uint64_t x)
{
	return ((x | (0 - x)) >> 63) - 1;
}

/* all-ones when a < b (both below 2^63), else 0, without a branch */
static inline uint64_t
verify_less(uint64_t a, uint64_t b)
{
	return 0 - ((a - b) >> 63);
}

static void *
verify_run(void *arg)
{
	struct verify_scan *s = arg;
	uint64_t step = s->lo, eq, take, d, found = 0, best = 0,
		 bestd = ~0ULL >> 1;

	for (;;) {
		eq = verify_is_zero(hmac_otp_value(s->k, step) % s->modulus ^
				    s->want);
		/* Distance from center: the steps are public, only eq is not.
		 */
		d = step >= s->center ? step - s->center : s->center - step;
		take = eq & verify_less(d, bestd);
		best = (best & ~take) | (step & take);
		bestd = (bestd & ~take) | (d & take);
		found |= eq;
		if (step == s->hi)
			break;
		step++;
	}
	s->found = found;
	s->best = best;
	s->bestd = bestd;
	return NULL;
}

/* Parse the typed code into the number it must equal; false if it is none. */
static bool
verify_parse(const struct otp_params *p, const char *given, uint64_t *modulus,
	     uint64_t *want)
{
	size_t n = strlen(given), i;
	const char *c;
	uint64_t v = 0, m = 1;

	if (p->type == OTP_STEAM) {
		if (n != OTP_STEAM_DIGITS)
			return false;
		for (i = n; i > 0; i--) {
			if ((c = strchr(verify_steam_alphabet, given[i - 1])) ==
			    NULL)
				return false;
			v = v * 26 + (uint64_t)(c - verify_steam_alphabet);
			m *= 26;
		}
	} else {
		if (n != p->digits)
			return false;
		for (i = 0; i < n; i++) {
			if (given[i] < '0' || given[i] > '9')
				return false;
			v = v * 10 + (uint64_t)(given[i] - '0');
			m *= 10;
		}
	}
	*modulus = m;
	*want = v;
	return true;
}

static unsigned
verify_cores(void)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int a;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    (a = CPU_COUNT(&set)) > 0 && (n < 1 || a < n))
		n = a;
	return n < 1 ? 1 : (unsigned)n;
}

int
otp_verify_window(const struct otp_params *p, const uint8_t *key, size_t keylen,
		  const char *given, struct otp_verify *v)
{
	struct verify_scan scan[VERIFY_MAX_THREADS];
	pthread_t tid[VERIFY_MAX_THREADS];
	bool started[VERIFY_MAX_THREADS];
	struct hmac_key k;
	uint64_t modulus = 0, want = 0, lo, hi, count, per, bestd;
	unsigned t, nt;
	int rc;

	v->found = false;
	v->offset = 0;
	if ((rc = otp_params_check(p)) != 0)
		return rc;
	if (v->before > OTP_VERIFY_MAX || v->after > OTP_VERIFY_MAX)
		return MFA_EINVAL;
	if (keylen > 0 && key == NULL)
		return MFA_EINVAL;
	if (!verify_parse(p, given, &modulus, &want))
		return 0;
	if ((rc = hmac_key_init(&k, p->type == OTP_STEAM ? OTP_SHA1 : p->hash,
				key, keylen)) != 0)
		goto out;
	lo = v->center >= v->before ? v->center - v->before : 0;
	hi = v->center > UINT64_MAX - 1 - v->after ? UINT64_MAX - 1
						   : v->center + v->after;
	count = hi - lo + 1;
	nt = v->threads > 0 ? v->threads : verify_cores();
	if (nt > VERIFY_MAX_THREADS)
		nt = VERIFY_MAX_THREADS;
	if (count < OTP_VERIFY_PARALLEL_MIN)
		nt = 1;
	if (nt > count)
		nt = (unsigned)count;
	per = count / nt;
	memset(scan, 0, sizeof(scan));
	memset(started, 0, sizeof(started));
	for (t = 0; t < nt; t++) {
		scan[t].k = &k;
		scan[t].modulus = modulus;
		scan[t].want = want;
		scan[t].center = v->center;
		scan[t].lo = lo + per * t;
		scan[t].hi = t + 1 == nt ? hi : lo + per * (t + 1) - 1;
	}
	/* Thread 0's share runs here; one that cannot start runs here too. */
	for (t = 1; t < nt; t++)
		started[t] =
		    pthread_create(&tid[t], NULL, verify_run, &scan[t]) == 0;
	verify_run(&scan[0]);
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			verify_run(&scan[t]);
	}
	bestd = ~0ULL;
	for (t = 0; t < nt; t++)
		if (scan[t].found && scan[t].bestd < bestd) {
			bestd = scan[t].bestd;
			v->found = true;
			v->offset = (int64_t)(scan[t].best - v->center);
		}
out:
	hmac_key_wipe(&k);
	sodium_memzero(scan, sizeof(scan));
	sodium_memzero(&want, sizeof(want));
	return rc;
}
