/*
 * The pieces of the key commands that need no network: where each service
 * is reached (regions, partitions, the AWS_ENDPOINT_URL variables), the
 * XML answers, the INI files of the AWS CLI, and ARNs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "aws/keys.h"

static void
clear_env(void)
{
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL_IAM");
}

static void
endpoint_is(const char *svc, const char *region, const char *url,
	    const char *host, const char *path, const char *signing)
{
	struct aws_endpoint ep;
	struct aws_ctx a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(aws_endpoint(&a, svc, region, &ep), 0);
	assert_string_equal(ep.url, url);
	assert_string_equal(ep.host, host);
	assert_string_equal(ep.path, path);
	assert_string_equal(ep.region, signing);
	assert_string_equal(ep.service, svc);
}

static void
test_endpoints(void **state)
{
	struct aws_endpoint ep;
	struct aws_ctx a;

	(void)state;
	clear_env();
	endpoint_is("sts", "eu-west-1", "https://sts.eu-west-1.amazonaws.com/",
		    "sts.eu-west-1.amazonaws.com", "/", "eu-west-1");
	endpoint_is("sts", NULL, "https://sts.us-east-1.amazonaws.com/",
		    "sts.us-east-1.amazonaws.com", "/", "us-east-1");
	endpoint_is("sts", "cn-north-1",
		    "https://sts.cn-north-1.amazonaws.com.cn/",
		    "sts.cn-north-1.amazonaws.com.cn", "/", "cn-north-1");
	/* IAM is global: one endpoint and signing region per partition. */
	endpoint_is("iam", "eu-west-1", "https://iam.amazonaws.com/",
		    "iam.amazonaws.com", "/", "us-east-1");
	endpoint_is("iam", "cn-northwest-1",
		    "https://iam.cn-north-1.amazonaws.com.cn/",
		    "iam.cn-north-1.amazonaws.com.cn", "/", "cn-north-1");
	endpoint_is("iam", "us-gov-east-1", "https://iam.us-gov.amazonaws.com/",
		    "iam.us-gov.amazonaws.com", "/", "us-gov-west-1");
	/* The service's own variable first, then the general one. */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", 1);
	endpoint_is("sts", "eu-west-1", "http://127.0.0.1:5000/",
		    "127.0.0.1:5000", "/", "eu-west-1");
	setenv("AWS_ENDPOINT_URL_STS", "https://sts.example.test:443/base", 1);
	endpoint_is("sts", "eu-west-1", "https://sts.example.test:443/base",
		    "sts.example.test", "/base", "eu-west-1");
	endpoint_is("iam", "eu-west-1", "http://127.0.0.1:5000/",
		    "127.0.0.1:5000", "/", "us-east-1");
	setenv("AWS_ENDPOINT_URL_IAM", "ftp://nope", 1);
	memset(&a, 0, sizeof(a));
	assert_int_equal(aws_endpoint(&a, "iam", NULL, &ep), MFA_EINVAL);
	assert_string_equal(a.err.why, "'ftp://nope' is not an endpoint URL (want "
				   "http:// or https://HOST[:PORT][/PATH])");
	setenv("AWS_ENDPOINT_URL_IAM", "http://user@host/", 1);
	assert_int_equal(aws_endpoint(&a, "iam", NULL, &ep), MFA_EINVAL);
	clear_env();
	assert_int_equal(aws_endpoint(&a, "sts", "eu west", &ep), MFA_EINVAL);
	assert_string_equal(a.err.why, "'eu west' is not an AWS region");
	assert_int_equal(aws_endpoint(&a, "s3", NULL, &ep), MFA_EINVAL);
}

