/*
 * The vault file: header and key slots, payload encryption, unlocking and the
 * locked read-modify-write cycle behind vault_update() and vault_passwd().
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/stat.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define VAULT_SLOT_BYTES (VAULT_SLOT_HEAD + VAULT_PASS_BODY)
/* Slot AD: the uuid, then the slot up to its wrapped key. */
#define VAULT_SLOT_AD (VAULT_ID_BYTES + VAULT_SLOT_HEAD + VAULT_PASS_OFF_WRAP)

int
vault_sodium(void)
{
	return sodium_init() < 0 ? MFA_ECRYPTO : 0;
}

char *
vault_default_path(void)
{
	const char *env, *home;
	struct passwd *pw;
	char *s;

	if ((env = getenv("MFA_VAULT")) != NULL && *env != '\0')
		return strdup(env);
	/* XDG: a relative XDG_DATA_HOME is invalid and ignored. */
	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env == '/') {
		if (asprintf(&s, "%s/mfa/vault", env) < 0)
			return NULL;
		return s;
	}
	home = getenv("HOME");
	if (home == NULL || *home == '\0') {
		if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL)
			return NULL;
		home = pw->pw_dir;
	}
	if (asprintf(&s, "%s/.local/share/mfa/vault", home) < 0)
		return NULL;
	return s;
}

void
vault_kdf_default(struct vault_kdf *k)
{
	k->ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
	k->mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
}

bool
vault_kdf_weak(const struct vault_kdf *k)
{
	return k->ops < crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE ||
	       k->mem < crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
}

bool
vault_kdf_ok(uint64_t ops, uint64_t mem)
{
	return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
	       ops <= VAULT_KDF_OPS_MAX &&
	       mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
	       mem <= VAULT_KDF_MEM_MAX && ops * mem <= VAULT_KDF_WORK_MAX;
}

static int
vault_slot_check(uint8_t type, const uint8_t *body, size_t len)
{
	if (type == VAULT_SLOT_FIDO2)
		return vault_slot_fido2_check(body, len);
	if (type != VAULT_SLOT_PASS)
		return 0; /* not ours to judge: skipped when unlocking */
	if (len != VAULT_PASS_BODY ||
	    body[VAULT_PASS_OFF_ALG] != VAULT_KDF_ARGON2ID13 ||
	    !vault_kdf_ok(vault_get64(body + VAULT_PASS_OFF_OPS),
			  vault_get64(body + VAULT_PASS_OFF_MEM)))
		return MFA_EVAULT_CORRUPT;
	return 0;
}

int
vault_hdr_parse(const uint8_t *buf, size_t len, struct vault_hdr *h)
{
	size_t pos, i, n;

	memset(h, 0, sizeof(*h));
	if (len < VAULT_MAGIC_LEN)
		return memcmp(buf, VAULT_MAGIC, len) == 0 ? MFA_EVAULT_CORRUPT
							  : MFA_EVAULT_MAGIC;
	if (memcmp(buf, VAULT_MAGIC, VAULT_MAGIC_LEN) != 0)
		return MFA_EVAULT_MAGIC;
	if (len < VAULT_OFF_VERSION + 2)
		return MFA_EVAULT_CORRUPT;
	h->version = vault_get16(buf + VAULT_OFF_VERSION);
	if (h->version > VAULT_VERSION)
		return MFA_EVAULT_VERSION;
	if (h->version == 0)
		return MFA_EVAULT_CORRUPT;
	if (len > VAULT_FILE_MAX)
		return MFA_ETOOBIG;
	if (len < VAULT_HDR_FIXED)
		return MFA_EVAULT_CORRUPT;
	h->nslots = vault_get16(buf + VAULT_OFF_NSLOTS);
	h->hlen = vault_get32(buf + VAULT_OFF_HLEN);
	h->clen = vault_get32(buf + VAULT_OFF_CLEN);
	if (h->nslots == 0 || h->nslots > VAULT_SLOTS_MAX ||
	    h->hlen < VAULT_HDR_FIXED || h->hlen > len ||
	    h->clen != len - h->hlen || h->clen < VAULT_TAG_BYTES + VAULT_PAD ||
	    (h->clen - VAULT_TAG_BYTES) % VAULT_PAD != 0)
		return MFA_EVAULT_CORRUPT;
	pos = VAULT_HDR_FIXED;
	for (i = 0; i < h->nslots; i++) {
		if (h->hlen - pos < VAULT_SLOT_HEAD)
			return MFA_EVAULT_CORRUPT;
		n = vault_get32(buf + pos + 1);
		if (n > h->hlen - pos - VAULT_SLOT_HEAD)
			return MFA_EVAULT_CORRUPT;
		h->slots[i].type = buf[pos];
		h->slots[i].off = pos;
		h->slots[i].len = n;
		if (vault_slot_check(buf[pos], buf + pos + VAULT_SLOT_HEAD, n))
			return MFA_EVAULT_CORRUPT;
		pos += VAULT_SLOT_HEAD + n;
	}
	if (pos != h->hlen)
		return MFA_EVAULT_CORRUPT;
	return 0;
}

