/*
 * Running the AWS CLI (src/aws/run.c) against small stand-in scripts: the
 * arguments it gets (no shell in between, --output json, --profile and
 * --region passed through), its environment (no pager, the loop guard,
 * nothing added or lost), its JSON read back, and its failures reported
 * with its own message.
 */
#include <errno.h>
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

static char dir[64];

static int
rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
script(const char *name, const char *body)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	assert_int_equal(chmod(path, 0700), 0);
}

static char *
slurp(const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int
setup(void **state)
{
	char log[128];

	(void)state;
	strcpy(dir, "/tmp/mfa-aws-run-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(log, sizeof(log), "%s/args", dir);
	setenv("FAKE_ARGS", log, 1);
	/* Each argument on its own line, so none could have been split. */
	script("fake", "for a in \"$@\"; do printf '%s\\n' \"$a\"; done "
		       "> \"$FAKE_ARGS\"\n"
		       "env > \"$FAKE_ARGS.env\"\n"
		       "echo '{\"Account\": \"123456789012\", \"Arn\": "
		       "\"arn:aws:iam::123456789012:user/a b\"}'\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
init(struct aws_ctx *a, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(aws_ctx_init(a, path, environ), 0);
}

static void
test_args_json(void **state)
{
	const char *args[] = {"sts", "get-caller-identity", "--x", "a b; $(id)",
			      NULL};
	struct aws_ctx a;
	json_t *out = NULL;
	char *got, want[512];

	(void)state;
	init(&a, "fake");
	a.profile = "base";
	a.region = "eu-west-1";
	assert_int_equal(aws_run(&a, args, &out), 0);
	assert_non_null(out);
	assert_string_equal(json_string_value(json_object_get(out, "Arn")),
			    "arn:aws:iam::123456789012:user/a b");
	json_decref(out);
	got = slurp("args");
	snprintf(want, sizeof(want),
		 "sts\nget-caller-identity\n--x\na b; $(id)\n--output\njson\n"
		 "--profile\nbase\n--region\neu-west-1\n");
	assert_string_equal(got, want);
	free(got);
	aws_ctx_free(&a);
}

static void
test_env(void **state)
{
	const char *args[] = {"sts", "get-caller-identity", NULL};
	struct aws_ctx a;
	char *got;

	(void)state;
	setenv("AWS_PAGER", "less", 1);
	setenv("MFA_TEST_KEEP", "kept", 1);
	init(&a, "fake");
	assert_int_equal(aws_run(&a, args, NULL), 0);
	got = slurp("args.env");
	assert_non_null(strstr(got, "\nAWS_PAGER=\n"));
	assert_null(strstr(got, "AWS_PAGER=less"));
	assert_non_null(strstr(got, "\n" AWS_NESTED_VAR "=1\n"));
	assert_non_null(strstr(got, "\nMFA_TEST_KEEP=kept\n"));
	free(got);
	aws_ctx_free(&a);
	unsetenv("AWS_PAGER");
	unsetenv("MFA_TEST_KEEP");
}

static void
test_failure_message(void **state)
{
	const char *args[] = {"sts", "get-session-token", NULL};
	struct aws_ctx a;
	json_t *out = NULL;

	(void)state;
	/* What the AWS CLI v2 prints for refused credentials. */
	script("fail", "echo >&2\n"
		       "echo 'An error occurred (InvalidClientTokenId) when "
		       "calling the GetSessionToken operation: The security "
		       "token included in the request is invalid.  ' >&2\n"
		       "echo 'half an answer'\n"
		       "exit 254\n");
	init(&a, "fail");
	assert_int_equal(aws_run(&a, args, &out), MFA_EAWS);
	assert_null(out);
	assert_string_equal(a.err.why,
			    "An error occurred (InvalidClientTokenId) "
			    "when calling the GetSessionToken "
			    "operation: The security token included in "
			    "the request is invalid.");
	aws_ctx_free(&a);

	script("silent", "exit 3\n");
	init(&a, "silent");
	assert_int_equal(aws_run(&a, args, NULL), MFA_EAWS);
	assert_string_equal(a.err.why,
			    "the AWS CLI exited with status 3 and no message");
	aws_ctx_free(&a);

	script("killed", "kill -9 $$\n");
	init(&a, "killed");
	assert_int_equal(aws_run(&a, args, NULL), MFA_EAWS);
	assert_string_equal(a.err.why, "the AWS CLI was killed by signal 9");
	aws_ctx_free(&a);
}

static void
test_not_json(void **state)
{
	const char *args[] = {"sts", "get-session-token", NULL};
	struct aws_ctx a;
	json_t *out = NULL;

	(void)state;
	script("text", "echo 'AccessKeyId ASIA SECRET'\n");
	init(&a, "text");
	assert_int_equal(aws_run(&a, args, &out), MFA_EPARSE);
	assert_null(out);
	/* Where, never what: the text may hold a secret. */
	assert_null(strstr(a.err.why, "SECRET"));
	assert_non_null(strstr(a.err.why, "not JSON"));
	aws_ctx_free(&a);

	script("empty", "exit 0\n");
	init(&a, "empty");
	out = (json_t *)1;
	assert_int_equal(aws_run(&a, args, &out), 0);
	assert_null(out);
	aws_ctx_free(&a);
}

static void
test_missing(void **state)
{
	struct aws_ctx a;
	char path[256];
	char *const env[] = {(char *)"PATH=/nonexistent:/also-not", NULL};

	(void)state;
	snprintf(path, sizeof(path), "%s/nothing-here", dir);
	assert_int_equal(aws_ctx_init(&a, path, environ), MFA_ENOENT);
	assert_non_null(strstr(a.err.why, "No such file"));
	aws_ctx_free(&a);
	/* A file that is not executable. */
	snprintf(path, sizeof(path), "%s/args", dir);
	assert_int_equal(aws_ctx_init(&a, path, environ), MFA_ENOENT);
	assert_non_null(strstr(a.err.why, "not an executable"));
	aws_ctx_free(&a);
	/* Not in the child's PATH. */
	assert_int_equal(aws_ctx_init(&a, NULL, env), MFA_ENOENT);
	assert_string_equal(a.err.why, "'aws' not found in PATH");
	aws_ctx_free(&a);
}

static void
test_path_lookup(void **state)
{
	const char *args[] = {"x", NULL};
	struct aws_ctx a;
	char pathvar[128];
	char *env[3];

	(void)state;
	snprintf(pathvar, sizeof(pathvar), "PATH=/nonexistent::%s", dir);
	env[0] = pathvar;
	env[1] = getenv("FAKE_ARGS") - strlen("FAKE_ARGS=");
	env[2] = NULL;
	assert_int_equal(aws_ctx_init(&a, "fake", env), 0);
	assert_int_equal(strncmp(a.cli, dir, strlen(dir)), 0);
	assert_int_equal(aws_run(&a, args, NULL), 0);
	aws_ctx_free(&a);
}

static void
test_errline(void **state)
{
	char out[64];
	const char *usage = "usage: aws [options] <command> <subcommand>\n"
			    "To see help text, you can run:\n\n"
			    "  aws help\n"
			    "aws: error: argument --serial-number: expected "
			    "one argument\n";

	(void)state;
	aws_run_errline(usage, strlen(usage), out, sizeof(out));
	assert_string_equal(out, "aws: error: argument --serial-number: "
				 "expected one argument");
	aws_run_errline("a\x1b[31mred\r\n", 11, out, sizeof(out));
	assert_string_equal(out, "a?[31mred");
	aws_run_errline("", 0, out, sizeof(out));
	assert_string_equal(out, "");
	aws_run_errline("  \n\t\n", 5, out, sizeof(out));
	assert_string_equal(out, "");
	aws_run_errline("0123456789012345678901234567890123456789"
			"0123456789012345678901234567890123456789",
			80, out, 16);
	assert_string_equal(out, "012345678901...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_args_json),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_failure_message),
	    cmocka_unit_test(test_not_json),
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_path_lookup),
	    cmocka_unit_test(test_errline),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
