/* libncursesw.so.6, opened on first use (see lazy/lazy.h). */
#include "cli/lazy_curses.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_CURSES
#define LAZY_SONAME_CURSES "libncursesw.so.6"
#define LAZY_PACKAGE_CURSES "libncursesw6"
#endif

LAZY_DEFINE(curses, CURSES,
	    LAZY_CURSES_FNS(LAZY_LOOKUP) LAZY_CURSES_VARS(LAZY_LOOKUP), )