int
vault_open(const char *path, struct vault **out)
{
	struct vault *v;
	int rc;

	if (out == NULL)
		return MFA_EINVAL;
	*out = NULL;
	if (path == NULL || *path == '\0')
		return MFA_EINVAL;
	if (vault_sodium() != 0)
		return MFA_ECRYPTO;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return MFA_ENOMEM;
	if ((v->path = strdup(path)) == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	if ((rc = vault_file_resolve(path, false, &v->real)) != 0 ||
	    (rc = vault_file_load(v->real, &v->file, &v->flen,
				  &v->file_mapped)) != 0 ||
	    (rc = vault_hdr_parse(v->file, v->flen, &v->hdr)) != 0)
		goto fail;
	memcpy(v->uuid, v->file + VAULT_OFF_UUID, VAULT_ID_BYTES);
	*out = v;
	return 0;
fail:
	vault_close(v);
	return rc;
}

void
vault_close(struct vault *v)
{
	if (v == NULL)
		return;
	sodium_free(v->key);
	vault_data_free(&v->data);
	vault_blobs_free(&v->blobs);
	vault_file_release(v->file, v->flen, v->file_mapped);
	free(v->query);
	free(v->real);
	free(v->path);
	free(v);
}

const char *
vault_path(const struct vault *v)
{
	return v != NULL ? v->path : NULL;
}

const uint8_t *
vault_uuid(const struct vault *v)
{
	return v != NULL ? v->uuid : NULL;
}

const uint8_t *
vault_key(const struct vault *v)
{
	return v != NULL ? v->key : NULL;
}

const struct vault_data *
vault_data(const struct vault *v)
{
	return v != NULL && v->key != NULL ? &v->data : NULL;
}

/* Argon2id of the passphrase, with the parameters stored in the slot body. */
static int
vault_slot_kdf(const uint8_t *body, const char *pass, size_t passlen,
	       uint8_t *kk)
{
	if (crypto_pwhash(kk, VAULT_KEY_BYTES, pass != NULL ? pass : "",
			  passlen, body + VAULT_PASS_OFF_SALT,
			  vault_get64(body + VAULT_PASS_OFF_OPS),
			  (size_t)vault_get64(body + VAULT_PASS_OFF_MEM),
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return MFA_ENOMEM; /* Argon2 fails only for lack of memory */
	return 0;
}

static void
vault_slot_ad(const uint8_t *uuid, const uint8_t *slot, uint8_t *ad)
{
	memcpy(ad, uuid, VAULT_ID_BYTES);
	memcpy(ad + VAULT_ID_BYTES, slot,
	       VAULT_SLOT_HEAD + VAULT_PASS_OFF_WRAP);
}

/* Unwrap the vault key from a passphrase slot (head included) into key. */
static int
vault_slot_open(const uint8_t *uuid, const uint8_t *slot, const char *pass,
		size_t passlen, uint8_t *key)
{
	const uint8_t *body = slot + VAULT_SLOT_HEAD;
	uint8_t ad[VAULT_SLOT_AD];
	uint8_t *kk;
	int rc;

	if ((kk = sodium_malloc(VAULT_KEY_BYTES)) == NULL)
		return MFA_ENOMEM;
	if ((rc = vault_slot_kdf(body, pass, passlen, kk)) == 0) {
		vault_slot_ad(uuid, slot, ad);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(
			key, NULL, NULL, body + VAULT_PASS_OFF_WRAP,
			VAULT_KEY_BYTES + VAULT_TAG_BYTES, ad, sizeof(ad),
			body + VAULT_PASS_OFF_NONCE, kk) != 0)
			rc = MFA_EVAULT_AUTH;
	}
	sodium_free(kk);
	return rc;
}

/* A new passphrase slot (head included) wrapping key. */
static int
vault_slot_make(const uint8_t *uuid, const uint8_t *key, const char *pass,
		size_t passlen, const struct vault_kdf *kdf,
		uint8_t out[VAULT_SLOT_BYTES])
{
	uint8_t *body = out + VAULT_SLOT_HEAD;
	uint8_t ad[VAULT_SLOT_AD];
	uint8_t *kk;
	int rc;

	out[0] = VAULT_SLOT_PASS;
	vault_put32(out + 1, VAULT_PASS_BODY);
	body[VAULT_PASS_OFF_ALG] = VAULT_KDF_ARGON2ID13;
	vault_put64(body + VAULT_PASS_OFF_OPS, kdf->ops);
	vault_put64(body + VAULT_PASS_OFF_MEM, kdf->mem);
	randombytes_buf(body + VAULT_PASS_OFF_SALT, VAULT_SALT_BYTES);
	randombytes_buf(body + VAULT_PASS_OFF_NONCE, VAULT_NONCE_BYTES);
	if ((kk = sodium_malloc(VAULT_KEY_BYTES)) == NULL)
		return MFA_ENOMEM;
	if ((rc = vault_slot_kdf(body, pass, passlen, kk)) == 0) {
		vault_slot_ad(uuid, out, ad);
		crypto_aead_xchacha20poly1305_ietf_encrypt(
		    body + VAULT_PASS_OFF_WRAP, NULL, key, VAULT_KEY_BYTES, ad,
		    sizeof(ad), NULL, body + VAULT_PASS_OFF_NONCE, kk);
	}
	sodium_free(kk);
	return rc;
}

/* Takes key (sodium_malloc'd) in every case. */
int
vault_unlock_with(struct vault *v, uint8_t *key)
{
	struct vault_data d;
	struct vault_blobs b;
	int rc;

	/* Relocking first: never two decoded copies at once. */
	vault_data_free(&v->data);
	vault_blobs_free(&v->blobs);
	sodium_free(v->key);
	v->key = NULL;
	v->partial = false;
	if ((rc = vault_payload_decode_query(v->file, &v->hdr, key, v->query,
					     &d, &b)) != 0) {
		sodium_free(key);
		return rc;
	}
	v->key = key;
	v->data = d;
	v->blobs = b;
	v->partial = v->query != NULL;
	return 0;
}

int
vault_only_matching(struct vault *v, const char *query)
{
	char *q = NULL;

	if (v == NULL)
		return MFA_EINVAL;
	if (query != NULL && (q = strdup(query)) == NULL)
		return MFA_ENOMEM;
	free(v->query);
	v->query = q;
	return 0;
}

int
vault_unlock_pass(struct vault *v, const char *pass, size_t passlen)
{
	uint8_t *key;
	size_t i;
	int rc = MFA_EVAULT_AUTH;

	if (v == NULL || (pass == NULL && passlen > 0))
		return MFA_EINVAL;
	if ((key = sodium_malloc(VAULT_KEY_BYTES)) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < v->hdr.nslots; i++) {
		if (v->hdr.slots[i].type != VAULT_SLOT_PASS)
			continue;
		rc = vault_slot_open(v->uuid, v->file + v->hdr.slots[i].off,
				     pass, passlen, key);
		if (rc != MFA_EVAULT_AUTH)
			break;
	}
	if (rc != 0) {
		sodium_free(key);
		return rc;
	}
	return vault_unlock_with(v, key);
}

int
vault_unlock_key(struct vault *v, const uint8_t key[VAULT_KEY_BYTES])
{
	uint8_t *k;

	if (v == NULL || key == NULL)
		return MFA_EINVAL;
	if ((k = sodium_malloc(VAULT_KEY_BYTES)) == NULL)
		return MFA_ENOMEM;
	memcpy(k, key, VAULT_KEY_BYTES);
	return vault_unlock_with(v, k);
}

/*
 * The slots of the header h in file, with the passphrase slots replaced by
 * pass when it is set (at the place of the first one). The result, of
 * *len bytes, is malloc'd; *n receives the slot count.
 */
static int
vault_slots(const uint8_t *file, const struct vault_hdr *h, const uint8_t *pass,
	    uint8_t **out, size_t *len, size_t *n)
{
	uint8_t *s;
	size_t i, pos = 0, sz;
	bool put = pass == NULL;

	*out = NULL;
	*len = *n = 0;
	if ((s = malloc(h->hlen + VAULT_SLOT_BYTES)) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < h->nslots; i++) {
		if (pass != NULL && h->slots[i].type == VAULT_SLOT_PASS) {
			if (!put) {
				memcpy(s + pos, pass, VAULT_SLOT_BYTES);
				pos += VAULT_SLOT_BYTES;
				(*n)++;
				put = true;
			}
			continue;
		}
		sz = VAULT_SLOT_HEAD + h->slots[i].len;
		memcpy(s + pos, file + h->slots[i].off, sz);
		pos += sz;
		(*n)++;
	}
	if (!put) {
		if (*n >= VAULT_SLOTS_MAX) {
			free(s);
			return MFA_ETOOBIG;
		}
		memmove(s + VAULT_SLOT_BYTES, s, pos);
		memcpy(s, pass, VAULT_SLOT_BYTES);
		pos += VAULT_SLOT_BYTES;
		(*n)++;
	}
	*out = s;
	*len = pos;
	return 0;
}

/* The whole file: header (fresh nonce) and the encrypted payload. */
static int
vault_build(const uint8_t *uuid, const uint8_t *slots, size_t slen,
	    size_t nslots, const struct vault_data *d,
	    const struct vault_blobs *b, const uint8_t *key, uint8_t **out,
	    size_t *outlen)
{
	struct vault_plan plan;
	uint8_t *f;
	size_t hlen, clen;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = vault_payload_size(d, b, &plan)) != 0)
		return rc;
	hlen = VAULT_HDR_FIXED + slen;
	clen = plan.ptlen + VAULT_TAG_BYTES;
	if (hlen + clen > VAULT_FILE_MAX) {
		vault_plan_free(&plan);
		return MFA_ETOOBIG;
	}
	if ((f = malloc(hlen + clen)) == NULL) {
		vault_plan_free(&plan);
		return MFA_ENOMEM;
	}
	memcpy(f, VAULT_MAGIC, VAULT_MAGIC_LEN);
	vault_put16(f + VAULT_OFF_VERSION, VAULT_VERSION);
	vault_put16(f + VAULT_OFF_NSLOTS, (uint16_t)nslots);
	vault_put32(f + VAULT_OFF_HLEN, (uint32_t)hlen);
	memcpy(f + VAULT_OFF_UUID, uuid, VAULT_ID_BYTES);
	randombytes_buf(f + VAULT_OFF_NONCE, VAULT_NONCE_BYTES);
	vault_put32(f + VAULT_OFF_CLEN, (uint32_t)clen);
	memcpy(f + VAULT_HDR_FIXED, slots, slen);
	rc = vault_payload_encode(d, b, &plan, key, f, hlen);
	vault_plan_free(&plan);
	if (rc != 0) {
		free(f);
		return rc;
	}
	*out = f;
	*outlen = hlen + clen;
	return 0;
}

