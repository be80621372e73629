/* Entries, tombstones, the kv cache and QUERY resolution over vault_data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

/* The arena of d, made on first use. */
int
vault_data_arena(struct vault_data *d)
{
	if (d->arena != NULL)
		return 0;
	return vault_arena_new(&d->arena);
}

/* Room for one more entry; the array grows by doubling. */
int
vault_data_grow(struct vault_data *d)
{
	struct vault_entry *grown;
	size_t cap;
	int rc;

	if ((rc = vault_data_arena(d)) != 0)
		return rc;
	if (d->n_entries < d->arena->entries_cap)
		return 0;
	cap = d->arena->entries_cap ? d->arena->entries_cap * 2 : 16;
	if (cap < d->n_entries + 1)
		cap = d->n_entries + 1;
	if ((grown = reallocarray(d->entries, cap, sizeof(*grown))) == NULL)
		return MFA_ENOMEM;
	d->entries = grown;
	d->arena->entries_cap = cap;
	return 0;
}

/*
 * Entry ids seen in d, as a set of 64-bit hashes: a duplicate check that
 * costs O(1), not a scan of every entry, for each of 100,000 adds. Ids are
 * random (or come from an authenticated vault), so folding them is a fine
 * hash. The set may hold ids removed since; a hit is confirmed by a scan.
 */
static uint64_t
entry_id_hash(const uint8_t id[VAULT_ID_BYTES])
{
	uint64_t h = vault_get64(id) ^ vault_get64(id + 8);

	return h != 0 ? h : 1;
}

static bool
entry_ids_put(struct vault_arena *a, uint64_t h)
{
	size_t i, mask = a->ids_cap - 1;

	for (i = (size_t)h & mask; a->ids[i] != 0; i = (i + 1) & mask)
		if (a->ids[i] == h)
			return false;
	a->ids[i] = h;
	a->ids_n++;
	return true;
}

static int
entry_ids_grow(struct vault_data *d, size_t want)
{
	struct vault_arena *a = d->arena;
	uint64_t *old = a->ids;
	size_t cap = 64, oldcap = a->ids_cap, i;

	while (cap < 2 * want)
		cap *= 2;
	if (a->ids_valid && cap <= oldcap)
		return 0;
	if ((a->ids = calloc(cap, sizeof(*a->ids))) == NULL) {
		a->ids = old;
		return MFA_ENOMEM;
	}
	a->ids_cap = cap;
	a->ids_n = 0;
	if (a->ids_valid) {
		for (i = 0; i < oldcap; i++)
			if (old[i] != 0)
				entry_ids_put(a, old[i]);
	} else {
		for (i = 0; i < d->n_entries; i++)
			entry_ids_put(a, entry_id_hash(d->entries[i].id));
		a->ids_valid = true;
	}
	free(old);
	return 0;
}

/* Whether id is taken in d; *h receives its hash for entry_ids_put. */
static int
entry_id_taken(struct vault_data *d, const uint8_t id[VAULT_ID_BYTES],
	       bool *taken, uint64_t *h)
{
	struct vault_arena *a = d->arena;
	size_t i, mask;
	int rc;

	*taken = false;
	*h = entry_id_hash(id);
	if ((rc = entry_ids_grow(d, (a->ids_valid ? a->ids_n : d->n_entries) +
					1)) != 0)
		return rc;
	mask = a->ids_cap - 1;
	for (i = (size_t)*h & mask; a->ids[i] != 0; i = (i + 1) & mask)
		if (a->ids[i] == *h) {
			*taken = vault_entry_find_id(d, id) != -1;
			break;
		}
	return 0;
}

/*
 * A fresh random id. The randomness is drawn 4 KiB at a time: one system
 * call per 256 ids rather than one per id (an import of 100,000 accounts).
 * Ids are not secret; a byte is wiped once used. A forked child must not
 * hand out its parent's next ids: the pool belongs to one process id.
 */
