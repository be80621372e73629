/*
 * The third-party fixtures stay outside the repository (their licences
 * differ from ours): the folder $MFA_FIXTURES, else ../shared/fixtures from
 * the repository's top, where the tests run. The same rule holds for the
 * CLI tests (tests/bats/helpers.bash).
 *
 * fixture(REL) is the path of REL (which starts with '/') in that folder,
 * in one of a ring of static buffers: it stays valid for the next 15 calls.
 * fixture_need(REL) skips the calling test when REL is absent, printing a
 * line "fixtures absent: PATH" that tests/tools/run-all counts; under
 * CI=true it fails the test instead.
 */
#ifndef MFA_TEST_FIXTURES_H
#define MFA_TEST_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIXTURE_RING 16

static inline const char *
fixture(const char *rel)
{
	static char ring[FIXTURE_RING][1024];
	static unsigned next;
	const char *dir = getenv("MFA_FIXTURES");
	char *p = ring[next++ % FIXTURE_RING];

	if (dir == NULL || *dir == '\0')
		dir = "../shared/fixtures";
	if ((size_t)snprintf(p, sizeof(ring[0]), "%s%s", dir, rel) >=
	    sizeof(ring[0]))
		fail_msg("fixture path too long: %s%s", dir, rel);
	return p;
}

static inline void
fixture_need(const char *rel)
{
	struct stat st;
	const char *path = fixture(rel), *ci = getenv("CI");

	if (stat(path, &st) == 0)
		return;
	if (ci != NULL && strcmp(ci, "true") == 0)
		fail_msg("%s is missing: CI=true needs the fixtures", path);
	print_message("fixtures absent: %s\n", path);
	skip();
}

#endif
