/* libprotobuf-c.so.1, opened on first use (see lazy/lazy.h). */
#include "io/lazy_protobuf.h"

#include "mfa/rc.h"

#ifndef LAZY_SONAME_PROTOBUF
#define LAZY_SONAME_PROTOBUF "libprotobuf-c.so.1"
#define LAZY_PACKAGE_PROTOBUF "libprotobuf-c1"
#endif

static struct lazy_lib lazy_protobuf_lib = {
    LAZY_SONAME_PROTOBUF, LAZY_PACKAGE_PROTOBUF, NULL, 0, {0}};
static struct lazy_protobuf_api lazy_protobuf_table;

const char lazy_protobuf_empty_string[] = "";

int
lazy_protobuf_load(const char **why)
{
	static int done; /* 0 not tried, 1 ok, -1 failed */
	struct lazy_protobuf_api *t = &lazy_protobuf_table;
	struct lazy_lib *l = &lazy_protobuf_lib;

	if (done == 0) {
		done = -1;
		if (lazy_open(l) != 0)
			goto fail;
		LAZY_PROTOBUF_FNS(LAZY_LOOKUP)
		done = 1;
	}
fail:
	if (why != NULL)
		*why = done > 0 ? NULL : l->why;
	return done > 0 ? 0 : MFA_EUNSUPPORTED;
}

const struct lazy_protobuf_api *
lazy_protobuf(void)
{
	if (lazy_protobuf_load(NULL) != 0)
		lazy_die(&lazy_protobuf_lib);
	return &lazy_protobuf_table;
}
