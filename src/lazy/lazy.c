/* Opening libraries on first use; see lazy.h for why. */
#include "lazy/lazy.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "mfa/rc.h"

static const char *lazy_context;

void
lazy_set_context(const char *what)
{
	lazy_context = what;
}

int
lazy_open(struct lazy_lib *l)
{
	if (l->state != 0)
		return l->state > 0 ? 0 : MFA_EUNSUPPORTED;
	/* RTLD_NOW: a library that lacks a symbol fails here, not mid-use. */
	if ((l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(l->why, sizeof(l->why),
			 "cannot load %s: install the Debian package %s",
			 l->soname, l->package);
		l->state = -1;
		return MFA_EUNSUPPORTED;
	}
	l->state = 1;
	return 0;
}

void *
lazy_sym(struct lazy_lib *l, const char *name)
{
	void *p;

	if (l->handle == NULL)
		return NULL;
	if ((p = dlsym(l->handle, name)) == NULL) {
		snprintf(l->why, sizeof(l->why),
			 "%s lacks %s: install the Debian package %s "
			 "(a newer version)",
			 l->soname, name, l->package);
		l->state = -1;
	}
	return p;
}

void
lazy_die(const struct lazy_lib *l)
{
	fflush(stdout);
	if (lazy_context != NULL)
		fprintf(stderr, "mfa: %s: %s\n", lazy_context, l->why);
	else
		fprintf(stderr, "mfa: %s\n", l->why);
	exit(1);
}
