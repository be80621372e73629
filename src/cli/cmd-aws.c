/*
 * mfa aws enroll|codes|session: the AWS workflows (src/aws) on the
 * command line. One option table serves the three subcommands; each
 * checks that it was given only options of its own.
 *
 * stdout carries only what was asked for (codes, credentials, a report);
 * waiting for a fresh time step is said on /dev/tty, never on stderr,
 * which the AWS CLI captures from a credential_process.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/aws.h"
#include "cli/aws-keys.h"
#include "cli/cli.h"
#include "cli/cmd-aws.h"

#define AWS_CREDFILE_MAX (1024 * 1024)

/* Said while working (a wait): on the terminal only. */
void
cmd_aws_notice(void *arg, const char *msg)
{
	char line[600];
	int fd, n;

	(void)arg;
	if ((fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return;
	n = snprintf(line, sizeof(line), "mfa: %s\n", msg);
	if (n > 0)
		(void)!write(fd, line,
			     (size_t)n < sizeof(line) ? (size_t)n
						      : sizeof(line) - 1);
	close(fd);
}

int
cmd_aws_err(struct mfa_ctx *ctx, int rc, const struct aws_ctx *x,
	    const char *what)
{
	/* The aws layer's detail, under the command's context. */
	ctx->err = x->err;
	ctx->err.rc = rc;
	return cli_fail(ctx, rc, "%s", what);
}

/* The AWS CLI: found now, so a missing one costs no code. */
int
cmd_aws_ctx(struct mfa_ctx *ctx, const struct mfa_args *a, struct aws_ctx *x)
{
	const char *cli = getenv("MFA_AWS_CLI");
	char **env;
	int rc;

	if (getenv(AWS_NESTED_VAR) != NULL)
		return cli_failx(ctx, MFA_EINVAL,
				 "mfa aws was started by the AWS CLI that mfa "
				 "itself ran: the profile mfa calls AWS with "
				 "is one whose credential_process runs mfa "
				 "(a loop); give mfa the profile with your "
				 "long-term keys (--profile)");
	if ((env = util_child_env()) == NULL)
		return cli_fail(ctx, MFA_ENOMEM, "environment");
	rc = aws_ctx_init(x, cli, env);
	util_free_env(env);
	if (rc == MFA_ENOENT && cli != NULL && cli[0] != '\0')
		return cli_failx(ctx, rc,
				 "cannot use the AWS CLI named by MFA_AWS_CLI: "
				 "%s",
				 x->err.why);
	if (rc == MFA_ENOENT)
		return cli_failx(ctx, rc,
				 "the AWS CLI ('aws') was not found in PATH: "
				 "install it (Debian: apt install awscli) or "
				 "set MFA_AWS_CLI to its path");
	if (rc != 0)
		return cli_fail(ctx, rc, "AWS CLI");
	x->profile = args_get(a, OPT_PROFILE);
	x->region = args_get(a, OPT_REGION);
	x->notice = cmd_aws_notice;
	/* Codes follow the clock with its offset ($MFA_TIME_OFFSET). */
	x->now = util_clock;
	return 0;
}

/* What the user types to run their AWS CLI, for printed commands. */
static const char *
cmd_aws_cli_word(void)
{
	const char *cli = getenv("MFA_AWS_CLI");

	return cli != NULL && cli[0] != '\0' ? cli : "aws";
}

/* " --profile P --region R", shell-quoted, for printed commands. */
static void
cmd_aws_globals(const struct aws_ctx *x, char *out, size_t len)
{
	char *p = NULL, *r = NULL;

	if (x->profile != NULL)
		p = aws_format_shell_quote(x->profile);
	if (x->region != NULL)
		r = aws_format_shell_quote(x->region);
	snprintf(out, len, "%s%s%s%s", p ? " --profile " : "", p ? p : "",
		 r ? " --region " : "", r ? r : "");
	free(p);
	free(r);
}

/* " --vault PATH" when the vault was named on the command line. */
static char *
cmd_aws_vault_word(const struct mfa_ctx *ctx)
{
	char *q, *out;
	size_t n;

	if (ctx->vault_path == NULL || ctx->vault_path_alloc != NULL)
		return strdup("");
	if ((q = aws_format_shell_quote(ctx->vault_path)) == NULL)
		return NULL;
	n = strlen(q) + 10;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, " --vault %s", q);
	free(q);
	return out;
}

static void
cmd_aws_enroll_help(const struct mfa_ctx *ctx, const struct aws_ctx *x,
		    const struct aws_enroll *e)
{
	char g[512];
	char *vw = cmd_aws_vault_word(ctx);
	char *name = aws_format_shell_quote(e->name_out);
	char *user = aws_format_shell_quote(e->user_out);
	char *serial = aws_format_shell_quote(e->serial);
	char *cli = aws_format_shell_quote(cmd_aws_cli_word());

	cmd_aws_globals(x, g, sizeof(g));
	if (name == NULL || user == NULL || serial == NULL || cli == NULL ||
	    vw == NULL)
		goto out;
	fprintf(stderr,
		"mfa: the virtual MFA device %s exists but is NOT enabled; "
		"its seed is safe in the vault as \"%s:%s\".\n"
		"To finish, take two fresh codes, then enable it with them:\n"
		"  mfa%s aws codes %s\n"
		"  %s iam enable-mfa-device --user-name %s --serial-number %s "
		"--authentication-code1 CODE1 --authentication-code2 CODE2%s\n"
		"To undo it instead:\n"
		"  %s iam delete-virtual-mfa-device --serial-number %s%s\n"
		"  mfa%s rm %s\n",
		e->serial, AWS_ISSUER, e->name_out, vw, name, cli, user, serial,
		g, cli, serial, g, vw, name);
out:
	free(vw);
	free(name);
	free(user);
	free(serial);
	free(cli);
}

/*
 * While enrolling, SIGINT, SIGTERM and SIGHUP ask the enrolment to stop at
 * its next whole state (see aws_enroll) instead of ending us between AWS
 * making the device and the vault keeping its seed.
 */
static volatile sig_atomic_t cmd_aws_stop;
static const int cmd_aws_stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void
cmd_aws_on_stop(int sig)
{
	cmd_aws_stop = sig;
}

static void
cmd_aws_catch(struct sigaction old[3])
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cmd_aws_on_stop;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++) {
		sigaction(cmd_aws_stop_signals[i], &sa, &old[i]);
		/* Ignored by whoever started us (nohup, a background job):
		 * it stays so. */
		if (old[i].sa_handler == SIG_IGN)
			sigaction(cmd_aws_stop_signals[i], &old[i], NULL);
	}
}

