/*
 * Aegis vault JSON (docs/vault.md in the Aegis repository), plain or
 * encrypted, db versions 1 to 3, in and out.
 *
 * Encrypted vaults: every password slot (type 1) wraps the 32-byte master
 * key with AES-256-GCM under scrypt(password, salt, N, r, p); the master key
 * decrypts the base64 "db" with header.params. Biometric and raw slots need
 * a key we cannot have and are skipped.
 *
 * An entry of a type mfa cannot compute (mOTP, Yandex) fails the whole
 * import with a reason naming the entry, rather than leaving the user to
 * discover later that an account silently stayed behind; with the list's
 * skip_unsupported it is left out and named in the list's skipped reasons.
 * Groups, icons and favourites have no place in mfa and are dropped.
 *
 * Key derivation is bounded before it starts: each slot's scrypt cost
 * (N, r, p, memory) and the work of all slots tried in one import
 * (IOCRYPTO_SCRYPT_BUDGET), so a hostile file cannot stall mfa for hours.
 *
 * Export writes db version 3 (current Aegis), one password slot with
 * Aegis' own scrypt cost when a password is given. The AWS device serial,
 * which Aegis has no field for, goes into the entry member "mfa_serial"
 * (Aegis ignores members it does not know); the note into "note". The
 * output is assembled by hand in sodium_malloc'd memory so no copy of a
 * secret lingers in jansson's or libc's heap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lazy/jansson.h"
#include <sodium.h>

#include "io/formats.h"
#include "io/iocrypto.h"
#include "io/iojson.h"

#define AEGIS_SALT_MIN 16
#define AEGIS_SALT_MAX 1024
/* What Aegis itself uses; also what we write. */
#define AEGIS_SCRYPT_N 32768
#define AEGIS_SCRYPT_R 8
#define AEGIS_SCRYPT_P 1
#define AEGIS_DB_VERSION_MAX 3
#define AEGIS_MAX_SLOTS 64
/* mfa's own entry member: the AWS MFA device serial. */
#define AEGIS_SERIAL "mfa_serial"

struct aegis_slot {
	uint64_t n, r, p;
	uint8_t *salt; /* malloc'd, not secret */
	size_t saltlen;
	uint8_t key[IOCRYPTO_KEY_LEN]; /* wrapped master key */
	uint8_t nonce[IOCRYPTO_GCM_NONCE_LEN];
	uint8_t tag[IOCRYPTO_GCM_TAG_LEN];
};

static int
aegis_gcm_params(const json_t *o, uint8_t nonce[IOCRYPTO_GCM_NONCE_LEN],
		 uint8_t tag[IOCRYPTO_GCM_TAG_LEN])
{
	const char *n = NULL, *t = NULL;

	if (!json_is_object(o) || iocrypto_json_str(o, "nonce", &n) != 0 ||
	    iocrypto_json_str(o, "tag", &t) != 0)
		return MFA_EPARSE;
	if (iocrypto_hex_decode(n, nonce, IOCRYPTO_GCM_NONCE_LEN) != 0 ||
	    iocrypto_hex_decode(t, tag, IOCRYPTO_GCM_TAG_LEN) != 0)
		return MFA_EPARSE;
	return 0;
}

/* Read and check one password slot, before any password is asked for. */
static int
aegis_slot_parse(const json_t *o, size_t idx, struct aegis_slot *s,
		 struct mfa_err *err)
{
	const char *salt = NULL, *key = NULL;
	bool hn, hr, hp;
	int rc;

