/*
 * The STS and IAM calls made with the vault's keys (or sessions made from
 * them), in this process: see keys.h.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/keys.h"

#define STS_VERSION "2011-06-15"
#define IAM_VERSION "2010-05-08"

/* Allow everything: a federation token's session then has exactly the
 * permissions of the user, the intersection with this policy. */
#define STS_ALLOW_ALL                                                          \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","    \
	"\"Action\":\"*\",\"Resource\":\"*\"}]}"

void
aws_identity_clear(struct aws_identity *id)
{
	free(id->arn);
	free(id->account);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}

/* An element's text into a plain malloc'd string (not a secret). */
static int
sts_plain(const struct aws_resp *r, const char *name, char **out)
{
	char *s;
	int rc;

	*out = NULL;
	if ((rc = aws_xml_text(r->body, 0, r->len, name, &s, NULL)) != 0)
		return rc;
	*out = strdup(s);
	sodium_free(s);
	return *out != NULL ? 0 : MFA_ENOMEM;
}

static int
sts_call(struct aws_ctx *a, const struct aws_signer *k, const char *action,
	 const char *const *params, struct aws_resp *r)
{
	struct aws_endpoint ep;
	int rc;

	if ((rc = aws_endpoint(a, "sts", a->region, &ep)) != 0)
		return rc;
	return aws_query(a, &ep, k, action, STS_VERSION, params, r);
}

static int
sts_bad_answer(struct aws_ctx *a, const char *action)
{
	snprintf(a->err.why, sizeof(a->err.why),
		 "the answer to %s is not what AWS sends (no usable "
		 "credentials in it)",
		 action);
	return MFA_EPARSE;
}

int
aws_sts_identity(struct aws_ctx *a, const struct aws_signer *k,
		 struct aws_identity *id)
{
	struct aws_resp r;
	int rc;

	memset(id, 0, sizeof(*id));
	if ((rc = sts_call(a, k, "GetCallerIdentity", NULL, &r)) != 0)
		return rc;
	if ((rc = sts_plain(&r, "Arn", &id->arn)) != 0 ||
	    (rc = sts_plain(&r, "Account", &id->account)) != 0 ||
	    (rc = sts_plain(&r, "UserId", &id->user_id)) != 0) {
		aws_identity_clear(id);
		rc = sts_bad_answer(a, "GetCallerIdentity");
	}
	aws_resp_free(&r);
	return rc;
}

/* The <Credentials> of an answer. */
static int
sts_creds(struct aws_ctx *a, const char *action, const struct aws_resp *r,
	  struct aws_creds *c)
{
	size_t s, e;
	char *exp = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = aws_xml_span(r->body, 0, r->len, "Credentials", &s, &e)) !=
		0 ||
	    (rc = aws_xml_text(r->body, s, e, "AccessKeyId", &c->access_key_id,
			       NULL)) != 0 ||
	    (rc = aws_xml_text(r->body, s, e, "SecretAccessKey",
			       &c->secret_access_key, NULL)) != 0 ||
	    (rc = aws_xml_text(r->body, s, e, "SessionToken", &c->session_token,
			       NULL)) != 0 ||
	    (rc = aws_xml_text(r->body, s, e, "Expiration", &exp, NULL)) != 0 ||
	    (rc = aws_format_time_parse(exp, &c->expiration)) != 0 ||
	    c->access_key_id[0] == '\0' || c->secret_access_key[0] == '\0' ||
	    c->session_token[0] == '\0') {
		if (exp != NULL)
			sodium_free(exp);
		aws_creds_clear(c);
		return sts_bad_answer(a, action);
	}
	sodium_free(exp);
	return 0;
}

static int
sts_creds_call(struct aws_ctx *a, const struct aws_signer *k,
	       const char *action, const char *const *params,
	       struct aws_creds *out)
{
	struct aws_resp r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sts_call(a, k, action, params, &r)) != 0)
		return rc;
	rc = sts_creds(a, action, &r, out);
	aws_resp_free(&r);
	return rc;
}

int
aws_sts_session_token(struct aws_ctx *a, const struct aws_signer *k,
		      const char *serial, const char *code, uint64_t duration,
		      struct aws_creds *out)
{
	const char *p[8];
	char dur[24];
	size_t n = 0;
	int rc;

	if (serial != NULL) {
		p[n++] = "SerialNumber";
		p[n++] = serial;
		p[n++] = "TokenCode";
		p[n++] = code;
	}
	if (duration > 0) {
		snprintf(dur, sizeof(dur), "%llu",
			 (unsigned long long)duration);
		p[n++] = "DurationSeconds";
		p[n++] = dur;
	}
	p[n] = NULL;
	rc = sts_creds_call(a, k, "GetSessionToken", p, out);
	return rc;
}

int
aws_sts_assume_role(struct aws_ctx *a, const struct aws_signer *k,
		    const char *role_arn, const char *session_name,
		    const char *serial, const char *code, uint64_t duration,
		    struct aws_creds *out)
{
	const char *p[12];
	char dur[24];
	size_t n = 0;

	p[n++] = "RoleArn";
	p[n++] = role_arn;
	p[n++] = "RoleSessionName";
	p[n++] = session_name;
	if (serial != NULL) {
		p[n++] = "SerialNumber";
		p[n++] = serial;
		p[n++] = "TokenCode";
		p[n++] = code;
	}
	if (duration > 0) {
		snprintf(dur, sizeof(dur), "%llu",
			 (unsigned long long)duration);
		p[n++] = "DurationSeconds";
		p[n++] = dur;
	}
	p[n] = NULL;
	return sts_creds_call(a, k, "AssumeRole", p, out);
}