/*
 * The data to edit, from the file just read under the lock. When it is
 * still the file this vault last read or wrote, that is the in-memory data
 * itself (no second copy, no decryption), unless its arena is mostly
 * released space, which a fresh decode compacts, or it holds only some
 * entries (vault_only_matching), as a save writes them all. Otherwise the
 * in-memory secrets are wiped first and the file decoded: *old keeps the
 * rest of the old data (ids a callback may be looking up) until the save
 * is over.
 */
static int
vault_take(struct vault *v, const uint8_t *file, size_t flen,
	   const struct vault_hdr *h, struct vault_data *d,
	   struct vault_blobs *b, struct vault_data *old)
{
	const struct vault_arena *a = v->data.arena;
	size_t i;

	memset(old, 0, sizeof(*old));
	if (!v->partial && flen == v->flen &&
	    memcmp(file, v->file, flen) == 0 &&
	    (a == NULL || a->released <= a->live || a->released < 65536)) {
		*d = v->data;
		*b = v->blobs;
		memset(&v->data, 0, sizeof(v->data));
		memset(&v->blobs, 0, sizeof(v->blobs));
		return 0;
	}
	*old = v->data;
	memset(&v->data, 0, sizeof(v->data));
	vault_blobs_free(&v->blobs);
	for (i = 0; i < old->n_entries; i++) {
		old->entries[i].secret = NULL;
		old->entries[i].secret_len = 0;
		old->entries[i].arena = NULL;
	}
	for (i = 0; i < old->n_kv; i++) {
		old->kv[i].value = NULL;
		old->kv[i].value_len = 0;
	}
	vault_awskeys_forget_secrets(old);
	/* Every old secret wiped; the strings and ids stay till the end. */
	vault_arena_wipe(old->arena);
	return vault_payload_decode(file, h, v->key, d, b);
}

