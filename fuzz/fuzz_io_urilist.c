/*
 * libFuzzer harness: otpauth / otpauth-migration URI lists.
 *
 * Whatever urilist_import accepts must export with io_export_uri and read
 * back to the same accounts; whatever it refuses must leave the list empty.
 *
 * Build with clang -fsanitize=fuzzer,address from this file, every
 * C file of src/io and src/otp and build/<b>/gen/google_auth.pb-c.c
 * (-Isrc -Iinclude -Ibuild/<b>/gen), linked with libsodium, libcrypto,
 * jansson and libprotobuf-c. Seeds:
 * ../shared/fixtures/aegis/importers/plain.txt,
 * ../shared/fixtures/stratum/urilist.txt,
 * ../shared/fixtures/google-migration/scito/ text files, the .txt files of
 * tests/fixtures/io.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "io/formats.h"
#include "io/iojson.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	io_json_secure_init();
	return 0;
}

static void
fuzz_same(const struct io_entry *a, const struct io_entry *b)
{
	if (a->secret_len != b->secret_len ||
	    memcmp(a->secret, b->secret, a->secret_len) != 0 ||
	    a->p.type != b->p.type || a->p.hash != b->p.hash ||
	    a->p.digits != b->p.digits)
		abort();
	/* uri_format writes Steam as 30 s, issuer "Steam" when it has none. */
	if (a->p.type == OTP_HOTP    ? a->p.counter != b->p.counter
	    : a->p.type == OTP_STEAM ? b->p.period != 30
				     : a->p.period != b->p.period)
		abort();
	/*
	 * An otpauth label cannot carry an issuer holding ':' nor a name
	 * starting with a space next to an issuer: skip those names.
	 */
	if (strchr(a->issuer, ':') != NULL ||
	    (a->issuer[0] != '\0' && a->name[0] == ' '))
		return;
	if (strcmp(a->name, b->name) != 0 || strcmp(a->note, b->note) != 0 ||
	    strcmp(a->serial, b->serial) != 0)
		abort();
	if (a->p.type == OTP_STEAM && a->issuer[0] == '\0'
		? strcmp(b->issuer, "Steam") != 0
		: strcmp(a->issuer, b->issuer) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct io_list a = {0}, b = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	char *out = NULL;
	size_t outlen, i;

	/* Half the inputs leave bad lines out, with a reason each. */
	a.skip_unsupported = size > 0 && (data[size - 1] & 1);
	if (urilist_import(data, size, &a, &werr) != 0) {
		if (a.n != 0 || a.nskipped != 0 || why[0] == '\0' ||
		    (a.skip_unsupported && a.entry_failed))
			abort();
		io_list_free(&a);
		return 0;
	}
	for (i = 0; i < a.nskipped; i++)
		if (a.skipped[i] == NULL || a.skipped[i][0] == '\0')
			abort();
	if (io_export_uri(a.v, a.n, &out, &outlen) != 0)
		abort();
	if (urilist_import((const uint8_t *)out, outlen, &b, &werr) != 0)
		abort();
	if (a.n != b.n)
		abort();
	for (i = 0; i < a.n; i++)
		fuzz_same(&a.v[i], &b.v[i]);
	sodium_free(out);
	io_list_free(&a);
	io_list_free(&b);
	return 0;
}
