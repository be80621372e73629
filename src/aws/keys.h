/*
 * Long-term AWS access keys kept in the vault, and the calls made with
 * them: in this process, over HTTPS (libcurl, opened on first use) with
 * requests signed here (SigV4), so that the keys never leave it -- not on
 * a command line, not in a child's environment, not in a file.
 *
 * Signing is done here rather than by libcurl's CURLOPT_AWS_SIGV4 for two
 * reasons: libcurl takes the secret as CURLOPT_USERPWD, which it copies
 * into ordinary heap memory and frees without wiping; and the libcurl of
 * Debian 12 (7.88) signs query strings without sorting them. Here the
 * secret and every key derived from it stay in locked memory and are wiped.
 *
 * The endpoints honour the region, regional STS endpoints,
 * AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL,
 * AWS_CA_BUNDLE, and (through libcurl) HTTPS_PROXY, HTTP_PROXY, NO_PROXY.
 *
 * Every function returns 0 or a negative enum mfa_rc; a->err.why says why
 * in one line when it can (AWS's own error code and message, as the AWS CLI
 * words them, or libcurl's transport error). a->err never holds a secret.
 */
#ifndef MFA_AWS_KEYS_H
#define MFA_AWS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "mfa/rc.h"

/*
 * The one line a failed call leaves in the aws_ctx (its member err): a char
 * array in one form of the aws layer, a struct mfa_err (its .why) in the
 * other. Both accessors compile with either, so these files need no change
 * when the layer moves from one to the other.
 */
/* A key pair to sign with: long-term keys (token NULL) or a session. */
struct aws_signer {
	const char *akid;
	const uint8_t *secret;
	size_t secret_len;
	const char *token; /* NULL for long-term keys */
};

/* sigv4.c ------------------------------------------------------------- */

/* "20260102T030405Z" and its NUL. */
#define AWS_AMZDATE_LEN 17
/* Room for an Authorization header value. */
#define AWS_AUTH_MAX 1024

struct aws_sigv4 {
	const char *method;  /* "POST" */
	const char *host;    /* the Host header as sent: "sts.amazonaws.com" */
	const char *path;    /* "/", as sent (not yet encoded) */
	const char *query;   /* canonical (sorted, encoded) query, or "" */
	const char *ctype;   /* Content-Type header, or NULL (none signed) */
	const uint8_t *body; /* the payload (may be NULL with len 0) */
	size_t body_len;
	const char *region;  /* "us-east-1" */
	const char *service; /* "sts" */
	int64_t now;	     /* unix seconds */
};
/*
 * The Authorization header value for r signed with k (SigV4, headers
 * content-type (when set), host, x-amz-date and x-amz-security-token (with
 * a session)) into auth, and the X-Amz-Date value into amzdate.
 * MFA_EINVAL for a missing field, MFA_ETOOLONG, MFA_ENOMEM, MFA_ECRYPTO.
 */
int aws_sigv4_sign(const struct aws_sigv4 *r, const struct aws_signer *k,
		   char auth[AWS_AUTH_MAX], char amzdate[AWS_AMZDATE_LEN]);
/*
 * name=value pairs (params: name, value, ..., NULL) percent-encoded as
 * SigV4 wants (RFC 3986 unreserved characters kept, %XX upper case) and
 * sorted by name: a canonical query string and a form body alike.
 * malloc'd; NULL when out of memory. The values must hold no secret.
 */
char *aws_sigv4_query(const char *const *params);

/* http.c -------------------------------------------------------------- */

struct aws_endpoint {
	char url[1024];	 /* scheme://host[:port]/path */
	char host[320];	 /* the Host header: host[:port] */
	char path[512];	 /* "/" or the override's path */
	char region[64]; /* the region requests are signed for */
	char service[8]; /* the signing name: "sts", "iam" */
};
/*
 * The endpoint of service "sts" or "iam" for region (NULL or "": the
 * default, us-east-1): AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL,
 * else AWS's own -- regional for STS (sts.REGION.amazonaws.com), global
 * for IAM -- in the region's partition (aws, aws-cn, aws-us-gov).
 * MFA_EINVAL with a->err for a malformed URL or region.
 */
int aws_endpoint(struct aws_ctx *a, const char *service, const char *region,
		 struct aws_endpoint *ep);

/* A response body, NUL terminated, in secret memory. */
struct aws_resp {
	char *body; /* sodium_malloc'd */
	size_t len;
	long status;
};
void aws_resp_free(struct aws_resp *r);

/*
 * One call of the AWS query protocol: POST "Action=A&Version=V&params"
 * (params: name, value, ..., NULL; no secrets) to ep, signed with k. 0 on
 * HTTP 2xx with the answer in *r; MFA_EAWS when AWS refused, a->err = "An
 * error occurred (Code) when calling the A operation: Message"; MFA_EIO
 * when it could not be reached (a->err says why, proxy and TLS errors
 * included); MFA_EUNSUPPORTED when libcurl cannot be loaded.
 */
