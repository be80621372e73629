/*
 * HTTPS to AWS with libcurl (opened on first use): where each service is
 * reached, the query protocol's POST calls signed with SigV4 (sigv4.c),
 * and AWS's XML errors turned into the AWS CLI's wording.
 *
 * Answers carry credentials (sessions, a new access key), so they are
 * collected in sodium_malloc'd memory. The session token a request carries
 * in a header is wiped from libcurl's header list before it is freed.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/keys.h"
#include "aws/lazy_curl.h"

#define HTTP_MAX (1024 * 1024)
#define HTTP_CTYPE "application/x-www-form-urlencoded; charset=utf-8"

static bool
http_region_ok(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n > 40)
		return false;
	for (; *r != '\0'; r++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') ||
		      *r == '-'))
			return false;
	return true;
}

/* scheme://host[:port][/path] into ep; the Host header drops a default
 * port, as the AWS SDKs sign it. */
static int
http_parse_url(struct aws_ctx *a, const char *url, struct aws_endpoint *ep)
{
	const char *h, *slash, *colon;
	size_t hl;
	bool https;

	if (strncmp(url, "https://", 8) == 0) {
		https = true;
		h = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		https = false;
		h = url + 7;
	} else {
		goto bad;
	}
	slash = strchr(h, '/');
	hl = slash != NULL ? (size_t)(slash - h) : strlen(h);
	if (hl == 0 || hl >= sizeof(ep->host) || memchr(h, '@', hl) != NULL ||
	    memchr(h, '?', hl) != NULL || memchr(h, '#', hl) != NULL ||
	    strpbrk(url, " \t\r\n") != NULL)
		goto bad;
	memcpy(ep->host, h, hl);
	ep->host[hl] = '\0';
	colon = strrchr(ep->host, ':');
	if (colon != NULL && strchr(colon, ']') == NULL &&
	    strcmp(colon + 1, https ? "443" : "80") == 0)
		ep->host[colon - ep->host] = '\0';
	if ((size_t)snprintf(ep->path, sizeof(ep->path), "%s",
			     slash != NULL ? slash : "/") >= sizeof(ep->path) ||
	    strchr(ep->path, '?') != NULL || strchr(ep->path, '#') != NULL)
		goto bad;
	if ((size_t)snprintf(ep->url, sizeof(ep->url), "%s", url) >=
	    sizeof(ep->url))
		goto bad;
	if (slash == NULL)
		strcat(ep->url, "/");
	return 0;
bad:
	snprintf(a->err.why, sizeof(a->err.why),
		 "'%.200s' is not an endpoint URL (want http:// or "
		 "https://HOST[:PORT][/PATH])",
		 url);
	return MFA_EINVAL;
}

int
aws_endpoint(struct aws_ctx *a, const char *service, const char *region,
	     struct aws_endpoint *ep)
{
	const char *url = NULL, *suffix = "amazonaws.com",
		   *global = "us-east-1";
	const char *iam_host = "iam.amazonaws.com";
	char var[64], def[256];
	bool iam = strcmp(service, "iam") == 0;

	memset(ep, 0, sizeof(*ep));
	if (!iam && strcmp(service, "sts") != 0)
		return MFA_EINVAL;
	if (region == NULL || region[0] == '\0')
		region = "us-east-1";
	if (!http_region_ok(region)) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "'%.64s' is not an AWS region", region);
		return MFA_EINVAL;
	}
	if (strncmp(region, "cn-", 3) == 0) {
		suffix = "amazonaws.com.cn";
		global = "cn-north-1";
		iam_host = "iam.cn-north-1.amazonaws.com.cn";
	} else if (strncmp(region, "us-gov-", 7) == 0) {
		global = "us-gov-west-1";
		iam_host = "iam.us-gov.amazonaws.com";
	}
	snprintf(ep->service, sizeof(ep->service), "%s", service);
	/* IAM is global: always signed for its partition's first region. */
	snprintf(ep->region, sizeof(ep->region), "%s", iam ? global : region);
	snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", iam ? "IAM" : "STS");
	url = getenv(var);
	if (url == NULL || url[0] == '\0')
		url = getenv("AWS_ENDPOINT_URL");
	if (url == NULL || url[0] == '\0') {
		if (iam)
			snprintf(def, sizeof(def), "https://%s/", iam_host);
		else
			snprintf(def, sizeof(def), "https://sts.%s.%s/", region,
				 suffix);
		url = def;
	}
	return http_parse_url(a, url, ep);
}