	if (iocrypto_json_uint(o, "n", UINT64_MAX >> 1, &s->n, &hn) != 0 || !hn)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: missing or bad scrypt N",
				   idx);
	if (s->n < 2 || (s->n & (s->n - 1)) != 0)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: scrypt N %llu is not a "
				   "power of two",
				   idx, (unsigned long long)s->n);
	if (iocrypto_json_uint(o, "p", UINT32_MAX, &s->p, &hp) != 0 || !hp ||
	    s->p < 1 || s->p > 16)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: missing or bad scrypt p "
				   "(1 to 16)",
				   idx);
	if (iocrypto_json_uint(o, "r", UINT32_MAX, &s->r, &hr) != 0 || !hr ||
	    s->r < 1)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: missing or bad scrypt r",
				   idx);
	/* Said first: OpenSSL would only answer "scrypt failed". */
	if (s->r < 4 && s->n >= 1ULL << (16 * s->r))
		return mfa_err_set(err, MFA_EUNSUPPORTED,
				   "key slot %zu: scrypt N=%llu is not below "
				   "2^(16 r) = %llu, as RFC 7914 requires",
				   idx, (unsigned long long)s->n,
				   1ULL << (16 * s->r));
	if (iocrypto_scrypt_check(s->n, s->r, s->p) != 0)
		return mfa_err_set(err, MFA_EUNSUPPORTED,
				   "key slot %zu: scrypt parameters N=%llu "
				   "r=%llu p=%llu are not accepted (at most "
				   "r=32, p=16 and 1 GiB of memory)",
				   idx, (unsigned long long)s->n,
				   (unsigned long long)s->r,
				   (unsigned long long)s->p);
	if (iocrypto_json_str(o, "salt", &salt) != 0 || salt == NULL ||
	    iocrypto_hex_decode_alloc(salt, AEGIS_SALT_MAX, &s->salt,
				      &s->saltlen) != 0)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: missing or bad salt", idx);
	if (s->saltlen < AEGIS_SALT_MIN)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: salt too short (%zu bytes)",
				   idx, s->saltlen);
	if (iocrypto_json_str(o, "key", &key) != 0 ||
	    iocrypto_hex_decode(key, s->key, sizeof(s->key)) != 0)
		return mfa_err_set(err, MFA_EPARSE,
				   "key slot %zu: the wrapped key is not 32 "
				   "bytes of hex",
				   idx);
	rc = aegis_gcm_params(json_object_get(o, "key_params"), s->nonce,
			      s->tag);
	if (rc != 0)
		return mfa_err_set(err, rc,
				   "key slot %zu: missing or bad key_params "
				   "nonce/tag",
				   idx);
	return 0;
}

/* True when trying slot s keeps the import within its scrypt budget. */
static bool
aegis_affordable(const struct aegis_slot *s, uint64_t work)
{
	/* n * r * p cannot overflow: aegis_slot_parse bounded each. */
	uint64_t cost = s->n * s->r * s->p;

	return cost <= IOCRYPTO_SCRYPT_BUDGET &&
	       work <= IOCRYPTO_SCRYPT_BUDGET - cost;
}

/*
 * Unlock an encrypted vault: find the master key through a password slot,
 * then decrypt and parse db. *db is a new reference.
 */
