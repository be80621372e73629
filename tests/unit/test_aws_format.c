/*
 * The aws layer's output formats: times as AWS prints them, the env /
 * json / credential_process texts (parsed back with jansson, and the env
 * lines run through /bin/sh), and the shared credentials file writer,
 * whose output is read back with Python's configparser (the parser
 * botocore uses) when /usr/bin/python3 is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "aws/aws.h"

static struct aws_creds
creds(const char *id, const char *secret, const char *token, int64_t exp)
{
	struct aws_creds c;

	c.access_key_id = (char *)id;
	c.secret_access_key = (char *)secret;
	c.session_token = (char *)token;
	c.expiration = exp;
	return c;
}

static void
test_time(void **state)
{
	char buf[AWS_TIME_MAX];
	int64_t t;

	(void)state;
	/* Reference values: date -u -d @1111111109 and friends. */
	assert_int_equal(aws_format_time(1111111109, buf), 0);
	assert_string_equal(buf, "2005-03-18T01:58:29Z");
	assert_int_equal(aws_format_time(0, buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(aws_format_time_parse("2005-03-18T01:58:29Z", &t), 0);
	assert_int_equal(t, 1111111109);
	/* What the AWS CLI v2 prints (moto: microseconds). */
	assert_int_equal(
	    aws_format_time_parse("2026-11-29T01:45:25.022540+00:00", &t), 0);
	assert_int_equal(t, 1795916725);
	assert_int_equal(aws_format_time_parse("2005-03-18T03:58:29+02:00", &t),
			 0);
	assert_int_equal(t, 1111111109);
	assert_int_equal(aws_format_time_parse("2005-03-17T20:28:29-0530", &t),
			 0);
	assert_int_equal(t, 1111111109);
	assert_int_equal(aws_format_time_parse("2005-03-18 01:58:29", &t), 0);
	assert_int_equal(t, 1111111109);
	assert_int_equal(aws_format_time_parse("2005-03-18T01:58:29.5Z", &t),
			 0);
	assert_int_equal(t, 1111111109);
	assert_int_equal(aws_format_time_parse("2005-03-18", &t), MFA_EINVAL);
	assert_int_equal(aws_format_time_parse("2005-13-18T01:58:29Z", &t),
			 MFA_EINVAL);
	assert_int_equal(aws_format_time_parse("2005-03-18T01:58:29Zjunk", &t),
			 MFA_EINVAL);
	assert_int_equal(aws_format_time_parse("2005-03-18T01:58:29+2", &t),
			 MFA_EINVAL);
}

static void
test_format_parse(void **state)
{
	enum aws_format f;

	(void)state;
	assert_int_equal(aws_format_parse("env", &f), 0);
	assert_int_equal(f, AWS_FMT_ENV);
	assert_int_equal(aws_format_parse("json", &f), 0);
	assert_int_equal(f, AWS_FMT_JSON);
	assert_int_equal(aws_format_parse("credential-process", &f), 0);
	assert_int_equal(f, AWS_FMT_PROCESS);
	assert_int_equal(aws_format_parse("credentials-file", &f), 0);
	assert_int_equal(f, AWS_FMT_FILE);
	assert_int_equal(aws_format_parse("yaml", &f), MFA_EINVAL);
	assert_int_equal(aws_format_parse("ENV", &f), MFA_EINVAL);
}

static void
test_shell_quote(void **state)
{
	char *q;

	(void)state;
	q = aws_format_shell_quote("ASIA/abc+def==");
	assert_string_equal(q, "ASIA/abc+def==");
	free(q);
	q = aws_format_shell_quote("it's $HOME");
	assert_string_equal(q, "'it'\\''s $HOME'");
	free(q);
	q = aws_format_shell_quote("");
	assert_string_equal(q, "''");
	free(q);
}

/* Runs the env text through /bin/sh and reads the variables back. */
static void
test_env_sh(void **state)
{
	struct aws_creds c =
	    creds("ASIAEXAMPLE", "se/cr+et'$x", "tok en==`id`", 1111111109);
	char *out, line[512], cmd[1024], path[] = "/tmp/mfa-aws-env-XXXXXX";
	size_t len;
	FILE *f, *p;
	int fd;

	(void)state;
	assert_int_equal(aws_format_creds(&c, AWS_FMT_ENV, &out, &len), 0);
	assert_int_equal(strlen(out), len);
	assert_non_null(strstr(out, "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n"));
	assert_non_null(strstr(
	    out, "export AWS_CREDENTIAL_EXPIRATION=2005-03-18T01:58:29Z\n"));
	assert_int_equal(strncmp(out, "export AWS_ACCESS_KEY_ID=", 25), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fwrite(out, 1, len, f);
	fclose(f);
	sodium_free(out);
	snprintf(cmd, sizeof(cmd),
		 ". %s && printf '%%s|%%s|%%s|%%s\\n' \"$AWS_ACCESS_KEY_ID\" "
		 "\"$AWS_SECRET_ACCESS_KEY\" \"$AWS_SESSION_TOKEN\" "
		 "\"$AWS_CREDENTIAL_EXPIRATION\"",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	unlink(path);
	assert_string_equal(line, "ASIAEXAMPLE|se/cr+et'$x|tok en==`id`|"
				  "2005-03-18T01:58:29Z\n");
}

static void
test_json(void **state)
{
	struct aws_creds c =
	    creds("ASIAEXAMPLE", "sec\"ret", "tok", 2000000000);
	json_error_t jerr;
	json_t *o;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(aws_format_creds(&c, AWS_FMT_JSON, &out, &len), 0);
	o = json_loadb(out, len, 0, &jerr);
	sodium_free(out);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 4);
	assert_string_equal(
	    json_string_value(json_object_get(o, "AccessKeyId")),
	    "ASIAEXAMPLE");
	assert_string_equal(
	    json_string_value(json_object_get(o, "SecretAccessKey")),
	    "sec\"ret");
	assert_string_equal(
	    json_string_value(json_object_get(o, "SessionToken")), "tok");
	assert_string_equal(json_string_value(json_object_get(o, "Expiration")),
			    "2033-05-18T03:33:20Z");
	assert_null(json_object_get(o, "Version"));
	json_decref(o);
}

static void
test_process(void **state)
{
	struct aws_creds c = creds("ASIAEXAMPLE", "secret", "tok", 2000000000);
	struct aws_creds back;
	json_t *o;
	char *out;
	size_t len;

	(void)state;
	assert_int_equal(aws_format_creds(&c, AWS_FMT_PROCESS, &out, &len), 0);
	/* One line: the AWS CLI reads the whole of stdout as JSON. */
	assert_int_equal(out[len - 1], '\n');
	assert_null(memchr(out, '\n', len - 1));
	o = json_loadb(out, len, 0, NULL);
	sodium_free(out);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "Version")), 1);
	assert_int_equal(json_object_size(o), 5);
	assert_int_equal(aws_creds_from_json(o, &back), 0);
	assert_string_equal(back.access_key_id, "ASIAEXAMPLE");
	assert_string_equal(back.secret_access_key, "secret");
	assert_string_equal(back.session_token, "tok");
	assert_int_equal(back.expiration, 2000000000);
	aws_creds_clear(&back);
	json_decref(o);
	/* Incomplete credentials are refused, not half used. */
	o = json_pack("{s:s, s:s}", "AccessKeyId", "A", "SessionToken", "t");
	assert_int_equal(aws_creds_from_json(o, &back), MFA_EPARSE);
	assert_null(back.access_key_id);
	json_decref(o);
	o = json_pack("{s:s, s:s, s:s, s:s}", "AccessKeyId", "A",
		      "SecretAccessKey", "s", "SessionToken", "t", "Expiration",
		      "tomorrow");
	assert_int_equal(aws_creds_from_json(o, &back), MFA_EPARSE);
	json_decref(o);
	assert_int_equal(aws_creds_from_json(NULL, &back), MFA_EPARSE);
}

