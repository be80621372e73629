/*
 * mfa code: print a one-time code, and nothing else, on stdout, so that
 * $(mfa code NAME) works in scripts and in credential_process. HOTP saves
 * the advanced counter before printing: a code shown is never shown again.
 * So does an account with an AWS serial: the time step of the code shown
 * is recorded, as mfa aws session records the steps it sends, and neither
 * ever hands out a step the other used (AWS refuses a code twice); --at
 * and --next are left as they are.
 * With --secret-stdin no vault is used at all, like oathtool, but the
 * secret comes from stdin instead of argv.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws.h"
#include "cli/cli.h"

static const struct mfa_opt cmd_code_opts[] = {
    OPT_FLAG(OPT_SECRET_STDIN, "secret-stdin", 0,
	     "no vault: read a base32 secret or an "
	     "otpauth URI from stdin"),
    SECRET_OPTS,
    OPT_ARG(OPT_AT, "at", 0, "TIME", VAL_TEXT,
	    "code at TIME (unix seconds or 2005-03-18T01:58:29Z)"),
    OPT_FLAG(OPT_NEXT, "next", 0, "the code of the next period (or counter)"),
    OPT_ARG(OPT_FRESH, "fresh", 0, "S", VAL_TEXT,
	    "wait for the next period if fewer than S seconds "
	    "are left"),
    OPT_FLAG(OPT_COPY, "copy", 0, "copy the code to the clipboard too"),
    OFFSET_OPT,
    OPT_END,
};

struct code_hotp {
	size_t idx;
	char code[OTP_CODE_MAX];
};

static int
cmd_code_time(struct mfa_ctx *ctx, const struct mfa_args *a, int64_t *now)
{
	*now = util_now();
	if (args_has(a, OPT_AT) &&
	    otp_time_parse(args_get(a, OPT_AT), now) != 0)
		return cli_usage(ctx,
				 "--at wants unix seconds or ISO-8601 UTC "
				 "(2005-03-18T01:58:29Z), not '%s'",
				 args_get(a, OPT_AT));
	return 0;
}

/* --fresh S: rather than a code about to expire, wait for the next one. */
static int
cmd_code_fresh(struct mfa_ctx *ctx, const struct mfa_args *a,
	       const struct otp_params *p, int64_t *now)
{
	uint64_t fresh = 0, left;
	int rc;

	if ((rc = args_uint(ctx, a, OPT_FRESH, 0, 3600, &fresh)) != 0)
		return rc;
	if (fresh == 0 || p->type == OTP_HOTP || args_has(a, OPT_AT))
		return 0;
	if (fresh > p->period)
		fresh = p->period;
	left = otp_remaining(*now, p->t0, p->period);
	if (left >= fresh)
		return 0;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "mfa: waiting %llus for a fresh code\n",
			(unsigned long long)left);
	sleep((unsigned)left);
	*now = util_now();
	/* sleep() can return early; never hand out the old step's code. */
	while (otp_remaining(*now, p->t0, p->period) < fresh) {
		sleep(1);
		*now = util_now();
	}
	return 0;
}

static int
cmd_code_print(struct mfa_ctx *ctx, const struct mfa_args *a, struct clip *clip,
	       const char *code, const struct otp_params *p, int64_t now)
{
	char msg[128];
	int rc;

	printf("%s\n", code);
	if (p->type != OTP_HOTP && isatty(STDERR_FILENO) &&
	    !args_has(a, OPT_AT) && !args_has(a, OPT_NEXT))
		fprintf(
		    stderr, "(%llus left)\n",
		    (unsigned long long)otp_remaining(now, p->t0, p->period));
	if (clip == NULL)
		return 0;
	fflush(stdout);
	if ((rc = clip_copy(clip, code, strlen(code))) != 0)
		return cli_fail(ctx, rc, "--copy (%s)", clip_name(clip));
	if (isatty(STDERR_FILENO)) {
		clip_message(clip, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
	}
	return 0;
}

/* Said while taking an AWS code: on stderr, so a script's log shows it. */
static void
cmd_code_notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "mfa: %s\n", msg);
	fflush(stderr);
}

