/*
 * mfa verify: check a code someone typed, as a server would. TOTP accepts
 * codes from N steps before to N steps after now (pyotp's meaning of
 * valid_window; oathtool's -w is the total width). HOTP looks N counters
 * ahead and, on a match, moves the counter past it (resynchronisation).
 * Every candidate is computed and compared in constant time, so the time
 * taken does not tell where or whether it matched. Exit 0 valid, 3 invalid.
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
    OFFSET_OPT,
    OPT_END,
};

struct verify_job {
	uint8_t id[VAULT_ID_BYTES];
	const char *given;
	uint64_t window;
	int64_t now, off;
};

/*
 * Compare `given` with the codes of steps (or counters) lo..hi, all of
 * them, in constant time; the first match's step goes to *match.
 */
static int
verify_scan(const struct vault_entry *e, uint64_t lo, uint64_t hi,
	    const char *given, bool *found, uint64_t *match)
{
	char code[OTP_CODE_MAX];
	uint64_t s = lo;
	int rc = 0;

	*found = false;
	for (;;) {
		if ((rc = otp_code_at_step(&e->p, e->secret, e->secret_len, s,
					   code)) != 0)
			break;
		/* No early exit: every candidate costs the same. */
		if (otp_code_equal(code, given) && !*found) {
			*found = true;
			*match = s;
		}
		if (s == hi)
			break;
		s++;
	}
	sodium_memzero(code, sizeof(code));
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
	uint64_t c, hi, match = 0;
	long i = vault_entry_find_id(d, j->id);
	bool found;
	int rc;

	if (i < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[i];
	c = e->p.counter;
	if (c == UINT64_MAX)
		return MFA_ETOOBIG;
	hi = c > UINT64_MAX - 1 - j->window ? UINT64_MAX - 1 : c + j->window;
	if ((rc = verify_scan(e, c, hi, j->given, &found, &match)) != 0)
		return rc;
	if (!found)
		return CLI_NOMATCH;
	e->p.counter = match + 1;
	e->updated = j->now;
	j->off = (int64_t)(match - c);
	return 0;
}

static int
cmd_verify_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_entry *e;
	struct verify_job j;
	struct vault *v;
	char given[OTP_CODE_MAX], label[512];
	uint64_t window, step, lo, hi, match = 0;
	int64_t now = util_now();
	bool found = false;
	size_t idx, n;
	int rc;

	n = strlen(a->argv[1]);
	if (n == 0 || n >= sizeof(given))
		return cli_usage(ctx, "CODE must be 1 to 10 characters");
	memcpy(given, a->argv[1], n + 1);
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
	if ((rc = args_uint(ctx, a, OPT_WINDOW, 0, 1000, &window)) != 0)
		return rc;
	memset(&j, 0, sizeof(j));
	if (e->p.type == OTP_HOTP) {
		memcpy(j.id, e->id, sizeof(j.id));
		j.given = given;
		j.window = window;
		j.now = util_now();
		/* e is stale after this: the vault was re-read. */
		rc = vault_update(v, verify_hotp_edit, &j);
		found = rc == 0;
	} else {
		if ((rc = otp_step(now, e->p.t0, e->p.period, &step)) != 0)
			return cli_fail(ctx, rc, "--at");
		lo = step >= window ? step - window : 0;
		hi = step > UINT64_MAX - window ? UINT64_MAX : step + window;
		rc = verify_scan(e, lo, hi, given, &found, &match);
		j.off = (int64_t)(match - step);
		if (rc == 0 && !found)
			rc = CLI_NOMATCH;
	}
	sodium_memzero(given, sizeof(given));
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
	    "match.",
    .opts = cmd_verify_opts,
    .pos = cmd_verify_pos,
    .exec = cmd_verify_exec,
};