static int
aegis_decrypt(const json_t *header, const char *b64, io_pass_fn passfn,
	      void *pass_arg, uint64_t *work, json_t **db, struct mfa_err *err)
{
	struct aegis_slot slots[AEGIS_MAX_SLOTS];
	const json_t *jslots, *js;
	uint8_t nonce[IOCRYPTO_GCM_NONCE_LEN], tag[IOCRYPTO_GCM_TAG_LEN];
	uint8_t *ct = NULL, *pt = NULL, *master = NULL, *dk = NULL;
	size_t nslots = 0, ctlen = 0, i, passlen = 0;
	char *pass = NULL;
	bool found = false;
	json_int_t type;
	int rc;

	*db = NULL;
	memset(slots, 0, sizeof(slots));
	jslots = json_object_get(header, "slots");
	if (!json_is_array(jslots))
		return mfa_err_set(err, MFA_EPARSE,
				   "encrypted vault without key slots");
	json_array_foreach(jslots, i, js)
	{
		if (!json_is_object(js) ||
		    !json_is_integer(json_object_get(js, "type"))) {
			rc = mfa_err_set(err, MFA_EPARSE,
					 "key slot %zu: not a slot", i + 1);
			goto out;
		}
		type = json_integer_value(json_object_get(js, "type"));
		/* Raw (0) and biometric (2) slots need a key from elsewhere. */
		if (type != 1)
			continue;
		if (nslots == AEGIS_MAX_SLOTS) {
			rc =
			    mfa_err_set(err, MFA_ETOOBIG, "too many key slots");
			goto out;
		}
		if ((rc = aegis_slot_parse(js, i + 1, &slots[nslots++], err)) !=
		    0)
			goto out;
	}
	if (nslots == 0) {
		rc = mfa_err_set(err, MFA_EUNSUPPORTED,
				 "the vault has no password slot (only "
				 "biometric or raw keys)");
		goto out;
	}
	if (aegis_gcm_params(json_object_get(header, "params"), nonce, tag) !=
	    0) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "header.params: missing or bad nonce/tag");
		goto out;
	}
	if (io_base64_decode(b64, strlen(b64), &ct, &ctlen) != 0) {
		rc = mfa_err_set(err, MFA_EPARSE, "db is not valid base64");
		goto out;
	}
	if ((master = sodium_malloc(IOCRYPTO_KEY_LEN)) == NULL ||
	    (dk = sodium_malloc(IOCRYPTO_KEY_LEN)) == NULL ||
	    (pt = sodium_malloc(ctlen + 1)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	/* No password is asked for a file we would not even try. */
	if (aegis_affordable(&slots[0], *work) &&
	    (rc = iocrypto_pass_get(passfn, pass_arg, &pass, &passlen, err)) !=
		0)
		goto out;
	for (i = 0; i < nslots && !found; i++) {
		if (!aegis_affordable(&slots[i], *work)) {
			rc = mfa_err_set(
			    err, MFA_ETOOBIG,
			    "stopped before password slot %zu of %zu (scrypt "
			    "N=%llu r=%llu p=%llu): one import spends at most "
			    "64 times Aegis' own key derivation work",
			    i + 1, nslots, (unsigned long long)slots[i].n,
			    (unsigned long long)slots[i].r,
			    (unsigned long long)slots[i].p);
			goto out;
		}
		*work += slots[i].n * slots[i].r * slots[i].p;
		rc = iocrypto_scrypt(pass, passlen, slots[i].salt,
				     slots[i].saltlen, slots[i].n, slots[i].r,
				     slots[i].p, dk, IOCRYPTO_KEY_LEN);
		if (rc != 0) {
			mfa_err_set(err, rc, "scrypt failed: %s",
				    mfa_strerror(rc));
			goto out;
		}
		rc = iocrypto_gcm_decrypt(
		    dk, slots[i].nonce, sizeof(slots[i].nonce), slots[i].key,
		    IOCRYPTO_KEY_LEN, slots[i].tag, master);
		if (rc == 0)
			found = true;
		else if (rc != MFA_EDECRYPT)
			goto out;
	}
	if (!found) {
		rc = mfa_err_set(err, MFA_EDECRYPT,
				 "wrong password or damaged file");
		goto out;
	}
	rc = iocrypto_gcm_decrypt(master, nonce, sizeof(nonce), ct, ctlen, tag,
				  pt);
	if (rc == MFA_EDECRYPT) {
		mfa_err_set(err, rc,
			    "wrong password or damaged file (the vault "
			    "contents do not authenticate)");
		goto out;
	}
	if (rc != 0)
		goto out;
	pt[ctlen] = '\0';
	if ((*db = io_json_load(pt, ctlen, JSON_ALLOW_NUL, err)) == NULL) {
		rc = MFA_EPARSE;
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nslots; i++)
		free(slots[i].salt);
	sodium_memzero(slots, sizeof(slots));
	if (pass != NULL)
		sodium_free(pass);
	sodium_free(master);
	sodium_free(dk);
	sodium_free(pt);
	sodium_free(ct);
	return rc;
}

static int
aegis_entry(const json_t *o, size_t idx, struct io_list *out,
	    struct mfa_err *err)
{
	const char *type = NULL, *name = NULL, *issuer = NULL, *note = NULL;
	const char *secret = NULL, *algo = NULL, *serial = NULL;
	const json_t *info;
	struct otp_params p;
	enum otp_type t;
	char label[96];
	int rc;

	if (!json_is_object(o))
		return mfa_err_set(err, MFA_EPARSE,
				   "entry %zu: not a JSON object", idx);
	if ((rc = iocrypto_json_field(o, "name", &name, idx, err)) != 0 ||
	    (rc = iocrypto_json_field(o, "issuer", &issuer, idx, err)) != 0 ||
	    (rc = iocrypto_json_field(o, "note", &note, idx, err)) != 0 ||
	    (rc = iocrypto_json_field(o, AEGIS_SERIAL, &serial, idx, err)) != 0)
		return rc;
	iocrypto_label(issuer, name, label, sizeof(label));
	if (iocrypto_json_str(o, "type", &type) != 0 || type == NULL)
		return mfa_err_set(err, MFA_EPARSE, "entry %zu (%s): no type",
				   idx, label);
	if (strcasecmp(type, "totp") == 0)
		t = OTP_TOTP;
	else if (strcasecmp(type, "hotp") == 0)
		t = OTP_HOTP;
	else if (strcasecmp(type, "steam") == 0)
		t = OTP_STEAM;
	else
		return mfa_err_set(err, MFA_EUNSUPPORTED,
				   "entry %zu (%s): type %.20s is not "
				   "supported",
				   idx, label, type);
	info = json_object_get(o, "info");
	if (!json_is_object(info))
		return mfa_err_set(err, MFA_EPARSE, "entry %zu (%s): no info",
				   idx, label);
	if (iocrypto_json_str(info, "secret", &secret) != 0 || secret == NULL)
		return mfa_err_set(err, MFA_EPARSE, "entry %zu (%s): no secret",
				   idx, label);
	otp_params_default(&p, t);
	if (iocrypto_json_str(info, "algo", &algo) != 0)
		return mfa_err_set(err, MFA_EPARSE,
				   "entry %zu (%s): algo is not a string", idx,
				   label);
	if (algo != NULL && otp_hash_parse(algo, &p.hash) != 0)
		return mfa_err_set(err, MFA_EHASH,
				   "entry %zu (%s): unknown algorithm %.20s",
				   idx, label, algo);
	if ((rc = iocrypto_json_params(info, t, idx, label, &p, err)) != 0)
		return rc;
	return iocrypto_entry_push(out, idx, name, issuer, note, serial, &p,
				   secret, strlen(secret), err);
}

static int
aegis_db(const json_t *db, struct io_list *out, struct mfa_err *err)
{
	const json_t *entries, *e;
	uint64_t version;
	bool has;
	size_t i;
	int rc;

	if (!json_is_object(db))
		return mfa_err_set(err, MFA_EPARSE, "db is not a JSON object");
	if (iocrypto_json_uint(db, "version", UINT32_MAX, &version, &has) != 0)
		return mfa_err_set(err, MFA_EPARSE,
				   "db.version is not a number");
	if (has && (version < 1 || version > AEGIS_DB_VERSION_MAX))
		return mfa_err_set(err, MFA_EUNSUPPORTED,
				   "Aegis db version %llu is not supported "
				   "(1 to %d are)",
				   (unsigned long long)version,
				   AEGIS_DB_VERSION_MAX);
	entries = json_object_get(db, "entries");
	if (!json_is_array(entries))
		return mfa_err_set(err, MFA_EPARSE, "db has no entries list");
	json_array_foreach(entries, i, e)
	{
		rc = aegis_entry(e, i + 1, out, err);
		if (rc != 0 && (rc = io_skip(out, rc, err)) != 0)
			return rc;
	}
	return 0;
}

int
aegis_import(const uint8_t *buf, size_t len, io_pass_fn pass, void *pass_arg,
	     struct io_list *out, struct mfa_err *err)
{
	struct io_list tmp;
	json_t *root, *dbdec = NULL;
	const json_t *header, *db;
	uint64_t version;
	bool has;
	int rc;

	io_list_begin(&tmp, out);
	iocrypto_trim(&buf, &len);
	if ((root = io_json_load(buf, len, JSON_ALLOW_NUL, err)) == NULL)
		return MFA_EPARSE;
	if (!json_is_object(root)) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "not an Aegis vault (want a JSON object)");
		goto out;
	}
	if (iocrypto_json_uint(root, "version", UINT32_MAX, &version, &has) !=
		0 ||
	    (has && version != 1)) {
		rc = mfa_err_set(err, MFA_EUNSUPPORTED,
				 "Aegis vault version is not 1");
		goto out;
	}
	header = json_object_get(root, "header");
	db = json_object_get(root, "db");
	if (json_is_string(db)) {
		if (!json_is_object(header)) {
			rc = mfa_err_set(err, MFA_EPARSE,
					 "encrypted vault without a header");
			goto out;
		}
		rc = aegis_decrypt(header, json_string_value(db), pass,
				   pass_arg, &tmp.kdf_work, &dbdec, err);
		if (rc != 0)
			goto out;
		db = dbdec;
	} else if (!json_is_object(db)) {
		rc = mfa_err_set(err, MFA_EPARSE,
				 "not an Aegis vault (no db object)");
		goto out;
	}
	rc = aegis_db(db, &tmp, err);
