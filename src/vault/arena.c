/*
 * Locked, guarded memory for secrets, in few large pieces.
 *
 * sodium_malloc gives every buffer a mapping of its own with guard pages:
 * about ten system calls and four kernel mappings each, so a vault of many
 * accounts hit the 65,530-mapping limit and spent most of its time in
 * mmap. Here one arena holds every secret of a vault_data, in chunks that
 * double its size (up to steps of 1 MiB): each chunk is mapped with an
 * inaccessible guard page at each end, locked, left out of core dumps and
 * wiped in forked children, and wiped and unmapped with the arena. Within
 * an arena secrets sit side by side; the guard pages bound the whole.
 *
 * mlock fails past RLIMIT_MEMLOCK; the memory is used unlocked then (still
 * guarded, undumpable and wiped), and vault_mem_unlocked() says how much,
 * so the command can tell the user once what to raise.
 *
 * The arena also holds the strings decoded from the file (names, issuers:
 * not secret), in plain blocks: 400,000 mallocs and frees were a third of
 * the time `mfa code` took on a vault of 100,000 accounts. Such a string
 * must never reach free(); vault_arena_str_owner() tells them apart (a
 * table of every live block, searched only when a string is replaced or
 * freed one by one).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "vault/vault_int.h"

#define ARENA_FIRST 4096 /* a small vault stays within one page */
/* Doubling stops here: a big arena grows by this much, so one more secret
 * never asks for as much locked memory again as the whole arena holds
 * (RLIMIT_MEMLOCK is often 8 MiB). */
#define ARENA_STEP_MAX (1u << 20)

struct arena_chunk {
	struct arena_chunk *prev;
	uint8_t *mem; /* usable bytes, between the guard pages */
	size_t size, used;
};

#define ARENA_STR_FIRST 16384

struct arena_strs {
	struct arena_strs *prev;
	size_t size, used;
	char mem[];
};

/* Every live string block, for vault_arena_str_owner(). */
static struct arena_range {
	const char *lo, *hi;
	struct vault_arena *owner;
} * arena_ranges;
static size_t arena_nranges, arena_ranges_cap;

/* Bytes mlock refused in this process; a single-threaded program's tally. */
static size_t arena_unlocked;