/*
 * After a failed edit or write: the in-memory view becomes the file as it
 * is on disk (file, header h; taken), else the last one this vault read.
 */
static void
vault_restore(struct vault *v, uint8_t *file, size_t flen,
	      const struct vault_hdr *h)
{
	vault_data_free(&v->data);
	vault_blobs_free(&v->blobs);
	v->partial = false;
	if (vault_payload_decode(file, h, v->key, &v->data, &v->blobs) == 0) {
		vault_file_release(v->file, v->flen, v->file_mapped);
		v->file_mapped = false;
		v->file = file;
		v->flen = flen;
		v->hdr = *h;
		return;
	}
	free(file);
	(void)vault_payload_decode(v->file, &v->hdr, v->key, &v->data,
				   &v->blobs);
}

/*
 * Locked read-modify-write: the data as on disk, fn (when set), slot
 * replacement and a new vault key (when pass is set: newkey, taken on
 * success) or the slots sfn makes, atomic write, then adopt the saved
 * state.
 */
static int
vault_save(struct vault *v, vault_edit_fn fn, void *arg, const uint8_t *pass,
	   uint8_t *newkey, vault_slots_fn sfn, void *sarg)
{
	struct vault_hdr h, nh;
	struct vault_data d, old;
	struct vault_blobs b;
	uint8_t *file = NULL, *slots = NULL, *out = NULL;
	size_t flen, slen, nslots, outlen, i;
	int lfd, rc;

	if (v == NULL || v->key == NULL || v->mem)
		return MFA_EINVAL;
	if ((rc = vault_file_lock(v->real, &lfd)) != 0)
		return rc;
	if ((rc = vault_file_read(v->real, &file, &flen)) != 0 ||
	    (rc = vault_hdr_parse(file, flen, &h)) != 0)
		goto out;
	if (memcmp(file + VAULT_OFF_UUID, v->uuid, VAULT_ID_BYTES) != 0) {
		rc = MFA_EVAULT_AUTH; /* another vault took its place */
		goto out;
	}
	for (i = 0; newkey != NULL && i < h.nslots; i++)
		if (h.slots[i].type != VAULT_SLOT_PASS) {
			rc = MFA_EVAULT_SLOTS;
			goto out;
		}
	if ((rc = vault_take(v, file, flen, &h, &d, &b, &old)) != 0)
		goto failed;
	if (fn != NULL && (rc = fn(&d, arg)) != 0)
		goto failed;
	/* Saved data is what we keep in memory, so prune before encoding. */
	vault_kv_prune(&d, (int64_t)time(NULL));
	if ((rc = sfn != NULL ? sfn(file, &h, &slots, &slen, &nslots, sarg)
			      : vault_slots(file, &h, pass, &slots, &slen,
					    &nslots)) != 0 ||
	    (rc = vault_build(v->uuid, slots, slen, nslots, &d, &b,
			      newkey != NULL ? newkey : v->key, &out,
			      &outlen)) != 0 ||
	    (rc = vault_file_replace(v->real, out, outlen)) != 0 ||
	    (rc = vault_hdr_parse(out, outlen, &nh)) != 0)
		goto failed;
	vault_file_release(v->file, v->flen, v->file_mapped);
	v->file_mapped = false;
	v->file = out;
	v->flen = outlen;
	v->hdr = nh;
	v->saves++;
	out = NULL;
	v->data = d;
	v->partial = false;
	v->blobs = b;
	if (newkey != NULL) {
		sodium_free(v->key);
		v->key = newkey;
	}
	vault_data_free(&old);
	goto out;
failed:
	vault_data_free(&d);
	vault_blobs_free(&b);
	vault_data_free(&old);
	vault_restore(v, file, flen, &h);
	file = NULL;
out:
	free(out);
	free(slots);
	free(file);
	vault_file_unlock(lfd);
	return rc;
}