/* The old actions back; a signal that stopped us then takes effect. */
static void
cmd_aws_uncatch(struct sigaction old[3])
{
	size_t i;

	for (i = 0; i < 3; i++)
		sigaction(cmd_aws_stop_signals[i], &old[i], NULL);
}

static int
cmd_aws_enroll(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct sigaction oldsig[3];
	struct aws_enroll e;
	struct aws_ctx x;
	struct vault *v;
	char what[512], g[512], *cli;
	int rc;

	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	if ((rc = unlock_vault(ctx, &v)) != 0) {
		aws_ctx_free(&x);
		return rc;
	}
	memset(&e, 0, sizeof(e));
	e.user = args_get(a, OPT_USER_NAME);
	e.device = args_get(a, OPT_DEVICE_NAME);
	e.name = args_get(a, OPT_NAME);
	cmd_aws_stop = 0;
	x.stop = &cmd_aws_stop;
	cmd_aws_catch(oldsig);
	rc = aws_enroll(&x, v, &e);
	switch (e.state) {
	case AWS_ENROLL_ENABLED:
		printf("created the virtual MFA device %s\n", e.serial);
		printf("saved its seed in the vault as \"%s:%s\"\n", AWS_ISSUER,
		       e.name_out);
		printf("enabled it for IAM user %s (codes of time steps %llu "
		       "and %llu)\n",
		       e.user_out, (unsigned long long)e.steps[0],
		       (unsigned long long)e.steps[1]);
		printf("next: mfa aws session %s\n", e.name_out);
		break;
	case AWS_ENROLL_SAVED:
		cmd_aws_enroll_help(ctx, &x, &e);
		if (rc == MFA_ECANCELED)
			snprintf(what, sizeof(what), "enroll");
		else
			snprintf(what, sizeof(what),
				 "enabling %s for IAM user %s failed", e.serial,
				 e.user_out);
		rc = cmd_aws_err(ctx, rc, &x, what);
		break;
	case AWS_ENROLL_CREATED:
		cmd_aws_globals(&x, g, sizeof(g));
		cli = aws_format_shell_quote(cmd_aws_cli_word());
		fprintf(stderr,
			"mfa: the virtual MFA device %s was created but its "
			"seed could not be kept, and deleting it failed; "
			"delete it with:\n  %s iam delete-virtual-mfa-device "
			"--serial-number %s%s\n",
			e.serial, cli ? cli : "aws", e.serial, g);
		free(cli);
		rc = cmd_aws_err(ctx, rc, &x, "saving the seed failed");
		break;
	case AWS_ENROLL_NONE:
		snprintf(what, sizeof(what), "enroll%s",
			 e.undone ? " (the new device was deleted again)" : "");
		rc = cmd_aws_err(ctx, rc, &x, what);
		break;
	}
	aws_enroll_clear(&e);
	aws_ctx_free(&x);
	cmd_aws_uncatch(oldsig);
	/* Stopped by a signal: said what state things are in, now end as
	 * that signal would have (a shell's loop then stops too). */
	if (rc == MFA_ECANCELED && cmd_aws_stop != 0) {
		if (ctx->what[0] != '\0')
			fprintf(stderr, "mfa: %s: ", util_clean(ctx->what));
		else
			fputs("mfa: ", stderr);
		fprintf(stderr, "%s\n",
			util_clean(mfa_err_text(&ctx->err, rc)));
		fflush(stderr);
		raise(cmd_aws_stop);
	}
	return rc;
}

