/* libjansson.so.4, opened on first use (see lazy/lazy.h). */
#include "lazy/jansson.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_JANSSON
#define LAZY_SONAME_JANSSON "libjansson.so.4"
#define LAZY_PACKAGE_JANSSON "libjansson4"
#endif

static struct lazy_lib lazy_jansson_lib = {
    LAZY_SONAME_JANSSON, LAZY_PACKAGE_JANSSON, NULL, 0, {0}};
static struct lazy_jansson_api lazy_jansson_table;

static json_malloc_t lazy_jansson_malloc;
static json_free_t lazy_jansson_free;

void
lazy_jansson_set_alloc(json_malloc_t m, json_free_t f)
{
	lazy_jansson_malloc = m;
	lazy_jansson_free = f;
	if (lazy_jansson_lib.state > 0 && m != NULL)
		lazy_jansson_table.p_json_set_alloc_funcs(m, f);
}

int
lazy_jansson_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_jansson_api *t = &lazy_jansson_table;
	struct lazy_lib *l = &lazy_jansson_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_JANSSON_FNS(LAZY_LOOKUP)
		if (lazy_jansson_malloc != NULL)
			t->p_json_set_alloc_funcs(lazy_jansson_malloc,
						  lazy_jansson_free);
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_jansson_api *
lazy_jansson(void)
{
	if (lazy_jansson_load(NULL) != 0)
		lazy_die(&lazy_jansson_lib);
	return &lazy_jansson_table;
}
