/*
 * Return codes: every code from MFA_OK down to MFA_RC_MIN has its own
 * description and symbolic name, and codes outside the list say so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mfa/rc.h"

static void
test_rc_every_code(void **state)
{
	const char *seen[-MFA_RC_MIN + 1];
	const char *names[-MFA_RC_MIN + 1];
	int rc, i;

	(void)state;
	for (rc = 0; rc >= MFA_RC_MIN; rc--) {
		const char *d = mfa_strerror(rc);
		const char *n = mfa_strerror_name(rc);

		assert_non_null(d);
		assert_non_null(n);
		assert_true(d[0] != '\0');
		assert_string_not_equal(d, "unknown error");
		assert_int_equal(strncmp(n, "MFA_", 4), 0);
		assert_string_not_equal(n, "MFA_UNKNOWN");
		/* Descriptions end up after "mfa: ": one line, no newline. */
		assert_null(strchr(d, '\n'));
		for (i = 0; i < -rc; i++) {
			if (strcmp(seen[i], d) == 0)
				fail_msg("codes %d and %d share \"%s\"", -i, rc,
					 d);
			if (strcmp(names[i], n) == 0)
				fail_msg("codes %d and %d share name %s", -i,
					 rc, n);
		}
		seen[-rc] = d;
		names[-rc] = n;
	}
}

static void
test_rc_known_names(void **state)
{
	(void)state;
	assert_string_equal(mfa_strerror_name(MFA_OK), "MFA_OK");
	assert_string_equal(mfa_strerror_name(MFA_EBASE32), "MFA_EBASE32");
	assert_string_equal(mfa_strerror_name(MFA_ENOVAULT), "MFA_ENOVAULT");
	assert_string_equal(mfa_strerror(MFA_EBASE32),
			    "invalid base32 character");
	assert_int_equal(MFA_EVAULT_SLOTS, MFA_RC_MIN);
}

static void
test_rc_unknown(void **state)
{
	static const int unknown[] = {
	    1, 2, 100, MFA_RC_MIN - 1, -1000, INT32_MIN, INT32_MAX};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_string_equal(mfa_strerror(unknown[i]), "unknown error");
		assert_non_null(mfa_strerror_name(unknown[i]));
		assert_string_equal(mfa_strerror_name(unknown[i]),
				    "MFA_UNKNOWN");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rc_every_code),
	    cmocka_unit_test(test_rc_known_names),
	    cmocka_unit_test(test_rc_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
