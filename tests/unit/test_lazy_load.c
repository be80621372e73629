/*
 * src/lazy: a library that is not there is a clear error naming its Debian
 * package; one that is fills its table, and calls through the macros reach
 * the real library; jansson gets the registered allocator whether it was
 * registered before or after the library was loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lazy/jansson.h"
#include "mfa/rc.h"

static void
test_lazy_missing(void **state)
{
	struct lazy_lib l = {
	    "libmfa-no-such-library.so.7", "libmfa-nothing7", NULL, 0, {0}};

	(void)state;
	assert_int_equal(lazy_open(&l), MFA_EUNSUPPORTED);
	assert_string_equal(l.why,
			    "cannot load libmfa-no-such-library.so.7: "
			    "install the Debian package libmfa-nothing7");
	/* Asked again: the same answer, not a second dlopen. */
	assert_int_equal(lazy_open(&l), MFA_EUNSUPPORTED);
	assert_null(lazy_sym(&l, "json_object"));
}

static void
test_lazy_missing_symbol(void **state)
{
	struct lazy_lib l = {
	    LAZY_SONAME_JANSSON, LAZY_PACKAGE_JANSSON, NULL, 0, {0}};

	(void)state;
	assert_int_equal(lazy_open(&l), 0);
	assert_non_null(lazy_sym(&l, "json_object"));
	assert_null(lazy_sym(&l, "json_no_such_function"));
	assert_non_null(strstr(l.why, "lacks json_no_such_function"));
}

static size_t allocs;

static void *
count_alloc(size_t n)
{
	allocs++;
	return malloc(n);
}

static void
test_lazy_jansson(void **state)
{
	const char *why = "unset";
	json_t *o;
	char *s;

	(void)state;
	/* Registered before the first load: applied by the load. */
	lazy_jansson_set_alloc(count_alloc, free);
	assert_int_equal(lazy_jansson_load(&why), 0);
	assert_null(why);
	o = json_pack("{s:i}", "n", 42);
	assert_non_null(o);
	assert_true(allocs > 0);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 42);
	s = json_dumps(o, JSON_COMPACT);
	assert_string_equal(s, "{\"n\":42}");
	free(s);
	json_incref(o);
	json_decref(o);
	assert_int_equal(o->refcount, 1);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lazy_missing),
	    cmocka_unit_test(test_lazy_missing_symbol),
	    cmocka_unit_test(test_lazy_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