static int
cmd_aws_codes(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const struct vault_entry *e;
	struct aws_codes c;
	struct aws_ctx x;
	struct vault *v;
	uint8_t id[VAULT_ID_BYTES];
	char label[512];
	size_t idx;
	int rc;

	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if ((rc = query_resolve(ctx, vault_data(v),
				a->argc > 0 ? a->argv[0] : NULL, &idx)) != 0)
		return rc;
	e = &vault_data(v)->entries[idx];
	snprintf(label, sizeof(label), "account %s",
		 util_label(e->issuer, e->name));
	/* Saving the step replaces the data e points into. */
	memcpy(id, e->id, sizeof(id));
	/* No AWS CLI is needed: the codes are typed by hand. */
	memset(&x, 0, sizeof(x));
	x.notice = cmd_aws_notice;
	x.now = util_clock;
	if ((rc = aws_codes(&x, v, id, &c)) != 0)
		return cmd_aws_err(ctx, rc, &x, label);
	printf("code 1 (step %llu): %s\n", (unsigned long long)c.step[0],
	       c.code[0]);
	printf("code 2 (step %llu): %s\n", (unsigned long long)c.step[1],
	       c.code[1]);
	printf("valid together for %llu more seconds: enter both now\n",
	       (unsigned long long)c.valid_for);
	sodium_memzero(&c, sizeof(c));
	return 0;
}