static void
entry_new_id(uint8_t id[VAULT_ID_BYTES])
{
	static uint8_t pool[4096];
	static size_t left;
	static pid_t owner;
	pid_t self = getpid();

	if (left < VAULT_ID_BYTES || owner != self) {
		randombytes_buf(pool, sizeof(pool));
		left = sizeof(pool);
		owner = self;
	}
	left -= VAULT_ID_BYTES;
	memcpy(id, pool + left, VAULT_ID_BYTES);
	sodium_memzero(pool + left, VAULT_ID_BYTES);
}

int
vault_entry_init(struct vault_entry *e, int64_t now)
{
	int rc;

	if (e == NULL)
		return MFA_EINVAL;
	memset(e, 0, sizeof(*e));
	if ((rc = vault_sodium()) != 0)
		return rc;
	entry_new_id(e->id);
	e->created = e->updated = now;
	otp_params_default(&e->p, OTP_TOTP);
	if ((e->name = strdup("")) == NULL ||
	    (e->issuer = strdup("")) == NULL ||
	    (e->serial = strdup("")) == NULL ||
	    (e->note = strdup("")) == NULL) {
		vault_entry_clear(e);
		return MFA_ENOMEM;
	}
	return 0;
}

int
vault_entry_init_in(struct vault_data *d, struct vault_entry *e, int64_t now)
{
	int rc;

	if (d == NULL)
		return MFA_EINVAL;
	if ((rc = vault_entry_init(e, now)) != 0)
		return rc;
	if ((rc = vault_data_arena(d)) != 0) {
		vault_entry_clear(e);
		return rc;
	}
	e->arena = d->arena;
	return 0;
}

/* Drop the secret, wiped, wherever it lives. */
static void
entry_secret_drop(struct vault_entry *e)
{
	if (e->secret == NULL)
		return;
	if (e->arena != NULL)
		vault_arena_release(e->arena, e->secret, e->secret_len);
	else
		sodium_free(e->secret); /* wipes */
	e->secret = NULL;
	e->secret_len = 0;
}

int
vault_entry_set_secret(struct vault_entry *e, const uint8_t *s, size_t n)
{
	uint8_t *copy;

	if (e == NULL || (s == NULL && n > 0))
		return MFA_EINVAL;
	if (n == 0)
		return MFA_ESECRET_EMPTY;
	if (n > OTP_SECRET_MAX)
		return MFA_ETOOLONG;
	if (vault_sodium() != 0)
		return MFA_ECRYPTO;
	if (e->arena != NULL)
		copy = vault_arena_alloc(e->arena, n);
	else
		copy = sodium_malloc(n);
	if (copy == NULL)
		return MFA_ENOMEM;
	memcpy(copy, s, n);
	entry_secret_drop(e);
	e->secret = copy;
	e->secret_len = n;
	return 0;
}

/* A string decoded from a file lives in its arena: never free() it. */
static void
entry_str_free(char *s)
{
	if (s != NULL && vault_arena_str_owner(s) == NULL)
		free(s);
}

int
vault_entry_set_str(char **field, const char *value)
{
	char *copy;

	if (field == NULL)
		return MFA_EINVAL;
	if ((copy = strdup(value != NULL ? value : "")) == NULL)
		return MFA_ENOMEM;
	entry_str_free(*field);
	*field = copy;
	return 0;
}

void
vault_hist_clear(struct vault_hist *h)
{
	entry_str_free(h->name);
	entry_str_free(h->issuer);
	entry_str_free(h->note);
	entry_str_free(h->serial);
	if (h->secret != NULL)
		sodium_free(h->secret); /* wipes */
	sodium_memzero(h, sizeof(*h));
}

void
vault_entry_hist_free(struct vault_entry *e)
{
	size_t i;

	for (i = 0; i < e->n_hist; i++)
		vault_hist_clear(&e->hist[i]);
	free(e->hist);
	e->hist = NULL;
	e->n_hist = 0;
}

void
vault_entry_clear(struct vault_entry *e)
{
	if (e == NULL)
		return;
	entry_str_free(e->name);
	entry_str_free(e->issuer);
	entry_str_free(e->serial);
	entry_str_free(e->note);
	entry_secret_drop(e);
	vault_entry_hist_free(e);
	free(e->stamp);
	sodium_memzero(e, sizeof(*e));
}

