/*
 * SigV4 signing (src/aws/sigv4.c) against an independent signer:
 * botocore's SigV4Auth, run with the Python that has botocore
 * ($MFA_PY_BOTOCORE, else `python3` in PATH, which on these machines is the
 * installation with moto and the AWS CLI v1; Debian's /usr/bin/python3 has no
 * usable botocore). Each case signs the same request at the same time both ways
 * and compares the whole Authorization header. Skipped when no botocore.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "aws/keys.h"

static const char *
py(void)
{
	const char *p = getenv("MFA_PY_BOTOCORE");

	return p != NULL && p[0] != '\0' ? p : "python3";
}

static const char botocore_script[] =
    "import sys, json, datetime\n"
    "import botocore.auth as A\n"
    "from botocore.awsrequest import AWSRequest\n"
    "from botocore.credentials import Credentials\n"
    "s = json.loads(sys.stdin.read())\n"
    "t = datetime.datetime.fromtimestamp(s['now'], datetime.timezone.utc)"
    ".replace(tzinfo=None)\n"
    "A.get_current_datetime = lambda *a, **k: t\n"
    "h = {'Content-Type': s['ctype']} if s['ctype'] else {}\n"
    "r = AWSRequest(method=s['method'], url=s['url'], "
    "data=s['body'].encode(), headers=h)\n"
    "c = Credentials(s['akid'], s['secret'], s['token'])\n"
    "A.SigV4Auth(c, s['service'], s['region']).add_auth(r)\n"
    "print(r.headers['Authorization'])\n"
    "print(r.headers['X-Amz-Date'])\n";

static bool
have_botocore(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s -c 'import botocore.auth' 2>/dev/null",
		 py());
	return system(cmd) == 0;
}

/* botocore's Authorization and X-Amz-Date for the request spec (JSON). */
static void
botocore_sign(const char *spec, char *auth, size_t alen, char *date,
	      size_t dlen)
{
	char script[] = "/tmp/mfa-sigv4-XXXXXX",
	     specf[] = "/tmp/mfa-spec-XXXXXX";
	char cmd[512];
	FILE *p;
	int fd;

	fd = mkstemp(script);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, botocore_script, strlen(botocore_script)),
			 (ssize_t)strlen(botocore_script));
	close(fd);
	fd = mkstemp(specf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, spec, strlen(spec)), (ssize_t)strlen(spec));
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s %s < %s", py(), script, specf);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(auth, (int)alen, p));
	assert_non_null(fgets(date, (int)dlen, p));
	assert_int_equal(pclose(p), 0);
	auth[strcspn(auth, "\n")] = '\0';
	date[strcspn(date, "\n")] = '\0';
	unlink(script);
	unlink(specf);
}

struct sigcase {
	const char *method, *scheme, *host, *path, *query, *ctype, *body;
	const char *region, *service, *akid, *secret, *token;
	int64_t now;
};

static void
check_case(const struct sigcase *c)
{
	char auth[AWS_AUTH_MAX], date[AWS_AMZDATE_LEN], spec[4096];
	char want[AWS_AUTH_MAX], wdate[64];
	struct aws_signer k;
	struct aws_sigv4 r;

	memset(&r, 0, sizeof(r));
	r.method = c->method;
	r.host = c->host;
	r.path = c->path;
	r.query = c->query;
	r.ctype = c->ctype;
	r.body = (const uint8_t *)c->body;
	r.body_len = strlen(c->body);
	r.region = c->region;
	r.service = c->service;
	r.now = c->now;
	k.akid = c->akid;
	k.secret = (const uint8_t *)c->secret;
	k.secret_len = strlen(c->secret);
	k.token = c->token;
	assert_int_equal(aws_sigv4_sign(&r, &k, auth, date), 0);
	snprintf(spec, sizeof(spec),
		 "{\"method\":\"%s\",\"url\":\"%s://%s%s%s%s\","
		 "\"ctype\":%s%s%s,\"body\":\"%s\",\"region\":\"%s\","
		 "\"service\":\"%s\",\"akid\":\"%s\",\"secret\":\"%s\","
		 "\"token\":%s%s%s,\"now\":%lld}",
		 c->method, c->scheme, c->host, c->path, c->query[0] ? "?" : "",
		 c->query, c->ctype ? "\"" : "", c->ctype ? c->ctype : "null",
		 c->ctype ? "\"" : "", c->body, c->region, c->service, c->akid,
		 c->secret, c->token ? "\"" : "", c->token ? c->token : "null",
		 c->token ? "\"" : "", (long long)c->now);
	botocore_sign(spec, want, sizeof(want), wdate, sizeof(wdate));
	assert_string_equal(date, wdate);
	assert_string_equal(auth, want);
}