static void
test_xml(void **state)
{
	static const char x[] =
	    "<R xmlns=\"x\"><Result><Credentials>"
	    "<AccessKeyId>ASIAX</AccessKeyId>"
	    "<SecretAccessKey>a&amp;b&lt;c&#x41;&#66;&quot;</SecretAccessKey>"
	    "<Empty/><E2></E2></Credentials>"
	    "<AccessKeyMetadata><member><AccessKeyId>K1</AccessKeyId>"
	    "</member><member><AccessKeyId>K2</AccessKeyId></member>"
	    "</AccessKeyMetadata><Bad>&bogus;</Bad><Nested><a>1</a></Nested>"
	    "</Result></R>";
	size_t n = strlen(x), s, e, next;
	char *v;

	(void)state;
	assert_int_equal(aws_xml_span(x, 0, n, "Credentials", &s, &e), 0);
	assert_int_equal(aws_xml_text(x, s, e, "AccessKeyId", &v, &next), 0);
	assert_string_equal(v, "ASIAX");
	sodium_free(v);
	assert_int_equal(aws_xml_text(x, s, e, "SecretAccessKey", &v, NULL), 0);
	assert_string_equal(v, "a&b<cAB\"");
	sodium_free(v);
	assert_int_equal(aws_xml_text(x, s, e, "Empty", &v, NULL), 0);
	assert_string_equal(v, "");
	sodium_free(v);
	assert_int_equal(aws_xml_text(x, s, e, "E2", &v, NULL), 0);
	assert_string_equal(v, "");
	sodium_free(v);
	/* Bounded by the span: K1 is outside Credentials. */
	assert_int_equal(aws_xml_text(x, s, e, "Missing", &v, NULL),
			 MFA_ENOTFOUND);
	assert_int_equal(aws_xml_span(x, 0, n, "AccessKeyMetadata", &s, &e), 0);
	assert_int_equal(aws_xml_span(x, s, e, "member", &s, &next), 0);
	assert_int_equal(aws_xml_text(x, s, next, "AccessKeyId", &v, NULL), 0);
	assert_string_equal(v, "K1");
	sodium_free(v);
	assert_int_equal(aws_xml_span(x, next, e, "member", &s, &next), 0);
	assert_int_equal(aws_xml_text(x, s, next, "AccessKeyId", &v, NULL), 0);
	assert_string_equal(v, "K2");
	sodium_free(v);
	assert_int_equal(aws_xml_text(x, 0, n, "Bad", &v, NULL), MFA_EPARSE);
	assert_int_equal(aws_xml_text(x, 0, n, "Nested", &v, NULL), MFA_EPARSE);
	/* An element cut short. */
	assert_int_equal(aws_xml_text("<A>xx", 0, 5, "A", &v, NULL),
			 MFA_EPARSE);
	/* A longer name is another element. */
	assert_int_equal(aws_xml_text("<AB>1</AB>", 0, 10, "A", &v, NULL),
			 MFA_ENOTFOUND);
}

static void
test_ini(void **state)
{
	static const char t[] = "# c\n"
				"[default]\n"
				"aws_access_key_id = AKIA\n"
				"Region: eu-west-1  \n"
				"  continued\n"
				"; c2\n"
				"[profile x] ; note\n"
				"bare\n"
				"last=1";
	struct aws_ini_line l;
	size_t pos = 0, n = strlen(t);
	int kinds[16], i = 0;

	(void)state;
	while (aws_ini_next(t, n, &pos, &l) && i < 16) {
		kinds[i] = (int)l.kind;
		if (i == 1)
			assert_true(l.name_len == 7 &&
				    memcmp(l.name, "default", 7) == 0);
		if (i == 2)
			assert_true(aws_ini_is(l.name, l.name_len,
					       "aws_access_key_id") &&
				    l.val_len == 4 &&
				    memcmp(l.val, "AKIA", 4) == 0);
		if (i == 3)
			assert_true(aws_ini_is(l.name, l.name_len, "region") &&
				    l.val_len == 9 &&
				    memcmp(l.val, "eu-west-1", 9) == 0);
		if (i == 6)
			assert_true(l.name_len == 9 &&
				    memcmp(l.name, "profile x", 9) == 0);
		if (i == 8)
			assert_true(l.val_len == 1 && l.val[0] == '1' &&
				    l.n == 6);
		i++;
	}
	assert_int_equal(i, 9);
	assert_int_equal(kinds[0], AWS_INI_OTHER);
	assert_int_equal(kinds[1], AWS_INI_SECTION);
	assert_int_equal(kinds[2], AWS_INI_KEY);
	assert_int_equal(kinds[3], AWS_INI_KEY);
	assert_int_equal(kinds[4], AWS_INI_CONT);
	assert_int_equal(kinds[5], AWS_INI_OTHER);
	assert_int_equal(kinds[6], AWS_INI_SECTION);
	assert_int_equal(kinds[7], AWS_INI_OTHER);
	assert_int_equal(kinds[8], AWS_INI_KEY);
	assert_int_equal(pos, n);
}

static void
test_arn(void **state)
{
	char acct[32];

	(void)state;
	assert_string_equal(
	    aws_arn_user("arn:aws:iam::123456789012:user/alice"), "alice");
	assert_string_equal(
	    aws_arn_user("arn:aws:iam::123456789012:user/path/to/bob"), "bob");
	assert_null(aws_arn_user("arn:aws:sts::123456789012:assumed-role/R/s"));
	assert_null(aws_arn_user("arn:aws:iam::123456789012:root"));
	assert_null(aws_arn_user(NULL));
	aws_arn_account("arn:aws:iam::123456789012:mfa/alice", acct,
			sizeof(acct));
	assert_string_equal(acct, "123456789012");
	aws_arn_account("not-an-arn", acct, sizeof(acct));
	assert_string_equal(acct, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_xml),
	    cmocka_unit_test(test_ini),
	    cmocka_unit_test(test_arn),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
