/*
 * The aws layer's hygiene parts that need no AWS: the CSV parser, the
 * credential report judged on synthetic reports in the real layout (the
 * 22 columns IAM writes, with the values it uses: N/A, no_information,
 * not_supported, ISO dates with +00:00), the limits at their edges, the
 * device kinds read from serials, and the Date of an HTTP answer as the
 * AWS CLI's --debug log shows it. The dates below were computed with
 * Python's datetime from NOW, not with mfa.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "aws/hygiene.h"

/* 2026-01-01T00:00:00Z */
#define NOW 1767225600
#define D1 "2025-12-31T00:00:00+00:00"
#define D10 "2025-12-22T00:00:00+00:00"
#define D30 "2025-12-02T00:00:00+00:00"
#define D60 "2025-11-02T00:00:00+00:00"
#define D89 "2025-10-04T00:00:00+00:00"
#define D90 "2025-10-03T00:00:00+00:00"
#define D91 "2025-10-02T00:00:00+00:00"
#define D120 "2025-09-03T00:00:00+00:00"
#define D200 "2025-06-15T00:00:00+00:00"
#define D400 "2024-11-27T00:00:00+00:00"

#define HEADER                                                                 \
	"user,arn,user_creation_time,password_enabled,password_last_used,"     \
	"password_last_changed,password_next_rotation,mfa_active,"             \
	"access_key_1_active,access_key_1_last_rotated,"                       \
	"access_key_1_last_used_date,access_key_1_last_used_region,"           \
	"access_key_1_last_used_service,access_key_2_active,"                  \
	"access_key_2_last_rotated,access_key_2_last_used_date,"               \
	"access_key_2_last_used_region,access_key_2_last_used_service,"        \
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_"         \
	"rotated\n"

/* A user row: name, password (PW: enabled, last used, changed), mfa,
 * key 1 and key 2 (KEY: active, rotated, used). */
#define ROW(u, pw, mfa, k1, k2)                                                \
	u ",arn:aws:iam::123456789012:user/x," D400 "," pw ",N/A," mfa "," k1  \
	  ",us-east-1,s3," k2 ",N/A,N/A,false,N/A,false,N/A\n"
#define PW(e, u, c) e "," u "," c
#define KEY(a, r, u) a "," r "," u
#define NOKEY "false,N/A,N/A"
#define NOPASS "false,not_supported,N/A"

static const struct aws_audit_limits lim90 = {90, 90};