/* QUERY, or the only account with an AWS serial. */
int
cmd_aws_account(struct mfa_ctx *ctx, const struct vault_data *d,
		const char *query, size_t *idx)
{
	size_t i, n = 0, o;
	int rc;

	if (query != NULL) {
		if ((rc = query_resolve(ctx, d, query, idx)) != 0)
			return rc;
		if (d->entries[*idx].serial[0] == '\0')
			return cli_failx(
			    ctx, MFA_EINVAL,
			    "account %s has no AWS MFA serial (attach one "
			    "with 'mfa edit %s --serial ARN')",
			    util_label(d->entries[*idx].issuer,
				       d->entries[*idx].name),
			    query);
		return 0;
	}
	for (i = 0; i < d->n_entries; i++)
		if (d->entries[i].serial[0] != '\0') {
			*idx = i;
			n++;
		}
	if (n == 1)
		return 0;
	if (n == 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "no account has an AWS MFA serial (run 'mfa "
				 "aws enroll', or 'mfa edit QUERY --serial "
				 "ARN')");
	o = (size_t)snprintf(
	    ctx->err.why, sizeof(ctx->err.why),
	    "%zu accounts have an AWS MFA serial, name one:", n);
	for (i = 0; i < d->n_entries && o < sizeof(ctx->err.why); i++)
		if (d->entries[i].serial[0] != '\0')
			o += (size_t)snprintf(ctx->err.why + o,
					      sizeof(ctx->err.why) - o, " %s",
					      util_label(d->entries[i].issuer,
							 d->entries[i].name));
	ctx->what[0] = '\0';
	return CLI_USAGE;
}

/* $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
static int
cmd_aws_credpath(struct mfa_ctx *ctx, char *out, size_t len)
{
	const char *f = getenv("AWS_SHARED_CREDENTIALS_FILE");
	const char *home = getenv("HOME");
	char dir[PATH_MAX];
	int n;

	if (f != NULL && f[0] == '~' && f[1] == '/' && home != NULL)
		n = snprintf(out, len, "%s%s", home, f + 1);
	else if (f != NULL && f[0] != '\0')
		n = snprintf(out, len, "%s", f);
	else if (home != NULL && home[0] != '\0') {
		snprintf(dir, sizeof(dir), "%s/.aws", home);
		/* The AWS CLI makes it 0700 too. */
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return cli_fail(ctx, MFA_EIO, "%s", dir);
		n = snprintf(out, len, "%s/credentials", dir);
	} else
		return cli_fail(ctx, MFA_EINVAL,
				"credentials file (set HOME or "
				"AWS_SHARED_CREDENTIALS_FILE)");
	if (n < 0 || (size_t)n >= len)
		return cli_fail(ctx, MFA_ETOOLONG, "credentials file path");
	return 0;
}

static int
cmd_aws_read_all(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd, rc = 0;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : MFA_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > AWS_CREDFILE_MAX) {
		close(fd);
		return st.st_size > AWS_CREDFILE_MAX ? MFA_ETOOBIG : MFA_EIO;
	}
	/* It holds other profiles' keys: secret memory. */
	if ((*out = sodium_malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return MFA_ENOMEM;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, *out + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? MFA_EIO : 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (rc != 0) {
		sodium_free(*out);
		*out = NULL;
		return rc;
	}
	(*out)[n] = '\0';
	*len = n;
	return 0;
}

/*
 * Lock the folder of the credentials file against other mfa processes
 * writing it: each replaces the file (rename), so a lock on the file
 * itself would stay with the old one, and a missing file has nothing to
 * lock. The descriptor holds the lock until closed.
 */
static int
cmd_aws_credlock(const char *path, int *fdp)
{
	char *copy, *dir;
	int fd;

	if ((copy = strdup(path)) == NULL)
		return MFA_ENOMEM;
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return errno == ENOENT ? MFA_ENOENT : MFA_EIO;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			close(fd);
			return MFA_ELOCK;
		}
	*fdp = fd;
	return 0;
}