/*
 * The code of an account with an AWS serial goes to AWS, which refuses a
 * time step it has seen (from this command or from mfa aws session): the
 * step is taken as mfa aws session takes it, never one already used,
 * recorded in the vault before the code is printed, waiting for the next
 * step when needed.
 */
static int
cmd_code_aws(struct mfa_ctx *ctx, const struct mfa_args *a, struct clip *clip,
	     struct vault *v, const struct vault_entry *e)
{
	struct otp_params p = e->p;
	uint8_t id[VAULT_ID_BYTES];
	struct aws_take t;
	struct aws_ctx x;
	char label[512];
	uint64_t fresh = 0;
	int rc;

	if ((rc = args_uint(ctx, a, OPT_FRESH, 0, 3600, &fresh)) != 0)
		return rc;
	snprintf(label, sizeof(label), "%s", util_label(e->issuer, e->name));
	/* e is stale once the step is saved. */
	memcpy(id, e->id, sizeof(id));
	memset(&t, 0, sizeof(t));
	t.id = id;
	t.count = 1;
	t.min_left = fresh;
	/* No AWS CLI: only the step rule and the clock. */
	memset(&x, 0, sizeof(x));
	x.notice = cmd_code_notice;
	if ((rc = aws_step_take(&x, v, &t)) != 0) {
		if (x.err.why[0] != '\0')
			return cli_failx(ctx, rc, "account %s: %s", label,
					 x.err.why);
		return cli_fail(ctx, rc, "account %s", label);
	}
	rc = cmd_code_print(ctx, a, clip, t.code[0], &p, util_now());
	aws_take_clear(&t);
	return rc;
}

static int
cmd_code_stdin(struct mfa_ctx *ctx, struct mfa_args *a, struct clip *clip)
{
	struct cli_secret s;
	char code[OTP_CODE_MAX];
	uint64_t step;
	int64_t now;
	int rc;

	if (a->argc > 0)
		return cli_usage(ctx, "--secret-stdin takes no account name");
	if ((rc = cmd_code_time(ctx, a, &now)) != 0)
		return rc;
	if ((rc = secret_read(ctx, a, "secret from stdin", &s)) != 0)
		return rc;
	if ((rc = otp_params_check(&s.p)) != 0) {
		secret_clear(&s);
		return cli_fail(ctx, rc, "secret from stdin");
	}
	if ((rc = cmd_code_fresh(ctx, a, &s.p, &now)) != 0) {
		secret_clear(&s);
		return rc;
	}
	if (s.p.type == OTP_HOTP) {
		step = s.p.counter + (args_has(a, OPT_NEXT) ? 1 : 0);
	} else if ((rc = otp_step(now, s.p.t0, s.p.period, &step)) != 0) {
		secret_clear(&s);
		return cli_fail(ctx, rc, "--at");
	} else if (args_has(a, OPT_NEXT)) {
		step++;
	}
	rc = otp_code_at_step(&s.p, s.secret, s.secret_len, step, code);
	if (rc != 0) {
		secret_clear(&s);
		return cli_fail(ctx, rc, "secret from stdin");
	}
	rc = cmd_code_print(ctx, a, clip, code, &s.p, now);
	sodium_memzero(code, sizeof(code));
	secret_clear(&s);
	return rc;
}

