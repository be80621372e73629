/*
 * AWS Signature Version 4, for the STS and IAM calls made with the vault's
 * keys. The secret, "AWS4" + secret and the derived signing keys live in
 * one sodium_malloc'd block, wiped on every path; the canonical request
 * and the string to sign hold no secret.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/keys.h"

#define SIGV4_ALG "AWS4-HMAC-SHA256"
#define SIGV4_SECRET_MAX 256

struct sigv4_keys {
	uint8_t k[4 + SIGV4_SECRET_MAX]; /* "AWS4" + secret */
	uint8_t date[32], region[32], service[32], signing[32];
	crypto_auth_hmacsha256_state st;
};

static bool
sigv4_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

/* Percent-encode s (slash kept when keep_slash) into a malloc'd string. */
static char *
sigv4_encode(const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0, i;
	char *out;

	if ((out = malloc(3 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (sigv4_unreserved(c) || (keep_slash && c == '/')) {
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

struct sigv4_pair {
	char *k, *v;
};

static int
sigv4_pair_cmp(const void *a, const void *b)
{
	const struct sigv4_pair *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c != 0 ? c : strcmp(x->v, y->v);
}

char *
aws_sigv4_query(const char *const *params)
{
	struct sigv4_pair *p;
	size_t n = 0, i, len = 1, o = 0;
	char *out = NULL;

	while (params[2 * n] != NULL)
		n++;
	if ((p = calloc(n + 1, sizeof(*p))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		p[i].k = sigv4_encode(params[2 * i], false);
		p[i].v = sigv4_encode(
		    params[2 * i + 1] != NULL ? params[2 * i + 1] : "", false);
		if (p[i].k == NULL || p[i].v == NULL)
			goto out;
		len += strlen(p[i].k) + strlen(p[i].v) + 2;
	}
	/* Sorted by encoded name, as SigV4's canonical query string is. */
	qsort(p, n, sizeof(*p), sigv4_pair_cmp);
	if ((out = malloc(len)) == NULL)
		goto out;
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s=%s",
				      i > 0 ? "&" : "", p[i].k, p[i].v);
out:
	for (i = 0; i < n; i++) {
		free(p[i].k);
		free(p[i].v);
	}
	free(p);
	return out;
}

static void
sigv4_hex(const uint8_t *b, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, b, n);
}

static void
sigv4_hmac(struct sigv4_keys *s, const uint8_t *key, size_t klen,
	   const void *msg, size_t mlen, uint8_t out[32])
{
	crypto_auth_hmacsha256_init(&s->st, key, klen);
	crypto_auth_hmacsha256_update(&s->st, msg, mlen);
	crypto_auth_hmacsha256_final(&s->st, out);
}

/* The header value trimmed and with inner runs of blanks made one. */
static void
sigv4_trim(const char *v, char *out, size_t len)
{
	size_t o = 0;
	bool space = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0' && o + 1 < len; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = false;
		if (o + 1 < len)
			out[o++] = *v;
	}
	out[o] = '\0';
}

int
aws_sigv4_sign(const struct aws_sigv4 *r, const struct aws_signer *k,
	       char auth[AWS_AUTH_MAX], char amzdate[AWS_AMZDATE_LEN])
{
	uint8_t hash[32], sig[32];
	char hexhash[65], hexsig[65], date[9], scope[160], ctype[256];
	char *path = NULL, *creq = NULL, *sts = NULL;
	struct sigv4_keys *s = NULL;
	time_t t = (time_t)r->now;
	struct tm tm;
	size_t n;
	int rc = 0, w;

	if (r->method == NULL || r->host == NULL || r->path == NULL ||
	    r->region == NULL || r->service == NULL || k == NULL ||
	    k->akid == NULL || k->secret == NULL || k->secret_len == 0 ||
	    (r->body == NULL && r->body_len > 0))
		return MFA_EINVAL;
	if (k->secret_len > SIGV4_SECRET_MAX)
		return MFA_ETOOLONG;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(amzdate, AWS_AMZDATE_LEN, "%Y%m%dT%H%M%SZ", &tm) == 0)
		return MFA_ETIME;
	memcpy(date, amzdate, 8);
	date[8] = '\0';
	w = snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date,
		     r->region, r->service);
	if (w < 0 || (size_t)w >= sizeof(scope))
		return MFA_ETOOLONG;
	if (r->ctype != NULL)
		sigv4_trim(r->ctype, ctype, sizeof(ctype));

	/* The canonical request: nothing in it is secret. */
	if ((path = sigv4_encode(r->path[0] != '\0' ? r->path : "/", true)) ==
	    NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	crypto_hash_sha256(
	    hash, r->body != NULL ? r->body : (const uint8_t *)"", r->body_len);
	sigv4_hex(hash, sizeof(hash), hexhash);
	n = strlen(r->method) + strlen(path) +
	    strlen(r->query ? r->query : "") + strlen(ctype) + strlen(r->host) +
	    (k->token != NULL ? strlen(k->token) : 0) + 512;
	if ((creq = malloc(n)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	w = snprintf(
	    creq, n,
	    "%s\n%s\n%s\n%s%s%shost:%s\nx-amz-date:%s\n%s%s%s\n%s%s\n%s",
	    r->method, path, r->query ? r->query : "",
	    r->ctype ? "content-type:" : "", r->ctype ? ctype : "",
	    r->ctype ? "\n" : "", r->host, amzdate,
	    k->token ? "x-amz-security-token:" : "", k->token ? k->token : "",
	    k->token ? "\n" : "",
	    r->ctype ? "content-type;host;x-amz-date" : "host;x-amz-date",
	    k->token ? ";x-amz-security-token" : "", hexhash);
	if (w < 0 || (size_t)w >= n) {
		rc = MFA_ETOOLONG;
		goto out;
	}
	crypto_hash_sha256(hash, (const uint8_t *)creq, (size_t)w);
	sigv4_hex(hash, sizeof(hash), hexhash);
	if (asprintf(&sts, SIGV4_ALG "\n%s\n%s\n%s", amzdate, scope, hexhash) <
	    0) {
		sts = NULL;
		rc = MFA_ENOMEM;
		goto out;
	}

	/* The signing key, derived in locked memory. */
	if ((s = sodium_malloc(sizeof(*s))) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	memcpy(s->k, "AWS4", 4);
	memcpy(s->k + 4, k->secret, k->secret_len);
	sigv4_hmac(s, s->k, 4 + k->secret_len, date, 8, s->date);
	sigv4_hmac(s, s->date, 32, r->region, strlen(r->region), s->region);
	sigv4_hmac(s, s->region, 32, r->service, strlen(r->service),
		   s->service);
	sigv4_hmac(s, s->service, 32, "aws4_request", 12, s->signing);
	sigv4_hmac(s, s->signing, 32, sts, strlen(sts), sig);
	sigv4_hex(sig, sizeof(sig), hexsig);
	w = snprintf(auth, AWS_AUTH_MAX,
		     SIGV4_ALG " Credential=%s/%s, SignedHeaders=%s%s, "
			       "Signature=%s",
		     k->akid, scope,
		     r->ctype ? "content-type;host;x-amz-date"
			      : "host;x-amz-date",
		     k->token ? ";x-amz-security-token" : "", hexsig);
	if (w < 0 || w >= AWS_AUTH_MAX)
		rc = MFA_ETOOLONG;
out:
	if (s != NULL)
		sodium_free(s); /* wipes */
	sodium_memzero(sig, sizeof(sig));
	free(path);
	if (creq != NULL) {
		/* It holds the session token, when there is one. */
		sodium_memzero(creq, strlen(creq));
		free(creq);
	}
	free(sts);
	return rc;
}