static int
cmd_aws_credfile(struct mfa_ctx *ctx, const struct mfa_args *a,
		 const struct aws_ctx *x, const struct aws_creds *c)
{
	const char *src = x->profile ? x->profile : getenv("AWS_PROFILE");
	char path[PATH_MAX], real[PATH_MAX], section[256], exp[AWS_TIME_MAX];
	char *old = NULL, *text = NULL;
	size_t oldlen = 0, len = 0, errline = 0;
	int rc, fd = -1;

	if (src == NULL || src[0] == '\0')
		src = "default";
	if (args_has(a, OPT_CREDENTIALS_PROFILE))
		snprintf(section, sizeof(section), "%s",
			 args_get(a, OPT_CREDENTIALS_PROFILE));
	else
		snprintf(section, sizeof(section), "%.200s-mfa", src);
	if (strcmp(section, src) == 0)
		return cli_usage(ctx,
				 "--credentials-profile %s is the profile mfa "
				 "calls AWS with; writing session "
				 "credentials there would replace its keys",
				 section);
	if ((rc = cmd_aws_credpath(ctx, path, sizeof(path))) != 0)
		return rc;
	/* Write through a symlink (dotfile managers), not over it. */
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	if ((rc = cmd_aws_credlock(real, &fd)) != 0)
		return cli_fail(ctx, rc, "%s", real);
	if ((rc = cmd_aws_read_all(real, &old, &oldlen)) != 0) {
		close(fd);
		return cli_fail(ctx, rc, "%s", real);
	}
	rc =
	    aws_format_credfile(old, oldlen, section, c, &text, &len, &errline);
	if (old != NULL)
		sodium_free(old);
	if (rc == 0) {
		rc = util_write_file(real, text, len);
		sodium_free(text);
	}
	/* The new file is in place: the next writer may read it. */
	close(fd);
	if (rc == MFA_EEXIST)
		return cli_failx(ctx, rc,
				 "profile [%s] in %s holds long-term keys; "
				 "mfa will not replace them (choose another "
				 "--credentials-profile)",
				 section, real);
	if (rc == MFA_EINVAL)
		return cli_usage(ctx, "'%s' cannot be a profile name", section);
	if (rc == MFA_EFORMAT)
		return cli_failx(ctx, rc,
				 "%s: line %zu is neither a [section], an "
				 "option nor a continuation, so the AWS CLI "
				 "cannot read this file: fix it first",
				 real, errline);
	if (rc != 0)
		return cli_fail(ctx, rc, "%s", real);
	aws_format_time(c->expiration, exp);
	printf("wrote profile [%s] to %s (expires %s)\n", section, real, exp);
	return 0;
}

