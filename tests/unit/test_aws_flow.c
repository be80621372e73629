/*
 * The aws workflows against a scripted AWS CLI and a real vault, on a fake
 * clock: which time steps are chosen (never one already used, the wait when
 * needed, the step recorded before AWS is called), the codes sent (checked
 * against RFC 6238's SHA1 test vectors, an independent reference), the
 * session cache, and enrolment from the seed file to the saved account.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "aws/aws.h"

extern char **environ;

/* RFC 6238 appendix B: the SHA1 seed, and its codes' last six digits. */
#define RFC_SEED "12345678901234567890"
#define RFC_SEED_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static const struct vault_kdf tiny = {1, 8192};
static char dir[64], vpath[96], logpath[96];

struct clock {
	int64_t now;
	int sleeps;
	int64_t last_wake;
	int notices;
	char notice[256];
};
static struct clock clk;

static int64_t
fake_now(void *arg)
{
	return ((struct clock *)arg)->now;
}

static void
fake_sleep(void *arg, int64_t when)
{
	struct clock *c = arg;

	c->sleeps++;
	c->last_wake = when;
	if (when > c->now)
		c->now = when;
}

static void
fake_notice(void *arg, const char *msg)
{
	struct clock *c = arg;

	c->notices++;
	snprintf(c->notice, sizeof(c->notice), "%s", msg);
}

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static const char fake_cli[] =
    "#!/bin/sh\n"
    "printf '%s\\n' \"$*\" >> \"$FAKE_LOG\"\n"
    "if [ \"$FAKE_KILL_AT\" = \"$2\" ]; then kill -TERM $PPID; fi\n"
    "case \"$1 $2\" in\n"
    "'iam get-user')\n"
    "  if [ -n \"$FAKE_ROLE\" ]; then\n"
    "    echo 'An error occurred (ValidationError) when calling the GetUser "
    "operation: Must specify userName when calling with non-User "
    "credentials' >&2; exit 254\n"
    "  fi\n"
    "  echo '{\"User\": {\"UserName\": \"alice\", \"Arn\": "
    "\"arn:aws:iam::123456789012:user/alice\"}}' ;;\n"
    "'sts get-caller-identity')\n"
    "  echo '{\"Arn\": \"arn:aws:sts::123456789012:assumed-role/Admin/x\"}' "
    ";;\n"
    "'iam create-virtual-mfa-device')\n"
    "  while [ $# -gt 0 ]; do\n"
    "    if [ \"$1\" = --outfile ]; then\n"
    "      printf '%s\\n' \"$FAKE_SEED\" > \"$2\"\n"
    "      printf '%s %s\\n' \"$2\" \"$(stat -L -c %F \"$2\")\" > "
    "\"$FAKE_LOG.out\"\n"
    "    fi\n"
    "    shift\n"
    "  done\n"
    "  echo '{\"VirtualMFADevice\": {\"SerialNumber\": "
    "\"arn:aws:iam::123456789012:mfa/alice\"}}' ;;\n"
    "'iam enable-mfa-device')\n"
    "  if [ -n \"$FAKE_FAIL\" ]; then\n"
    "    echo 'An error occurred (InvalidAuthenticationCode) when calling "
    "the EnableMFADevice operation: Authentication code for device is not "
    "valid.' >&2; exit 254\n"
    "  fi ;;\n"
    "'iam delete-virtual-mfa-device') ;;\n"
    "'sts get-session-token'|'sts assume-role')\n"
    "  if [ -n \"$FAKE_FAIL\" ]; then\n"
    "    echo 'An error occurred (AccessDenied) when calling the "
    "GetSessionToken operation: MultiFactorAuthentication failed with "
    "invalid MFA one time pass code.' >&2; exit 254\n"
    "  fi\n"
    "  n=$(wc -l < \"$FAKE_LOG\")\n"
    "  echo '{\"Credentials\": {\"AccessKeyId\": \"ASIAFAKE'$n'\", "
    "\"SecretAccessKey\": \"s/k\", \"SessionToken\": \"tok\", "
    "\"Expiration\": \"2100-01-01T00:00:00+00:00\"}}' ;;\n"
    "*) echo \"unknown $1 $2\" >&2; exit 252 ;;\n"
    "esac\n";

