/*
 * Choosing the time steps whose codes go to AWS, and recording them.
 *
 * AWS refuses a code from a step it has already seen for the device
 * (aws-vault#1110 is what happens otherwise: random failures when two
 * sessions are asked for within 30 seconds). So every code sent is taken
 * here: under the vault lock, on freshly read data, the steps are checked
 * against the account's last_step and the new last_step is written before
 * anyone calls AWS. When the current step is already used we wait for the
 * next one, outside the lock, and try again.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"

/* Never wait longer than this for a step: a longer wait means last_step is
 * ahead of the clock (the clock was set back), not a busy account. */
#define STEP_WAIT_MAX 125

struct step_job {
	struct aws_take *t;
	int64_t now;
	bool wait;
	bool used; /* the wait is for a step not used yet (else: time left) */
	int64_t wait_until;
	uint64_t last_step;
};

int64_t
aws_now(struct aws_ctx *a)
{
	if (a->now != NULL)
		return a->now(a->clock_arg);
	return (int64_t)time(NULL);
}

static void
step_sleep_until(struct aws_ctx *a, int64_t when)
{
	struct timespec ts;
	int64_t now;

	if (a->sleep_until != NULL) {
		a->sleep_until(a->clock_arg, when);
		return;
	}
	/* Sleep in short pieces: sleep() may end early, and a suspended
	 * laptop's clock jumps. */
	while ((now = aws_now(a)) < when) {
		ts.tv_sec = (when - now) > 1 ? 1 : 0;
		ts.tv_nsec = (when - now) > 1 ? 0 : 250 * 1000 * 1000;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
}

int
aws_step_pick(int64_t now, const struct otp_params *p, uint64_t last_step,
	      unsigned count, uint64_t min_left, bool *ready, uint64_t *first,
	      int64_t *wait_until)
{
	uint64_t s, next, left;
	int rc;

	if (p->period == 0 || count == 0 || count > 2)
		return MFA_EINVAL;
	if ((rc = otp_step(now, p->t0, p->period, &s)) != 0)
		return rc;
	if (min_left > p->period)
		min_left = p->period;
	left = otp_remaining(now, p->t0, p->period);
	if (s >= count - 1 && s - (count - 1) > last_step && left >= min_left) {
		*ready = true;
		*first = s - (count - 1);
		return 0;
	}
	/* The first step whose start makes every chosen step new: a whole
	 * period is left then, which is at least min_left. */
	next = s + 1;
	if (last_step != UINT64_MAX && last_step + count > next)
		next = last_step + count;
	*ready = false;
	*first = next - (count - 1);
	*wait_until = p->t0 + (int64_t)(next * p->period);
	return 0;
}

static bool
step_same_account(const struct vault_entry *e, const char *name)
{
	return strcmp(e->issuer, AWS_ISSUER) == 0 && strcmp(e->name, name) == 0;
}

static int
step_add_account(struct vault_data *d, const struct aws_new_account *n,
		 int64_t now, uint8_t id[VAULT_ID_BYTES])
{
	struct vault_entry e;
	size_t i;
	int rc;

	for (i = 0; i < d->n_entries; i++)
		if (step_same_account(&d->entries[i], n->name))
			return MFA_EEXIST;
	if ((rc = vault_entry_init(&e, now)) != 0)
		return rc;
	/* AWS virtual MFA devices are TOTP, SHA1, 6 digits, 30 seconds:
	 * the defaults vault_entry_init() set. */
	if ((rc = vault_entry_set_str(&e.name, n->name)) != 0 ||
	    (rc = vault_entry_set_str(&e.issuer, AWS_ISSUER)) != 0 ||
	    (rc = vault_entry_set_str(&e.serial, n->serial)) != 0 ||
	    (rc = vault_entry_set_secret(&e, n->secret, n->secret_len)) != 0) {
		vault_entry_clear(&e);
		return rc;
	}
	memcpy(id, e.id, VAULT_ID_BYTES);
	if ((rc = vault_entry_add(d, &e)) != 0)
		vault_entry_clear(&e);
	return rc;
}

static int
step_cache_hit(struct aws_take *t, const struct vault_data *d, int64_t now)
{
	const struct vault_kv *kv;

	if (t->cache_key == NULL ||
	    (kv = vault_kv_get(d, t->cache_key, now)) == NULL)
		return 0;
	if ((t->value = sodium_malloc(kv->value_len + 1)) == NULL)
		return MFA_ENOMEM;
	memcpy(t->value, kv->value, kv->value_len);
	t->value[kv->value_len] = 0;
	t->value_len = kv->value_len;
	t->cached = true;
	return 1;
}

/* Under the vault lock, on fresh data. */
static int
step_edit(struct vault_data *d, void *arg)
{
	struct step_job *j = arg;
	struct aws_take *t = j->t;
	struct vault_entry *e;
	const uint8_t *id = t->id;
	bool ready;
	uint64_t first, i, cur;
	long idx;
	int rc;

	if ((rc = step_cache_hit(t, d, j->now)) != 0)
		return rc < 0 ? rc : MFA_ECANCELED; /* nothing to write */
	/* When a wait follows, the new account goes with the discarded data
	 * and is made again on the next try. */
	if (t->add != NULL) {
		if ((rc = step_add_account(d, t->add, j->now, t->new_id)) != 0)
			return rc;
		id = t->new_id;
	}
	if ((idx = vault_entry_find_id(d, id)) < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[idx];
	if (e->p.type != OTP_TOTP)
		return MFA_EUNSUPPORTED;
	j->last_step = e->last_step;
	if ((rc = aws_step_pick(j->now, &e->p, e->last_step, t->count,
				t->min_left, &ready, &first, &j->wait_until)) !=
	    0)
		return rc;
	if (!ready) {
		j->wait = true;
		/* The steps ending at the current one are not all new. */
		j->used = otp_step(j->now, e->p.t0, e->p.period, &cur) == 0 &&
			  cur < e->last_step + t->count;
		return MFA_ECANCELED;
	}
	for (i = 0; i < t->count; i++)
		if ((rc = otp_code_at_step(&e->p, e->secret, e->secret_len,
					   first + i, t->code[i])) != 0)
			return rc;
	t->first = first;
	e->last_step = first + t->count - 1;
	e->updated = j->now;
	return 0;
}

int
aws_step_take(struct aws_ctx *a, struct vault *v, struct aws_take *t)
{
	struct step_job j;
	char msg[256];
	int rc;

	a->err.why[0] = '\0';
	t->cached = false;
	t->value = NULL;
	t->value_len = 0;
	for (;;) {
		memset(&j, 0, sizeof(j));
		j.t = t;
		j.now = aws_now(a);
		rc = vault_update(v, step_edit, &j);
		if (rc == MFA_ECANCELED && t->cached)
			return 0;
		if (rc != MFA_ECANCELED || !j.wait)
			break;
		if (j.wait_until - j.now > STEP_WAIT_MAX) {
			snprintf(a->err.why, sizeof(a->err.why),
				 "the last time step used for this account "
				 "(%llu) is ahead of the clock: is the "
				 "system time right?",
				 (unsigned long long)j.last_step);
			return MFA_ETIME;
		}
		if (a->notice != NULL) {
			if (t->add != NULL)
				snprintf(msg, sizeof(msg),
					 "waiting %llds for the next time step",
					 (long long)(j.wait_until - j.now));
			else if (j.used)
				snprintf(
				    msg, sizeof(msg),
				    "waiting %llds for a fresh code (this "
				    "time step's code was already used for "
				    "this AWS account, and AWS refuses a "
				    "code used twice)",
				    (long long)(j.wait_until - j.now));
			else
				snprintf(
				    msg, sizeof(msg),
				    "waiting %llds for a fresh code (fewer "
				    "than %llu seconds were left in this "
				    "one)",
				    (long long)(j.wait_until - j.now),
				    (unsigned long long)t->min_left);
			a->notice(a->notice_arg, msg);
		}
		step_sleep_until(a, j.wait_until);
	}
	if (rc == MFA_EUNSUPPORTED)
		snprintf(a->err.why, sizeof(a->err.why),
			 "AWS MFA devices are time-based (TOTP); this account "
			 "is not");
	if (rc != 0)
		aws_take_clear(t);
	return rc;
}

void
aws_take_clear(struct aws_take *t)
{
	sodium_memzero(t->code, sizeof(t->code));
	if (t->value != NULL)
		sodium_free(t->value);
	t->value = NULL;
	t->value_len = 0;
}

int
aws_codes(struct aws_ctx *a, struct vault *v, const uint8_t id[VAULT_ID_BYTES],
	  struct aws_codes *out)
{
	const struct vault_data *d;
	struct aws_take t;
	int64_t end, now;
	long idx;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	t.id = id;
	t.count = 2;
	/* Someone types twelve digits into a web form: leave them time. */
	t.min_left = 10;
	if ((rc = aws_step_take(a, v, &t)) != 0)
		return rc;
	d = vault_data(v);
	if ((idx = vault_entry_find_id(d, id)) < 0) {
		aws_take_clear(&t);
		return MFA_ENOTFOUND;
	}
	out->step[0] = t.first;
	out->step[1] = t.first + 1;
	memcpy(out->code, t.code, sizeof(out->code));
	/* Until the later step ends (AWS may take them a little longer). */
	end = d->entries[idx].p.t0 +
	      (int64_t)((t.first + 2) * d->entries[idx].p.period);
	now = aws_now(a);
	out->valid_for = end > now ? (uint64_t)(end - now) : 0;
	aws_take_clear(&t);
	return 0;
}