int
vault_update(struct vault *v, vault_edit_fn fn, void *arg)
{
	if (fn == NULL)
		return MFA_EINVAL;
	return vault_save(v, fn, arg, NULL, NULL, NULL, NULL);
}

/* The first passphrase slot's cost in the file last read. */
static int
vault_kdf_current(const struct vault *v, struct vault_kdf *k)
{
	const uint8_t *body;
	size_t i;

	for (i = 0; i < v->hdr.nslots; i++) {
		if (v->hdr.slots[i].type != VAULT_SLOT_PASS)
			continue;
		body = v->file + v->hdr.slots[i].off + VAULT_SLOT_HEAD;
		k->ops = vault_get64(body + VAULT_PASS_OFF_OPS);
		k->mem = vault_get64(body + VAULT_PASS_OFF_MEM);
		return 0;
	}
	vault_kdf_default(k); /* no passphrase slot: nothing to keep */
	return 0;
}

int
vault_kdf_resolve(const struct vault *v, const struct vault_kdf *want,
		  unsigned flags, struct vault_kdf *out)
{
	struct vault_kdf cur;
	int rc;

	if (v == NULL || out == NULL)
		return MFA_EINVAL;
	if ((rc = vault_kdf_current(v, &cur)) != 0)
		return rc;
	*out = cur;
	if (want != NULL && want->ops != 0)
		out->ops = want->ops;
	if (want != NULL && want->mem != 0)
		out->mem = want->mem;
	if (!vault_kdf_ok(out->ops, out->mem))
		return MFA_EINVAL;
	if (!(flags & VAULT_KDF_WEAKER) &&
	    (out->ops < cur.ops || out->mem < cur.mem))
		return MFA_EKDF_LOWER;
	return 0;
}

