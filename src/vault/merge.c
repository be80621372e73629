/*
 * Merging two copies of a vault record by record (vault_merge), and what
 * changed between two versions in account terms (vault_diff). The rules
 * are in man/mfa-vault.5, MERGING; this file is their one implementation.
 *
 * Everything here is a function of its inputs: no clock (a merge never
 * stamps "now") and no order that depends on which side is ours, so two
 * machines merging the same versions end with the same plaintext.
 *
 * Record kinds. The merge walks a table of kinds (merge_kinds[] below). A
 * kind is a set of records that each have a random 16-byte id, created
 * and updated times, and leave a tombstone in d->tombstones when removed;
 * accounts are the first. The generic part matches records by id across
 * base, ours and theirs and decides presence (added on one side, removed
 * on one side and unchanged or changed on the other); the kind merges a
 * record both sides hold (combine), says what differs between two
 * versions of one record (compare) and copies one (copy). To add a kind:
 * write its struct merge_kind (entry_kind is the model; the group helpers
 * merge_group() and the canonical encoders apply to any record made of
 * field groups), add it to merge_kinds[] (a build that adds records to
 * struct vault_data stops at the _Static_assert after the table until it
 * is there), and document its rules in man/mfa-vault.5. Records of a type
 * this mfa does not know are not merged: the caller keeps ours as they
 * are (vault_encode's recv).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

/* --- field groups: views, canonical encoding, digests --------------- */

/* The fields of a record's groups, from an entry or a history item. */
struct gview {
	const char *name, *issuer, *note, *serial;
	const struct otp_params *p;
	const uint8_t *secret;
	size_t secret_len;
};

static void
view_entry(const struct vault_entry *e, struct gview *v)
{
	v->name = e->name;
	v->issuer = e->issuer;
	v->note = e->note;
	v->serial = e->serial;
	v->p = &e->p;
	v->secret = e->secret;
	v->secret_len = e->secret_len;
}

static void
view_hist(const struct vault_hist *h, struct gview *v)
{
	v->name = h->name;
	v->issuer = h->issuer;
	v->note = h->note;
	v->serial = h->serial;
	v->p = &h->p;
	v->secret = h->secret;
	v->secret_len = h->secret_len;
}

/* Canonical bytes go to a digest, to a buffer, or are only counted. */
struct canon {
	crypto_generichash_state *h;
	uint8_t *buf;
	size_t len;
};