void
aws_resp_free(struct aws_resp *r)
{
	if (r->body != NULL)
		sodium_free(r->body);
	memset(r, 0, sizeof(*r));
}

struct http_sink {
	char *p; /* sodium_malloc'd */
	size_t len, cap;
	bool overflow, nomem;
};

static size_t
http_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_sink *s = arg;
	size_t n = size * nmemb, cap;
	char *grown;

	if (s->len + n > HTTP_MAX) {
		s->overflow = true;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		if ((grown = sodium_malloc(cap)) == NULL) {
			s->nomem = true;
			return 0;
		}
		if (s->len > 0)
			memcpy(grown, s->p, s->len);
		if (s->p != NULL)
			sodium_free(s->p);
		s->p = grown;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
	return n;
}

static long
http_timeout(void)
{
	const char *s = getenv("MFA_AWS_TIMEOUT");
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return 120;
	v = strtol(s, &end, 10);
	return *end == '\0' && v > 0 && v < 86400 ? v : 120;
}

/* Wipe every header (a session token among them), then free the list. */
static void
http_headers_free(struct curl_slist *h)
{
	struct curl_slist *p;

	for (p = h; p != NULL; p = p->next)
		if (p->data != NULL)
			sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static int
http_add(struct curl_slist **h, const char *name, const char *value)
{
	struct curl_slist *n;
	char *line;
	size_t len = strlen(name) + strlen(value) + 3;

	/* Built in locked memory: a session token may be in it. */
	if ((line = sodium_malloc(len)) == NULL)
		return MFA_ENOMEM;
	snprintf(line, len, "%s: %s", name, value);
	n = curl_slist_append(*h, line);
	sodium_free(line);
	if (n == NULL)
		return MFA_ENOMEM;
	*h = n;
	return 0;
}

/* The request as set up; the answer into r. */
static int
http_perform(struct aws_ctx *a, const char *url, struct curl_slist *headers,
	     const char *body, size_t body_len, struct aws_resp *r)
{
	char errbuf[CURL_ERROR_SIZE];
	struct http_sink sink;
	const char *ca = getenv("AWS_CA_BUNDLE"), *why;
	CURLcode cc;
	CURL *c;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	memset(&sink, 0, sizeof(sink));
	if (lazy_curl_load(&why) != 0) {
		snprintf(a->err.why, sizeof(a->err.why), "%s", why);
		return MFA_EUNSUPPORTED;
	}
	if ((c = curl_easy_init()) == NULL)
		return MFA_ENOMEM;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mfa/" MFA_VERSION);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, http_timeout());
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	if (headers != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	if (ca != NULL && ca[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	if (sink.nomem) {
		rc = MFA_ENOMEM;
	} else if (sink.overflow) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the answer of %.300s is larger than 1 MiB", url);
		rc = MFA_ETOOBIG;
	} else if (cc != CURLE_OK) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "cannot reach %.200s: %.100s%s%.150s", url,
			 curl_easy_strerror(cc), errbuf[0] != '\0' ? ": " : "",
			 errbuf);
		if (cc == CURLE_PEER_FAILED_VERIFICATION ||
		    cc == CURLE_SSL_CACERT_BADFILE)
			snprintf(a->err.why + strlen(a->err.why),
				 sizeof(a->err.why) - strlen(a->err.why),
				 " (AWS_CA_BUNDLE names the certificates to "
				 "trust)");
		rc = MFA_EIO;
	}
	if (rc != 0) {
		if (sink.p != NULL)
			sodium_free(sink.p);
		return rc;
	}
	if (sink.p == NULL && (sink.p = sodium_malloc(1)) == NULL)
		return MFA_ENOMEM;
	sink.p[sink.len] = '\0';
	r->body = sink.p;
	r->len = sink.len;
	return 0;
}

/* "An error occurred (Code) when calling the Action operation: Message". */
static void
http_aws_error(struct aws_ctx *a, const char *action, const struct aws_resp *r)
{
	char *code = NULL, *msg = NULL;
	size_t i;

	(void)aws_xml_text(r->body, 0, r->len, "Code", &code, NULL);
	(void)aws_xml_text(r->body, 0, r->len, "Message", &msg, NULL);
	if (code != NULL)
		snprintf(a->err.why, sizeof(a->err.why),
			 "An error occurred (%.100s) when calling the %s "
			 "operation: %.300s",
			 code, action, msg != NULL ? msg : "");
	else
		snprintf(a->err.why, sizeof(a->err.why),
			 "An error occurred (HTTP %ld) when calling the %s "
			 "operation",
			 r->status, action);
	for (i = 0; a->err.why[i] != '\0'; i++)
		if ((unsigned char)a->err.why[i] < 0x20)
			a->err.why[i] = ' ';
	if (code != NULL)
		sodium_free(code);
	if (msg != NULL)
		sodium_free(msg);
}

int
aws_query(struct aws_ctx *a, const struct aws_endpoint *ep,
	  const struct aws_signer *k, const char *action, const char *version,
	  const char *const *params, struct aws_resp *r)
{
	const char *all[64];
	char auth[AWS_AUTH_MAX], amzdate[AWS_AMZDATE_LEN], *body = NULL;
	struct curl_slist *h = NULL;
	struct aws_sigv4 sr;
	const char *why;
	size_t n = 0, i;
	int rc;

	memset(r, 0, sizeof(*r));
	a->err.why[0] = '\0';
	all[n++] = "Action";
	all[n++] = action;
	all[n++] = "Version";
	all[n++] = version;
	for (i = 0; params != NULL && params[i] != NULL && n + 2 < 64; i += 2) {
		all[n++] = params[i];
		all[n++] = params[i + 1];
	}
	all[n] = NULL;
	if ((body = aws_sigv4_query(all)) == NULL)
		return MFA_ENOMEM;
	memset(&sr, 0, sizeof(sr));
	sr.method = "POST";
	sr.host = ep->host;
	sr.path = ep->path;
	sr.query = "";
	sr.ctype = HTTP_CTYPE;
	sr.body = (const uint8_t *)body;
	sr.body_len = strlen(body);
	sr.region = ep->region;
	sr.service = ep->service;
	sr.now = aws_now(a);
	if ((rc = aws_sigv4_sign(&sr, k, auth, amzdate)) != 0)
		goto out;
	/* libcurl is needed for the header list already. */
	if (lazy_curl_load(&why) != 0) {
		snprintf(a->err.why, sizeof(a->err.why), "%s", why);
		rc = MFA_EUNSUPPORTED;
		goto out;
	}
	if ((rc = http_add(&h, "Host", ep->host)) != 0 ||
	    (rc = http_add(&h, "Content-Type", HTTP_CTYPE)) != 0 ||
	    (rc = http_add(&h, "X-Amz-Date", amzdate)) != 0 ||
	    (k->token != NULL &&
	     (rc = http_add(&h, "X-Amz-Security-Token", k->token)) != 0) ||
	    (rc = http_add(&h, "Authorization", auth)) != 0 ||
	    /* No "Expect: 100-continue" round trip. */
	    (rc = http_add(&h, "Expect", "")) != 0)
		goto out;
	if ((rc = http_perform(a, ep->url, h, body, strlen(body), r)) != 0)
		goto out;
	if (r->status < 200 || r->status > 299) {
		http_aws_error(a, action, r);
		aws_resp_free(r);
		rc = MFA_EAWS;
	}
out:
	if (h != NULL)
		http_headers_free(h);
	free(body);
	return rc;
}

int
aws_http_get(struct aws_ctx *a, const char *url, struct aws_resp *r)
{
	int rc;

	a->err.why[0] = '\0';
	if ((rc = http_perform(a, url, NULL, NULL, 0, r)) != 0)
		return rc;
	if (r->status < 200 || r->status > 299) {
		snprintf(
		    a->err.why, sizeof(a->err.why), "%.300s answered HTTP %ld",
		    strchr(url, '?') != NULL ? "the sign-in endpoint" : url,
		    r->status);
		aws_resp_free(r);
		return MFA_EAWS;
	}
	return 0;
}

char *
aws_url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0, i;
	char *out;

	/* It may hold a session's secret: locked memory. */
	if ((out = sodium_malloc(3 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}
