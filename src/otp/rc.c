/* The one table behind mfa_strerror(); see include/mfa/rc.h. */
#include "mfa/rc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct rc_desc {
	int rc;
	const char *name;
	const char *desc;
};

static const struct rc_desc rc_table[] = {
#define ERR(name, value, desc) {value, #name, desc},
    MFA_RC_LIST(ERR)
#undef ERR
};

static const struct rc_desc *
rc_find(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(rc_table) / sizeof(rc_table[0]); i++)
		if (rc_table[i].rc == rc)
			return &rc_table[i];
	return NULL;
}

const char *
mfa_strerror(int rc)
{
	const struct rc_desc *d = rc_find(rc);

	return d ? d->desc : "unknown error";
}

const char *
mfa_strerror_name(int rc)
{
	const struct rc_desc *d = rc_find(rc);

	return d ? d->name : "MFA_UNKNOWN";
}

int
mfa_err_set(struct mfa_err *e, int rc, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return rc;
	e->rc = rc;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return rc;
}

void
mfa_err_why(struct mfa_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
}

const char *
mfa_err_text(const struct mfa_err *e, int rc)
{
	return e != NULL && e->why[0] != '\0' ? e->why : mfa_strerror(rc);
}