out:
	rc = io_list_end(out, &tmp, rc, err);
	json_decref(dbdec);
	json_decref(root);
	return rc;
}

bool
aegis_sniff_json(const json_t *root)
{
	return json_is_object(root) &&
	       json_object_get(root, "header") != NULL &&
	       (json_is_object(json_object_get(root, "db")) ||
		json_is_string(json_object_get(root, "db")));
}

bool
aegis_sniff(const uint8_t *buf, size_t len)
{
	return io_json_sniff(buf, len, aegis_sniff_json);
}

/*
 * Export: a growable buffer in secret memory.
 */
struct aegis_buf {
	char *p;
	size_t len, cap;
	int rc;
};

static void
aegis_put(struct aegis_buf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->rc != 0)
		return;
	if (n >= b->cap - b->len) {
		ncap = b->cap;
		while (n >= ncap - b->len) {
			if (ncap > SIZE_MAX / 2) {
				b->rc = MFA_ETOOBIG;
				return;
			}
			ncap *= 2;
		}
		if ((np = sodium_malloc(ncap)) == NULL) {
			b->rc = MFA_ENOMEM;
			return;
		}
		memcpy(np, b->p, b->len);
		sodium_free(b->p);
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
aegis_puts(struct aegis_buf *b, const char *s)
{
	aegis_put(b, s, strlen(s));
}

static void aegis_printf(struct aegis_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
aegis_printf(struct aegis_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->rc = MFA_EINVAL;
		return;
	}
	aegis_put(b, tmp, (size_t)n);
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void
aegis_put_str(struct aegis_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	aegis_put(b, "\"", 1);
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			aegis_put(b, "\\", 1);
			aegis_put(b, (const char *)s, 1);
			s++;
		} else if (*s < 0x20) {
			aegis_printf(b, "\\u%04x", *s);
			s++;
		} else if ((n = otp_utf8_len(s)) == 0) {
			aegis_puts(b, "\\ufffd");
			s++;
		} else {
			aegis_put(b, (const char *)s, n);
			s += n;
		}
	}
	aegis_put(b, "\"", 1);
}