int aws_query(struct aws_ctx *a, const struct aws_endpoint *ep,
	      const struct aws_signer *k, const char *action,
	      const char *version, const char *const *params,
	      struct aws_resp *r);
/* A plain GET (the sign-in endpoint); errors as aws_query(). */
int aws_http_get(struct aws_ctx *a, const char *url, struct aws_resp *r);
/* s percent-encoded for a URL, into sodium_malloc'd memory (it may hold
 * a session), or NULL. */
char *aws_url_escape(const char *s);

/* xml.c --------------------------------------------------------------- */

/*
 * The text of the first element <name> in xml[from, to) (entities
 * decoded), into sodium_malloc'd *out. *next (when not NULL) receives the
 * offset after its end tag. MFA_ENOTFOUND when there is none, MFA_EPARSE.
 */
int aws_xml_text(const char *xml, size_t from, size_t to, const char *name,
		 char **out, size_t *next);
/* The content span [*start, *end) of the first <name> in xml[from, to). */
int aws_xml_span(const char *xml, size_t from, size_t to, const char *name,
		 size_t *start, size_t *end);

/* sts.c / iam.c --------------------------------------------------------- */

struct aws_identity {
	char *arn; /* malloc'd */
	char *account;
	char *user_id;
};
void aws_identity_clear(struct aws_identity *id);
/* GetCallerIdentity with k, at the STS endpoint of a->region. */
int aws_sts_identity(struct aws_ctx *a, const struct aws_signer *k,
		     struct aws_identity *id);
/* GetSessionToken; serial/code NULL: without MFA; duration 0: AWS's. */
int aws_sts_session_token(struct aws_ctx *a, const struct aws_signer *k,
			  const char *serial, const char *code,
			  uint64_t duration, struct aws_creds *out);
/* AssumeRole; serial/code NULL: no MFA in this call. */
int aws_sts_assume_role(struct aws_ctx *a, const struct aws_signer *k,
			const char *role_arn, const char *session_name,
			const char *serial, const char *code, uint64_t duration,
			struct aws_creds *out);
/* GetFederationToken (long-term keys only), with an allow-all policy: the
 * session gets exactly the user's permissions. */
int aws_sts_federation_token(struct aws_ctx *a, const struct aws_signer *k,
			     const char *name, uint64_t duration,
			     struct aws_creds *out);

#define AWS_KEYS_MAX_LISTED 8
struct aws_key_meta {
	char id[129];
	char status[16]; /* "Active" / "Inactive" */
};
/* ListAccessKeys of user (NULL: the caller). */
int aws_iam_list_keys(struct aws_ctx *a, const struct aws_signer *k,
		      const char *user, struct aws_key_meta *out, size_t max,
		      size_t *n);
/* CreateAccessKey: *akid malloc'd, *secret sodium_malloc'd. */
int aws_iam_create_key(struct aws_ctx *a, const struct aws_signer *k,
		       const char *user, char **akid, char **secret,
		       size_t *secret_len);
int aws_iam_delete_key(struct aws_ctx *a, const struct aws_signer *k,
		       const char *user, const char *akid);
/* The user name of an IAM user ARN (after the last '/'), or NULL. */
const char *aws_arn_user(const char *arn);

/* ini.c: the AWS CLI's config and credentials files ----------------------
 */

/* One line of an INI file as the AWS CLI (Python's configparser) reads it. */
enum aws_ini_kind {
	AWS_INI_OTHER,	 /* blank, comment, or not understood */
	AWS_INI_SECTION, /* [name] */
	AWS_INI_KEY,	 /* key = value */
	AWS_INI_CONT	 /* an indented line continuing a value */
};
struct aws_ini_line {
	const char *p; /* the line in the text, with its newline */
	size_t n;
	enum aws_ini_kind kind;
	const char *name; /* SECTION: the name; KEY: the key */
	size_t name_len;
	const char *val; /* KEY: the value, blanks trimmed */
	size_t val_len;
};
/* The line at *pos of text[0, len), *pos moved past it; false at the end. */
bool aws_ini_next(const char *text, size_t len, size_t *pos,
		  struct aws_ini_line *l);
/* Does a line's name (len bytes) equal s, ASCII case ignored? */
bool aws_ini_is(const char *name, size_t len, const char *s);

/* keys.c: sessions from the vault's keys ---------------------------------
 */

/* A copy of a vault key record, the secrets in sodium_malloc'd memory. */
struct aws_key {
	uint8_t id[VAULT_ID_BYTES];
	char *profile, *akid, *serial, *region, *arn, *pending_id;
	char *secret, *pending_secret; /* sodium_malloc'd, NUL terminated */
	size_t secret_len, pending_secret_len;
};
/* MFA_ENOTFOUND when the vault has no key for profile. */
int aws_key_load(const struct vault_data *d, const char *profile,
		 struct aws_key *k);
