/*
 * libFuzzer harness for the image decoders and the zbar scan: any bytes in,
 * a return code out, nothing leaked. Build with clang -fsanitize=fuzzer,address
 * from fuzz/fuzz_qr_image.c, every src/qr C file and src/otp/rc.c, linked
 * with zbar, libpng, libqrencode, libsodium and -ljpeg. Seeds:
 * tests/fixtures/qr/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "mfa/rc.h"
#include "qr/decode.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qr_texts t = {0};
	struct mfa_err werr = {0};
	char *why = werr.why;
	size_t i;
	int rc;

	rc = qr_decode_image(data, size, &t, &werr);
	/* The contract the cli relies on. */
	if ((rc == 0) != (t.n > 0))
		abort();
	if (rc != 0 && why[0] == '\0')
		abort();
	if (rc != 0 && rc != MFA_EIMAGE && rc != MFA_ENOQR &&
	    rc != MFA_ETOOBIG && rc != MFA_ENOMEM)
		abort();
	for (i = 0; i < t.n; i++)
		if (t.text[i][t.len[i]] != '\0')
			abort();
	qr_texts_free(&t);
	return 0;
}