static int
setup(void **state)
{
	char cli[128];
	FILE *f;

	(void)state;
	strcpy(dir, "/tmp/mfa-aws-flow-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cli, sizeof(cli), "%s/fakeaws", dir);
	if ((f = fopen(cli, "w")) == NULL)
		return -1;
	fputs(fake_cli, f);
	fclose(f);
	chmod(cli, 0700);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	setenv("FAKE_LOG", logpath, 1);
	setenv("FAKE_SEED", RFC_SEED_B32, 1);
	unsetenv("FAKE_FAIL");
	unsetenv("FAKE_ROLE");
	unsetenv("AWS_PROFILE");
	setenv("TMPDIR", dir, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A fresh vault per test, and a ctx on the fake clock. */
static struct vault *
fresh_vault(void)
{
	static int n;
	struct vault *v = NULL;

	snprintf(vpath, sizeof(vpath), "%s/vault%d", dir, n++);
	assert_int_equal(vault_create(vpath, "pw", 2, &tiny), 0);
	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	return v;
}

static void
ctx(struct aws_ctx *a, int64_t now)
{
	char cli[128];

	snprintf(cli, sizeof(cli), "%s/fakeaws", dir);
	assert_int_equal(aws_ctx_init(a, cli, environ), 0);
	memset(&clk, 0, sizeof(clk));
	clk.now = now;
	a->now = fake_now;
	a->sleep_until = fake_sleep;
	a->notice = fake_notice;
	a->clock_arg = &clk;
	a->notice_arg = &clk;
	unlink(logpath);
}

/* The ctx copies the environment: take FAKE_* changes in. */
static void
reenv(struct aws_ctx *a, const char *name, const char *value)
{
	char cli[128];

	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
	snprintf(cli, sizeof(cli), "%s/fakeaws", dir);
	aws_ctx_free(a);
	assert_int_equal(aws_ctx_init(a, cli, environ), 0);
	a->now = fake_now;
	a->sleep_until = fake_sleep;
	a->notice = fake_notice;
	a->clock_arg = &clk;
	a->notice_arg = &clk;
}

struct add_job {
	const char *name, *serial;
	uint64_t last_step;
	uint8_t id[VAULT_ID_BYTES];
};

static int
add_edit(struct vault_data *d, void *arg)
{
	struct add_job *j = arg;
	struct vault_entry e;

	assert_int_equal(vault_entry_init(&e, 1), 0);
	assert_int_equal(vault_entry_set_str(&e.name, j->name), 0);
	assert_int_equal(vault_entry_set_str(&e.issuer, AWS_ISSUER), 0);
	assert_int_equal(vault_entry_set_str(&e.serial, j->serial), 0);
	assert_int_equal(
	    vault_entry_set_secret(&e, (const uint8_t *)RFC_SEED, 20), 0);
	e.last_step = j->last_step;
	memcpy(j->id, e.id, VAULT_ID_BYTES);
	return vault_entry_add(d, &e);
}

static void
add(struct vault *v, const char *name, uint64_t last_step,
    uint8_t id[VAULT_ID_BYTES])
{
	struct add_job j = {
	    name, "arn:aws:iam::123456789012:mfa/alice", last_step, {0}};

	assert_int_equal(vault_update(v, add_edit, &j), 0);
	memcpy(id, j.id, VAULT_ID_BYTES);
}

/* last_step as saved on disk (a fresh open, not our memory). */
static uint64_t
saved_last_step(const uint8_t id[VAULT_ID_BYTES])
{
	const struct vault_data *d;
	struct vault *v = NULL;
	uint64_t s;
	long i;

	assert_int_equal(vault_open(vpath, &v), 0);
	assert_int_equal(vault_unlock_pass(v, "pw", 2), 0);
	d = vault_data(v);
	i = vault_entry_find_id(d, id);
	assert_true(i >= 0);
	s = d->entries[i].last_step;
	vault_close(v);
	return s;
}

static int
log_lines(void)
{
	FILE *f = fopen(logpath, "r");
	int n = 0, c;

	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static char *
log_line(int k)
{
	static char line[1024];
	FILE *f = fopen(logpath, "r");
	int i;

	assert_non_null(f);
	for (i = 0; i <= k; i++)
		assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	return line;
}

/* How many entries of the test folder start with prefix. */
static int
count_tmp(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static volatile sig_atomic_t stop_flag;

static void
on_term(int sig)
{
	stop_flag = sig;
}

/*
 * A SIGTERM during each AWS call (the fake CLI sends it to us): enrolment
 * stops at the next whole state, and the seed is never lost or left on
 * a disk.
 */
static void
test_enroll_interrupted(void **state)
{
	static const struct {
		const char *at;
		int rc;
		enum aws_enroll_state st;
		int calls, entries;
	} c[] = {
	    {"get-user", MFA_ECANCELED, AWS_ENROLL_NONE, 1, 0},
	    {"create-virtual-mfa-device", MFA_ECANCELED, AWS_ENROLL_SAVED, 2,
	     1},
	    {"enable-mfa-device", 0, AWS_ENROLL_ENABLED, 3, 1},
	};
	struct sigaction sa, old;
	struct aws_enroll e;
	struct aws_ctx a;
	struct vault *v;
	size_t i;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		v = fresh_vault();
		ctx(&a, 1111111111);
		reenv(&a, "FAKE_KILL_AT", c[i].at);
		stop_flag = 0;
		a.stop = &stop_flag;
		memset(&e, 0, sizeof(e));
		assert_int_equal(aws_enroll(&a, v, &e), c[i].rc);
		assert_int_equal(stop_flag, SIGTERM);
		assert_int_equal(e.state, c[i].st);
		assert_int_equal(log_lines(), c[i].calls);
		assert_int_equal(vault_data(v)->n_entries, c[i].entries);
		if (c[i].entries > 0)
			assert_memory_equal(vault_data(v)->entries[0].secret,
					    RFC_SEED, 20);
		if (c[i].rc == MFA_ECANCELED)
			assert_non_null(strstr(a.err.why, "interrupted"));
		assert_int_equal(count_tmp("mfa-aws-"), 0);
		reenv(&a, "FAKE_KILL_AT", NULL);
		aws_enroll_clear(&e);
		aws_ctx_free(&a);
		vault_close(v);
	}
	sigaction(SIGTERM, &old, NULL);
}

static void
test_pick(void **state)
{
	struct otp_params p;
	uint64_t first;
	int64_t wake = 0;
	bool ready;

	(void)state;
	otp_params_default(&p, OTP_TOTP);
	/* 1111111111 is step 37037037 with 29 s left. */
	assert_int_equal(
	    aws_step_pick(1111111111, &p, 0, 1, 0, &ready, &first, &wake), 0);
	assert_true(ready);
	assert_int_equal(first, 37037037);
	/* Used already: the next step's start. */
	assert_int_equal(aws_step_pick(1111111111, &p, 37037037, 1, 0, &ready,
				       &first, &wake),
			 0);
	assert_false(ready);
	assert_int_equal(first, 37037038);
	assert_int_equal(wake, 1111111140);
	/* A pair is the previous and the current step. */
	assert_int_equal(aws_step_pick(1111111111, &p, 37037035, 2, 3, &ready,
				       &first, &wake),
			 0);
	assert_true(ready);
	assert_int_equal(first, 37037036);
	/* ... both new: with the previous one used, wait one step. */
	assert_int_equal(aws_step_pick(1111111111, &p, 37037036, 2, 3, &ready,
				       &first, &wake),
			 0);
	assert_false(ready);
	assert_int_equal(first, 37037037);
	assert_int_equal(wake, 1111111140);
	/* With the current one used, two steps. */
	assert_int_equal(aws_step_pick(1111111111, &p, 37037037, 2, 3, &ready,
				       &first, &wake),
			 0);
	assert_false(ready);
	assert_int_equal(first, 37037038);
	assert_int_equal(wake, 1111111170);
	/* Two seconds left, three wanted: the next step. */
	assert_int_equal(
	    aws_step_pick(1111111138, &p, 0, 2, 3, &ready, &first, &wake), 0);
	assert_false(ready);
	assert_int_equal(wake, 1111111140);
	assert_int_equal(first, 37037037);
	/* One second left and none wanted: now. */
	assert_int_equal(
	    aws_step_pick(1111111139, &p, 0, 1, 0, &ready, &first, &wake), 0);
	assert_true(ready);
	/* min_left beyond the period means a whole fresh period. */
	assert_int_equal(
	    aws_step_pick(1111111110, &p, 0, 1, 90, &ready, &first, &wake), 0);
	assert_true(ready);
	assert_int_equal(
	    aws_step_pick(1111111111, &p, 0, 1, 90, &ready, &first, &wake), 0);
	assert_false(ready);
	p.t0 = 100;
	assert_int_equal(aws_step_pick(50, &p, 0, 1, 0, &ready, &first, &wake),
			 MFA_ETIME);
	p.t0 = 0;
	assert_int_equal(
	    aws_step_pick(1111111111, &p, 0, 0, 0, &ready, &first, &wake),
	    MFA_EINVAL);
	assert_int_equal(
	    aws_step_pick(1111111111, &p, 0, 3, 0, &ready, &first, &wake),
	    MFA_EINVAL);
}

static void
test_session(void **state)
{
	struct aws_session_req r;
	struct aws_session_res res;
	struct aws_ctx a;
	uint8_t id[VAULT_ID_BYTES];
	struct vault *v = fresh_vault();
	char *line;

	(void)state;
	add(v, "alice", 0, id);
	ctx(&a, 1234567890);
	memset(&r, 0, sizeof(r));
	assert_int_equal(aws_session(&a, v, id, &r, &res), 0);
	assert_false(res.cached);
	assert_true(res.cache_saved);
	assert_int_equal(res.step, 41152263);
	assert_int_equal(clk.sleeps, 0);
	assert_string_equal(res.creds.access_key_id, "ASIAFAKE1");
	assert_string_equal(res.creds.secret_access_key, "s/k");
	assert_int_equal(res.creds.expiration, 4102444800);
	aws_creds_clear(&res.creds);
	/* RFC 6238: 1234567890 -> 89005924. */
	assert_string_equal(log_line(0),
			    "sts get-session-token --serial-number "
			    "arn:aws:iam::123456789012:mfa/alice --token-code "
			    "005924 --output json\n");
	assert_int_equal(saved_last_step(id), 41152263);

	/* From the cache: no code, no call, even in the same step. */
	assert_int_equal(aws_session(&a, v, id, &r, &res), 0);
	assert_true(res.cached);
	assert_string_equal(res.creds.access_key_id, "ASIAFAKE1");
	aws_creds_clear(&res.creds);
	assert_int_equal(log_lines(), 1);

	/* Bypassing it: the step is used, so wait for the next. */
	r.no_cache = true;
	assert_int_equal(aws_session(&a, v, id, &r, &res), 0);
	assert_false(res.cached);
	assert_int_equal(clk.sleeps, 1);
	assert_int_equal(clk.last_wake, 1234567920);
	assert_int_equal(res.step, 41152264);
	assert_string_equal(clk.notice,
			    "waiting 30s for a fresh code (this time step's "
			    "code was already used for this AWS account, and "
			    "AWS refuses a code used twice)");
	aws_creds_clear(&res.creds);
	assert_int_equal(log_lines(), 2);
	assert_int_equal(saved_last_step(id), 41152264);

	/* A role is another cache entry: a new code, a new step. */
	r.no_cache = false;
	r.role_arn = "arn:aws:iam::123456789012:role/Admin";
	r.duration = 900;
	assert_int_equal(aws_session(&a, v, id, &r, &res), 0);
	assert_false(res.cached);
	assert_int_equal(res.step, 41152265);
	assert_int_equal(clk.now, 1234567950);
	aws_creds_clear(&res.creds);
	line = log_line(2);
	assert_non_null(strstr(line, "sts assume-role --role-arn "
				     "arn:aws:iam::123456789012:role/Admin "
				     "--role-session-name mfa-alice-1234567950 "
				     "--serial-number "));
	assert_non_null(strstr(line, " --duration-seconds 900 --output json"));
	assert_int_equal(aws_session(&a, v, id, &r, &res), 0);
	assert_true(res.cached);
	aws_creds_clear(&res.creds);
	assert_int_equal(log_lines(), 3);

	/* A failed call still spent its step. */
	reenv(&a, "FAKE_FAIL", "1");
	r.no_cache = true;
	clk.now = 2000000000;
	assert_int_equal(aws_session(&a, v, id, &r, &res), MFA_EAWS);
	assert_non_null(strstr(a.err.why, "(AccessDenied)"));
	reenv(&a, "FAKE_FAIL", NULL);
	assert_null(res.creds.access_key_id);
	/* RFC 6238: 2000000000 -> 69279037. */
	assert_non_null(strstr(log_line(3), "--token-code 279037 "));
	assert_int_equal(saved_last_step(id), 66666666);
	aws_ctx_free(&a);
	vault_close(v);
}

static void
test_session_errors(void **state)
{
	struct aws_session_req r;
	struct aws_session_res res;
	struct aws_ctx a;
	uint8_t id[VAULT_ID_BYTES];
	struct vault *v = fresh_vault();

	(void)state;
	/* A step far ahead of the clock: an error, not a long wait. */
	add(v, "alice", 41152263 + 10, id);
	ctx(&a, 1234567890);
	memset(&r, 0, sizeof(r));
	assert_int_equal(aws_session(&a, v, id, &r, &res), MFA_ETIME);
	assert_non_null(strstr(a.err.why, "ahead of the clock"));
	assert_int_equal(clk.sleeps, 0);
	assert_int_equal(log_lines(), 0);
	memset(id, 0, sizeof(id));
	assert_int_equal(aws_session(&a, v, id, &r, &res), MFA_ENOTFOUND);
	aws_ctx_free(&a);
	vault_close(v);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
test_session_key(void **state)
{
	/* Fragments that a plain concatenation cannot tell apart. */
	static const char *const part[] = {
	    NULL, "", "a", "b", ":", "/", "a:b", "a/b", "b:a", ":a", "a:",
	};
	enum { NP = sizeof(part) / sizeof(part[0]) };
	char *keys[NP * NP * NP];
	uint8_t id[VAULT_ID_BYTES];
	size_t i, j, k, n = 0;
	char *a, *b;

	(void)state;
	memset(id, 0xab, sizeof(id));
	/* The collisions seen: a role plus a session name against a longer
	 * role, and a profile with ':' against a role. */
	a = aws_session_key(id, "arn:aws:iam::1:role/team", "Admin", NULL);
	b = aws_session_key(id, "arn:aws:iam::1:role/team/Admin", NULL, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	a = aws_session_key(id, "arn:aws:iam::1:role/R", NULL, "p");
	b = aws_session_key(id, "arn:aws:iam::1", NULL, "role/R:p");
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	/* Every combination gives its own key. */
	for (i = 0; i < NP; i++)
		for (j = 0; j < NP; j++)
			for (k = 0; k < NP; k++) {
				keys[n] = aws_session_key(id, part[i], part[j],
							  part[k]);
				assert_non_null(keys[n]);
				assert_memory_equal(keys[n], "aws-session", 11);
				n++;
			}
	qsort(keys, n, sizeof(keys[0]), cmp_str);
	for (i = 1; i < n; i++)
		assert_string_not_equal(keys[i - 1], keys[i]);
	for (i = 0; i < n; i++)
		free(keys[i]);
	/* Another account, another key. */
	a = aws_session_key(id, NULL, NULL, NULL);
	id[0] = 0;
	b = aws_session_key(id, NULL, NULL, NULL);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_enroll(void **state)
{
	const struct vault_data *d;
	struct aws_enroll e;
	struct aws_ctx a;
	struct vault *v = fresh_vault();
	char seeddir[256];
	FILE *f;

	(void)state;
	ctx(&a, 1111111111);
	memset(&e, 0, sizeof(e));
	assert_int_equal(aws_enroll(&a, v, &e), 0);
	assert_int_equal(e.state, AWS_ENROLL_ENABLED);
	assert_string_equal(e.user_out, "alice");
	assert_string_equal(e.device_out, "alice");
	assert_string_equal(e.name_out, "alice");
	assert_string_equal(e.serial, "arn:aws:iam::123456789012:mfa/alice");
	assert_int_equal(e.steps[0], 37037036);
	assert_int_equal(e.steps[1], 37037037);
	assert_string_equal(log_line(0), "iam get-user --output json\n");
	assert_int_equal(strncmp(log_line(1),
				 "iam create-virtual-mfa-device "
				 "--virtual-mfa-device-name alice --outfile ",
				 71),
			 0);
	assert_non_null(strstr(log_line(1), " --bootstrap-method "
					    "Base32StringSeed --output json"));
	/* RFC 6238: 1111111109 -> 07081804, 1111111111 -> 14050471. */
	assert_string_equal(log_line(2),
			    "iam enable-mfa-device --user-name alice "
			    "--serial-number "
			    "arn:aws:iam::123456789012:mfa/alice "
			    "--authentication-code1 081804 "
			    "--authentication-code2 050471 --output json\n");
	assert_int_equal(log_lines(), 3);
	/* The seed came through a pipe: no file, no folder, anywhere. */
	snprintf(seeddir, sizeof(seeddir), "%s.out", logpath);
	f = fopen(seeddir, "r");
	assert_non_null(f);
	assert_non_null(fgets(seeddir, sizeof(seeddir), f));
	fclose(f);
	assert_string_equal(seeddir, "/dev/fd/3 fifo\n");
	assert_int_equal(count_tmp("mfa-aws-"), 0);
	/* The account, as saved. */
	d = vault_data(v);
	assert_int_equal(d->n_entries, 1);
	assert_string_equal(d->entries[0].issuer, "Amazon Web Services");
	assert_string_equal(d->entries[0].name, "alice");
	assert_string_equal(d->entries[0].serial,
			    "arn:aws:iam::123456789012:mfa/alice");
	assert_int_equal(d->entries[0].secret_len, 20);
	assert_memory_equal(d->entries[0].secret, RFC_SEED, 20);
	assert_int_equal(d->entries[0].p.type, OTP_TOTP);
	assert_int_equal(d->entries[0].p.hash, OTP_SHA1);
	assert_int_equal(d->entries[0].p.digits, 6);
	assert_int_equal(d->entries[0].p.period, 30);
	assert_int_equal(saved_last_step(d->entries[0].id), 37037037);
	aws_enroll_clear(&e);

	/* The same name again: refused before AWS is asked for anything. */
	unlink(logpath);
	memset(&e, 0, sizeof(e));
	e.user = "bob";
	e.name = "alice";
	assert_int_equal(aws_enroll(&a, v, &e), MFA_EEXIST);
	assert_int_equal(e.state, AWS_ENROLL_NONE);
	assert_int_equal(log_lines(), 0);
	aws_enroll_clear(&e);
	aws_ctx_free(&a);
	vault_close(v);
}

static void
test_enroll_failures(void **state)
{
	const struct vault_data *d;
	struct aws_enroll e;
	struct aws_ctx a;
	struct vault *v = fresh_vault();

	(void)state;
	/* Enabling fails: the seed is kept, with its steps spent. Two
	 * seconds left in the step: it waits for the next one first. */
	ctx(&a, 1111111138);
	reenv(&a, "FAKE_FAIL", "1");
	memset(&e, 0, sizeof(e));
	e.user = "bob";
	e.device = "bobs-phone";
	assert_int_equal(aws_enroll(&a, v, &e), MFA_EAWS);
	assert_non_null(strstr(a.err.why, "(InvalidAuthenticationCode)"));
	reenv(&a, "FAKE_FAIL", NULL);
	assert_int_equal(e.state, AWS_ENROLL_SAVED);
	assert_string_equal(e.name_out, "bobs-phone");
	assert_int_equal(clk.sleeps, 1);
	assert_int_equal(clk.last_wake, 1111111140);
	assert_int_equal(e.steps[1], 37037038);
	/* No get-user: the user was given. */
	assert_int_equal(log_lines(), 2);
	d = vault_data(v);
	assert_int_equal(d->n_entries, 1);
	assert_string_equal(d->entries[0].name, "bobs-phone");
	assert_int_equal(saved_last_step(d->entries[0].id), 37037038);
	aws_enroll_clear(&e);
	aws_ctx_free(&a);

	/* A role has no IAM user: say whose credentials these are. */
	ctx(&a, 1111111111);
	reenv(&a, "FAKE_ROLE", "1");
	memset(&e, 0, sizeof(e));
	assert_int_equal(aws_enroll(&a, v, &e), MFA_EAWS);
	assert_non_null(
	    strstr(a.err.why, "assumed-role/Admin/x, not an IAM user"));
	assert_non_null(strstr(a.err.why, "--user-name"));
	reenv(&a, "FAKE_ROLE", NULL);
	assert_int_equal(e.state, AWS_ENROLL_NONE);
	assert_int_equal(log_lines(), 2);
	aws_enroll_clear(&e);
	aws_ctx_free(&a);

	/* A seed that is not base32: the device is deleted again. */
	ctx(&a, 1111111111);
	reenv(&a, "FAKE_SEED", "not base32!");
	memset(&e, 0, sizeof(e));
	e.user = "carol";
	assert_int_equal(aws_enroll(&a, v, &e), MFA_EBASE32);
	reenv(&a, "FAKE_SEED", RFC_SEED_B32);
	assert_int_equal(e.state, AWS_ENROLL_NONE);
	assert_true(e.undone);
	assert_string_equal(log_line(1),
			    "iam delete-virtual-mfa-device --serial-number "
			    "arn:aws:iam::123456789012:mfa/alice --output "
			    "json\n");
	assert_int_equal(vault_data(v)->n_entries, 1);
	aws_enroll_clear(&e);
	aws_ctx_free(&a);
	vault_close(v);
}

static void
test_codes(void **state)
{
	struct aws_codes c;
	struct aws_ctx a;
	uint8_t id[VAULT_ID_BYTES];
	struct vault *v = fresh_vault();

	(void)state;
	add(v, "alice", 0, id);
	memset(&a, 0, sizeof(a));
	memset(&clk, 0, sizeof(clk));
	clk.now = 1111111111;
	a.now = fake_now;
	a.sleep_until = fake_sleep;
	a.clock_arg = &clk;
	assert_int_equal(aws_codes(&a, v, id, &c), 0);
	assert_int_equal(c.step[0], 37037036);
	assert_int_equal(c.step[1], 37037037);
	assert_string_equal(c.code[0], "081804");
	assert_string_equal(c.code[1], "050471");
	assert_int_equal(c.valid_for, 29);
	assert_int_equal(saved_last_step(id), 37037037);
	/* Again: both steps must be new, so two steps later. */
	assert_int_equal(aws_codes(&a, v, id, &c), 0);
	assert_int_equal(c.step[0], 37037038);
	assert_int_equal(clk.now, 1111111170);
	assert_int_equal(c.valid_for, 30);
	/* Too little time left to type them: the next step. */
	clk.now = 1111111255;
	a.notice = fake_notice;
	a.notice_arg = &clk;
	assert_int_equal(aws_codes(&a, v, id, &c), 0);
	assert_int_equal(clk.now, 1111111260);
	assert_string_equal(clk.notice, "waiting 5s for a fresh code (fewer "
					"than 10 seconds were left in this "
					"one)");
	assert_int_equal(c.step[0], 37037041);
	assert_int_equal(c.step[1], 37037042);
	vault_close(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_session),
	    cmocka_unit_test(test_session_errors),
	    cmocka_unit_test(test_session_key),
	    cmocka_unit_test(test_enroll),
	    cmocka_unit_test(test_enroll_failures),
	    cmocka_unit_test(test_enroll_interrupted),
	    cmocka_unit_test(test_codes),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