void aws_key_clear(struct aws_key *k);
/* The signer of k's current key (views into k). */
void aws_key_signer(const struct aws_key *k, struct aws_signer *s);

/*
 * The region to call AWS in, for a profile: explicit (--region), else
 * AWS_REGION, AWS_DEFAULT_REGION, the key's region, the profile's region
 * in the AWS CLI's config file ($AWS_CONFIG_FILE, else ~/.aws/config),
 * else "us-east-1". Into out.
 */
void aws_keys_region(const char *explicit_region, const struct aws_key *k,
		     char *out, size_t len);

struct aws_keys_req {
	const char *profile;
	const char *const *roles; /* role ARNs, in order (a chain) */
	size_t n_roles;
	const char *role_session_name; /* NULL: mfa-<profile>-<unix time> */
	uint64_t duration;	       /* seconds, 0: AWS's defaults */
	bool no_cache;
};
struct aws_keys_res {
	struct aws_creds creds;
	bool cached;	  /* no code was used */
	bool mfa;	  /* the session is MFA-authenticated */
	uint64_t capped;  /* a chained role's duration was lowered to it */
	char serial[256]; /* the MFA device used, "" none */
	uint64_t step;	  /* the time step whose code was sent, or 0 */
};
/*
 * Session credentials made from the vault's key for r->profile: the base
 * session (GetSessionToken, with a fresh code of the linked MFA device when
 * it has one: never a step used before) from the session cache when valid,
 * then each role of r->roles assumed with the credentials before it. The
 * second and later roles are role chaining, which AWS caps at one hour: a
 * longer r->duration is lowered for them (res->capped, and said through
 * a->notice). The result is cached (encrypted, in the vault's kv store)
 * until AWS_CACHE_MARGIN seconds before it expires. a->region must be set.
 */
int aws_keys_creds(struct aws_ctx *a, struct vault *v,
		   const struct aws_keys_req *r, struct aws_keys_res *res);
/* The prefix of every cache key of a key record's sessions; malloc'd. */
char *aws_keys_cache_prefix(const uint8_t id[VAULT_ID_BYTES], const char *akid);
/* The vault entry whose serial is serial, or -1. */
long aws_keys_entry_by_serial(const struct vault_data *d, const char *serial);

/* rotate.c ---------------------------------------------------------------
 */

/* How far a rotation got: what exists in IAM and what the vault holds. */
enum aws_rotate_state {
	AWS_ROT_NOTHING,  /* nothing was created: the vault's key as was */
	AWS_ROT_UNDONE,	  /* a new key was made, then deleted again */
	AWS_ROT_ORPHAN,	  /* a new key exists in IAM, saved nowhere */
	AWS_ROT_PENDING,  /* the vault uses the old key and keeps the new
			     one as pending; both exist in IAM */
	AWS_ROT_OLD_LEFT, /* the vault uses the new key; the old one still
			     exists in IAM */
	AWS_ROT_DONE	  /* the vault uses the new key, the old is gone */
};
struct aws_rotate_res {
	enum aws_rotate_state state;
	char old_id[129], new_id[129];
	char user[128]; /* the IAM user */
	bool resumed;	/* an interrupted rotation was finished */
	unsigned tries; /* GetCallerIdentity calls until the new key worked */
	char step_err[AWS_ERR_MAX]; /* what failed, when something did */
};
/*
 * Rotate the key of profile: list the user's keys (refused when there are
 * two already), create a new key, keep it in the vault as pending, wait
 * until it works (GetCallerIdentity with it; $MFA_AWS_ROTATE_WAIT seconds
 * at most, default 60), make it the vault's key, delete the old key in IAM
 * and drop the old key's cached sessions. IAM is called with an MFA
 * session of the old key (aws_keys_creds), or with the key itself when no
 * MFA device is linked. A pending key left by an interrupted rotation is
 * taken up again. On failure res says how far it got; a key that works is
 * in the vault whatever happens.
 */
int aws_rotate(struct aws_ctx *a, struct vault *v, const char *profile,
	       struct aws_rotate_res *res);

/* login.c ----------------------------------------------------------------
 */

/*
 * A console sign-in URL for creds (a role session: session_duration is
 * passed on; or a federation token's: it must be 0), from the federation
 * endpoint ($MFA_AWS_FEDERATION_URL, else the partition's sign-in
 * endpoint for region) and for destination (NULL: the region's console).
 * malloc'd into *url (it holds a sign-in token: a credential for 15
 * minutes).
 */
int aws_login_url(struct aws_ctx *a, const struct aws_creds *c,
		  const char *region, uint64_t session_duration,
		  const char *destination, char **url);

#endif
