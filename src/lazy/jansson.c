/* libjansson.so.4, opened on first use (see lazy/lazy.h). */
#include "lazy/jansson.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_JANSSON
#define LAZY_SONAME_JANSSON "libjansson.so.4"
#define LAZY_PACKAGE_JANSSON "libjansson4"
#endif

static json_malloc_t lazy_jansson_malloc;
static json_free_t lazy_jansson_free;

/* A loaded jansson gets the allocator registered before. */
static void
lazy_jansson_after(const struct lazy_jansson_api *t)
{
	if (lazy_jansson_malloc != NULL)
		t->p_json_set_alloc_funcs(lazy_jansson_malloc,
					  lazy_jansson_free);
}

LAZY_DEFINE(jansson, JANSSON, LAZY_JANSSON_FNS(LAZY_LOOKUP),
	    lazy_jansson_after(t);)

void
lazy_jansson_set_alloc(json_malloc_t m, json_free_t f)
{
	lazy_jansson_malloc = m;
	lazy_jansson_free = f;
	if (lazy_jansson_lib.state > 0 && m != NULL)
		lazy_jansson_table.p_json_set_alloc_funcs(m, f);
}