/* Straight to fd 1: stdio would keep a copy of the credentials. */
static int
cmd_aws_write(struct mfa_ctx *ctx, const char *p, size_t len)
{
	ssize_t w;

	if (fflush(stdout) != 0)
		return cli_fail(ctx, MFA_EIO, "cannot write output");
	while (len > 0) {
		w = write(STDOUT_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cli_fail(ctx, MFA_EIO, "cannot write output");
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* --show-mfa-time: when the MFA authentication behind them happened. */
static void
cmd_aws_mfa_time(struct aws_ctx *x, const struct aws_session_res *res)
{
	char iso[AWS_TIME_MAX];

	if (res->mfa_time <= 0 || aws_format_time(res->mfa_time, iso) != 0)
		fprintf(stderr, "mfa: when the MFA authentication behind this "
				"cached session happened is not known\n");
	else
		fprintf(stderr,
			"mfa: MFA authentication at %s, %lld s ago (%s)\n", iso,
			(long long)(aws_now(x) - res->mfa_time),
			res->cached ? "a cached session" : "a new session");
}

static int
cmd_aws_session(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct aws_session_req r;
	struct aws_session_res res;
	enum aws_format f = AWS_FMT_ENV;
	struct aws_ctx x;
	struct vault *v;
	char label[512], *text = NULL;
	uint8_t id[VAULT_ID_BYTES];
	size_t idx, len = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	if (args_has(a, OPT_FORMAT) &&
	    aws_format_parse(args_get(a, OPT_FORMAT), &f) != 0)
		return cli_usage(ctx,
				 "--format wants env, json, "
				 "credential-process or credentials-file, "
				 "not '%s'",
				 args_get(a, OPT_FORMAT));
	if (args_has(a, OPT_CREDENTIALS_PROFILE) && f != AWS_FMT_FILE)
		return cli_usage(ctx, "--credentials-profile goes with "
				      "--format credentials-file");
	if (args_has(a, OPT_ROLE_SESSION_NAME) && !args_has(a, OPT_ROLE_ARN))
		return cli_usage(ctx, "--role-session-name goes with "
				      "--role-arn");
	if ((rc = args_uint(ctx, a, OPT_DURATION, 900, 129600, &r.duration)) !=
		0 ||
	    (rc = args_uint(ctx, a, OPT_MAX_MFA_AGE, 1, 129600,
			    &r.max_mfa_age)) != 0)
		return rc;
	r.role_arn = args_get(a, OPT_ROLE_ARN);
	r.role_session_name = args_get(a, OPT_ROLE_SESSION_NAME);
	/* The global --no-cache (no unlock cache) bypasses this one too. */
	r.no_cache = ctx->no_cache;
	if ((rc = cmd_aws_ctx(ctx, a, &x)) != 0)
		return rc;
	if ((rc = unlock_vault(ctx, &v)) != 0 ||
	    (rc = cmd_aws_account(ctx, vault_data(v),
				  a->argc > 0 ? a->argv[0] : NULL, &idx)) !=
		0) {
		aws_ctx_free(&x);
		return rc;
	}
	memcpy(id, vault_data(v)->entries[idx].id, sizeof(id));
	snprintf(label, sizeof(label), "session for %s",
		 util_label(vault_data(v)->entries[idx].issuer,
			    vault_data(v)->entries[idx].name));
	rc = aws_session(&x, v, id, &r, &res);
	if (rc == MFA_EAWS &&
	    strstr(x.err.why, "MultiFactorAuthentication") != NULL)
		/* AWS says the same whatever was wrong with the code: name
		 * the causes, the likeliest first. mfa never sends a step
		 * twice itself, but a code of the same seed may have gone
		 * to AWS another way. */
		snprintf(x.err.why + strlen(x.err.why),
			 sizeof(x.err.why) - strlen(x.err.why),
			 " (likeliest first: this time step's code was already "
			 "used for the device, e.g. by another authenticator "
			 "with the same seed or from 'mfa list' or 'mfa "
			 "watch': run it again, mfa takes the next step; the "
			 "device is not enabled for the IAM user of these "
			 "credentials; the clock is off by over 30 s)");
	if (rc != 0) {
		rc = cmd_aws_err(ctx, rc, &x, label);
		aws_ctx_free(&x);
		return rc;
	}
	if (args_has(a, OPT_SHOW_MFA_TIME))
		cmd_aws_mfa_time(&x, &res);
	if (f == AWS_FMT_FILE) {
		rc = cmd_aws_credfile(ctx, a, &x, &res.creds);
	} else if ((rc = aws_format_creds(&res.creds, f, &text, &len)) != 0 ||
		   (f == AWS_FMT_JSON && res.mfa_time > 0 &&
		    (rc = aws_session_add_time(&text, &len, res.mfa_time)) !=
			0)) {
		if (text != NULL)
			sodium_free(text);
		rc = cli_fail(ctx, rc, "%s", label);
	} else {
		rc = cmd_aws_write(ctx, text, len);
		sodium_free(text);
	}
	aws_creds_clear(&res.creds);
	aws_ctx_free(&x);
	return rc;
}

static const struct mfa_pos cmd_aws_query_pos[] = {
    {"QUERY", VAL_QUERY, NULL, POS_F_OPTIONAL},
    POS_END,
};

/* The options of every subcommand that calls AWS. */
#define AWS_CALL_OPTS                                                          \
	OPT_ARG(OPT_PROFILE, "profile", 0, "P", VAL_TEXT,                      \
		"the AWS CLI profile mfa calls AWS with"),                     \
	    OPT_ARG(OPT_REGION, "region", 0, "R", VAL_TEXT, "the AWS region")

static const struct mfa_opt cmd_aws_enroll_opts[] = {
    OPT_ARG(OPT_USER_NAME, "user-name", 0, "U", VAL_TEXT,
	    "the IAM user (default: the caller)"),
    OPT_ARG(OPT_DEVICE_NAME, "device-name", 0, "D", VAL_TEXT,
	    "the device's name (default: the user)"),
    OPT_ARG(OPT_NAME, "name", 0, "ACCOUNT", VAL_TEXT,
	    "the account's name in the vault (default: the device name)"),
    AWS_CALL_OPTS,
    OPT_END,
};

static const struct mfa_cmd cmd_aws_enroll_entry = {
    .name = "enroll",
    .summary = "create a virtual MFA device, keep its seed, enable it",
    .help = "Creates a virtual MFA device, saves its seed and serial in the "
	    "vault, then\nenables it with two codes of consecutive time steps.",
    .opts = cmd_aws_enroll_opts,
    .exec = cmd_aws_enroll,
};

static const struct mfa_cmd cmd_aws_codes_entry = {
    .name = "codes",
    .summary = "two consecutive codes, for enrolling a device by hand",
    .help = "Prints two codes of consecutive time steps, as the web console "
	    "asks for when\nyou enable a virtual MFA device there.",
    .pos = cmd_aws_query_pos,
    .exec = cmd_aws_codes,
};

static const struct mfa_opt cmd_aws_session_opts[] = {
    OPT_ARG(OPT_ROLE_ARN, "role-arn", 0, "ARN", VAL_TEXT,
	    "assume this role (sts assume-role)"),
    OPT_ARG(OPT_ROLE_SESSION_NAME, "role-session-name", 0, "S", VAL_TEXT,
	    "with --role-arn (default mfa-<device>-<unix time>)"),
    OPT_ARG(OPT_DURATION, "duration", 0, "SECONDS", VAL_NUMBER,
	    "lifetime, 900 to 129600"),
    OPT_WORDS(OPT_FORMAT, "format", 0, "F",
	      "env json credential-process credentials-file",
	      "env (default), json, credential-process, credentials-file"),
    OPT_ARG(OPT_CREDENTIALS_PROFILE, "credentials-profile", 0, "NAME", VAL_TEXT,
	    "the profile credentials-file writes (default "
	    "<profile>-mfa)"),
    OPT_ARG(OPT_MAX_MFA_AGE, "max-mfa-age", 0, "SECONDS", VAL_NUMBER,
	    "no cached session whose MFA authentication is older"),
    OPT_FLAG(OPT_SHOW_MFA_TIME, "show-mfa-time", 0,
	     "say on stderr when the MFA authentication happened"),
    AWS_CALL_OPTS,
    OPT_END,
};

static const struct mfa_cmd cmd_aws_session_entry = {
    .name = "session",
    .summary = "MFA session credentials (sts get-session-token/assume-role)",
    .help =
	"Calls sts get-session-token (or assume-role with --role-arn) with a "
	"fresh code;\nQUERY may be left out when one account has a serial. "
	"The credentials are\ncached in the vault until 5 minutes before they "
	"expire (--no-cache: not).\nIn ~/.aws/config:\n"
	"  [profile mfa]\n"
	"  credential_process = mfa aws session NAME --profile BASE --format "
	"credential-process",
    .opts = cmd_aws_session_opts,
    .pos = cmd_aws_query_pos,
    .exec = cmd_aws_session,
};

static const struct mfa_cmd *const cmd_aws_subs[] = {
    &cmd_aws_enroll_entry,     &cmd_aws_codes_entry,   &cmd_aws_session_entry,
    &cmd_aws_audit_entry,      &cmd_aws_devices_entry, &cmd_aws_resync_entry,
    &cmd_aws_deactivate_entry, CMD_AWS_KEYS_SUBS,      NULL,
};

const struct mfa_cmd cmd_aws_entry = {
    .name = "aws",
    .summary = "AWS: MFA devices, sessions, long-term keys in the vault",
    .help = "Talks to AWS through the AWS CLI ($MFA_AWS_CLI, else 'aws' in "
	    "PATH).\nA code's time step is never used twice: mfa waits for "
	    "the next step when needed.",
    .subs = cmd_aws_subs,
};