static size_t
arena_page(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

/*
 * size bytes (a multiple of the page size) between two PROT_NONE pages.
 * Returns the usable start or NULL.
 */
static uint8_t *
arena_map(size_t size)
{
	size_t page = arena_page();
	uint8_t *base, *mem;

	if (size > SIZE_MAX - 2 * page)
		return NULL;
	base = mmap(NULL, size + 2 * page, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	mem = base + page;
	if (mprotect(mem, size, PROT_READ | PROT_WRITE) != 0) {
		munmap(base, size + 2 * page);
		return NULL;
	}
	/* Best effort, like sodium_malloc: an old kernel may lack them. */
	(void)madvise(mem, size, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	(void)madvise(mem, size, MADV_WIPEONFORK);
#endif
	if (mlock(mem, size) != 0)
		__atomic_add_fetch(&arena_unlocked, size, __ATOMIC_RELAXED);
	return mem;
}

/* Wipe the first used bytes and give the whole mapping back. */
static void
arena_unmap(uint8_t *mem, size_t size, size_t used)
{
	size_t page = arena_page();

	sodium_memzero(mem, used);
	/* munmap unlocks it too. */
	munmap(mem - page, size + 2 * page);
}

static size_t
arena_round(size_t n)
{
	size_t page = arena_page();

	if (n > SIZE_MAX - page)
		return 0;
	return (n + page - 1) / page * page;
}

size_t
vault_mem_unlocked(uint64_t *limit)
{
	struct rlimit rl;

	if (limit != NULL) {
		*limit = UINT64_MAX;
		if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY)
			*limit = (uint64_t)rl.rlim_cur;
	}
	return __atomic_load_n(&arena_unlocked, __ATOMIC_RELAXED);
}

int
vault_arena_new(struct vault_arena **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return MFA_ENOMEM;
	return 0;
}

uint8_t *
vault_arena_alloc(struct vault_arena *a, size_t n)
{
	struct arena_chunk *c = a->top;
	size_t size;
	uint8_t *p;

	if (n == 0)
		return NULL;
	if (c == NULL || c->size - c->used < n) {
		/* Double the arena up to a step of 1 MiB: few chunks, little
		 * of it idle. */
		size = a->size > ARENA_FIRST ? a->size : ARENA_FIRST;
		if (size > ARENA_STEP_MAX)
			size = ARENA_STEP_MAX;
		if (size < n)
			size = n;
		if ((size = arena_round(size)) == 0)
			return NULL;
		if ((c = malloc(sizeof(*c))) == NULL)
			return NULL;
		if ((c->mem = arena_map(size)) == NULL) {
			free(c);
			return NULL;
		}
		c->size = size;
		c->used = 0;
		c->prev = a->top;
		a->top = c;
		a->size += size;
	}
	p = c->mem + c->used;
	c->used += n;
	a->live += n;
	return p;
}

void
vault_arena_release(struct vault_arena *a, uint8_t *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
	sodium_memzero(p, n);
	if (a != NULL) {
		a->live -= n < a->live ? n : a->live;
		a->released += n;
	}
}

static bool
arena_range_add(struct arena_strs *b, struct vault_arena *a)
{
	struct arena_range *grown;
	size_t cap;

	if (arena_nranges == arena_ranges_cap) {
		cap = arena_ranges_cap ? 2 * arena_ranges_cap : 16;
		grown = reallocarray(arena_ranges, cap, sizeof(*grown));
		if (grown == NULL)
			return false;
		arena_ranges = grown;
		arena_ranges_cap = cap;
	}
	arena_ranges[arena_nranges].lo = b->mem;
	arena_ranges[arena_nranges].hi = b->mem + b->size;
	arena_ranges[arena_nranges].owner = a;
	arena_nranges++;
	return true;
}

static void
arena_range_del(struct arena_strs *b)
{
	size_t i;

	for (i = 0; i < arena_nranges; i++)
		if (arena_ranges[i].lo == b->mem) {
			arena_ranges[i] = arena_ranges[--arena_nranges];
			break;
		}
	if (arena_nranges == 0) {
		free(arena_ranges);
		arena_ranges = NULL;
		arena_ranges_cap = 0;
	}
}

char *
vault_arena_str(struct vault_arena *a, const void *s, size_t n)
{
	struct arena_strs *b = a->strs;
	size_t size;
	char *p;

	if (b == NULL || b->size - b->used < n + 1) {
		size = b != NULL ? 2 * b->size : ARENA_STR_FIRST;
		if (size > ARENA_STEP_MAX)
			size = ARENA_STEP_MAX;
		if (size < n + 1)
			size = n + 1;
		if ((b = malloc(sizeof(*b) + size)) == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		if (!arena_range_add(b, a)) {
			free(b);
			return NULL;
		}
		b->prev = a->strs;
		a->strs = b;
	}
	p = b->mem + b->used;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	b->used += n + 1;
	return p;
}

struct vault_arena *
vault_arena_str_owner(const char *p)
{
	static size_t last; /* strings come in runs from one block */
	size_t i;

	if (p == NULL)
		return NULL;
	if (last < arena_nranges && p >= arena_ranges[last].lo &&
	    p < arena_ranges[last].hi)
		return arena_ranges[last].owner;
	for (i = 0; i < arena_nranges; i++)
		if (p >= arena_ranges[i].lo && p < arena_ranges[i].hi) {
			last = i;
			return arena_ranges[i].owner;
		}
	return NULL;
}

void
vault_arena_wipe(struct vault_arena *a)
{
	struct arena_chunk *c, *prev;

	if (a == NULL)
		return;
	for (c = a->top; c != NULL; c = prev) {
		prev = c->prev;
		arena_unmap(c->mem, c->size, c->used);
		free(c);
	}
	a->top = NULL;
	a->size = a->live = a->released = 0;
}

void
vault_arena_free(struct vault_arena *a)
{
	struct arena_strs *b, *bprev;

	if (a == NULL)
		return;
	vault_arena_wipe(a);
	for (b = a->strs; b != NULL; b = bprev) {
		bprev = b->prev;
		arena_range_del(b);
		free(b);
	}
	free(a->ids);
	free(a);
}

void *
vault_secmem_alloc(size_t n)
{
	size_t size = arena_round(n);

	return size == 0 ? NULL : arena_map(size);
}

void
vault_secmem_free(void *p, size_t n)
{
	if (p != NULL)
		arena_unmap(p, arena_round(n), n);
}
