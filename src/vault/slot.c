/*
 * Key slots beyond the passphrase: the FIDO2 slot (type 2), listing,
 * unlocking with a 32-byte key from a slot, adding and removing slots.
 *
 * FIDO2 slot body (mfa-vault(5) is the reference), L = label length,
 * C = credential id length, B = 13 + L + C:
 *
 *   0    u8   version: 1
 *   1    u8   flags: VAULT_FIDO2_PIN, VAULT_FIDO2_PASS
 *   2    i64  created
 *   10   u8   L, at most VAULT_LABEL_MAX
 *   11   L    label
 *   11+L u16  C, 1 to VAULT_FIDO2_CRED_MAX
 *   13+L C    credential id
 *   B    32   hmac-secret salt
 *   B+32 16   Argon2id salt    } zeros unless VAULT_FIDO2_PASS
 *   B+48 u64  Argon2id opslimit}
 *   B+56 u64  Argon2id memlimit}
 *   B+64 24   nonce
 *   B+88 48   wrapped vault key (XChaCha20-Poly1305)
 *
 * Key-encryption key: the caller's key K; with VAULT_FIDO2_PASS, BLAKE2b
 * keyed with K over Argon2id(passphrase). Associated data: the vault uuid
 * and the slot up to the wrapped key, so no byte of the slot (flags,
 * label, credential, salts, costs) can change unnoticed.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define SLOT_FIDO2_VERSION 1
#define SLOT_FIDO2_FLAGS (VAULT_FIDO2_PIN | VAULT_FIDO2_PASS)
#define SLOT_FIDO2_FIXED 149 /* body without label and credential id */
#define SLOT_F_SALT 0	     /* from B */
#define SLOT_F_ASALT 32
#define SLOT_F_OPS 48
#define SLOT_F_MEM 56
#define SLOT_F_NONCE 64
#define SLOT_F_WRAP 88
#define SLOT_WRAP_BYTES (VAULT_KEY_BYTES + VAULT_TAG_BYTES)

/* Offset of B in a body, 0 when the lengths do not add up. */
static size_t
slot_fido2_base(const uint8_t *body, size_t len)
{
	size_t l, c;

	if (len < SLOT_FIDO2_FIXED)
		return 0;
	l = body[10];
	if (l > VAULT_LABEL_MAX || len < SLOT_FIDO2_FIXED + l)
		return 0;
	c = vault_get16(body + 11 + l);
	if (c == 0 || c > VAULT_FIDO2_CRED_MAX ||
	    len != SLOT_FIDO2_FIXED + l + c)
		return 0;
	return 13 + l + c;
}

int
vault_slot_fido2_check(const uint8_t *body, size_t len)
{
	size_t b = slot_fido2_base(body, len);
	uint64_t ops, mem;

	if (b == 0 || body[0] != SLOT_FIDO2_VERSION)
		return MFA_EVAULT_CORRUPT;
	ops = vault_get64(body + b + SLOT_F_OPS);
	mem = vault_get64(body + b + SLOT_F_MEM);
	/* Costs are checked before any work, as for the passphrase slot. */
	if ((body[1] & VAULT_FIDO2_PASS) ? !vault_kdf_ok(ops, mem)
					 : (ops != 0 || mem != 0))
		return MFA_EVAULT_CORRUPT;
	return 0;
}

size_t
vault_slot_count(const struct vault *v)
{
	return v != NULL ? v->hdr.nslots : 0;
}

static const uint8_t *
slot_body(const struct vault *v, size_t i)
{
	return v->file + v->hdr.slots[i].off + VAULT_SLOT_HEAD;
}