int
aws_sts_federation_token(struct aws_ctx *a, const struct aws_signer *k,
			 const char *name, uint64_t duration,
			 struct aws_creds *out)
{
	const char *p[8];
	char dur[24];
	size_t n = 0;

	p[n++] = "Name";
	p[n++] = name;
	p[n++] = "Policy";
	p[n++] = STS_ALLOW_ALL;
	if (duration > 0) {
		snprintf(dur, sizeof(dur), "%llu",
			 (unsigned long long)duration);
		p[n++] = "DurationSeconds";
		p[n++] = dur;
	}
	p[n] = NULL;
	return sts_creds_call(a, k, "GetFederationToken", p, out);
}

/* IAM --------------------------------------------------------------- */

static int
iam_call(struct aws_ctx *a, const struct aws_signer *k, const char *action,
	 const char *const *params, struct aws_resp *r)
{
	struct aws_endpoint ep;
	int rc;

	if ((rc = aws_endpoint(a, "iam", a->region, &ep)) != 0)
		return rc;
	return aws_query(a, &ep, k, action, IAM_VERSION, params, r);
}

int
aws_iam_list_keys(struct aws_ctx *a, const struct aws_signer *k,
		  const char *user, struct aws_key_meta *out, size_t max,
		  size_t *n)
{
	const char *p[4] = {"UserName", user, NULL, NULL};
	struct aws_resp r;
	size_t s, e, from, to;
	char *id, *status;
	int rc;

	*n = 0;
	if ((rc = iam_call(a, k, "ListAccessKeys", user ? p : NULL, &r)) != 0)
		return rc;
	if (aws_xml_span(r.body, 0, r.len, "AccessKeyMetadata", &from, &to) !=
	    0) {
		aws_resp_free(&r);
		return sts_bad_answer(a, "ListAccessKeys");
	}
	while (aws_xml_span(r.body, from, to, "member", &s, &e) == 0) {
		from = e + strlen("</member>");
		if (aws_xml_text(r.body, s, e, "AccessKeyId", &id, NULL) != 0)
			continue;
		if (*n < max) {
			snprintf(out[*n].id, sizeof(out[*n].id), "%s", id);
			out[*n].status[0] = '\0';
			if (aws_xml_text(r.body, s, e, "Status", &status,
					 NULL) == 0) {
				snprintf(out[*n].status, sizeof(out[*n].status),
					 "%s", status);
				sodium_free(status);
			}
		}
		(*n)++;
		sodium_free(id);
	}
	aws_resp_free(&r);
	return 0;
}

int
aws_iam_create_key(struct aws_ctx *a, const struct aws_signer *k,
		   const char *user, char **akid, char **secret,
		   size_t *secret_len)
{
	const char *p[4] = {"UserName", user, NULL, NULL};
	struct aws_resp r;
	size_t s, e;
	char *id;
	int rc;

	*akid = *secret = NULL;
	*secret_len = 0;
	if ((rc = iam_call(a, k, "CreateAccessKey", user ? p : NULL, &r)) != 0)
		return rc;
	rc = aws_xml_span(r.body, 0, r.len, "AccessKey", &s, &e);
	if (rc == 0)
		rc =
		    aws_xml_text(r.body, s, e, "SecretAccessKey", secret, NULL);
	if (rc == 0 &&
	    (rc = aws_xml_text(r.body, s, e, "AccessKeyId", &id, NULL)) == 0) {
		*akid = strdup(id);
		sodium_free(id);
		if (*akid == NULL)
			rc = MFA_ENOMEM;
	}
	aws_resp_free(&r);
	if (rc != 0) {
		if (*secret != NULL)
			sodium_free(*secret);
		*secret = NULL;
		return rc == MFA_ENOMEM ? rc
					: sts_bad_answer(a, "CreateAccessKey");
	}
	*secret_len = strlen(*secret);
	return 0;
}

int
aws_iam_delete_key(struct aws_ctx *a, const struct aws_signer *k,
		   const char *user, const char *akid)
{
	const char *p[6] = {"AccessKeyId", akid, NULL, NULL, NULL, NULL};
	struct aws_resp r;
	int rc;

	if (user != NULL) {
		p[2] = "UserName";
		p[3] = user;
	}
	if ((rc = iam_call(a, k, "DeleteAccessKey", p, &r)) != 0)
		return rc;
	aws_resp_free(&r);
	return 0;
}

const char *
aws_arn_user(const char *arn)
{
	const char *p;

	if (arn == NULL || strncmp(arn, "arn:", 4) != 0 ||
	    strstr(arn, ":user/") == NULL)
		return NULL;
	p = strrchr(arn, '/');
	return p != NULL && p[1] != '\0' ? p + 1 : NULL;
}

bool
aws_arn_account(const char *arn, char *out, size_t len)
{
	const char *p = arn;
	size_t i, n;

	if (len > 0)
		out[0] = '\0';
	if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
		return false;
	/* arn:partition:service:region:account:resource */
	for (i = 0; i < 4 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL)
		return false;
	n = strcspn(p, ":");
	if (n != 12 || p[n] != ':' || n + 1 > len)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}