static void
expect_csv_ok(const char *text, size_t nrows, const char *first_last)
{
	struct aws_csv c;
	char err[256];

	assert_int_equal(
	    aws_csv_parse(text, strlen(text), &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, nrows);
	if (first_last != NULL && nrows > 0) {
		struct aws_csv_row *r = &c.rows[nrows - 1];

		assert_string_equal(r->f[r->n - 1], first_last);
	}
	aws_csv_free(&c);
}

static void
expect_csv_bad(const char *text, size_t len, const char *why)
{
	struct aws_csv c;
	char err[256];

	assert_int_equal(aws_csv_parse(text, len, &c, err, sizeof(err)),
			 MFA_EPARSE);
	if (strstr(err, why) == NULL)
		fail_msg("error '%s' does not say '%s'", err, why);
	assert_null(c.rows);
}

static void
test_csv_fields(void **state)
{
	struct aws_csv c;
	const char *t = "a,\"b,c\",\"say \"\"hi\"\"\",,\"\"\r\n"
			"\"two\nlines\",x\n\n"
			"last,row";
	char err[256];

	(void)state;
	assert_int_equal(aws_csv_parse(t, strlen(t), &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.rows[0].n, 5);
	assert_string_equal(c.rows[0].f[0], "a");
	assert_string_equal(c.rows[0].f[1], "b,c");
	assert_string_equal(c.rows[0].f[2], "say \"hi\"");
	assert_string_equal(c.rows[0].f[3], "");
	assert_string_equal(c.rows[0].f[4], "");
	assert_int_equal(c.rows[1].n, 2);
	assert_string_equal(c.rows[1].f[0], "two\nlines");
	assert_int_equal(c.rows[1].line, 2);
	/* The blank line is no record; the last lacks its line break. */
	assert_int_equal(c.rows[2].line, 5);
	assert_string_equal(c.rows[2].f[1], "row");
	aws_csv_free(&c);
	expect_csv_ok("", 0, NULL);
	expect_csv_ok("\n\n", 0, NULL);
	expect_csv_ok("x\n", 1, "x");
	expect_csv_ok("a,\n", 1, "");
	expect_csv_ok("a,b\r\nc,d\r\n", 2, "d");
	/* A lone CR is text. */
	expect_csv_ok("a\rb\n", 1, "a\rb");
}

static void
test_csv_errors(void **state)
{
	(void)state;
	expect_csv_bad("a,b\n\"open,c\n", 11, "never closed on line 2");
	expect_csv_bad("a,b\nc\"d,e\n", 10,
		       "quote inside an unquoted field on "
		       "line 2");
	expect_csv_bad("\"a\"b,c\n", 7, "text after a closing quote on line 1");
	expect_csv_bad("a,b\0c\n", 6, "a NUL byte");
	expect_csv_bad("\"a\"\rb\n", 6, "text after a closing quote");
}

static void
judge(const char *csv, const struct aws_audit_limits *lim, struct aws_audit *au)
{
	char err[256] = "";
	int rc;

	memset(au, 0, sizeof(*au));
	rc = aws_audit_report(csv, strlen(csv), NOW, lim, au, err, sizeof(err));
	if (rc != 0)
		fail_msg("report refused: %s", err);
	aws_audit_sort(au);
}

/* Findings as "kind who key days" lines, for one comparison. */
static void
expect(const struct aws_audit *au, const char *want)
{
	char got[4096] = "";
	size_t i, o = 0;

	for (i = 0; i < au->n; i++)
		o += (size_t)snprintf(
		    got + o, sizeof(got) - o, "%s %s %d %lld\n",
		    aws_finding_name(au->f[i].kind), au->f[i].who, au->f[i].key,
		    (long long)au->f[i].days);
	assert_string_equal(got, want);
}

static void
test_report_each_kind(void **state)
{
	struct aws_audit au;
	const char *csv = HEADER
	    /* The root: no MFA, an active key (its password is
	     * not_supported, as IAM writes). */
	    "<root_account>,arn:aws:iam::123456789012:root," D400
	    ",not_supported," D10
	    ",not_supported,not_supported,false,true," D200 "," D1
	    ",us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
	    /* Clean: MFA, password used yesterday, a key used today. */
	    ROW("clean", PW("true", D1, D400), "true", KEY("true", D10, D1),
		NOKEY)
	    /* A console password, no MFA, used a month ago. */
	    ROW("nomfa", PW("true", D30, D400), "false", NOKEY, NOKEY)
	    /* Old key, used. */
	    ROW("old", NOPASS, "false", KEY("true", D200, D1), NOKEY)
	    /* Idle key: not old, unused for 120 days... */
	    ROW("idle", NOPASS, "false", KEY("true", D89, D120), NOKEY)
	    /* ...which cannot be: rotated 89 days ago, used 120 days ago?
	     * AWS keeps last use across rotation of the slot; judged as
	     * given. Never-used key (N/A), 60 days old. */
	    ROW("unused", NOPASS, "false", KEY("true", D60, "N/A"), NOKEY)
	    /* Two active keys, both fresh and used. */
	    ROW("two", NOPASS, "false", KEY("true", D10, D1),
		KEY("true", D10, D1))
	    /* Password never used (no_information), set 30 days ago; MFA. */
	    ROW("newpass", PW("true", "no_information", D30), "true", NOKEY,
		NOKEY)
	    /* Password idle for 200 days, with MFA. */
	    ROW("stale", PW("true", D200, D400), "true", NOKEY, NOKEY)
	    /* An inactive old key is no finding. */
	    ROW("inactive", NOPASS, "false", KEY("false", D400, D400), NOKEY)
	    /* A user name with a comma, quoted, as CSV has it. */
	    ROW("\"a,b\"", PW("true", D1, D400), "false", NOKEY, NOKEY);

	(void)state;
	judge(csv, &lim90, &au);
	assert_true(au.root_row);
	assert_int_equal(au.users, 11);
	expect(&au, "root-no-mfa <root_account> 0 -1\n"
		    "root-access-key <root_account> 1 200\n"
		    "password-without-mfa a,b 0 -1\n"
		    "password-without-mfa nomfa 0 -1\n"
		    "key-old old 1 200\n"
		    "key-unused idle 1 120\n"
		    "key-never-used unused 1 60\n"
		    "password-unused stale 0 200\n"
		    "password-never-used newpass 0 30\n"
		    "two-active-keys two 0 -1\n");
	assert_string_equal(au.f[0].arn, "arn:aws:iam::123456789012:root");
	aws_audit_free(&au);
}

static void
test_report_limits(void **state)
{
	struct aws_audit au;
	char text[256];
	/* Exactly 90 days is not older than 90; 91 is. */
	const char *csv =
	    HEADER ROW("k90", NOPASS, "false", KEY("true", D90, D90), NOKEY)
		ROW("k91", NOPASS, "false", KEY("true", D91, D91), NOKEY);
	const struct aws_audit_limits lim_wide = {400, 400};
	const struct aws_audit_limits lim_zero = {0, 0};

	(void)state;
	judge(csv, &lim90, &au);
	expect(&au, "key-old k91 1 91\nkey-unused k91 1 91\n");
	aws_finding_text(&au.f[0], &lim90, text, sizeof(text));
	assert_string_equal(text, "access key 1 is 91 days old (limit 90)");
	aws_finding_text(&au.f[1], &lim90, text, sizeof(text));
	assert_string_equal(text, "access key 1 unused for 91 days (limit 90)");
	aws_audit_free(&au);
	judge(csv, &lim_wide, &au);
	expect(&au, "");
	aws_audit_free(&au);
	/* Limit 0: anything older than now. */
	judge(csv, &lim_zero, &au);
	expect(&au, "key-old k90 1 90\nkey-old k91 1 91\n"
		    "key-unused k90 1 90\nkey-unused k91 1 91\n");
	aws_audit_free(&au);
}

static void
test_report_columns_by_name(void **state)
{
	struct aws_audit au;
	/* Another order, fewer columns, CRLF: found by their names. */
	const char *csv =
	    "mfa_active,user,access_key_2_last_used_date,arn,"
	    "access_key_1_active,access_key_1_last_rotated,"
	    "access_key_1_last_used_date,access_key_2_active,"
	    "access_key_2_last_rotated,password_enabled,password_last_used\r\n"
	    "false,bob,N/A,arn:aws:iam::1:user/bob,true," D200 "," D1
	    ",false,N/A,true," D1 "\r\n";

	(void)state;
	judge(csv, &lim90, &au);
	assert_false(au.root_row);
	expect(&au, "password-without-mfa bob 0 -1\nkey-old bob 1 200\n");
	aws_audit_free(&au);
}

static void
expect_refused(const char *csv, const char *why)
{
	struct aws_audit au;
	char err[256] = "";

	memset(&au, 0, sizeof(au));
	assert_int_equal(aws_audit_report(csv, strlen(csv), NOW, &lim90, &au,
					  err, sizeof(err)),
			 MFA_EPARSE);
	if (strstr(err, why) == NULL)
		fail_msg("error '%s' does not say '%s'", err, why);
	aws_audit_free(&au);
}

static void
test_report_refused(void **state)
{
	(void)state;
	expect_refused("", "empty");
	expect_refused("user,arn\nbob,x\n", "no column password_enabled");
	expect_refused(HEADER "bob,x\n", "line 2 has 2 fields, its header 22");
	expect_refused(
	    HEADER ROW("bob", PW("maybe", "N/A", "N/A"), "false", NOKEY, NOKEY),
	    "line 2 has 'maybe' in column password_enabled");
	expect_refused(HEADER ROW("bob", NOPASS, "yes", NOKEY, NOKEY),
		       "line 2 has 'yes' in column mfa_active");
	expect_refused(HEADER ROW("bob", NOPASS, "N/A", NOKEY, NOKEY),
		       "'N/A' in column mfa_active (true or false expected)");
	expect_refused(HEADER ROW("bob", NOPASS, "false",
				  KEY("true", "2025-13-45T99:00:00+00:00", D1),
				  NOKEY),
		       "column access_key_1_last_rotated");
	expect_refused(HEADER "\"bob,x\n", "never closed");
}

static void
test_findings_text(void **state)
{
	struct aws_finding f = {AWS_F_KEY_NEVER_USED, "u", "", 2, 5};
	size_t k;
	char t[256];

	(void)state;
	aws_finding_text(&f, &lim90, t, sizeof(t));
	assert_string_equal(t, "access key 2 never used (made 5 days ago)");
	f.days = -1;
	aws_finding_text(&f, &lim90, t, sizeof(t));
	assert_string_equal(t, "access key 2 never used");
	/* Every kind has a name, a fix and a text. */
	for (k = 0; k < AWS_F__COUNT; k++) {
		f.kind = (enum aws_finding_kind)k;
		aws_finding_text(&f, &lim90, t, sizeof(t));
		assert_string_not_equal(t, "?");
		assert_string_not_equal(aws_finding_name(f.kind), "?");
		assert_true(strlen(aws_finding_fix(f.kind)) > 10);
	}
}

static void
test_device_kinds(void **state)
{
	char acct[13];

	(void)state;
	assert_int_equal(aws_device_kind("arn:aws:iam::123456789012:mfa/alice"),
			 AWS_DEV_VIRTUAL);
	assert_int_equal(
	    aws_device_kind("arn:aws:iam::123456789012:mfa/path/to/alice"),
	    AWS_DEV_VIRTUAL);
	assert_int_equal(
	    aws_device_kind("arn:aws:iam::123456789012:u2f/user/alice/"
			    "yubi-ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
	    AWS_DEV_SECURITY_KEY);
	assert_int_equal(aws_device_kind("GAHT12345678"), AWS_DEV_HARDWARE);
	assert_int_equal(
	    aws_device_kind("arn:aws:iam::123456789012:sms-mfa/alice"),
	    AWS_DEV_SMS);
	assert_int_equal(
	    aws_device_kind("arn:aws-cn:iam::123456789012:mfa/alice"),
	    AWS_DEV_VIRTUAL);
	assert_int_equal(aws_device_kind("arn:aws:s3:::bucket"), AWS_DEV_OTHER);
	assert_true(aws_arn_account("arn:aws:iam::123456789012:mfa/x", acct,
				    sizeof(acct)));
	assert_string_equal(acct, "123456789012");
	assert_false(aws_arn_account("arn:aws:iam::12345678901:mfa/x", acct,
				     sizeof(acct)));
	assert_false(aws_arn_account("GAHT12345678", acct, sizeof(acct)));
}

static void
test_http_date(void **state)
{
	int64_t t;

	(void)state;
	/* date -u -d 'Sun, 29 Nov 2026 13:55:41 GMT' +%s */
	assert_int_equal(
	    aws_http_date_parse("Sun, 29 Nov 2026 13:55:41 GMT", &t), 0);
	assert_int_equal(t, 1795960541);
	assert_int_equal(
	    aws_http_date_parse("Thu, 01 Jan 1970 00:00:00 GMT", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(
	    aws_http_date_parse("Sun, 29 Nov 2026 13:55:41 UTC", &t),
	    MFA_EPARSE);
	assert_int_equal(
	    aws_http_date_parse("Sun, 29 Foo 2026 13:55:41 GMT", &t),
	    MFA_EPARSE);
	assert_int_equal(aws_http_date_parse("yesterday", &t), MFA_EPARSE);
}

static void
test_date_from_log(void **state)
{
	/* Lines as botocore writes them (v2, then v1 with lower-case
	 * names); a retry's second answer counts. */
	const char *log =
	    "2026-11-29 13:54:41,170 - MainThread - awscli.clidriver - DEBUG - "
	    "CLI version: aws-cli/2.9.19\n"
	    "2026-11-29 13:54:41,371 - MainThread - botocore.parsers - DEBUG - "
	    "Response headers: {'Server': 'x', 'Date': 'Sun, 29 Nov 2026 "
	    "13:54:41 GMT', 'Content-Type': 'text/xml'}\n"
	    "2026-11-29 13:54:42,371 - MainThread - botocore.parsers - DEBUG - "
	    "Response headers: {'x-amzn-requestid': 'r', 'date': 'Sun, 29 Nov "
	    "2026 13:54:43 GMT'}\n"
	    "2026-11-29 13:54:42,400 - MainThread - botocore.parsers - DEBUG - "
	    "Response body: b'<ErrorResponse/>'\n";
	const char *none = "Could not connect to the endpoint URL\n";
	int64_t t = 0, ms = 0;

	(void)state;
	/* The stamps are local time: read them as UTC here. */
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(aws_clock_date_from_log(log, strlen(log), &t, &ms), 0);
	assert_int_equal(t, 1795960483);
	/* date -u -d '2026-11-29 13:54:42' +%s, and 371 ms. */
	assert_int_equal(ms, 1795960482371LL);
	assert_int_equal(aws_clock_date_from_log(none, strlen(none), &t, &ms),
			 MFA_ENOTFOUND);
	assert_int_equal(ms, -1);
	/* Cut short inside the value: no date. */
	assert_int_equal(aws_clock_date_from_log(log, 200, &t, &ms),
			 MFA_ENOTFOUND);
	/* A line without a stamp: the date, no time. */
	assert_int_equal(
	    aws_clock_date_from_log(
		"Response headers: {'Date': 'Sun, 29 Nov 2026 13:54:43 GMT'}",
		strlen("Response headers: {'Date': 'Sun, 29 Nov 2026 13:54:43 "
		       "GMT'}"),
		&t, &ms),
	    0);
	assert_int_equal(t, 1795960483);
	assert_int_equal(ms, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_fields),
	    cmocka_unit_test(test_csv_errors),
	    cmocka_unit_test(test_report_each_kind),
	    cmocka_unit_test(test_report_limits),
	    cmocka_unit_test(test_report_columns_by_name),
	    cmocka_unit_test(test_report_refused),
	    cmocka_unit_test(test_findings_text),
	    cmocka_unit_test(test_device_kinds),
	    cmocka_unit_test(test_http_date),
	    cmocka_unit_test(test_date_from_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
