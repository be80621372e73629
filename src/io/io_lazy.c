/* Which optional libraries a format needs; see io_lazy.h. */
#include "io/io_lazy.h"

#include <stdio.h>

#include "io/lazy_crypto.h"
#include "io/lazy_protobuf.h"
#include "lazy/jansson.h"

int
io_lazy_need(enum io_format fmt, struct mfa_err *err)
{
	const char *w = NULL;
	int rc = 0;

	switch (fmt) {
	case IO_URI:
	case IO_GOOGLE:
		/* A list may hold otpauth-migration:// lines. */
		rc = lazy_protobuf_load(&w);
		break;
	case IO_AEGIS:
	case IO_ANDOTP:
	case IO_TWOFAS:
		/* JSON, and the ciphers and KDFs when encrypted. */
		if ((rc = lazy_jansson_load(&w)) == 0)
			rc = lazy_crypto_load(&w);
		break;
	case IO_JSON:
		rc = lazy_jansson_load(&w);
		break;
	default:
		break;
	}
	if (rc != 0)
		mfa_err_why(err, "%s", w);
	return rc;
}