int
vault_entry_stamp_set(struct vault_entry *e, enum vault_group g, int64_t when,
		      const uint8_t sum[16])
{
	if ((unsigned)g >= VAULT_GROUPS)
		return MFA_EINVAL;
	if (e->stamp == NULL &&
	    (e->stamp = calloc(VAULT_GROUPS, sizeof(*e->stamp))) == NULL)
		return MFA_ENOMEM;
	e->stamp[g].set = true;
	e->stamp[g].when = when;
	memcpy(e->stamp[g].sum, sum, sizeof(e->stamp[g].sum));
	return 0;
}

long
vault_entry_find_id(const struct vault_data *d,
		    const uint8_t id[VAULT_ID_BYTES])
{
	size_t i;

	if (d == NULL || id == NULL)
		return -1;
	for (i = 0; i < d->n_entries; i++)
		if (memcmp(d->entries[i].id, id, VAULT_ID_BYTES) == 0)
			return (long)i;
	return -1;
}

/* "" for a missing string; a copy of one in another data's arena, which
 * may be freed before d. */
static int
entry_fill(struct vault_data *d, char **s)
{
	struct vault_arena *owner = vault_arena_str_owner(*s);
	char *copy;

	if (*s != NULL && (owner == NULL || owner == d->arena))
		return 0;
	if ((copy = strdup(*s != NULL ? *s : "")) == NULL)
		return MFA_ENOMEM;
	*s = copy;
	return 0;
}

/* The history's strings, as entry_fill() does (NULL ones stay NULL). */
static int
entry_fill_hist(struct vault_data *d, struct vault_entry *e)
{
	size_t i;

	for (i = 0; i < e->n_hist; i++) {
		struct vault_hist *h = &e->hist[i];

		if ((h->name && entry_fill(d, &h->name) != 0) ||
		    (h->issuer && entry_fill(d, &h->issuer) != 0) ||
		    (h->note && entry_fill(d, &h->note) != 0) ||
		    (h->serial && entry_fill(d, &h->serial) != 0))
			return MFA_ENOMEM;
	}
	return 0;
}

