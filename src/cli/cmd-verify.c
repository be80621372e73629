/*
 * mfa verify: check a code someone typed, as a server would. TOTP accepts
 * codes from N steps before to N steps after now (pyotp's valid_window,
 * and oathtool's -w, though its message prints half the range). HOTP looks N
 * counters ahead and, on a match, moves the counter past it
 * (resynchronisation). A TOTP code is accepted once (RFC 6238, section 5.2):
 * the step it matched is recorded under the vault lock, and that step and every
 * earlier one are refused for the account from then on (--allow-reuse: neither
 * recorded nor refused). Every candidate is computed and compared in
 * constant time, so the time taken does not tell where or whether it
 * matched. CODE "-" reads the code from stdin, off the command line.
 * Exit 0 valid, 3 invalid or already used.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct mfa_opt cmd_verify_opts[] = {
    OPT_ARG(OPT_WINDOW, "window", 'w', "N", VAL_NUMBER,
	    "accept N steps (or counters) either side; "
	    "default 1 (TOTP), 10 (HOTP lookahead)"),
    OPT_ARG(OPT_AT, "at", 0, "TIME", VAL_TEXT, "verify as of TIME"),
    OPT_FLAG(OPT_ALLOW_REUSE, "allow-reuse", 0,
	     "accept a TOTP code again (no record kept)"),
    OFFSET_OPT,
    OPT_END,
};

struct verify_job {
	uint8_t id[VAULT_ID_BYTES];
	const char *given;
	uint64_t window, step, used;
	int64_t now, off;
};

/*
 * Compare `given` with the codes of steps center - before .. center +
 * after, all of them, in constant time (the engine's scan); the match
 * nearest center goes to *off.
 */
static int
verify_scan(const struct vault_entry *e, uint64_t center, uint64_t before,
	    uint64_t after, const char *given, bool *found, int64_t *off)
{
	struct otp_verify w = {
	    .center = center, .before = before, .after = after};
	int rc;

	rc = otp_verify_window(&e->p, e->secret, e->secret_len, given, &w);
	*found = w.found;
	*off = w.offset;
	return rc;
}

/*
 * HOTP, under the vault lock on fresh data: a code matches only counters
 * not yet used, and the counter moves past it in the same locked write,
 * so two verifications of one code can never both succeed.
 */
