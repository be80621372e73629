/*
 * lazy: shared libraries that only some commands use, opened on first use.
 *
 * Linking a library costs every command its relocations at start-up, used
 * or not (libcrypto alone about 2.5 million instructions), while `mfa code`
 * needs none of the image, QR, JSON, protobuf, terminal or cipher
 * libraries. Each such library gets a header that includes the real one and
 * then defines its functions as macros calling through a table of pointers
 * of the very same types (__typeof__), filled by dlopen()/dlsym() the first
 * time the table is asked for. Call sites, and the libraries' own macros
 * that expand to their functions, stay as they are.
 *
 * A layer's entry points call its LIB_load() first and turn a failure into
 * their usual error with the reason ("cannot load libjansson.so.4: install
 * the Debian package libjansson4"). The table accessors load too, and where
 * no entry point did and loading fails, they print that reason as
 * "mfa: <context>: <reason>" and exit(1): a missing system library is as
 * fatal as it was when the dynamic linker refused to start mfa at all.
 *
 * This is a base module, below every layer: it knows only dlopen.
 */
#ifndef MFA_LAZY_LAZY_H
#define MFA_LAZY_LAZY_H

#include <stdbool.h>
#include <stddef.h>

/* One library: its run-time name and the Debian package that ships it. */
struct lazy_lib {
	const char *soname;
	const char *package;
	void *handle;
	int state; /* 0 not tried, 1 loaded, -1 failed */
	char why[192];
};

/*
 * dlopen() l once (later calls return the first answer): 0, or
 * MFA_EUNSUPPORTED with l->why set.
 */
int lazy_open(struct lazy_lib *l);
/*
 * The address of `name` in the opened l; NULL (and l->why set, l->state
 * failed) when it lacks it.
 */
void *lazy_sym(struct lazy_lib *l, const char *name);
/* Print "mfa: <context>: <l->why>" on stderr and exit(1). */
_Noreturn void lazy_die(const struct lazy_lib *l);
/*
 * What lazy_die() names as the failing operation, e.g. the command
 * ("watch"). Static storage is the caller's. NULL: none.
 */
void lazy_set_context(const char *what);

/*
 * Helpers for the tables, used on X-macro lists of names: LAZY_FIELD(f)
 * declares the pointer to function (or variable) f with f's own type;
 * LAZY_LOOKUP(f) fills t->p_f from the lazy_lib *l or jumps to `fail`
 * (t, l and fail are the loader's). Pass them to the list directly: an
 * intermediate macro would expand a name that is itself a macro.
 */
#define LAZY_FIELD(f) __typeof__(&f) p_##f;
#define LAZY_LOOKUP(f)                                                         \
	if ((t->p_##f = (__typeof__(t->p_##f))lazy_sym(l, #f)) == NULL)        \
		goto fail;

/*
 * Define, for a library KEY (LAZY_SONAME_KEY, LAZY_PACKAGE_KEY) and its
 * table struct lazy_NAME_api:
 *   int lazy_NAME_load(const char **why): open and fill the table once; 0,
 *     or MFA_EUNSUPPORTED with *why (when why is not NULL) the reason;
 *   const struct lazy_NAME_api *lazy_NAME(void): the table, loaded on
 *     demand, or lazy_die().
 * LOOKUPS is the table's lists applied to LAZY_LOOKUP; AFTER runs once a
 * load has succeeded (with t the table).
 */
#define LAZY_DEFINE(NAME, KEY, LOOKUPS, AFTER)                                 \
	static struct lazy_lib lazy_##NAME##_lib = {                           \
	    LAZY_SONAME_##KEY, LAZY_PACKAGE_##KEY, NULL, 0, {0}};              \
	static struct lazy_##NAME##_api lazy_##NAME##_table;                   \
	int lazy_##NAME##_load(const char **why)                               \
	{                                                                      \
		static int done; /* 0 not tried, 1 ok, -1 failed */            \
		struct lazy_##NAME##_api *t = &lazy_##NAME##_table;            \
		struct lazy_lib *l = &lazy_##NAME##_lib;                       \
                                                                               \
		if (done == 0) {                                               \
			done = -1;                                             \
			if (lazy_open(l) != 0)                                 \
				goto fail;                                     \
			LOOKUPS                                                \
			AFTER                                                  \
			done = 1;                                              \
		}                                                              \
	fail:                                                                  \
		if (why != NULL)                                               \
			*why = done > 0 ? NULL : l->why;                       \
		return done > 0 ? 0 : MFA_EUNSUPPORTED;                        \
	}                                                                      \
	const struct lazy_##NAME##_api *lazy_##NAME(void)                      \
	{                                                                      \
		if (lazy_##NAME##_load(NULL) != 0)                             \
			lazy_die(&lazy_##NAME##_lib);                          \
		return &lazy_##NAME##_table;                                   \
	}

/* The SONAMEs and packages of the machine mfa was built on. */
#if __has_include("lazy_sonames.h")
#include "lazy_sonames.h"
#endif

#endif