int
vault_slot_get(const struct vault *v, size_t i, struct vault_slot_info *out)
{
	const uint8_t *body;
	size_t b, l;

	if (v == NULL || out == NULL || i >= v->hdr.nslots)
		return MFA_EINVAL;
	memset(out, 0, sizeof(*out));
	out->type = v->hdr.slots[i].type;
	body = slot_body(v, i);
	if (out->type == VAULT_SLOT_PASS) {
		out->usable = true;
		return 0;
	}
	if (out->type != VAULT_SLOT_FIDO2)
		return 0;
	/* Checked when the file was read. */
	b = slot_fido2_base(body, v->hdr.slots[i].len);
	l = body[10];
	out->flags = body[1];
	out->created = (int64_t)vault_get64(body + 2);
	memcpy(out->label, body + 11, l);
	out->label[l] = '\0';
	out->cred_len = vault_get16(body + 11 + l);
	out->cred = body + 13 + l;
	out->salt = body + b + SLOT_F_SALT;
	out->usable = (out->flags & ~(unsigned)SLOT_FIDO2_FLAGS) == 0;
	return 0;
}

/* The key-encryption key of a FIDO2 slot body, into kek. */
static int
slot_kek(const uint8_t *body, size_t b, const uint8_t *key, const char *pass,
	 size_t passlen, uint8_t *kek)
{
	uint8_t *p;

	if (!(body[1] & VAULT_FIDO2_PASS)) {
		memcpy(kek, key, VAULT_KEY_BYTES);
		return 0;
	}
	if (pass == NULL && passlen > 0)
		return MFA_EINVAL;
	if ((p = sodium_malloc(VAULT_KEY_BYTES)) == NULL)
		return MFA_ENOMEM;
	if (crypto_pwhash(p, VAULT_KEY_BYTES, pass != NULL ? pass : "", passlen,
			  body + b + SLOT_F_ASALT,
			  vault_get64(body + b + SLOT_F_OPS),
			  (size_t)vault_get64(body + b + SLOT_F_MEM),
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(p);
		return MFA_ENOMEM; /* Argon2 fails only for lack of memory */
	}
	crypto_generichash(kek, VAULT_KEY_BYTES, p, VAULT_KEY_BYTES, key,
			   VAULT_KEY_BYTES);
	sodium_free(p);
	return 0;
}

/* AD: the uuid, then the slot (head included) up to the wrapped key. */
static uint8_t *
slot_ad(const uint8_t *uuid, const uint8_t *slot, size_t b, size_t *adlen)
{
	size_t n = VAULT_SLOT_HEAD + b + SLOT_F_WRAP;
	uint8_t *ad = malloc(VAULT_ID_BYTES + n);

	if (ad == NULL)
		return NULL;
	memcpy(ad, uuid, VAULT_ID_BYTES);
	memcpy(ad + VAULT_ID_BYTES, slot, n);
	*adlen = VAULT_ID_BYTES + n;
	return ad;
}

int
vault_unlock_slot(struct vault *v, size_t i, const uint8_t *key,
		  const char *pass, size_t passlen)
{
	struct vault_slot_info info;
	const uint8_t *slot, *body;
	uint8_t *kek = NULL, *vk = NULL, *ad = NULL;
	size_t b, adlen;
	int rc;

	if (v == NULL || key == NULL)
		return MFA_EINVAL;
	if ((rc = vault_slot_get(v, i, &info)) != 0)
		return rc;
	if (info.type != VAULT_SLOT_FIDO2)
		return MFA_EINVAL;
	if (!info.usable)
		return MFA_EUNSUPPORTED;
	slot = v->file + v->hdr.slots[i].off;
	body = slot + VAULT_SLOT_HEAD;
	b = slot_fido2_base(body, v->hdr.slots[i].len);
	if ((kek = sodium_malloc(VAULT_KEY_BYTES)) == NULL ||
	    (vk = sodium_malloc(VAULT_KEY_BYTES)) == NULL ||
	    (ad = slot_ad(v->uuid, slot, b, &adlen)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((rc = slot_kek(body, b, key, pass, passlen, kek)) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		vk, NULL, NULL, body + b + SLOT_F_WRAP, SLOT_WRAP_BYTES, ad,
		adlen, body + b + SLOT_F_NONCE, kek) != 0) {
		rc = MFA_EVAULT_AUTH;
		goto out;
	}
	rc = vault_unlock_with(v, vk);
	vk = NULL;
out:
	free(ad);
	sodium_free(vk);
	sodium_free(kek);
	return rc;
}

/* The first Argon2id costs the vault has (passphrase slots first). */
static int
slot_costs(const struct vault *v, uint64_t *ops, uint64_t *mem)
{
	const uint8_t *body;
	size_t i, b;

	for (i = 0; i < v->hdr.nslots; i++)
		if (v->hdr.slots[i].type == VAULT_SLOT_PASS) {
			body = slot_body(v, i);
			*ops = vault_get64(body + VAULT_PASS_OFF_OPS);
			*mem = vault_get64(body + VAULT_PASS_OFF_MEM);
			return 0;
		}
	for (i = 0; i < v->hdr.nslots; i++) {
		body = slot_body(v, i);
		if (v->hdr.slots[i].type == VAULT_SLOT_FIDO2 &&
		    (body[1] & VAULT_FIDO2_PASS)) {
			b = slot_fido2_base(body, v->hdr.slots[i].len);
			*ops = vault_get64(body + b + SLOT_F_OPS);
			*mem = vault_get64(body + b + SLOT_F_MEM);
			return 0;
		}
	}
	return MFA_ENOTFOUND;
}

/* A new FIDO2 slot, head included: *out (malloc'd, *len bytes). */
static int
slot_fido2_make(const struct vault *v, const struct vault_fido2_new *n,
		const uint8_t *key, const char *pass, size_t passlen,
		uint8_t **out, size_t *len)
{
	size_t l = n->label != NULL ? strlen(n->label) : 0, b, adlen, blen;
	uint64_t ops = 0, mem = 0;
	uint8_t *s, *body, *kek = NULL, *ad = NULL;
	int rc;

	*out = NULL;
	if (l > VAULT_LABEL_MAX || n->cred == NULL || n->cred_len == 0 ||
	    n->cred_len > VAULT_FIDO2_CRED_MAX || n->salt == NULL ||
	    (n->flags & ~(unsigned)SLOT_FIDO2_FLAGS) != 0 ||
	    memchr(n->label != NULL ? n->label : "", '\0', l) != NULL)
		return MFA_EINVAL;
	if ((n->flags & VAULT_FIDO2_PASS) &&
	    (rc = slot_costs(v, &ops, &mem)) != 0)
		return rc;
	blen = SLOT_FIDO2_FIXED + l + n->cred_len;
	b = 13 + l + n->cred_len;
	if ((s = calloc(1, VAULT_SLOT_HEAD + blen)) == NULL)
		return MFA_ENOMEM;
	s[0] = VAULT_SLOT_FIDO2;
	vault_put32(s + 1, (uint32_t)blen);
	body = s + VAULT_SLOT_HEAD;
	body[0] = SLOT_FIDO2_VERSION;
	body[1] = (uint8_t)n->flags;
	vault_put64(body + 2, (uint64_t)n->created);
	body[10] = (uint8_t)l;
	memcpy(body + 11, n->label != NULL ? n->label : "", l);
	vault_put16(body + 11 + l, (uint16_t)n->cred_len);
	memcpy(body + 13 + l, n->cred, n->cred_len);
	memcpy(body + b + SLOT_F_SALT, n->salt, VAULT_FIDO2_SALT);
	if (n->flags & VAULT_FIDO2_PASS) {
		randombytes_buf(body + b + SLOT_F_ASALT, VAULT_SALT_BYTES);
		vault_put64(body + b + SLOT_F_OPS, ops);
		vault_put64(body + b + SLOT_F_MEM, mem);
	}
	randombytes_buf(body + b + SLOT_F_NONCE, VAULT_NONCE_BYTES);
	if ((kek = sodium_malloc(VAULT_KEY_BYTES)) == NULL ||
	    (ad = slot_ad(v->uuid, s, b, &adlen)) == NULL) {
		rc = MFA_ENOMEM;
		goto out;
	}
	if ((rc = slot_kek(body, b, key, pass, passlen, kek)) != 0)
		goto out;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    body + b + SLOT_F_WRAP, NULL, v->key, VAULT_KEY_BYTES, ad, adlen,
	    NULL, body + b + SLOT_F_NONCE, kek);
	*out = s;
	*len = VAULT_SLOT_HEAD + blen;
	s = NULL;
out:
	free(ad);
	sodium_free(kek);
	free(s);
	return rc;
}

struct slot_edit {
	const uint8_t *add; /* a slot to append, or NULL */
	size_t add_len;
	bool two_factor;   /* drop the passphrase-only slots */
	const uint8_t *rm; /* a slot to remove (its bytes), or NULL */
	size_t rm_len;
	size_t idx; /* out: the added slot's number */
};

static bool
slot_is_plain_fido2(const uint8_t *file, const struct vault_slot *s)
{
	return s->type == VAULT_SLOT_FIDO2 &&
	       !(file[s->off + VAULT_SLOT_HEAD + 1] & VAULT_FIDO2_PASS);
}

/* Under the lock: the new slot area from the file's current header. */
static int
slot_edit_cb(const uint8_t *file, const struct vault_hdr *h, uint8_t **out,
	     size_t *len, size_t *n, void *arg)
{
	struct slot_edit *e = arg;
	const struct vault_slot *s;
	uint8_t *a;
	size_t i, pos = 0, sz;
	bool removed = false;

	*out = NULL;
	*len = *n = 0;
	if ((a = malloc(h->hlen + e->add_len)) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < h->nslots; i++) {
		s = &h->slots[i];
		sz = VAULT_SLOT_HEAD + s->len;
		if (e->two_factor && s->type == VAULT_SLOT_PASS)
			continue;
		if (e->two_factor && slot_is_plain_fido2(file, s)) {
			free(a);
			return MFA_EEXIST;
		}
		if (e->rm != NULL && !removed && sz == e->rm_len &&
		    memcmp(file + s->off, e->rm, sz) == 0) {
			removed = true;
			continue;
		}
		memcpy(a + pos, file + s->off, sz);
		pos += sz;
		(*n)++;
	}
	if (e->rm != NULL && !removed) {
		free(a);
		return MFA_ENOTFOUND;
	}
	if (e->add != NULL) {
		memcpy(a + pos, e->add, e->add_len);
		pos += e->add_len;
		e->idx = (*n)++;
	}
	if (*n == 0 || *n > VAULT_SLOTS_MAX) {
		free(a);
		return *n == 0 ? MFA_EINVAL : MFA_ETOOBIG;
	}
	*out = a;
	*len = pos;
	return 0;
}

int
vault_slot_add_fido2(struct vault *v, const struct vault_fido2_new *n,
		     const uint8_t *key, const char *pass, size_t passlen,
		     size_t *idx)
{
	struct slot_edit e;
	uint8_t *slot = NULL;
	size_t len;
	int rc;

	if (v == NULL || v->key == NULL || n == NULL || key == NULL)
		return MFA_EINVAL;
	/* Argon2 runs before taking the lock, so other writers wait less. */
	if ((rc = slot_fido2_make(v, n, key, pass, passlen, &slot, &len)) != 0)
		return rc;
	memset(&e, 0, sizeof(e));
	e.add = slot;
	e.add_len = len;
	e.two_factor = (n->flags & VAULT_FIDO2_PASS) != 0;
	rc = vault_save_slots(v, slot_edit_cb, &e);
	free(slot);
	if (rc == 0 && idx != NULL)
		*idx = e.idx;
	return rc;
}

int
vault_slot_remove(struct vault *v, size_t i)
{
	struct slot_edit e;
	uint8_t *copy;
	int rc;

	if (v == NULL || v->key == NULL || i >= v->hdr.nslots)
		return MFA_EINVAL;
	if (v->hdr.nslots == 1)
		return MFA_EINVAL;
	memset(&e, 0, sizeof(e));
	e.rm_len = VAULT_SLOT_HEAD + v->hdr.slots[i].len;
	/* A copy: the save replaces the file buffer it points into. */
	if ((copy = malloc(e.rm_len)) == NULL)
		return MFA_ENOMEM;
	memcpy(copy, v->file + v->hdr.slots[i].off, e.rm_len);
	e.rm = copy;
	rc = vault_save_slots(v, slot_edit_cb, &e);
	free(copy);
	return rc;
}