#define CTYPE "application/x-www-form-urlencoded; charset=utf-8"

static void
test_post_long_term(void **state)
{
	static const struct sigcase c = {
	    "POST",
	    "https",
	    "sts.us-east-1.amazonaws.com",
	    "/",
	    "",
	    CTYPE,
	    "Action=GetCallerIdentity&Version=2011-06-15",
	    "us-east-1",
	    "sts",
	    "AKIAIOSFODNN7EXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	    NULL,
	    1700000000};

	(void)state;
	if (!have_botocore())
		skip();
	check_case(&c);
}

static void
test_post_session_port(void **state)
{
	static const struct sigcase c = {
	    "POST",
	    "http",
	    "127.0.0.1:5000",
	    "/",
	    "",
	    CTYPE,
	    "Action=ListAccessKeys&UserName=alice&Version=2010-05-08",
	    "eu-west-1",
	    "iam",
	    "ASIAIOSFODNN7EXAMPLE",
	    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
	    "FwoGZXIvYXdzEBYaDH+token/with+slash=",
	    1893456000};

	(void)state;
	if (!have_botocore())
		skip();
	check_case(&c);
}

static void
test_get_query(void **state)
{
	const char *params[] = {"b", "2", "a", "1 x", "c", "~\xc3\xa9/+", NULL};
	char *q = aws_sigv4_query(params);
	struct sigcase c = {"GET",
			    "https",
			    "iam.amazonaws.com",
			    "/",
			    q,
			    NULL,
			    "",
			    "us-east-1",
			    "iam",
			    "AKIDEXAMPLE1234567",
			    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			    NULL,
			    1440938160};

	(void)state;
	assert_non_null(q);
	/* Sorted by name, RFC 3986 unreserved characters kept. */
	assert_string_equal(q, "a=1%20x&b=2&c=~%C3%A9%2F%2B");
	if (have_botocore())
		check_case(&c);
	free(q);
	if (!have_botocore())
		skip();
}

/* A signature is not the same when anything signed changes. */
static void
test_changes(void **state)
{
	struct aws_sigv4 r;
	struct aws_signer k = {"AKIAIOSFODNN7EXAMPLE",
			       (const uint8_t *)"secretsecretsecret", 18, NULL};
	char a1[AWS_AUTH_MAX], a2[AWS_AUTH_MAX], d[AWS_AMZDATE_LEN];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.host = "sts.amazonaws.com";
	r.path = "/";
	r.query = "";
	r.body = (const uint8_t *)"Action=A";
	r.body_len = 8;
	r.region = "us-east-1";
	r.service = "sts";
	r.now = 1700000000;
	assert_int_equal(aws_sigv4_sign(&r, &k, a1, d), 0);
	assert_string_equal(d, "20231114T221320Z");
	r.body_len = 7;
	assert_int_equal(aws_sigv4_sign(&r, &k, a2, d), 0);
	assert_string_not_equal(a1, a2);
	r.body_len = 8;
	k.secret_len = 17;
	assert_int_equal(aws_sigv4_sign(&r, &k, a2, d), 0);
	assert_string_not_equal(a1, a2);
	/* The secret is nowhere in the header. */
	assert_null(strstr(a1, "secret"));
	k.secret = NULL;
	assert_int_equal(aws_sigv4_sign(&r, &k, a2, d), MFA_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_post_long_term),
	    cmocka_unit_test(test_post_session_port),
	    cmocka_unit_test(test_get_query),
	    cmocka_unit_test(test_changes),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