static int
verify_hotp_edit(struct vault_data *d, void *arg)
{
	struct verify_job *j = arg;
	struct vault_entry *e;
	uint64_t c;
	int64_t off = 0;
	long i = vault_entry_find_id(d, j->id);
	bool found;
	int rc;

	if (i < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[i];
	c = e->p.counter;
	/* The counter saved after a match stays within what every export
	 * format carries. */
	if (c >= OTP_COUNTER_MAX)
		return MFA_ECOUNTER_END;
	if (j->window > OTP_COUNTER_MAX - 1 - c)
		j->window = OTP_COUNTER_MAX - 1 - c;
	if ((rc = verify_scan(e, c, 0, j->window, j->given, &found, &off)) != 0)
		return rc;
	if (!found)
		return CLI_NOMATCH;
	e->p.counter = c + (uint64_t)off + 1;
	e->updated = j->now;
	j->off = off;
	return 0;
}

/*
 * Steps lo..hi (lo <= hi), the match nearest `near` (clamped into the
 * range) into *match.
 */
static int
verify_range(const struct vault_entry *e, uint64_t near, uint64_t lo,
	     uint64_t hi, const char *given, bool *found, uint64_t *match)
{
	uint64_t c = near < lo ? lo : near > hi ? hi : near;
	int64_t off = 0;
	int rc;

	rc = verify_scan(e, c, c - lo, hi - c, given, found, &off);
	*match = (uint64_t)((int64_t)c + off);
	return rc;
}

/*
 * TOTP and Steam, under the vault lock on fresh data: only steps after the
 * last one accepted can match; a code of an accepted step is "already
 * used" (VERIFY_USED), and a match is recorded in the same locked write,
 * so two verifications of one code can never both succeed.
 */
#define VERIFY_USED 100
static int
verify_totp_edit(struct vault_data *d, void *arg)
{
	struct verify_job *j = arg;
	struct vault_entry *e;
	uint64_t lo = j->step >= j->window ? j->step - j->window : 0;
	uint64_t hi = j->step > UINT64_MAX - 1 - j->window
			  ? UINT64_MAX - 1
			  : j->step + j->window;
	uint64_t first, match = 0;
	long i = vault_entry_find_id(d, j->id);
	bool found = false;
	int rc;

	if (i < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[i];
	first = e->verify_step != 0 && e->verify_step >= lo ? e->verify_step + 1
							    : lo;
	if (first <= hi && (rc = verify_range(e, j->step, first, hi, j->given,
					      &found, &match)) != 0)
		return rc;
	if (!found) {
		/* "Already used" only when it is so: the steps refused. */
		if (first > lo &&
		    (rc = verify_range(e, j->step, lo,
				       first - 1 < hi ? first - 1 : hi,
				       j->given, &found, &match)) != 0)
			return rc;
		j->used = e->verify_step;
		return found ? VERIFY_USED : CLI_NOMATCH;
	}
	e->verify_step = match;
	j->off = (int64_t)(match - j->step);
	return 0;
}

/* CODE "-": the first line of stdin, so the code is not on argv. */
static int
verify_read_code(struct mfa_ctx *ctx, char given[OTP_CODE_MAX])
{
	char *buf = NULL;
	size_t len = 0, n;
	int rc;

	if ((rc = secret_read_fd(0, 4096, &buf, &len)) != 0)
		return cli_fail(ctx, rc, "code from stdin");
	for (n = 0; n < len && buf[n] != '\n' && buf[n] != '\r'; n++)
		;
	if (n == 0 || n >= OTP_CODE_MAX) {
		sodium_free(buf);
		return cli_usage(ctx, "the code on stdin must be 1 to 10 "
				      "characters on its first line");
	}
	memcpy(given, buf, n);
	given[n] = '\0';
	sodium_free(buf);
	return 0;
}

static int
cmd_verify_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_entry *e;
	struct verify_job j;
	struct vault *v;
	char given[OTP_CODE_MAX], label[512];
	uint64_t window, step = 0;
	int64_t now = util_now();
	bool found = false;
	size_t idx, n;
	int rc;

	if (strcmp(a->argv[1], "-") == 0) {
		if ((rc = verify_read_code(ctx, given)) != 0)
			return rc;
	} else {
		n = strlen(a->argv[1]);
		if (n == 0 || n >= sizeof(given))
			return cli_usage(ctx,
					 "CODE must be 1 to 10 characters");
		memcpy(given, a->argv[1], n + 1);
	}
	if (args_has(a, OPT_AT) &&
	    otp_time_parse(args_get(a, OPT_AT), &now) != 0)
		return cli_usage(ctx,
				 "--at wants unix seconds or ISO-8601 UTC");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if ((rc = query_resolve(ctx, vault_data(v), a->argv[0], &idx)) != 0)
		return rc;
	e = &vault_data(v)->entries[idx];
	snprintf(label, sizeof(label), "%s", util_label(e->issuer, e->name));
	window = e->p.type == OTP_HOTP ? 10 : 1;
	if ((rc = args_uint(ctx, a, OPT_WINDOW, 0, OTP_VERIFY_MAX, &window)) !=
	    0)
		return rc;
	memset(&j, 0, sizeof(j));
	if (e->p.type == OTP_HOTP) {
		memcpy(j.id, e->id, sizeof(j.id));
		j.given = given;
		j.window = window;
		j.now = util_time();
		/* e is stale after this: the vault was re-read. */
		rc = vault_update(v, verify_hotp_edit, &j);
		found = rc == 0;
	} else if (args_has(a, OPT_ALLOW_REUSE)) {
		if ((rc = otp_step(now, e->p.t0, e->p.period, &step)) != 0)
			return cli_fail(ctx, rc, "--at");
		rc =
		    verify_scan(e, step, window, window, given, &found, &j.off);
		if (rc == 0 && !found)
			rc = CLI_NOMATCH;
	} else {
		if ((rc = otp_step(now, e->p.t0, e->p.period, &step)) != 0)
			return cli_fail(ctx, rc, "--at");
		memcpy(j.id, e->id, sizeof(j.id));
		j.given = given;
		j.window = window;
		j.step = step;
		/* e is stale after this: the vault was re-read. */
		rc = vault_update(v, verify_totp_edit, &j);
	}
	sodium_memzero(given, sizeof(given));
	if (rc == VERIFY_USED) {
		fprintf(stderr,
			"mfa: code for %s already used (step %+lld was "
			"accepted before; a code is accepted once, "
			"--allow-reuse to accept it again)\n",
			label, (long long)(int64_t)(j.used - step));
		return CLI_NOMATCH;
	}
	if (rc == CLI_NOMATCH) {
		fprintf(stderr, "mfa: code for %s did not verify\n", label);
		return CLI_NOMATCH;
	}
	if (rc != 0)
		return cli_fail(ctx, rc, "account %s", label);
	if (j.off == 0)
		printf("0\n");
	else
		printf("%+lld\n", (long long)j.off);
	return 0;
}

static const struct mfa_pos cmd_verify_pos[] = {
    {"QUERY", VAL_QUERY, NULL, 0},
    {"CODE", VAL_TEXT, NULL, 0},
    POS_END,
};

const struct mfa_cmd cmd_verify_entry = {
    .name = "verify",
    .summary = "check a code (exit 0 valid, 3 invalid)",
    .help = "Prints the step offset of the match (0 now, -1 the previous "
	    "step, +1 the next).\nHOTP accounts move their counter past a "
	    "match; a TOTP code is accepted once:\nits step and the ones "
	    "before are refused afterwards (exit 3, \"already used\").\n"
	    "CODE - reads the code from stdin.",
    .opts = cmd_verify_opts,
    .pos = cmd_verify_pos,
    .exec = cmd_verify_exec,
};
