/* The one table behind mfa_strerror(); see include/mfa/rc.h. */
#include "mfa/rc.h"

#include <stddef.h>

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
