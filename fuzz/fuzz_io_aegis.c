/*
 * libFuzzer harness: Aegis vault JSON, plain path.
 *
 * No password callback is given, so encrypted inputs stop at MFA_ENOPASS
 * after their header has been checked (scrypt per input would starve the
 * fuzzer). Whatever aegis_import accepts must export with io_export_aegis
 * and read back to the same accounts, names and notes included; whatever it
 * refuses must leave the list empty and give a reason. The sniffers run on
 * every input too.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "io/formats.h"
#include "io/iojson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_same(const struct io_entry *a, const struct io_entry *b)
{
	if (a->secret_len != b->secret_len ||
	    memcmp(a->secret, b->secret, a->secret_len) != 0 ||
	    a->p.type != b->p.type || a->p.hash != b->p.hash ||
	    a->p.digits != b->p.digits || a->p.t0 != b->p.t0)
		abort();
	if (a->p.type == OTP_HOTP ? a->p.counter != b->p.counter
				  : a->p.period != b->p.period)
		abort();
	/* jansson hands out valid UTF-8 without NULs: escaping is lossless. */
	if (strcmp(a->name, b->name) != 0 ||
	    strcmp(a->issuer, b->issuer) != 0 || strcmp(a->note, b->note) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct io_list a = {0}, b = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	char *out = NULL;
	size_t outlen, i;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		io_json_secure_init();
		ready = 1;
	}
	(void)aegis_sniff(data, size);
	(void)andotp_sniff(data, size);
	(void)twofas_sniff(data, size);
	if (aegis_import(data, size, NULL, NULL, &a, &werr) != 0) {
		if (a.n != 0 || why[0] == '\0')
			abort();
		return 0;
	}
	if (io_export_aegis(a.v, a.n, NULL, 0, &out, &outlen) != 0)
		abort();
	if (strlen(out) != outlen || !aegis_sniff((const uint8_t *)out, outlen))
		abort();
	if (aegis_import((const uint8_t *)out, outlen, NULL, NULL, &b, &werr) !=
	    0)
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