int
vault_save_slots(struct vault *v, vault_slots_fn fn, void *arg)
{
	if (fn == NULL)
		return MFA_EINVAL;
	return vault_save(v, NULL, NULL, NULL, NULL, fn, arg);
}

int
vault_passwd(struct vault *v, const char *newpass, size_t newlen,
	     const struct vault_kdf *kdf, unsigned flags, bool *rekeyed)
{
	uint8_t slot[VAULT_SLOT_BYTES];
	struct vault_kdf k;
	uint8_t *newkey;
	bool keep = false;
	size_t i;
	int rc;

	if (v == NULL || v->key == NULL || v->mem ||
	    (newpass == NULL && newlen > 0))
		return MFA_EINVAL;
	if ((rc = vault_kdf_resolve(v, kdf, flags, &k)) != 0)
		return rc;
	/*
	 * Other slots (security keys, slots of a newer mfa) wrap the vault
	 * key and cannot be wrapped again here (a key would have to be
	 * present and touched): the key then stays, and only the passphrase
	 * slot is rewritten.
	 */
	for (i = 0; i < v->hdr.nslots; i++)
		if (v->hdr.slots[i].type != VAULT_SLOT_PASS)
			keep = true;
	if (rekeyed != NULL)
		*rekeyed = !keep;
	if (keep) {
		newkey = NULL;
	} else {
		if ((newkey = sodium_malloc(VAULT_KEY_BYTES)) == NULL)
			return MFA_ENOMEM;
		randombytes_buf(newkey, VAULT_KEY_BYTES);
	}
	/* Argon2 runs before taking the lock, so other writers wait less. */
	if ((rc = vault_slot_make(v->uuid, newkey != NULL ? newkey : v->key,
				  newpass, newlen, &k, slot)) != 0 ||
	    (rc = vault_save(v, NULL, NULL, slot, newkey, NULL, NULL)) != 0) {
		if (newkey != NULL)
			sodium_free(newkey);
		sodium_memzero(slot, sizeof(slot));
		return rc;
	}
	sodium_memzero(slot, sizeof(slot));
	/* The cached old key opens nothing now: keep the cache honest. */
	if (!keep)
		vault_cache_forget(v);
	/* The backup would still open with the old passphrase. */
	return vault_drop_backup(v);
}