int
vault_entry_add(struct vault_data *d, struct vault_entry *e)
{
	uint8_t *secret = NULL;
	size_t n;
	uint64_t h;
	bool taken;
	int rc;

	if (d == NULL || e == NULL || e->name == NULL || e->secret == NULL ||
	    e->secret_len == 0)
		return MFA_EINVAL;
	if ((rc = vault_data_arena(d)) != 0 ||
	    (rc = entry_id_taken(d, e->id, &taken, &h)) != 0)
		return rc;
	if (taken)
		return MFA_EEXIST;
	if (entry_fill(d, &e->name) != 0 || entry_fill(d, &e->issuer) != 0 ||
	    entry_fill(d, &e->serial) != 0 || entry_fill(d, &e->note) != 0 ||
	    entry_fill_hist(d, e) != 0 || vault_data_grow(d) != 0)
		return MFA_ENOMEM;
	/* Nothing can fail after this copy: the caller keeps e on error. */
	if (e->arena != d->arena) {
		n = e->secret_len;
		if ((secret = vault_arena_alloc(d->arena, n)) == NULL)
			return MFA_ENOMEM;
		memcpy(secret, e->secret, n);
		entry_secret_drop(e);
		e->secret = secret;
		e->secret_len = n;
		e->arena = d->arena;
	}
	entry_ids_put(d->arena, h);
	d->entries[d->n_entries++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

int
vault_entry_remove(struct vault_data *d, size_t idx, int64_t now)
{
	struct vault_tombstone *grown;
	size_t i;

	if (d == NULL || idx >= d->n_entries)
		return MFA_EINVAL;
	for (i = 0; i < d->n_tombstones; i++)
		if (memcmp(d->tombstones[i].id, d->entries[idx].id,
			   VAULT_ID_BYTES) == 0)
			break;
	if (i == d->n_tombstones) {
		grown = realloc(d->tombstones,
				(d->n_tombstones + 1) * sizeof(*grown));
		if (grown == NULL)
			return MFA_ENOMEM;
		d->tombstones = grown;
		memcpy(grown[i].id, d->entries[idx].id, VAULT_ID_BYTES);
		d->n_tombstones++;
	}
	d->tombstones[i].deleted = now;
	vault_entry_clear(&d->entries[idx]);
	memmove(&d->entries[idx], &d->entries[idx + 1],
		(d->n_entries - idx - 1) * sizeof(d->entries[0]));
	d->n_entries--;
	return 0;
}

/* "issuer:name", or just the name when there is no issuer. */
static char *
entry_label(const struct vault_entry *e)
{
	char *s;

	if (e->issuer == NULL || *e->issuer == '\0')
		return strdup(e->name != NULL ? e->name : "");
	if (asprintf(&s, "%s:%s", e->issuer, e->name != NULL ? e->name : "") <
	    0)
		return NULL;
	return s;
}

enum entry_match { ENTRY_NAME, ENTRY_LABEL, ENTRY_SUBSTR };

static int
entry_matches(const struct vault_entry *e, const char *q, enum entry_match m,
	      bool *yes)
{
	char *label;

	if (m == ENTRY_NAME) {
		*yes = e->name != NULL && strcmp(e->name, q) == 0;
		return 0;
	}
	if ((label = entry_label(e)) == NULL)
		return MFA_ENOMEM;
	if (m == ENTRY_LABEL)
		*yes = strcmp(label, q) == 0;
	else
		*yes = strcasestr(label, q) != NULL;
	free(label);
	return 0;
}

/* How many entries match this way; the first ncand_max go to cand. */
static int
entry_collect(const struct vault_data *d, const char *q, enum entry_match m,
	      size_t *cand, size_t ncand_max, size_t *count, size_t *first)
{
	size_t i;
	bool yes;
	int rc;

	*count = 0;
	for (i = 0; i < d->n_entries; i++) {
		if ((rc = entry_matches(&d->entries[i], q, m, &yes)) != 0)
			return rc;
		if (!yes)
			continue;
		if (*count == 0)
			*first = i;
		if (cand != NULL && *count < ncand_max)
			cand[*count] = i;
		(*count)++;
	}
	return 0;
}

int
vault_query(const struct vault_data *d, const char *query, size_t *idx,
	    size_t *cand, size_t ncand_max, size_t *ncand)
{
	size_t n_name, n_label, n_sub, first = 0;
	int rc;

	if (ncand != NULL)
		*ncand = 0;
	if (d == NULL || query == NULL || idx == NULL)
		return MFA_EINVAL;
	if ((rc = entry_collect(d, query, ENTRY_NAME, NULL, 0, &n_name,
				&first)) != 0)
		return rc;
	if (n_name == 1) {
		*idx = first;
		return 0;
	}
	/* Several share the name: "issuer:name" may still pick one. */
	if ((rc = entry_collect(d, query, ENTRY_LABEL, NULL, 0, &n_label,
				&first)) != 0)
		return rc;
	if (n_label == 1) {
		*idx = first;
		return 0;
	}
	if (n_name > 1 || n_label > 1) {
		rc = entry_collect(d, query,
				   n_name > 1 ? ENTRY_NAME : ENTRY_LABEL, cand,
				   ncand_max, &n_sub, &first);
		if (rc != 0)
			return rc;
		if (ncand != NULL)
			*ncand = n_sub;
		return MFA_EAMBIGUOUS;
	}
	if ((rc = entry_collect(d, query, ENTRY_SUBSTR, cand, ncand_max, &n_sub,
				&first)) != 0)
		return rc;
	if (n_sub == 1) {
		*idx = first;
		return 0;
	}
	if (n_sub == 0)
		return MFA_ENOTFOUND;
	if (ncand != NULL)
		*ncand = n_sub;
	return MFA_EAMBIGUOUS;
}

static void
entry_kv_free(struct vault_data *d, struct vault_kv *kv)
{
	free(kv->key);
	vault_arena_release(d->arena, kv->value, kv->value_len);
	sodium_memzero(kv, sizeof(*kv));
}

static bool
entry_kv_find(const struct vault_data *d, const char *key, size_t *at)
{
	size_t i;

	for (i = 0; i < d->n_kv; i++)
		if (strcmp(d->kv[i].key, key) == 0) {
			*at = i;
			return true;
		}
	return false;
}

static void
entry_kv_remove(struct vault_data *d, size_t i)
{
	entry_kv_free(d, &d->kv[i]);
	memmove(&d->kv[i], &d->kv[i + 1], (d->n_kv - i - 1) * sizeof(d->kv[0]));
	d->n_kv--;
	if (d->n_kv == 0) {
		free(d->kv);
		d->kv = NULL;
	}
}

int
vault_kv_set(struct vault_data *d, const char *key, const uint8_t *value,
	     size_t len, int64_t expires)
{
	struct vault_kv *grown;
	uint8_t *copy;
	char *kcopy;
	size_t i;
	int rc;

	if (d == NULL || key == NULL || *key == '\0' ||
	    (value == NULL && len > 0))
		return MFA_EINVAL;
	if (len > VAULT_FILE_MAX)
		return MFA_ETOOBIG;
	if ((rc = vault_data_arena(d)) != 0)
		return rc;
	/* One byte at least, so that value is never NULL. */
	if ((copy = vault_arena_alloc(d->arena, len ? len : 1)) == NULL)
		return MFA_ENOMEM;
	if (len > 0)
		memcpy(copy, value, len);
	if (entry_kv_find(d, key, &i)) {
		vault_arena_release(d->arena, d->kv[i].value,
				    d->kv[i].value_len);
		d->kv[i].value = copy;
		d->kv[i].value_len = len;
		d->kv[i].expires = expires;
		return 0;
	}
	if ((kcopy = strdup(key)) == NULL) {
		vault_arena_release(d->arena, copy, len);
		return MFA_ENOMEM;
	}
	grown = realloc(d->kv, (d->n_kv + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(kcopy);
		vault_arena_release(d->arena, copy, len);
		return MFA_ENOMEM;
	}
	d->kv = grown;
	d->kv[d->n_kv].key = kcopy;
	d->kv[d->n_kv].value = copy;
	d->kv[d->n_kv].value_len = len;
	d->kv[d->n_kv].expires = expires;
	d->n_kv++;
	return 0;
}

const struct vault_kv *
vault_kv_get(const struct vault_data *d, const char *key, int64_t now)
{
	size_t i;

	if (d == NULL || key == NULL)
		return NULL;
	if (!entry_kv_find(d, key, &i) || d->kv[i].expires <= now)
		return NULL;
	return &d->kv[i];
}

void
vault_kv_del(struct vault_data *d, const char *key)
{
	size_t i;

	if (d != NULL && key != NULL && entry_kv_find(d, key, &i))
		entry_kv_remove(d, i);
}

void
vault_kv_prune(struct vault_data *d, int64_t now)
{
	size_t i = 0;

	while (i < d->n_kv) {
		if (d->kv[i].expires <= now)
			entry_kv_remove(d, i);
		else
			i++;
	}
}

void
vault_data_free(struct vault_data *d)
{
	size_t i;

	if (d == NULL)
		return;
	/* The secrets go with the arena, wiped chunk by chunk. */
	for (i = 0; i < d->n_entries; i++) {
		struct vault_entry *e = &d->entries[i];

		entry_str_free(e->name);
		entry_str_free(e->issuer);
		entry_str_free(e->serial);
		entry_str_free(e->note);
		if (e->arena != d->arena)
			entry_secret_drop(e);
		vault_entry_hist_free(e);
		free(e->stamp);
	}
	free(d->entries);
	free(d->tombstones);
	for (i = 0; i < d->n_kv; i++)
		free(d->kv[i].key);
	free(d->kv);
	vault_awskeys_free(d);
	vault_arena_free(d->arena);
	sodium_memzero(d, sizeof(*d));
}