/* Newline and indentation when pretty, nothing otherwise. */
static void
aegis_nl(struct aegis_buf *b, int level)
{
	static const char sp[] = "                                ";

	if (level < 0)
		return;
	aegis_put(b, "\n", 1);
	aegis_put(b, sp,
		  (size_t)(level * 4) < sizeof(sp) - 1 ? (size_t)(level * 4)
						       : sizeof(sp) - 1);
}

/* Next indentation level; stays "compact" (-1) when compact. */
#define AEGIS_IN(l) ((l) < 0 ? -1 : (l) + 1)

static int
aegis_check_entry(const struct io_entry *e)
{
	int rc;

	if ((rc = otp_params_check(&e->p)) != 0)
		return rc;
	/* Aegis has no T0: codes would silently differ. */
	if (e->p.type != OTP_HOTP && e->p.t0 != 0)
		return MFA_EUNSUPPORTED;
	if (e->secret == NULL || e->secret_len == 0)
		return MFA_ESECRET_EMPTY;
	if (e->secret_len > OTP_SECRET_MAX)
		return MFA_ETOOLONG;
	return 0;
}

static void
aegis_put_entry(struct aegis_buf *b, const struct io_entry *e, char *b32,
		size_t b32cap, int l)
{
	int l1 = AEGIS_IN(l), l2 = AEGIS_IN(l1);
	char uuid[37];

	if (base32_encode(e->secret, e->secret_len, b32, b32cap) != 0) {
		b->rc = MFA_EINVAL;
		return;
	}
	iocrypto_uuid4(uuid);
	aegis_puts(b, "{");
	aegis_nl(b, l1);
	aegis_printf(b, "\"type\": \"%s\",", otp_type_name(e->p.type));
	aegis_nl(b, l1);
	aegis_printf(b, "\"uuid\": \"%s\",", uuid);
	aegis_nl(b, l1);
	aegis_puts(b, "\"name\": ");
	aegis_put_str(b, e->name != NULL ? e->name : "");
	aegis_puts(b, ",");
	aegis_nl(b, l1);
	aegis_puts(b, "\"issuer\": ");
	aegis_put_str(b, e->issuer != NULL ? e->issuer : "");
	aegis_puts(b, ",");
	aegis_nl(b, l1);
	aegis_puts(b, "\"note\": ");
	aegis_put_str(b, e->note != NULL ? e->note : "");
	aegis_puts(b, ",");
	aegis_nl(b, l1);
	if (e->serial != NULL && e->serial[0] != '\0') {
		aegis_puts(b, "\"" AEGIS_SERIAL "\": ");
		aegis_put_str(b, e->serial);
		aegis_puts(b, ",");
		aegis_nl(b, l1);
	}
	aegis_puts(b, "\"favorite\": false,");
	aegis_nl(b, l1);
	aegis_puts(b, "\"icon\": null,");
	aegis_nl(b, l1);
	aegis_puts(b, "\"icon_mime\": null,");
	aegis_nl(b, l1);
	aegis_puts(b, "\"icon_hash\": null,");
	aegis_nl(b, l1);
	aegis_puts(b, "\"info\": {");
	aegis_nl(b, l2);
	aegis_puts(b, "\"secret\": \"");
	aegis_puts(b, b32);
	aegis_puts(b, "\",");
	aegis_nl(b, l2);
	aegis_printf(b, "\"algo\": \"%s\",", otp_hash_name(e->p.hash));
	aegis_nl(b, l2);
	aegis_printf(b, "\"digits\": %u,", e->p.digits);
	aegis_nl(b, l2);
	if (e->p.type == OTP_HOTP)
		aegis_printf(b, "\"counter\": %llu",
			     (unsigned long long)e->p.counter);
	else
		aegis_printf(b, "\"period\": %llu",
			     (unsigned long long)e->p.period);
	aegis_nl(b, l1);
	aegis_puts(b, "},");
	aegis_nl(b, l1);
	aegis_puts(b, "\"groups\": []");
	aegis_nl(b, l);
	aegis_puts(b, "}");
	sodium_memzero(b32, b32cap);
}

