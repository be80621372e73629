/*
 * Taking an HOTP code: the counter is advanced and saved under the vault
 * lock, on freshly re-read data, before the code is handed out, so a code
 * that was shown is never shown again (and a failed save shows none).
 */
#include <sodium.h>

#include "cli/cli.h"

struct hotp_job {
	const uint8_t *id;
	int64_t now;
	char *code;
};

static int
hotp_edit(struct vault_data *d, void *arg)
{
	struct hotp_job *j = arg;
	struct vault_entry *e;
	long i = vault_entry_find_id(d, j->id);
	int rc;

	/* Removed by another command between our read and the lock. */
	if (i < 0)
		return MFA_ENOTFOUND;
	e = &d->entries[i];
	/*
	 * The counter stops at 2^63 - 1, what every export format and most
	 * apps can hold: the code of the last counter would leave it past
	 * that, so the range ends here with a clear error, never a wrap
	 * back to codes already used.
	 */
	if (e->p.counter >= OTP_COUNTER_MAX)
		return MFA_ECOUNTER_END;
	rc = otp_code_at_step(&e->p, e->secret, e->secret_len, e->p.counter,
			      j->code);
	if (rc != 0)
		return rc;
	e->p.counter++;
	e->updated = j->now;
	return 0;
}

int
hotp_take(struct vault *v, const uint8_t id[VAULT_ID_BYTES],
	  char code[OTP_CODE_MAX])
{
	struct hotp_job j = {id, util_time(), code};
	int rc;

	if ((rc = vault_update(v, hotp_edit, &j)) != 0)
		sodium_memzero(code, OTP_CODE_MAX);
	return rc;
}
