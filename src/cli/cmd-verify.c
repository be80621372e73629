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
    {"window", 'w', "N",
     "accept N steps (or counters) either side; "
     "default 1 (TOTP), 10 (HOTP lookahead)"},
    {"at", 0, "TIME", "verify as of TIME"},
    {NULL, 0, NULL, NULL},
};

struct verify_job {
	uint8_t id[VAULT_ID_BYTES];
	uint64_t next;
	int64_t now;
};

static int
cmd_verify_save(struct vault_data *d, void *arg)
{
	struct verify_job *j = arg;
	long i = vault_entry_find_id(d, j->id);

	if (i < 0)
		return MFA_ENOTFOUND;
	/* Never move a counter backwards (a concurrent code may have won). */
	if (d->entries[i].p.counter < j->next)
		d->entries[i].p.counter = j->next;
	d->entries[i].updated = j->now;
	return 0;
}

static int
cmd_verify_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_entry *e;
	struct verify_job j;
	struct vault *v;
	char code[OTP_CODE_MAX], given[OTP_CODE_MAX], label[512];
	uint64_t window, step, s, lo, hi;
	int64_t now = util_now(), off = 0;
	bool found = false;
	size_t idx, n;
	int rc;

	n = strlen(a->argv[1]);
	if (n == 0 || n >= sizeof(given))
		return cli_usage(ctx, "CODE must be 1 to 10 characters");
	memcpy(given, a->argv[1], n + 1);
	if (args_has(a, "at") && otp_time_parse(args_get(a, "at"), &now) != 0)
		return cli_usage(ctx,
				 "--at wants unix seconds or ISO-8601 UTC");
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if ((rc = query_resolve(ctx, vault_data(v), a->argv[0], &idx)) != 0)
		return rc;
	e = &vault_data(v)->entries[idx];
	snprintf(label, sizeof(label), "%s", util_label(e->issuer, e->name));
	window = e->p.type == OTP_HOTP ? 10 : 1;
	if ((rc = args_uint(ctx, a, "window", 0, 1000, &window)) != 0)
		return rc;
	if (e->p.type == OTP_HOTP) {
		step = e->p.counter;
		lo = step;
		hi = step + window;
	} else {
		if ((rc = otp_step(now, e->p.t0, e->p.period, &step)) != 0)
			return cli_fail(ctx, rc, "--at");
		lo = step >= window ? step - window : 0;
		hi = step + window;
	}
	for (s = lo; s <= hi; s++) {
		rc = otp_code_at_step(&e->p, e->secret, e->secret_len, s, code);
		if (rc != 0) {
			sodium_memzero(code, sizeof(code));
			return cli_fail(ctx, rc, "account %s", label);
		}
		/* No early exit: every candidate costs the same. */
		if (otp_code_equal(code, given) && !found) {
			found = true;
			off = (int64_t)(s - step);
		}
	}
	sodium_memzero(code, sizeof(code));
	sodium_memzero(given, sizeof(given));
	if (!found) {
		fprintf(stderr, "mfa: code for %s did not verify\n", label);
		return CLI_NOMATCH;
	}
	if (e->p.type == OTP_HOTP) {
		memcpy(j.id, e->id, sizeof(j.id));
		j.next = step + (uint64_t)off + 1;
		j.now = util_now();
		if ((rc = vault_update(v, cmd_verify_save, &j)) != 0)
			return cli_fail(ctx, rc, "account %s", label);
	}
	if (off == 0)
		printf("0\n");
	else
		printf("%+lld\n", (long long)off);
	return 0;
}

const struct mfa_cmd cmd_verify_entry = {
    .name = "verify",
    .usage = "QUERY CODE [--window N] [--at TIME]",
    .summary = "check a code (exit 0 valid, 3 invalid)",
    .help = "Prints the step offset of the match (0 now, -1 the previous "
	    "step, +1 the next).\nHOTP accounts move their counter past a "
	    "match.",
    .opts = cmd_verify_opts,
    .min_args = 2,
    .max_args = 2,
    .exec = cmd_verify_exec,
};