/* The db object (version 3) at indentation level l (-1: compact). */
static void
aegis_put_db(struct aegis_buf *b, const struct io_entry *e, size_t n, char *b32,
	     size_t b32cap, int l)
{
	int l1 = AEGIS_IN(l), l2 = AEGIS_IN(l1);
	size_t i;

	aegis_puts(b, "{");
	aegis_nl(b, l1);
	aegis_printf(b, "\"version\": %d,", AEGIS_DB_VERSION_MAX);
	aegis_nl(b, l1);
	aegis_puts(b, "\"entries\": [");
	for (i = 0; i < n; i++) {
		aegis_nl(b, l2);
		aegis_put_entry(b, &e[i], b32, b32cap, l2);
		if (i + 1 < n)
			aegis_puts(b, ",");
	}
	if (n > 0)
		aegis_nl(b, l1);
	aegis_puts(b, "],");
	aegis_nl(b, l1);
	aegis_puts(b, "\"groups\": []");
	aegis_nl(b, l);
	aegis_puts(b, "}");
}

static int
aegis_buf_init(struct aegis_buf *b, size_t cap)
{
	b->len = 0;
	b->cap = cap;
	b->rc = 0;
	if ((b->p = sodium_malloc(cap)) == NULL)
		return MFA_ENOMEM;
	b->p[0] = '\0';
	return 0;
}

