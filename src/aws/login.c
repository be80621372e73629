/*
 * A console sign-in URL from session credentials, as AWS's federation
 * endpoint makes them: getSigninToken with the session, then a login URL
 * carrying the token. Only session credentials reach the endpoint, never
 * the vault's keys.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/keys.h"

static void
login_endpoints(const char *region, const char **fed, const char **console)
{
	if (region != NULL && strncmp(region, "cn-", 3) == 0) {
		*fed = "https://signin.amazonaws.cn/federation";
		*console = "https://console.amazonaws.cn/console/home";
	} else if (region != NULL && strncmp(region, "us-gov-", 7) == 0) {
		*fed = "https://signin.amazonaws-us-gov.com/federation";
		*console = "https://console.amazonaws-us-gov.com/console/home";
	} else {
		*fed = "https://signin.aws.amazon.com/federation";
		*console = "https://console.aws.amazon.com/console/home";
	}
}

/* The session as the endpoint wants it, JSON, URL-escaped; sodium'd. */
static char *
login_session(const struct aws_creds *c)
{
	json_t *o;
	char *text = NULL, *esc = NULL;
	size_t need;
	int bad = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	bad |=
	    json_object_set_new(o, "sessionId", json_string(c->access_key_id));
	bad |= json_object_set_new(o, "sessionKey",
				   json_string(c->secret_access_key));
	bad |= json_object_set_new(o, "sessionToken",
				   json_string(c->session_token));
	if (!bad &&
	    (need = json_dumpb(o, NULL, 0,
			       JSON_COMPACT | JSON_PRESERVE_ORDER)) > 0 &&
	    (text = sodium_malloc(need + 1)) != NULL &&
	    json_dumpb(o, text, need, JSON_COMPACT | JSON_PRESERVE_ORDER) ==
		need) {
		text[need] = '\0';
		esc = aws_url_escape(text);
	}
	if (text != NULL)
		sodium_free(text);
	json_decref(o);
	return esc;
}

int
aws_login_url(struct aws_ctx *a, const struct aws_creds *c, const char *region,
	      uint64_t session_duration, const char *destination, char **url)
{
	const char *fed, *console, *env = getenv("MFA_AWS_FEDERATION_URL");
	char *sess = NULL, *req = NULL, *dest = NULL, *tok = NULL, dur[48];
	char defdest[256];
	struct aws_resp r;
	const json_t *t;
	json_t *o = NULL;
	size_t n;
	int rc = 0;

	*url = NULL;
	memset(&r, 0, sizeof(r));
	a->err.why[0] = '\0';
	login_endpoints(region, &fed, &console);
	if (env != NULL && env[0] != '\0')
		fed = env;
	if (destination == NULL) {
		snprintf(defdest, sizeof(defdest), "%s?region=%s", console,
			 region != NULL ? region : "us-east-1");
		destination = defdest;
	}
	if ((sess = login_session(c)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	dur[0] = '\0';
	/* Only role sessions take a duration; a federation token's session
	 * lasts as long as the token. */
	if (session_duration > 0)
		snprintf(dur, sizeof(dur), "&SessionDuration=%llu",
			 (unsigned long long)session_duration);
	n = strlen(fed) + strlen(sess) + strlen(dur) + 64;
	if ((req = sodium_malloc(n)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	snprintf(req, n, "%s?Action=getSigninToken%s&Session=%s", fed, dur,
		 sess);
	if ((rc = aws_http_get(a, req, &r)) != 0)
		goto out;
	o = json_loadb(r.body, r.len, 0, NULL);
	t = json_object_get(o, "SigninToken");
	if (!json_is_string(t) || json_string_length(t) == 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the sign-in endpoint answered without a "
			 "SigninToken");
		rc = MFA_EPARSE;
		goto out;
	}
	if ((tok = aws_url_escape(json_string_value(t))) == NULL ||
	    (dest = aws_url_escape(destination)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	n = strlen(fed) + strlen(tok) + strlen(dest) + 64;
	if ((*url = malloc(n)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	snprintf(*url, n,
		 "%s?Action=login&Issuer=mfa&Destination=%s&SigninToken=%s",
		 fed, dest, tok);
out:
	json_decref(o);
	aws_resp_free(&r);
	if (sess != NULL)
		sodium_free(sess);
	if (req != NULL)
		sodium_free(req);
	if (tok != NULL)
		sodium_free(tok);
	if (dest != NULL)
		sodium_free(dest);
	return rc;
}