static int
cmd_code_run(struct mfa_ctx *ctx, struct mfa_args *a, struct clip *clip)
{
	const struct vault_data *d;
	const struct vault_entry *e;
	struct otp_params hp;
	struct code_hotp h;
	struct vault *v;
	uint64_t step;
	int64_t now;
	char label[512];
	int rc;

	if (args_has(a, OPT_SECRET_STDIN))
		return cmd_code_stdin(ctx, a, clip);
	if (args_has(a, OPT_TOTP) || args_has(a, OPT_HOTP) ||
	    args_has(a, OPT_STEAM) || args_has(a, OPT_ALGORITHM) ||
	    args_has(a, OPT_DIGITS) || args_has(a, OPT_PERIOD) ||
	    args_has(a, OPT_COUNTER))
		return cli_usage(ctx, "code options such as -a/-d/-p/-c go "
				      "with --secret-stdin; use 'mfa edit' "
				      "to change an account");
	if ((rc = cmd_code_time(ctx, a, &now)) != 0)
		return rc;
	/* One account out of maybe 100,000: only those the query may name
	 * are decoded. */
	if ((rc = unlock_vault_query(ctx, a->argc ? a->argv[0] : NULL, &v)) !=
	    0)
		return rc;
	d = vault_data(v);
	memset(&h, 0, sizeof(h));
	if ((rc = query_resolve(ctx, d, a->argc ? a->argv[0] : NULL, &h.idx)) !=
	    0)
		return rc;
	e = &d->entries[h.idx];
	if (e->p.type == OTP_HOTP) {
		if (args_has(a, OPT_NEXT) || args_has(a, OPT_AT))
			return cli_usage(ctx,
					 "--next and --at do not apply to "
					 "HOTP account %s",
					 util_label(e->issuer, e->name));
		hp = e->p;
		snprintf(label, sizeof(label), "%s",
			 util_label(e->issuer, e->name));
		/* e is stale after this: the vault was re-read. */
		if ((rc = hotp_take(v, e->id, h.code)) != 0)
			return cli_fail(ctx, rc, "account %s", label);
		rc = cmd_code_print(ctx, a, clip, h.code, &hp, now);
		sodium_memzero(h.code, sizeof(h.code));
		return rc;
	}
	if (e->p.type == OTP_TOTP && e->serial[0] != '\0' &&
	    !args_has(a, OPT_AT) && !args_has(a, OPT_NEXT))
		return cmd_code_aws(ctx, a, clip, v, e);
	if ((rc = cmd_code_fresh(ctx, a, &e->p, &now)) != 0)
		return rc;
	if ((rc = otp_step(now, e->p.t0, e->p.period, &step)) != 0)
		return cli_fail(ctx, rc, "--at");
	if (args_has(a, OPT_NEXT))
		step++;
	rc = otp_code_at_step(&e->p, e->secret, e->secret_len, step, h.code);
	if (rc != 0)
		return cli_fail(ctx, rc, "account %s",
				util_label(e->issuer, e->name));
	rc = cmd_code_print(ctx, a, clip, h.code, &e->p, now);
	sodium_memzero(h.code, sizeof(h.code));
	return rc;
}

static int
cmd_code_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct clip clip;
	int rc;

	if (!args_has(a, OPT_COPY))
		return cmd_code_run(ctx, a, NULL);
	/* Now, before any secret is read: clip_open forks the helper that
	 * clears the clipboard later, and it must inherit none. */
	if ((rc = clip_open(&clip)) != 0)
		return cli_failx(ctx, rc,
				 "--copy: no clipboard (wl-copy with "
				 "WAYLAND_DISPLAY, xclip or xsel with DISPLAY, "
				 "or a terminal for OSC 52)");
	rc = cmd_code_run(ctx, a, &clip);
	clip_close(&clip);
	return rc;
}

static const struct mfa_pos cmd_code_pos[] = {
    {"QUERY", VAL_QUERY, NULL, POS_F_OPTIONAL},
    POS_END,
};

const struct mfa_cmd cmd_code_entry = {
    .name = "code",
    .summary = "print a one-time code",
    .help = "Prints the code of the account QUERY (or of the only account) "
	    "and a newline\non stdout, nothing else. HOTP accounts advance "
	    "and save their counter first.\nSo does an account with an AWS "
	    "serial: the time step it prints is recorded,\nand one already "
	    "used is never printed (AWS refuses a code twice): it waits\nfor "
	    "the next step, saying so on stderr (not with --at or --next).\n"
	    "With --secret-stdin no vault is "
	    "used: the secret (base32) or a whole\notpauth:// URI is read "
	    "from stdin, as oathtool would take it on its command line.\n"
	    "--copy also puts the code on the clipboard (wl-copy, xclip or "
	    "xsel, else OSC 52\non the terminal; in tmux that needs "
	    "'set -g set-clipboard on') and clears it\nafter $MFA_CLIP_TIME "
	    "seconds (default 45) unless it changed meanwhile.",
    .opts = cmd_code_opts,
    .pos = cmd_code_pos,
    .exec = cmd_code_exec,
};