static void
canon_put(struct canon *c, const void *p, size_t n)
{
	if (c->h != NULL)
		crypto_generichash_update(c->h, p, n);
	else if (c->buf != NULL)
		memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void
canon_field(struct canon *c, uint8_t tag, const void *p, size_t n)
{
	uint8_t head[5];

	head[0] = tag;
	vault_put32(head + 1, (uint32_t)n);
	canon_put(c, head, sizeof(head));
	if (n > 0)
		canon_put(c, p, n);
}

static void
canon_str(struct canon *c, uint8_t tag, const char *s)
{
	canon_field(c, tag, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

static void
canon_u8(struct canon *c, uint8_t tag, unsigned v)
{
	uint8_t b = (uint8_t)v;

	canon_field(c, tag, &b, 1);
}

static void
canon_u64(struct canon *c, uint8_t tag, uint64_t v)
{
	uint8_t b[8];

	vault_put64(b, v);
	canon_field(c, tag, b, sizeof(b));
}

/* Every field of the group, in tag order, defaults included. */
static void
canon_group(struct canon *c, const struct gview *v, enum vault_group g)
{
	switch (g) {
	case VAULT_GROUP_LABELS:
		canon_str(c, F_ENTRY_NAME, v->name);
		canon_str(c, F_ENTRY_ISSUER, v->issuer);
		canon_str(c, F_ENTRY_NOTE, v->note);
		break;
	case VAULT_GROUP_CREDENTIAL:
		canon_u8(c, F_ENTRY_TYPE, (unsigned)v->p->type);
		canon_u8(c, F_ENTRY_HASH, (unsigned)v->p->hash);
		canon_u8(c, F_ENTRY_DIGITS, v->p->digits);
		canon_u64(c, F_ENTRY_PERIOD, v->p->period);
		canon_u64(c, F_ENTRY_T0, (uint64_t)v->p->t0);
		canon_field(c, F_ENTRY_SECRET, v->secret, v->secret_len);
		break;
	default:
		canon_str(c, F_ENTRY_SERIAL, v->serial);
		break;
	}
}

static void
group_sum(const struct gview *v, enum vault_group g, uint8_t sum[16])
{
	crypto_generichash_state st;
	struct canon c = {&st, NULL, 0};

	crypto_generichash_init(&st, NULL, 0, 16);
	canon_group(&c, v, g);
	crypto_generichash_final(&st, sum, 16);
	sodium_memzero(&st, sizeof(st));
}

/* The canonical bytes in locked memory (they may hold a secret). */
static int
group_bytes(const struct gview *v, enum vault_group g, uint8_t **out,
	    size_t *len)
{
	struct canon c = {NULL, NULL, 0};

	canon_group(&c, v, g);
	if ((*out = sodium_malloc(c.len)) == NULL)
		return MFA_ENOMEM;
	*len = c.len;
	c.buf = *out;
	c.len = 0;
	canon_group(&c, v, g);
	return 0;
}

/* Byte order of the canonical encodings; a proper prefix sorts first. */
static int
bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);

	if (r != 0)
		return r < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

static int
group_cmp(const struct gview *a, const struct gview *b, enum vault_group g,
	  int *r)
{
	uint8_t *ab, *bb;
	size_t an, bn;

	if (group_bytes(a, g, &ab, &an) != 0)
		return MFA_ENOMEM;
	if (group_bytes(b, g, &bb, &bn) != 0) {
		sodium_free(ab);
		return MFA_ENOMEM;
	}
	*r = bytes_cmp(ab, an, bb, bn);
	sodium_free(ab);
	sodium_free(bb);
	return 0;
}

static bool
str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static bool
cred_eq(const struct gview *a, const struct gview *b)
{
	return a->p->type == b->p->type && a->p->hash == b->p->hash &&
	       a->p->digits == b->p->digits && a->p->period == b->p->period &&
	       a->p->t0 == b->p->t0 && a->secret_len == b->secret_len &&
	       (a->secret_len == 0 ||
		sodium_memcmp(a->secret, b->secret, a->secret_len) == 0);
}

static bool
group_eq(const struct gview *a, const struct gview *b, enum vault_group g)
{
	switch (g) {
	case VAULT_GROUP_LABELS:
		return str_eq(a->name, b->name) &&
		       str_eq(a->issuer, b->issuer) && str_eq(a->note, b->note);
	case VAULT_GROUP_CREDENTIAL:
		return cred_eq(a, b);
	default:
		return str_eq(a->serial, b->serial);
	}
}

int64_t
vault_group_time(const struct vault_entry *e, enum vault_group g)
{
	struct gview v;
	uint8_t sum[16];

	if (e == NULL || (unsigned)g >= VAULT_GROUPS || e->stamp == NULL ||
	    !e->stamp[g].set)
		return e != NULL ? e->updated : 0;
	view_entry(e, &v);
	group_sum(&v, g, sum);
	return sodium_memcmp(sum, e->stamp[g].sum, sizeof(sum)) == 0
		   ? e->stamp[g].when
		   : e->updated;
}

/* --- ids: sorted indexes of a kind's records, and of tombstones ------ */

struct idx {
	const uint8_t *id;
	size_t i;
};

struct index {
	struct idx *v;
	size_t n;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	int r = memcmp(x->id, y->id, VAULT_ID_BYTES);

	if (r != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

static long
index_find(const struct index *x, const uint8_t *id)
{
	size_t lo = 0, hi = x->n, mid;
	int r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = memcmp(x->v[mid].id, id, VAULT_ID_BYTES);
		if (r == 0) {
			/* The first of duplicates (a crafted vault). */
			while (mid > 0 && memcmp(x->v[mid - 1].id, id,
						 VAULT_ID_BYTES) == 0)
				mid--;
			return (long)x->v[mid].i;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* --- the merge run and its notes ------------------------------------- */

struct note {
	const char *noun;
	uint8_t id[VAULT_ID_BYTES];
	unsigned what, conflicts;
};

struct merge_run {
	const struct vault_data *b, *o, *t; /* b: NULL for none */
	struct vault_data *out;
	struct note *notes;
	size_t n_notes;
	struct vault_tombstone *need; /* removals no side left a stone for */
	size_t n_need;
	struct index tomb_o, tomb_t;
};

static int
merge_note(struct merge_run *m, const char *noun, const uint8_t *id,
	   unsigned what, unsigned conflicts)
{
	struct note *grown;

	grown = reallocarray(m->notes, m->n_notes + 1, sizeof(*grown));
	if (grown == NULL)
		return MFA_ENOMEM;
	m->notes = grown;
	grown[m->n_notes].noun = noun;
	memcpy(grown[m->n_notes].id, id, VAULT_ID_BYTES);
	grown[m->n_notes].what = what;
	grown[m->n_notes].conflicts = conflicts;
	m->n_notes++;
	return 0;
}

/* A removal: the tombstone comes from a side, or is made from the record's
 * own time (never "now"). */
static int
merge_removed(struct merge_run *m, const uint8_t *id, int64_t when)
{
	struct vault_tombstone *grown;

	if (index_find(&m->tomb_o, id) >= 0 || index_find(&m->tomb_t, id) >= 0)
		return 0;
	grown = reallocarray(m->need, m->n_need + 1, sizeof(*grown));
	if (grown == NULL)
		return MFA_ENOMEM;
	m->need = grown;
	memcpy(grown[m->n_need].id, id, VAULT_ID_BYTES);
	grown[m->n_need].deleted = when;
	m->n_need++;
	return 0;
}

/* --- record kinds ------------------------------------------------------ */

struct merge_kind {
	const char *noun; /* for reports: "account" */
	size_t (*count)(const struct vault_data *d);
	const uint8_t *(*id)(const struct vault_data *d, size_t i);
	int64_t (*updated)(const struct vault_data *d, size_t i);
	/* "issuer:name": malloc'd, NULL when out of memory */
	char *(*label)(const struct vault_data *d, size_t i);
	/* VAULT_CH_* bits from version a to version b of one record, and
	 * the groups that differ; 0 when nothing a user did differs. */
	unsigned (*compare)(const struct vault_data *da, size_t a,
			    const struct vault_data *db, size_t b,
			    unsigned *groups);
	/* Add a copy of src's record i to m->out. */
	int (*copy)(struct merge_run *m, const struct vault_data *src,
		    size_t i);
	/* Add the merge of a record both sides hold (ib: -1 when the base
	 * lacks it). */
	int (*combine)(struct merge_run *m, long ib, long io, long it);
	/* Put m->out's records in an order that depends on them alone. */
	void (*sort)(struct vault_data *out);
};

static int
index_kind(const struct merge_kind *k, const struct vault_data *d,
	   struct index *x)
{
	size_t i, n = d != NULL ? k->count(d) : 0;

	x->v = NULL;
	x->n = 0;
	if (n == 0)
		return 0;
	if ((x->v = calloc(n, sizeof(*x->v))) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < n; i++) {
		x->v[i].id = k->id(d, i);
		x->v[i].i = i;
	}
	qsort(x->v, n, sizeof(*x->v), idx_cmp);
	x->n = n;
	return 0;
}

static int
index_tombs(const struct vault_data *d, struct index *x)
{
	size_t i;

	x->v = NULL;
	x->n = 0;
	if (d == NULL || d->n_tombstones == 0)
		return 0;
	if ((x->v = calloc(d->n_tombstones, sizeof(*x->v))) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < d->n_tombstones; i++) {
		x->v[i].id = d->tombstones[i].id;
		x->v[i].i = i;
	}
	qsort(x->v, d->n_tombstones, sizeof(*x->v), idx_cmp);
	x->n = d->n_tombstones;
	return 0;
}

/* --- accounts: the first kind ----------------------------------------- */

static size_t
entry_count(const struct vault_data *d)
{
	return d->n_entries;
}

static const uint8_t *
entry_id(const struct vault_data *d, size_t i)
{
	return d->entries[i].id;
}

static int64_t
entry_updated(const struct vault_data *d, size_t i)
{
	return d->entries[i].updated;
}

static char *
entry_label(const struct vault_data *d, size_t i)
{
	const struct vault_entry *e = &d->entries[i];
	char *s;

	if (e->issuer == NULL || e->issuer[0] == '\0')
		return strdup(e->name != NULL ? e->name : "");
	if (asprintf(&s, "%s:%s", e->issuer, e->name != NULL ? e->name : "") <
	    0)
		return NULL;
	return s;
}

static unsigned
entry_compare(const struct vault_data *da, size_t a,
	      const struct vault_data *db, size_t b, unsigned *groups)
{
	const struct vault_entry *x = &da->entries[a], *y = &db->entries[b];
	struct gview vx, vy;
	unsigned what = 0, g;

	view_entry(x, &vx);
	view_entry(y, &vy);
	*groups = 0;
	for (g = 0; g < VAULT_GROUPS; g++)
		if (!group_eq(&vx, &vy, (enum vault_group)g))
			*groups |= 1u << g;
	if (!str_eq(x->name, y->name) || !str_eq(x->issuer, y->issuer))
		what |= VAULT_CH_RENAMED;
	if ((*groups & ~(1u << VAULT_GROUP_LABELS)) ||
	    !str_eq(x->note, y->note))
		what |= VAULT_CH_EDITED;
	if (x->p.counter != y->p.counter &&
	    !(*groups & (1u << VAULT_GROUP_CREDENTIAL)))
		what |= VAULT_CH_COUNTER;
	if (x->last_step != y->last_step)
		what |= VAULT_CH_STEP;
	if (x->verify_step != y->verify_step)
		what |= VAULT_CH_VERIFIED;
	return what;
}

static char *
dup_str(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static uint64_t
max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* A history item holding group g of v, from time when. */
static int
hist_make(struct vault_hist *h, const struct gview *v, enum vault_group g,
	  int64_t when)
{
	memset(h, 0, sizeof(*h));
	h->group = g;
	h->when = when;
	otp_params_default(&h->p, OTP_TOTP);
	switch (g) {
	case VAULT_GROUP_LABELS:
		if ((h->name = dup_str(v->name)) == NULL ||
		    (h->issuer = dup_str(v->issuer)) == NULL ||
		    (h->note = dup_str(v->note)) == NULL)
			goto fail;
		break;
	case VAULT_GROUP_CREDENTIAL:
		/* With the counter it had: should the seed win again on
		 * another path of merges, its count goes on from there. */
		h->p = *v->p;
		if (v->secret_len == 0 ||
		    (h->secret = sodium_malloc(v->secret_len)) == NULL)
			goto fail;
		memcpy(h->secret, v->secret, v->secret_len);
		h->secret_len = v->secret_len;
		break;
	default:
		if ((h->serial = dup_str(v->serial)) == NULL)
			goto fail;
		break;
	}
	return 0;
fail:
	vault_hist_clear(h);
	return MFA_ENOMEM;
}

static int
hist_dup(struct vault_hist *h, const struct vault_hist *src)
{
	struct gview v;

	view_hist(src, &v);
	return hist_make(h, &v, src->group, src->when);
}

/* A history candidate with its canonical bytes, for ordering. */
struct hcand {
	struct vault_hist h;
	uint8_t *canon;
	size_t clen;
	bool drop;
};

/* By value (group, then canonical bytes), the newest of a value first. */
static int
hcand_by_value(const void *a, const void *b)
{
	const struct hcand *x = a, *y = b;
	int r;

	if (x->h.group != y->h.group)
		return x->h.group < y->h.group ? -1 : 1;
	if ((r = bytes_cmp(x->canon, x->clen, y->canon, y->clen)) != 0)
		return r;
	return x->h.when > y->h.when ? -1 : x->h.when < y->h.when;
}

/* Kept ones newest first, then by group, then by canonical bytes, the
 * greatest first; dropped ones last. */
static int
hcand_order(const void *a, const void *b)
{
	const struct hcand *x = a, *y = b;

	if (x->drop != y->drop)
		return x->drop ? 1 : -1;
	if (x->h.when != y->h.when)
		return x->h.when > y->h.when ? -1 : 1;
	if (x->h.group != y->h.group)
		return x->h.group < y->h.group ? -1 : 1;
	return -bytes_cmp(x->canon, x->clen, y->canon, y->clen);
}

/*
 * e's history (e's groups set): the items of both sides and the values
 * lost now, one item a value (its latest time), none of a value e holds
 * now, newest first, at most VAULT_HIST_MAX. A value that lost on one path
 * of merges may win on another; leaving out the values held makes every
 * path end with the same items. Takes the lost items.
 */
static int
hist_merge(struct vault_entry *e, const struct vault_entry *o,
	   const struct vault_entry *t, struct vault_hist *lost, size_t nlost)
{
	uint8_t *cur[VAULT_GROUPS] = {NULL};
	size_t curlen[VAULT_GROUPS] = {0};
	struct hcand *c;
	struct gview v;
	size_t n = o->n_hist + t->n_hist + nlost, k = 0, i, kept = 0, run;
	unsigned g;
	int rc = 0;

	if (n == 0)
		return 0;
	if ((c = calloc(n, sizeof(*c))) == NULL) {
		for (i = 0; i < nlost; i++)
			vault_hist_clear(&lost[i]);
		return MFA_ENOMEM;
	}
	for (i = 0; i < nlost; i++)
		c[k++].h = lost[i];
	for (i = 0; i < o->n_hist && rc == 0; i++)
		rc = hist_dup(&c[k++].h, &o->hist[i]);
	for (i = 0; i < t->n_hist && rc == 0; i++)
		rc = hist_dup(&c[k++].h, &t->hist[i]);
	for (i = 0; i < k && rc == 0; i++) {
		view_hist(&c[i].h, &v);
		rc = group_bytes(&v, c[i].h.group, &c[i].canon, &c[i].clen);
	}
	view_entry(e, &v);
	for (g = 0; g < VAULT_GROUPS && rc == 0; g++)
		rc = group_bytes(&v, (enum vault_group)g, &cur[g], &curlen[g]);
	if (rc == 0) {
		qsort(c, k, sizeof(*c), hcand_by_value);
		for (i = 0, run = 0; i < k; i++) {
			g = c[i].h.group;
			if (i > 0 && c[run].h.group == c[i].h.group &&
			    bytes_cmp(c[run].canon, c[run].clen, c[i].canon,
				      c[i].clen) == 0) {
				/* A repeat: its counter goes to the first. */
				c[i].drop = true;
				c[run].h.p.counter = max_u64(c[run].h.p.counter,
							     c[i].h.p.counter);
			} else {
				run = i;
			}
			if (bytes_cmp(cur[g], curlen[g], c[i].canon,
				      c[i].clen) == 0) {
				/* The value e holds: its count is e's. */
				c[i].drop = true;
				if (g == VAULT_GROUP_CREDENTIAL)
					e->p.counter = max_u64(
					    e->p.counter, c[i].h.p.counter);
			}
		}
		qsort(c, k, sizeof(*c), hcand_order);
		if ((e->hist = calloc(VAULT_HIST_MAX, sizeof(*e->hist))) ==
		    NULL)
			rc = MFA_ENOMEM;
	}
	for (i = 0; i < k && rc == 0 && kept < VAULT_HIST_MAX; i++) {
		if (c[i].drop)
			break;
		e->hist[kept++] = c[i].h;
		memset(&c[i].h, 0, sizeof(c[i].h)); /* moved */
	}
	for (i = 0; i < k; i++) {
		if (c[i].canon != NULL)
			sodium_free(c[i].canon);
		/* Items not kept (all of a failed run) are wiped. */
		vault_hist_clear(&c[i].h);
	}
	for (g = 0; g < VAULT_GROUPS; g++)
		if (cur[g] != NULL)
			sodium_free(cur[g]);
	free(c);
	e->n_hist = kept;
	if (kept == 0) {
		free(e->hist);
		e->hist = NULL;
	}
	return rc;
}

/* Group g of e becomes v's value; the credential keeps e's counter. */
static int
entry_set_group(struct vault_entry *e, const struct gview *v,
		enum vault_group g)
{
	uint64_t counter;
	int rc;

	switch (g) {
	case VAULT_GROUP_LABELS:
		if ((rc = vault_entry_set_str(&e->name, v->name)) != 0 ||
		    (rc = vault_entry_set_str(&e->issuer, v->issuer)) != 0)
			return rc;
		return vault_entry_set_str(&e->note, v->note);
	case VAULT_GROUP_CREDENTIAL:
		counter = e->p.counter;
		e->p = *v->p;
		e->p.counter = counter;
		return vault_entry_set_secret(e, v->secret, v->secret_len);
	default:
		return vault_entry_set_str(&e->serial, v->serial);
	}
}

static int
entry_copy_to(struct vault_data *out, const struct vault_entry *s)
{
	struct vault_entry e;
	struct gview v;
	size_t i;
	unsigned g;
	int rc;

	if ((rc = vault_entry_init_in(out, &e, s->created)) != 0)
		return rc;
	memcpy(e.id, s->id, VAULT_ID_BYTES);
	view_entry(s, &v);
	for (g = 0; g < VAULT_GROUPS && rc == 0; g++)
		rc = entry_set_group(&e, &v, (enum vault_group)g);
	if (rc == 0 && s->n_hist > 0 &&
	    (e.hist = calloc(VAULT_HIST_MAX, sizeof(*e.hist))) == NULL)
		rc = MFA_ENOMEM;
	for (i = 0; i < s->n_hist && i < VAULT_HIST_MAX && rc == 0; i++) {
		rc = hist_dup(&e.hist[i], &s->hist[i]);
		if (rc == 0)
			e.n_hist++;
	}
	if (rc != 0) {
		vault_entry_clear(&e);
		return rc;
	}
	e.p.counter = s->p.counter;
	e.created = s->created;
	e.updated = s->updated;
	e.last_step = s->last_step;
	e.verify_step = s->verify_step;
	if (s->stamp != NULL) {
		if ((e.stamp = malloc(VAULT_GROUPS * sizeof(*e.stamp))) ==
		    NULL) {
			vault_entry_clear(&e);
			return MFA_ENOMEM;
		}
		memcpy(e.stamp, s->stamp, VAULT_GROUPS * sizeof(*e.stamp));
	}
	if ((rc = vault_entry_add(out, &e)) != 0)
		vault_entry_clear(&e);
	return rc;
}

static int
entry_copy(struct merge_run *m, const struct vault_data *src, size_t i)
{
	return entry_copy_to(m->out, &src->entries[i]);
}

/*
 * A time both sides may have changed: one side's change wins over no
 * change; changes on both sides give the later (later: the earlier for a
 * creation time). b is NULL when the base lacks the record.
 */
static int64_t
merge_time(const int64_t *b, int64_t o, int64_t t, bool later)
{
	if (o == t)
		return o;
	if (b != NULL && o == *b)
		return t;
	if (b != NULL && t == *b)
		return o;
	return (o > t) == later ? o : t;
}

/*
 * One group of a record both sides hold: changed on one side, that side's
 * value; the same on both, that value; changed to different values on
 * both, the newer (by the group's time; a tie by the canonical encoding,
 * greatest wins), the other value into *lost. tb, to, tt are the group's
 * times (tb NULL with vb); *when is its time in the result, *o_wins which
 * side's value it takes.
 */
static int
merge_group(const struct gview *vb, const struct gview *vo,
	    const struct gview *vt, const int64_t *tb, int64_t to, int64_t tt,
	    enum vault_group g, bool *o_wins, int64_t *when,
	    struct vault_hist *lost, bool *lose)
{
	int c;

	*lose = false;
	if (group_eq(vo, vt, g)) {
		*o_wins = true;
		*when =
		    merge_time(vb != NULL && group_eq(vb, vo, g) ? tb : NULL,
			       to, tt, true);
		return 0;
	}
	if (vb != NULL && group_eq(vb, vo, g)) {
		*o_wins = false;
		*when = tt;
		return 0;
	}
	if (vb != NULL && group_eq(vb, vt, g)) {
		*o_wins = true;
		*when = to;
		return 0;
	}
	if (to != tt) {
		*o_wins = to > tt;
	} else {
		if (group_cmp(vo, vt, g, &c) != 0)
			return MFA_ENOMEM;
		*o_wins = c > 0;
	}
	*when = *o_wins ? to : tt;
	*lose = true;
	return hist_make(lost, *o_wins ? vt : vo, g, *o_wins ? tt : to);
}

static int
entry_combine(struct merge_run *m, long ib, long io, long it)
{
	const struct vault_entry *B = ib >= 0 ? &m->b->entries[ib] : NULL;
	const struct vault_entry *O = &m->o->entries[io];
	const struct vault_entry *T = &m->t->entries[it];
	const struct vault_entry *win[VAULT_GROUPS], *side[3] = {B, O, T};
	struct vault_hist lost[VAULT_GROUPS];
	struct gview vb, vo, vt, vw, vs;
	struct vault_entry e;
	int64_t when[VAULT_GROUPS], tb = 0;
	uint8_t sum[16];
	size_t nlost = 0, i;
	unsigned g, conflicts = 0;
	bool o_wins, lose;
	int rc;

	view_entry(O, &vo);
	view_entry(T, &vt);
	if (B != NULL)
		view_entry(B, &vb);
	for (g = 0; g < VAULT_GROUPS; g++) {
		if (B != NULL)
			tb = vault_group_time(B, (enum vault_group)g);
		rc = merge_group(B != NULL ? &vb : NULL, &vo, &vt,
				 B != NULL ? &tb : NULL,
				 vault_group_time(O, (enum vault_group)g),
				 vault_group_time(T, (enum vault_group)g),
				 (enum vault_group)g, &o_wins, &when[g],
				 &lost[nlost], &lose);
		if (rc != 0)
			goto fail_lost;
		win[g] = o_wins ? O : T;
		if (lose) {
			nlost++;
			conflicts |= 1u << g;
		}
	}
	if ((rc = vault_entry_init_in(m->out, &e, 0)) != 0)
		goto fail_lost;
	memcpy(e.id, O->id, VAULT_ID_BYTES);
	for (g = 0; g < VAULT_GROUPS && rc == 0; g++) {
		view_entry(win[g], &vw);
		rc = entry_set_group(&e, &vw, (enum vault_group)g);
	}
	if (rc != 0) {
		vault_entry_clear(&e);
		goto fail_lost;
	}
	/* Counters of the credential the result has; steps of every side. */
	view_entry(&e, &vw);
	e.p.counter = 0;
	for (i = 0; i < 3; i++) {
		if (side[i] == NULL)
			continue;
		view_entry(side[i], &vs);
		if (cred_eq(&vs, &vw))
			e.p.counter = max_u64(e.p.counter, side[i]->p.counter);
		e.last_step = max_u64(e.last_step, side[i]->last_step);
		e.verify_step = max_u64(e.verify_step, side[i]->verify_step);
	}
	e.created = merge_time(B != NULL ? &B->created : NULL, O->created,
			       T->created, false);
	e.updated = merge_time(B != NULL ? &B->updated : NULL, O->updated,
			       T->updated, true);
	rc = hist_merge(&e, O, T, lost, nlost);
	nlost = 0; /* taken */
	for (g = 0; g < VAULT_GROUPS && rc == 0; g++) {
		if (when[g] == e.updated)
			continue;
		group_sum(&vw, (enum vault_group)g, sum);
		rc = vault_entry_stamp_set(&e, (enum vault_group)g, when[g],
					   sum);
	}
	if (rc == 0 && (rc = vault_entry_add(m->out, &e)) == 0 && conflicts)
		rc = merge_note(m, "account", O->id, VAULT_CH_CONFLICT,
				conflicts);
	if (rc != 0 && e.name != NULL)
		vault_entry_clear(&e);
	return rc;
fail_lost:
	for (i = 0; i < nlost; i++)
		vault_hist_clear(&lost[i]);
	return rc;
}

static int
entry_order(const void *a, const void *b)
{
	const struct vault_entry *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return memcmp(x->id, y->id, VAULT_ID_BYTES);
}

static void
entry_sort(struct vault_data *out)
{
	if (out->n_entries > 1)
		qsort(out->entries, out->n_entries, sizeof(*out->entries),
		      entry_order);
}

static const struct merge_kind entry_kind = {
    .noun = "account",
    .count = entry_count,
    .id = entry_id,
    .updated = entry_updated,
    .label = entry_label,
    .compare = entry_compare,
    .copy = entry_copy,
    .combine = entry_combine,
    .sort = entry_sort,
};

/* --- AWS access keys: the second kind -------------------------------- */

/*
 * A key record is one unit: changed on one side, that side's; changed on
 * both, the later updated wins (ties: the larger canonical encoding), and
 * the merge says so. Two records that end with one profile (two machines
 * added a key under the same name) cannot both keep it: the one whose id
 * sorts later becomes "PROFILE~ID" (eight hex digits of its id) as it goes
 * into the result, the same on every machine, and nothing is lost.
 */
static size_t
awskey_count(const struct vault_data *d)
{
	return d->n_awskeys;
}

static const uint8_t *
awskey_id(const struct vault_data *d, size_t i)
{
	return d->awskeys[i].id;
}

static int64_t
awskey_updated(const struct vault_data *d, size_t i)
{
	return d->awskeys[i].updated;
}

static char *
awskey_label(const struct vault_data *d, size_t i)
{
	return dup_str(d->awskeys[i].profile);
}

/* Canonical bytes of a key record: every field but the times. */
static void
awskey_canon(const struct vault_awskey *k, struct canon *c)
{
	const char *str[6] = {k->profile, k->access_key_id, k->serial,
			      k->region,  k->arn,	    k->pending_id};
	uint8_t len[4];
	size_t i, n;

	canon_put(c, k->id, VAULT_ID_BYTES);
	for (i = 0; i < 6; i++) {
		n = str[i] != NULL ? strlen(str[i]) : 0;
		vault_put32(len, (uint32_t)n);
		canon_put(c, len, 4);
		canon_put(c, str[i] != NULL ? str[i] : "", n);
	}
	vault_put32(len, (uint32_t)k->secret_len);
	canon_put(c, len, 4);
	canon_put(c, k->secret, k->secret_len);
	vault_put32(len, (uint32_t)k->pending_secret_len);
	canon_put(c, len, 4);
	if (k->pending_secret != NULL)
		canon_put(c, k->pending_secret, k->pending_secret_len);
}

static void
awskey_sum(const struct vault_awskey *k, uint8_t sum[32])
{
	crypto_generichash_state h;
	struct canon c = {&h, NULL, 0};

	crypto_generichash_init(&h, NULL, 0, 32);
	awskey_canon(k, &c);
	crypto_generichash_final(&h, sum, 32);
}

static bool
awskey_eq(const struct vault_awskey *x, const struct vault_awskey *y)
{
	uint8_t a[32], b[32];

	awskey_sum(x, a);
	awskey_sum(y, b);
	return sodium_memcmp(a, b, sizeof(a)) == 0;
}

static unsigned
awskey_compare(const struct vault_data *da, size_t a,
	       const struct vault_data *db, size_t b, unsigned *groups)
{
	const struct vault_awskey *x = &da->awskeys[a], *y = &db->awskeys[b];
	unsigned what = 0;

	*groups = 0;
	if (!str_eq(x->profile, y->profile))
		what |= VAULT_CH_RENAMED;
	if (!awskey_eq(x, y) && !(what & VAULT_CH_RENAMED))
		what |= VAULT_CH_EDITED;
	return what;
}

/* "PROFILE~ID", for the key of the two whose id sorts later. */
static int
awskey_rename(struct merge_run *m, struct vault_awskey *k)
{
	char hex[2 * VAULT_ID_BYTES + 1], *name;
	int rc;

	sodium_bin2hex(hex, sizeof(hex), k->id, VAULT_ID_BYTES);
	if (asprintf(&name, "%s~%.8s", k->profile, hex) < 0)
		return MFA_ENOMEM;
	k->profile = name;
	rc = merge_note(m, "AWS key", k->id, VAULT_CH_CONFLICT, 0);
	return rc;
}

/* Add k to the result, profiles kept unique (see above). */
static int
awskey_put(struct merge_run *m, const struct vault_awskey *src, int64_t created,
	   int64_t updated)
{
	struct vault_awskey k = *src, e;
	char *mine = NULL, *theirs = NULL;
	long j;
	int rc = 0;

	k.created = created;
	k.updated = updated;
	if ((j = vault_awskey_find(m->out, k.profile)) >= 0) {
		e = m->out->awskeys[j];
		if (memcmp(k.id, e.id, VAULT_ID_BYTES) > 0) {
			if ((rc = awskey_rename(m, &k)) != 0)
				return rc;
			mine = k.profile;
		} else {
			if ((rc = awskey_rename(m, &e)) == 0)
				rc = vault_awskey_set(m->out, (size_t)j, &e);
			theirs = e.profile;
		}
	}
	if (rc == 0)
		rc = vault_awskey_add(m->out, &k);
	free(mine);
	free(theirs);
	return rc;
}

static int
awskey_copy_as(struct merge_run *m, const struct vault_awskey *src,
	       int64_t created, int64_t updated)
{
	return awskey_put(m, src, created, updated);
}

static int
awskey_copy(struct merge_run *m, const struct vault_data *src, size_t i)
{
	return awskey_put(m, &src->awskeys[i], src->awskeys[i].created,
			  src->awskeys[i].updated);
}

static int
awskey_combine(struct merge_run *m, long ib, long io, long it)
{
	const struct vault_awskey *O = &m->o->awskeys[io];
	const struct vault_awskey *T = &m->t->awskeys[it];
	const struct vault_awskey *B = ib >= 0 ? &m->b->awskeys[ib] : NULL;
	const struct vault_awskey *win;
	int64_t created = O->created < T->created ? O->created : T->created;
	int64_t updated = O->updated > T->updated ? O->updated : T->updated;
	uint8_t so[32], st[32];
	bool conflict = false;
	int rc;

	if (awskey_eq(O, T) || (B != NULL && awskey_eq(B, T))) {
		win = O;
	} else if (B != NULL && awskey_eq(B, O)) {
		win = T;
	} else {
		conflict = true;
		if (O->updated != T->updated) {
			win = O->updated > T->updated ? O : T;
		} else {
			awskey_sum(O, so);
			awskey_sum(T, st);
			win = memcmp(so, st, sizeof(so)) >= 0 ? O : T;
		}
	}
	if ((rc = awskey_copy_as(m, win, created, updated)) == 0 && conflict)
		rc = merge_note(m, "AWS key", O->id, VAULT_CH_CONFLICT, 0);
	return rc;
}

static int
awskey_order(const void *a, const void *b)
{
	const struct vault_awskey *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return memcmp(x->id, y->id, VAULT_ID_BYTES);
}

static void
awskey_sort(struct vault_data *out)
{
	if (out->n_awskeys > 1)
		qsort(out->awskeys, out->n_awskeys, sizeof(*out->awskeys),
		      awskey_order);
}

static const struct merge_kind awskey_kind = {
    .noun = "AWS key",
    .count = awskey_count,
    .id = awskey_id,
    .updated = awskey_updated,
    .label = awskey_label,
    .compare = awskey_compare,
    .copy = awskey_copy,
    .combine = awskey_combine,
    .sort = awskey_sort,
};

static const struct merge_kind *const merge_kinds[] = {
    &entry_kind,
    &awskey_kind,
    NULL,
};

/*
 * A merge builds its result from the kinds above: records of a kind that
 * struct vault_data holds but this table lacks would be left out of every
 * merged vault. So a field added to struct vault_data stops the build here
 * until its kind is in the table (then update the count).
 */
_Static_assert(sizeof(struct vault_data) == 9 * sizeof(void *),
	       "struct vault_data changed: add its records to merge_kinds[]");

/* --- the generic part ---------------------------------------------------
 */

/* A record only one side (s: m->o or m->t) holds. */
static int
merge_one_side(struct merge_run *m, const struct merge_kind *k, long ib,
	       const struct vault_data *s, size_t is,
	       const struct index *other_tombs, const struct vault_data *other)
{
	const uint8_t *id = k->id(s, is);
	unsigned groups;
	long tb;
	int64_t when;
	int rc;

	if (ib >= 0) {
		/* Removed on the other side: kept if changed on this one
		 * (any change: a merge elsewhere may have made one that
		 * shows only in its time). */
		if (k->compare(m->b, (size_t)ib, s, is, &groups) == 0 &&
		    k->updated(m->b, (size_t)ib) == k->updated(s, is)) {
			when = k->updated(s, is);
			return merge_removed(m, id, when);
		}
		if ((rc = k->copy(m, s, is)) != 0)
			return rc;
		return merge_note(m, k->noun, id, VAULT_CH_KEPT, 0);
	}
	/* Not in the base: added here, unless the other side has seen it
	 * (from a third copy) and removed it after its last change here. */
	if ((tb = index_find(other_tombs, id)) < 0)
		return k->copy(m, s, is);
	if (k->updated(s, is) <= other->tombstones[tb].deleted)
		return merge_removed(m, id, k->updated(s, is));
	if ((rc = k->copy(m, s, is)) != 0)
		return rc;
	return merge_note(m, k->noun, id, VAULT_CH_KEPT, 0);
}

static int
merge_kind_run(struct merge_run *m, const struct merge_kind *k)
{
	struct index xb, xo, xt;
	size_t pb = 0, po = 0, pt = 0;
	const uint8_t *id;
	long ib, io, it;
	int rc;

	memset(&xb, 0, sizeof(xb));
	memset(&xo, 0, sizeof(xo));
	memset(&xt, 0, sizeof(xt));
	if ((rc = index_kind(k, m->b, &xb)) != 0 ||
	    (rc = index_kind(k, m->o, &xo)) != 0 ||
	    (rc = index_kind(k, m->t, &xt)) != 0)
		goto out;
	/* Every id once, in id order, whichever side holds it. */
	for (;;) {
		id = NULL;
		if (pb < xb.n)
			id = xb.v[pb].id;
		if (po < xo.n &&
		    (id == NULL || memcmp(xo.v[po].id, id, VAULT_ID_BYTES) < 0))
			id = xo.v[po].id;
		if (pt < xt.n &&
		    (id == NULL || memcmp(xt.v[pt].id, id, VAULT_ID_BYTES) < 0))
			id = xt.v[pt].id;
		if (id == NULL)
			break;
		ib = io = it = -1;
		/* Duplicates of an id (only a crafted vault has them): the
		 * first counts. */
		while (pb < xb.n &&
		       memcmp(xb.v[pb].id, id, VAULT_ID_BYTES) == 0)
			ib = ib < 0 ? (long)xb.v[pb++].i : (pb++, ib);
		while (po < xo.n &&
		       memcmp(xo.v[po].id, id, VAULT_ID_BYTES) == 0)
			io = io < 0 ? (long)xo.v[po++].i : (po++, io);
		while (pt < xt.n &&
		       memcmp(xt.v[pt].id, id, VAULT_ID_BYTES) == 0)
			it = it < 0 ? (long)xt.v[pt++].i : (pt++, it);
		if (io >= 0 && it >= 0)
			rc = k->combine(m, ib, io, it);
		else if (io >= 0)
			rc = merge_one_side(m, k, ib, m->o, (size_t)io,
					    &m->tomb_t, m->t);
		else if (it >= 0)
			rc = merge_one_side(m, k, ib, m->t, (size_t)it,
					    &m->tomb_o, m->o);
		else
			rc = merge_removed(m, id, k->updated(m->b, (size_t)ib));
		if (rc != 0)
			goto out;
	}
	k->sort(m->out);
out:
	free(xb.v);
	free(xo.v);
	free(xt.v);
	return rc;
}

static int
tomb_order(const void *a, const void *b)
{
	const struct vault_tombstone *x = a, *y = b;
	int r = memcmp(x->id, y->id, VAULT_ID_BYTES);

	if (r != 0)
		return r;
	/* The latest first: it is the one kept. */
	return x->deleted > y->deleted ? -1 : x->deleted < y->deleted;
}

/* Every tombstone of both sides and of the removals, one per id (the
 * latest), in id order. */
static int
merge_tombs(struct merge_run *m)
{
	const struct vault_data *src[2] = {m->o, m->t};
	struct vault_tombstone *all;
	size_t n = m->o->n_tombstones + m->t->n_tombstones + m->n_need, k = 0;
	size_t i, j;

	if (n == 0)
		return 0;
	if ((all = calloc(n, sizeof(*all))) == NULL)
		return MFA_ENOMEM;
	for (j = 0; j < 2; j++)
		for (i = 0; i < src[j]->n_tombstones; i++)
			all[k++] = src[j]->tombstones[i];
	for (i = 0; i < m->n_need; i++)
		all[k++] = m->need[i];
	qsort(all, k, sizeof(*all), tomb_order);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 ||
		    memcmp(all[j - 1].id, all[i].id, VAULT_ID_BYTES) != 0)
			all[j++] = all[i];
	m->out->tombstones = all;
	m->out->n_tombstones = j;
	return 0;
}

static int
merge_kv(const struct vault_data *ours, struct vault_data *out)
{
	size_t i;
	int rc;

	for (i = 0; i < ours->n_kv; i++)
		if ((rc = vault_kv_set(out, ours->kv[i].key, ours->kv[i].value,
				       ours->kv[i].value_len,
				       ours->kv[i].expires)) != 0)
			return rc;
	return 0;
}

/* --- reports ------------------------------------------------------------
 */

void
vault_report_free(struct vault_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].label);
		free(r->v[i].old_label);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int
report_add(struct vault_report *r, const struct merge_kind *k,
	   const uint8_t *id, unsigned what, unsigned groups,
	   const struct vault_data *d, size_t i, const struct vault_data *od,
	   size_t oi)
{
	struct vault_change *grown, *c;

	grown = reallocarray(r->v, r->n + 1, sizeof(*grown));
	if (grown == NULL)
		return MFA_ENOMEM;
	r->v = grown;
	c = &grown[r->n];
	memset(c, 0, sizeof(*c));
	c->what = what;
	c->groups = groups;
	c->noun = k->noun;
	memcpy(c->id, id, VAULT_ID_BYTES);
	if ((c->label = k->label(d, i)) == NULL)
		return MFA_ENOMEM;
	r->n++;
	if (od != NULL && (what & VAULT_CH_RENAMED) &&
	    (c->old_label = k->label(od, oi)) == NULL)
		return MFA_ENOMEM;
	return 0;
}

static int
diff_kind(const struct merge_kind *k, const struct vault_data *from,
	  const struct vault_data *to, struct vault_report *rep)
{
	struct index xf, xt;
	size_t pf = 0, pt = 0;
	unsigned what, groups;
	int r, rc;

	memset(&xf, 0, sizeof(xf));
	memset(&xt, 0, sizeof(xt));
	if ((rc = index_kind(k, from, &xf)) != 0 ||
	    (rc = index_kind(k, to, &xt)) != 0)
		goto out;
	while (rc == 0 && (pf < xf.n || pt < xt.n)) {
		if (pf == xf.n)
			r = 1;
		else if (pt == xt.n)
			r = -1;
		else
			r = memcmp(xf.v[pf].id, xt.v[pt].id, VAULT_ID_BYTES);
		if (r < 0) {
			rc = report_add(rep, k, xf.v[pf].id, VAULT_CH_REMOVED,
					0, from, xf.v[pf].i, NULL, 0);
			pf++;
		} else if (r > 0) {
			rc = report_add(rep, k, xt.v[pt].id, VAULT_CH_ADDED, 0,
					to, xt.v[pt].i, NULL, 0);
			pt++;
		} else {
			what = k->compare(from, xf.v[pf].i, to, xt.v[pt].i,
					  &groups);
			if (what != 0)
				rc = report_add(rep, k, xt.v[pt].id, what,
						groups, to, xt.v[pt].i, from,
						xf.v[pf].i);
			pf++;
			pt++;
		}
		/* Skip duplicate ids (a crafted vault). */
		while (pf > 0 && pf < xf.n &&
		       memcmp(xf.v[pf - 1].id, xf.v[pf].id, VAULT_ID_BYTES) ==
			   0)
			pf++;
		while (pt > 0 && pt < xt.n &&
		       memcmp(xt.v[pt - 1].id, xt.v[pt].id, VAULT_ID_BYTES) ==
			   0)
			pt++;
	}
out:
	free(xf.v);
	free(xt.v);
	return rc;
}

static bool
kv_same(const struct vault_data *a, const struct vault_data *b)
{
	size_t i, j;

	if (a->n_kv != b->n_kv)
		return false;
	for (i = 0; i < a->n_kv; i++) {
		for (j = 0; j < b->n_kv; j++)
			if (strcmp(a->kv[i].key, b->kv[j].key) == 0)
				break;
		if (j == b->n_kv || a->kv[i].expires != b->kv[j].expires ||
		    a->kv[i].value_len != b->kv[j].value_len ||
		    (a->kv[i].value_len > 0 &&
		     sodium_memcmp(a->kv[i].value, b->kv[j].value,
				   a->kv[i].value_len) != 0))
			return false;
	}
	return true;
}

/* Report order: by label, then id, so it reads like `mfa list`. */
static int
change_order(const void *a, const void *b)
{
	const struct vault_change *x = a, *y = b;
	int r = strcmp(x->label, y->label);

	return r != 0 ? r : memcmp(x->id, y->id, VAULT_ID_BYTES);
}

int
vault_diff(const struct vault_data *from, const struct vault_data *to,
	   struct vault_report *rep)
{
	static const struct vault_data empty;
	size_t i;
	int rc = 0;

	if (rep == NULL)
		return MFA_EINVAL;
	memset(rep, 0, sizeof(*rep));
	if (from == NULL)
		from = &empty;
	if (to == NULL)
		to = &empty;
	for (i = 0; merge_kinds[i] != NULL && rc == 0; i++)
		rc = diff_kind(merge_kinds[i], from, to, rep);
	if (rc != 0) {
		vault_report_free(rep);
		return rc;
	}
	rep->kv = !kv_same(from, to);
	if (rep->n > 1)
		qsort(rep->v, rep->n, sizeof(*rep->v), change_order);
	return 0;
}

/* The merge's notes, into the report of what changed in ours. */
static int
report_notes(struct merge_run *m, struct vault_report *rep)
{
	const struct merge_kind *k;
	struct index xo;
	size_t i, j, kk;
	long at;
	int rc = 0;

	for (kk = 0; merge_kinds[kk] != NULL && rc == 0; kk++) {
		k = merge_kinds[kk];
		if ((rc = index_kind(k, m->out, &xo)) != 0)
			break;
		for (i = 0; i < m->n_notes && rc == 0; i++) {
			if (strcmp(m->notes[i].noun, k->noun) != 0)
				continue;
			for (j = 0; j < rep->n; j++)
				if (memcmp(rep->v[j].id, m->notes[i].id,
					   VAULT_ID_BYTES) == 0)
					break;
			if (j == rep->n) {
				if ((at = index_find(&xo, m->notes[i].id)) < 0)
					continue;
				rc = report_add(rep, k, m->notes[i].id, 0, 0,
						m->out, (size_t)at, NULL, 0);
				if (rc != 0)
					break;
			}
			rep->v[j].what |= m->notes[i].what;
			rep->v[j].conflicts |= m->notes[i].conflicts;
		}
		free(xo.v);
	}
	return rc;
}

/* Labels several records of a kind share after the merge, and fewer of
 * them did in ours: a note on each. */
struct lab {
	char *s;
	size_t i;
};

static int
lab_cmp(const void *a, const void *b)
{
	const struct lab *x = a, *y = b;

	return strcmp(x->s, y->s);
}

static int
labels_of(const struct merge_kind *k, const struct vault_data *d,
	  struct lab **out, size_t *n)
{
	size_t i, cnt = k->count(d);

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if ((*out = calloc(cnt, sizeof(**out))) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < cnt; i++) {
		if (((*out)[i].s = k->label(d, i)) == NULL) {
			*n = i;
			return MFA_ENOMEM;
		}
		(*out)[i].i = i;
	}
	*n = cnt;
	qsort(*out, cnt, sizeof(**out), lab_cmp);
	return 0;
}

static size_t
labels_count(const struct lab *l, size_t n, const char *s)
{
	size_t c = 0, i;

	/* Few clashes, small vaults: a scan of the sorted run is enough. */
	for (i = 0; i < n; i++)
		c += strcmp(l[i].s, s) == 0;
	return c;
}

static int
merge_clashes(struct merge_run *m)
{
	const struct merge_kind *k;
	struct lab *lo = NULL, *lr = NULL;
	size_t no = 0, nr = 0, i, j, kk, q;
	int rc = 0;

	for (kk = 0; merge_kinds[kk] != NULL && rc == 0; kk++) {
		k = merge_kinds[kk];
		if ((rc = labels_of(k, m->o, &lo, &no)) == 0)
			rc = labels_of(k, m->out, &lr, &nr);
		for (i = 0; rc == 0 && i < nr; i = j) {
			for (j = i + 1; j < nr && strcmp(lr[j].s, lr[i].s) == 0;
			     j++)
				;
			if (j - i < 2 || labels_count(lo, no, lr[i].s) >= j - i)
				continue;
			for (q = i; q < j && rc == 0; q++)
				rc = merge_note(m, k->noun,
						k->id(m->out, lr[q].i),
						VAULT_CH_CLASH, 0);
		}
		for (i = 0; i < no; i++)
			free(lo[i].s);
		for (i = 0; i < nr; i++)
			free(lr[i].s);
		free(lo);
		free(lr);
		lo = lr = NULL;
	}
	return rc;
}

int
vault_merge(const struct vault_data *base, const struct vault_data *ours,
	    const struct vault_data *theirs, struct vault_data *out,
	    struct vault_report *rep)
{
	static const struct vault_data empty;
	struct merge_run m;
	size_t i;
	int rc;

	if (rep != NULL)
		memset(rep, 0, sizeof(*rep));
	if (out == NULL || ours == NULL || theirs == NULL)
		return MFA_EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	m.b = base != NULL ? base : &empty;
	m.o = ours;
	m.t = theirs;
	m.out = out;
	if ((rc = vault_sodium()) != 0 ||
	    (rc = index_tombs(ours, &m.tomb_o)) != 0 ||
	    (rc = index_tombs(theirs, &m.tomb_t)) != 0)
		goto out;
	for (i = 0; merge_kinds[i] != NULL; i++)
		if ((rc = merge_kind_run(&m, merge_kinds[i])) != 0)
			goto out;
	if ((rc = merge_tombs(&m)) != 0 || (rc = merge_kv(ours, out)) != 0)
		goto out;
	if (rep != NULL && ((rc = merge_clashes(&m)) != 0 ||
			    (rc = vault_diff(ours, out, rep)) != 0 ||
			    (rc = report_notes(&m, rep)) != 0))
		goto out;
	if (rep != NULL && rep->n > 1)
		qsort(rep->v, rep->n, sizeof(*rep->v), change_order);
out:
	free(m.notes);
	free(m.need);
	free(m.tomb_o.v);
	free(m.tomb_t.v);
	if (rc != 0) {
		vault_data_free(out);
		vault_report_free(rep);
	}
	return rc;
}