/* The encrypted header and db string, around an already serialised db. */
static int
aegis_seal(struct aegis_buf *v, const struct aegis_buf *db, const char *pass,
	   size_t passlen)
{
	uint8_t salt[32], n1[IOCRYPTO_GCM_NONCE_LEN],
	    n2[IOCRYPTO_GCM_NONCE_LEN];
	uint8_t wrapped[IOCRYPTO_KEY_LEN], t1[IOCRYPTO_GCM_TAG_LEN];
	uint8_t t2[IOCRYPTO_GCM_TAG_LEN];
	uint8_t *master = NULL, *dk = NULL, *ct = NULL;
	char hex[2 * sizeof(salt) + 1], uuid[37], *b64 = NULL;
	size_t b64len;
	int rc;

	if ((master = sodium_malloc(IOCRYPTO_KEY_LEN)) == NULL ||
	    (dk = sodium_malloc(IOCRYPTO_KEY_LEN)) == NULL ||
	    (ct = malloc(db->len > 0 ? db->len : 1)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	iocrypto_random(master, IOCRYPTO_KEY_LEN);
	iocrypto_random(salt, sizeof(salt));
	iocrypto_random(n1, sizeof(n1));
	iocrypto_random(n2, sizeof(n2));
	if ((rc = iocrypto_scrypt(pass, passlen, salt, sizeof(salt),
				  AEGIS_SCRYPT_N, AEGIS_SCRYPT_R,
				  AEGIS_SCRYPT_P, dk, IOCRYPTO_KEY_LEN)) != 0 ||
	    (rc = iocrypto_gcm_encrypt(dk, n1, sizeof(n1), master,
				       IOCRYPTO_KEY_LEN, wrapped, t1)) != 0 ||
	    (rc = iocrypto_gcm_encrypt(master, n2, sizeof(n2),
				       (const uint8_t *)db->p, db->len, ct,
				       t2)) != 0)
		goto out;
	if ((rc = io_base64_encode(ct, db->len, &b64, &b64len)) != 0)
		goto out;

	iocrypto_uuid4(uuid);
	aegis_puts(v, "{\n    \"version\": 1,\n    \"header\": {\n"
		      "        \"slots\": [\n            {\n"
		      "                \"type\": 1,\n");
	aegis_printf(v, "                \"uuid\": \"%s\",\n", uuid);
	iocrypto_hex_encode(wrapped, sizeof(wrapped), hex);
	aegis_printf(v, "                \"key\": \"%s\",\n", hex);
	aegis_puts(v, "                \"key_params\": {\n");
	iocrypto_hex_encode(n1, sizeof(n1), hex);
	aegis_printf(v, "                    \"nonce\": \"%s\",\n", hex);
	iocrypto_hex_encode(t1, sizeof(t1), hex);
	aegis_printf(v, "                    \"tag\": \"%s\"\n", hex);
	aegis_puts(v, "                },\n");
	aegis_printf(v,
		     "                \"n\": %d,\n                \"r\": %d,\n"
		     "                \"p\": %d,\n",
		     AEGIS_SCRYPT_N, AEGIS_SCRYPT_R, AEGIS_SCRYPT_P);
	iocrypto_hex_encode(salt, sizeof(salt), hex);
	aegis_printf(v, "                \"salt\": \"%s\",\n", hex);
	aegis_puts(v, "                \"repaired\": true,\n"
		      "                \"is_backup\": false\n"
		      "            }\n        ],\n        \"params\": {\n");
	iocrypto_hex_encode(n2, sizeof(n2), hex);
	aegis_printf(v, "            \"nonce\": \"%s\",\n", hex);
	iocrypto_hex_encode(t2, sizeof(t2), hex);
	aegis_printf(v, "            \"tag\": \"%s\"\n", hex);
	aegis_puts(v, "        }\n    },\n    \"db\": \"");
	aegis_put(v, b64, b64len);
	aegis_puts(v, "\"\n}\n");
	rc = v->rc;
out:
	sodium_free(master);
	sodium_free(dk);
	if (b64 != NULL)
		sodium_free(b64);
	free(ct);
	return rc;
}

int
io_export_aegis(const struct io_entry *e, size_t n, const char *pass,
		size_t passlen, char **out, size_t *outlen)
{
	struct aegis_buf db = {0}, v = {0};
	char *b32 = NULL;
	size_t i, maxsec = 1, b32cap;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (sodium_init() < 0)
		return MFA_ECRYPTO;
	if (pass != NULL && passlen == 0)
		return MFA_ENOPASS;
	if (n > 0 && e == NULL)
		return MFA_EINVAL;
	for (i = 0; i < n; i++) {
		if ((rc = aegis_check_entry(&e[i])) != 0)
			return rc;
		if (e[i].secret_len > maxsec)
			maxsec = e[i].secret_len;
	}
	b32cap = base32_encoded_len(maxsec) + 1;
	if ((b32 = sodium_malloc(b32cap)) == NULL)
		return MFA_ENOMEM;
	if ((rc = aegis_buf_init(&db, 4096)) != 0)
		goto out;
	if (pass == NULL) {
		aegis_puts(&db, "{\n    \"version\": 1,\n    \"header\": {\n"
				"        \"slots\": null,\n"
				"        \"params\": null\n    },\n"
				"    \"db\": ");
		aegis_put_db(&db, e, n, b32, b32cap, 1);
		aegis_puts(&db, "\n}\n");
		if ((rc = db.rc) != 0)
			goto out;
		*out = db.p;
		*outlen = db.len;
		db.p = NULL;
		goto out;
	}
	aegis_put_db(&db, e, n, b32, b32cap, -1);
	if ((rc = db.rc) != 0)
		goto out;
	if ((rc = aegis_buf_init(&v, 4096)) != 0 ||
	    (rc = aegis_seal(&v, &db, pass, passlen)) != 0)
		goto out;
	*out = v.p;
	*outlen = v.len;
	v.p = NULL;
out:
	sodium_free(b32);
	sodium_free(db.p);
	sodium_free(v.p);
	return rc;
}