static char *
merge(const char *old, const char *section, int *rc)
{
	struct aws_creds c =
	    creds("ASIANEW", "newsecret", "newtoken", 1111111109);
	char *out = NULL, *copy;
	size_t len, errline = 0;

	*rc = aws_format_credfile(old, old ? strlen(old) : 0, section, &c, &out,
				  &len, &errline);
	if (*rc != 0)
		return NULL;
	assert_int_equal(errline, 0);
	assert_int_equal(strlen(out), len);
	copy = strdup(out);
	sodium_free(out);
	return copy;
}

static const char *block = "aws_access_key_id = ASIANEW\n"
			   "aws_secret_access_key = newsecret\n"
			   "aws_session_token = newtoken\n"
			   "expiration = 2005-03-18T01:58:29Z\n";

static void
test_credfile_new(void **state)
{
	char want[512], *out;
	int rc;

	(void)state;
	out = merge(NULL, "default-mfa", &rc);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want), "[default-mfa]\n%s", block);
	assert_string_equal(out, want);
	free(out);
	/* Appended after a blank line; a missing final newline is added. */
	out = merge("[default]\naws_access_key_id = AKIAOLD\n"
		    "aws_secret_access_key = old",
		    "default-mfa", &rc);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want),
		 "[default]\naws_access_key_id = AKIAOLD\n"
		 "aws_secret_access_key = old\n\n[default-mfa]\n%s",
		 block);
	assert_string_equal(out, want);
	free(out);
}

