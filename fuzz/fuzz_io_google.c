/*
 * libFuzzer harness: Google Authenticator migration URIs.
 *
 * The first byte chooses the input's shape: odd, the rest is a whole URI;
 * even, the rest is the protobuf payload, wrapped here into
 * otpauth-migration://offline?data=<base64> so the decoder is reached.
 * Accepted accounts must survive io_export_google and a second import
 * unchanged (Google's format holds everything its importer produces).
 *
 * Build with clang -fsanitize=fuzzer,address from this file, every
 * C file of src/io and src/otp and build/<b>/gen/google_auth.pb-c.c
 * (-Isrc -Iinclude -Ibuild/<b>/gen), linked with libsodium, libcrypto,
 * jansson and libprotobuf-c. Seeds: the lines of
 * ../shared/fixtures/google-migration/scito/example_export.txt with a 0x01 byte
 * in front.
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
	    a->p.digits != b->p.digits || a->p.period != b->p.period ||
	    a->p.counter != b->p.counter || strcmp(a->name, b->name) != 0 ||
	    strcmp(a->issuer, b->issuer) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "otpauth-migration://offline?data=";
	struct io_list a = {0}, b = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	char *uri, *out = NULL;
	size_t urilen, outlen, i, cap;
	int rc;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		if ((uri = malloc(size)) == NULL)
			return 0;
		memcpy(uri, data + 1, size - 1);
		urilen = size - 1;
	} else {
		cap = sizeof(prefix) +
		      sodium_base64_ENCODED_LEN(size - 1,
						sodium_base64_VARIANT_ORIGINAL);
		if ((uri = malloc(cap)) == NULL)
			return 0;
		memcpy(uri, prefix, sizeof(prefix) - 1);
		sodium_bin2base64(uri + sizeof(prefix) - 1,
				  cap - sizeof(prefix) + 1, data + 1, size - 1,
				  sodium_base64_VARIANT_ORIGINAL);
		urilen = strlen(uri);
	}
	rc = google_import_uri(uri, urilen, &a, &werr);
	free(uri);
	if (rc != 0) {
		if (a.n != 0 || why[0] == '\0')
			abort();
		return 0;
	}
	if (io_export_google(a.v, a.n, &out, &outlen, &werr) != 0)
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