int
vault_drop_backup(struct vault *v)
{
	char *bak;
	int rc = 0;

	if (v == NULL || v->real == NULL || v->mem)
		return MFA_EINVAL;
	if (asprintf(&bak, "%s.bak", v->real) < 0)
		return MFA_ENOMEM;
	if (unlink(bak) != 0 && errno != ENOENT)
		rc = vault_file_errno(errno);
	free(bak);
	return rc;
}

/* Nothing at path yet: MFA_EEXIST, or MFA_EISDIR for a folder. */
static int
vault_create_check(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? MFA_EISDIR : MFA_EEXIST;
	if (errno == ENOENT || errno == ENOTDIR)
		return vault_file_exists(path) == 1 ? MFA_EEXIST : 0;
	return vault_file_errno(errno);
}

int
vault_create(const char *path, const char *pass, size_t passlen,
	     const struct vault_kdf *kdf)
{
	static const struct vault_data empty;
	uint8_t slot[VAULT_SLOT_BYTES], uuid[VAULT_ID_BYTES];
	struct vault_kdf def;
	uint8_t *key = NULL, *out = NULL;
	char *real = NULL;
	size_t outlen;
	int lfd = -1, rc;

	if (path == NULL || *path == '\0' || (pass == NULL && passlen > 0))
		return MFA_EINVAL;
	if (kdf == NULL) {
		vault_kdf_default(&def);
		kdf = &def;
	}
	if (!vault_kdf_ok(kdf->ops, kdf->mem))
		return MFA_EINVAL;
	if ((rc = vault_sodium()) != 0)
		return rc;
	if ((rc = vault_create_check(path)) != 0 ||
	    (rc = vault_file_mkdir_p(path)) != 0 ||
	    (rc = vault_file_resolve(path, true, &real)) != 0 ||
	    (rc = vault_file_check_dir(real)) != 0)
		goto out;
	/* Checked before the slow KDF, and again under the lock. */
	if ((rc = vault_create_check(real)) != 0)
		goto out;
	if ((key = sodium_malloc(VAULT_KEY_BYTES)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	randombytes_buf(key, VAULT_KEY_BYTES);
	randombytes_buf(uuid, sizeof(uuid));
	if ((rc = vault_slot_make(uuid, key, pass, passlen, kdf, slot)) != 0 ||
	    (rc = vault_build(uuid, slot, sizeof(slot), 1, &empty, NULL, key,
			      &out, &outlen)) != 0 ||
	    (rc = vault_file_lock(real, &lfd)) != 0 ||
	    (rc = vault_create_check(real)) != 0)
		goto out;
	rc = vault_file_replace(real, out, outlen);
out:
	vault_file_unlock(lfd);
	sodium_free(key);
	free(out);
	free(real);
	return rc;
}

/* --- versions of a vault held in memory (merging, git diff) ------------ */

int
vault_open_mem(const char *path, const uint8_t *buf, size_t len,
	       struct vault **out)
{
	struct vault *v;
	int rc;

	if (out == NULL)
		return MFA_EINVAL;
	*out = NULL;
	if (path == NULL || *path == '\0' || (buf == NULL && len > 0))
		return MFA_EINVAL;
	if (vault_sodium() != 0)
		return MFA_ECRYPTO;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return MFA_ENOMEM;
	v->mem = true;
	if ((v->path = strdup(path)) == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	/* The unlock cache knows a vault by its canonical path. */
	if (vault_file_resolve(path, true, &v->real) != 0 &&
	    (v->real = strdup(path)) == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	if ((rc = vault_hdr_parse(buf != NULL ? buf : (const uint8_t *)"", len,
				  &v->hdr)) != 0)
		goto fail;
	if ((v->file = malloc(len)) == NULL) {
		rc = MFA_ENOMEM;
		goto fail;
	}
	memcpy(v->file, buf, len);
	v->flen = len;
	memcpy(v->uuid, v->file + VAULT_OFF_UUID, VAULT_ID_BYTES);
	*out = v;
	return 0;
fail:
	vault_close(v);
	return rc;
}

unsigned
vault_saves(const struct vault *v)
{
	return v != NULL ? v->saves : 0;
}

bool
vault_same_slots(const struct vault *a, const struct vault *b)
{
	size_t n;

	if (a == NULL || b == NULL)
		return false;
	n = a->hdr.hlen - VAULT_HDR_FIXED;
	return a->hdr.nslots == b->hdr.nslots &&
	       b->hdr.hlen - VAULT_HDR_FIXED == n &&
	       memcmp(a->file + VAULT_HDR_FIXED, b->file + VAULT_HDR_FIXED,
		      n) == 0;
}

int
vault_encode(const struct vault *keyv, const struct vault *recv,
	     const struct vault_data *d, uint8_t **out, size_t *len)
{
	if (out != NULL)
		*out = NULL;
	if (len != NULL)
		*len = 0;
	if (keyv == NULL || keyv->key == NULL || d == NULL || out == NULL ||
	    len == NULL || (recv != NULL && recv->key == NULL))
		return MFA_EINVAL;
	return vault_build(keyv->uuid, keyv->file + VAULT_HDR_FIXED,
			   keyv->hdr.hlen - VAULT_HDR_FIXED, keyv->hdr.nslots,
			   d, recv != NULL ? &recv->blobs : NULL, keyv->key,
			   out, len);
}

int
vault_lock(const struct vault *v, int *fd)
{
	if (fd != NULL)
		*fd = -1;
	if (v == NULL || fd == NULL || v->mem)
		return MFA_EINVAL;
	return vault_file_lock(v->real, fd);
}

void
vault_unlock(int fd)
{
	vault_file_unlock(fd);
}