static void
test_credfile_replace(void **state)
{
	const char *old = "# my keys\n"
			  "[default]\n"
			  "aws_access_key_id = AKIAOLD\n"
			  "aws_secret_access_key = old\n"
			  "\n"
			  "[work-mfa]\n"
			  "; written by mfa\n"
			  "AWS_Access_Key_ID=ASIAOLD\n"
			  "aws_secret_access_key = oldsecret\n"
			  "aws_session_token = oldtoken\n"
			  "  continued-token-line\n"
			  "region = eu-west-1\n"
			  "expiration = 2001-01-01T00:00:00Z\n"
			  "\n"
			  "[other]\n"
			  "aws_access_key_id = AKIAOTHER\n";
	char want[1024], *out;
	int rc;

	(void)state;
	out = merge(old, "work-mfa", &rc);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want),
		 "# my keys\n"
		 "[default]\n"
		 "aws_access_key_id = AKIAOLD\n"
		 "aws_secret_access_key = old\n"
		 "\n"
		 "[work-mfa]\n"
		 "%s"
		 "; written by mfa\n"
		 "region = eu-west-1\n"
		 "\n"
		 "[other]\n"
		 "aws_access_key_id = AKIAOTHER\n",
		 block);
	assert_string_equal(out, want);
	/* Writing again changes nothing. */
	{
		char *again = merge(out, "work-mfa", &rc);

		assert_int_equal(rc, 0);
		assert_string_equal(again, out);
		free(again);
	}
	free(out);
}

static void
test_credfile_refuse(void **state)
{
	int rc;

	(void)state;
	/* Long-term keys are never overwritten. */
	assert_null(merge("[default]\naws_access_key_id = AKIAOLD\n"
			  "aws_secret_access_key = old\n",
			  "default", &rc));
	assert_int_equal(rc, MFA_EEXIST);
	assert_null(merge("", "bad]name", &rc));
	assert_int_equal(rc, MFA_EINVAL);
	assert_null(merge("", "", &rc));
	assert_int_equal(rc, MFA_EINVAL);
	assert_null(merge("", "two\nlines", &rc));
	assert_int_equal(rc, MFA_EINVAL);
}

/* What configparser cannot read is not rewritten, and says where. */
static void
test_credfile_unreadable(void **state)
{
	static const struct {
		const char *text;
		size_t line;
	} bad[] = {
	    {"k = v\n[p]\n", 1},
	    {"[a]\nk = v\nno delimiter\n", 3},
	    {"[a]\r# c\r\r = empty key\r", 4},
	    {"[a]\r\nk = v\r\n[]\r\n", 3},
	};
	struct aws_creds c = creds("ASIANEW", "newsecret", "newtoken", 0);
	char *out = NULL;
	size_t i, len, line;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		line = 0;
		assert_int_equal(aws_format_credfile(bad[i].text,
						     strlen(bad[i].text), "p",
						     &c, &out, &len, &line),
				 MFA_EFORMAT);
		assert_int_equal(line, bad[i].line);
		assert_null(out);
	}
}

/* A newline in a value would add lines (a section) to the file. */
static void
test_credfile_control(void **state)
{
	static const char *const bad[] = {"a\nb", "a\rb", "a\tb", "a\x1b",
					  "a\x7f"};
	struct aws_creds c;
	char *out = NULL;
	size_t i, f, len, line;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (f = 0; f < 3; f++) {
			c = creds(f == 0 ? bad[i] : "ASIANEW",
				  f == 1 ? bad[i] : "newsecret",
				  f == 2 ? bad[i] : "newtoken", 0);
			assert_int_equal(aws_creds_check(&c), MFA_EPARSE);
			assert_int_equal(aws_format_credfile("", 0, "p", &c,
							     &out, &len, &line),
					 MFA_EPARSE);
			assert_null(out);
		}
	c = creds("ASIANEW", "new/secret+=", "newtoken", 0);
	assert_int_equal(aws_creds_check(&c), 0);
}

/* botocore reads the file with configparser: so does this test. */
static void
test_credfile_configparser(void **state)
{
	const char *old = "[default]\naws_access_key_id = AKIAOLD\n"
			  "aws_secret_access_key = old\n"
			  "[x-mfa]\naws_session_token = stale\n";
	char path[] = "/tmp/mfa-aws-cred-XXXXXX", cmd[1024], line[512];
	char *out;
	FILE *f, *p;
	int fd, rc;

	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	out = merge(old, "x-mfa", &rc);
	assert_int_equal(rc, 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(out, f);
	fclose(f);
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import configparser,sys; "
		 "c=configparser.RawConfigParser(); c.read(sys.argv[1]); "
		 "s=c[\"x-mfa\"]; print(s[\"aws_access_key_id\"], "
		 "s[\"aws_secret_access_key\"], s[\"aws_session_token\"], "
		 "c[\"default\"][\"aws_access_key_id\"], len(c.sections()))' "
		 "%s",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	unlink(path);
	assert_string_equal(line, "ASIANEW newsecret newtoken AKIAOLD 2\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_format_parse),
	    cmocka_unit_test(test_shell_quote),
	    cmocka_unit_test(test_env_sh),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_process),
	    cmocka_unit_test(test_credfile_new),
	    cmocka_unit_test(test_credfile_replace),
	    cmocka_unit_test(test_credfile_refuse),
	    cmocka_unit_test(test_credfile_unreadable),
	    cmocka_unit_test(test_credfile_control),
	    cmocka_unit_test(test_credfile_configparser),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
