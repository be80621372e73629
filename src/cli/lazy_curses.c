/* libncursesw.so.6, opened on first use (see lazy/lazy.h). */
#include "cli/lazy_curses.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_CURSES
#define LAZY_SONAME_CURSES "libncursesw.so.6"
#define LAZY_PACKAGE_CURSES "libncursesw6"
#endif

static struct lazy_lib lazy_curses_lib = {
    LAZY_SONAME_CURSES, LAZY_PACKAGE_CURSES, NULL, 0, {0}};
static struct lazy_curses_api lazy_curses_table;

int
lazy_curses_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_curses_api *t = &lazy_curses_table;
	struct lazy_lib *l = &lazy_curses_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_CURSES_FNS(LAZY_LOOKUP)
		LAZY_CURSES_VARS(LAZY_LOOKUP)
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_curses_api *
lazy_curses(void)
{
	if (lazy_curses_load(NULL) != 0)
		lazy_die(&lazy_curses_lib);
	return &lazy_curses_table;
}
