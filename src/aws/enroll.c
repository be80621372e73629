/*
 * mfa aws enroll: create a virtual MFA device, keep its seed, enable it.
 *
 * The order is what makes it safe: the seed goes into the vault (with the
 * device's serial and the steps about to be used) before enable-mfa-device
 * runs, so no later failure can lose it; a failure before the seed is
 * saved deletes the new device again, so nothing is left half made.
 *
 * The seed comes back from the AWS CLI only as a file (--outfile): mfa
 * names a pipe (/dev/fd/3 of the CLI) and reads it into secret memory, so
 * the seed never touches a disk, and nothing is left to clean up when we
 * are killed.
 *
 * Interrupted (ctx->stop set by SIGINT, SIGTERM, SIGHUP), enrolment goes on
 * to the next point where the state is whole: before the device is made,
 * nothing is done; once AWS made it, its seed is saved first, and it stops
 * before enabling the device, with the seed safe in the vault (the caller
 * says how to finish or undo it). The calls that create and enable run
 * shielded from the terminal's signals, so each finishes and we know what
 * AWS did.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

#define ENROLL_SEED_MAX 1024

void
aws_enroll_clear(struct aws_enroll *e)
{
	free(e->user_out);
	free(e->device_out);
	free(e->name_out);
	free(e->serial);
	e->user_out = e->device_out = e->name_out = e->serial = NULL;
}

static int
enroll_strdup(char **out, const char *s)
{
	if ((*out = strdup(s)) == NULL)
		return MFA_ENOMEM;
	return 0;
}

/* The caller's IAM user name, or an error that says why there is none. */
static int
enroll_user(struct aws_ctx *a, struct aws_enroll *e)
{
	static const char *const get_user[] = {"iam", "get-user", NULL};
	static const char *const whoami[] = {"sts", "get-caller-identity",
					     NULL};
	char first[AWS_ERR_MAX];
	const char *name, *arn;
	json_t *out = NULL, *who = NULL;
	int rc;

	if (e->user != NULL)
		return enroll_strdup(&e->user_out, e->user);
	rc = aws_run(a, get_user, &out);
	if (rc == 0) {
		name = json_string_value(
		    json_object_get(json_object_get(out, "User"), "UserName"));
		arn = json_string_value(
		    json_object_get(json_object_get(out, "User"), "Arn"));
		if (name != NULL && name[0] != '\0') {
			rc = enroll_strdup(&e->user_out, name);
			json_decref(out);
			return rc;
		}
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS credentials in use are not an IAM user's "
			 "(%s): name the user with --user-name",
			 arn != NULL ? arn : "no user name");
		json_decref(out);
		return MFA_EAWS;
	}
	if (rc != MFA_EAWS)
		return rc;
	/* A role (assumed, SSO) has no IAM user: say who it is instead. */
	snprintf(first, sizeof(first), "%s", a->err.why);
	if (aws_run(a, whoami, &who) == 0 &&
	    (arn = json_string_value(json_object_get(who, "Arn"))) != NULL) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS credentials in use are %s, not an IAM "
			 "user; virtual MFA devices are enabled for IAM "
			 "users: name one with --user-name",
			 arn);
	} else {
		snprintf(a->err.why, sizeof(a->err.why), "%s", first);
	}
	json_decref(who);
	return MFA_EAWS;
}

static bool
enroll_name_taken(const struct vault_data *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_entries; i++)
		if (strcmp(d->entries[i].issuer, AWS_ISSUER) == 0 &&
		    strcmp(d->entries[i].name, name) == 0)
			return true;
	return false;
}

/* The base32 seed the AWS CLI wrote, decoded into secret memory. */
static int
enroll_read_seed(struct aws_ctx *a, const struct aws_run_file *f,
		 uint8_t **seed, size_t *len)
{
	const char *text = (const char *)f->data;
	size_t n = f->len, errpos = 0;
	int rc = 0;

	if (text == NULL || n == 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS CLI wrote no seed to %s", AWS_RUN_OUTFILE);
		return MFA_EIO;
	}
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
			 text[n - 1] == ' '))
		n--;
	if (n == 0 || n >= ENROLL_SEED_MAX)
		rc = MFA_EPARSE;
	if (rc == 0 && (*seed = sodium_malloc(base32_decoded_max(n))) == NULL)
		rc = MFA_ENOMEM;
	if (rc == 0 &&
	    (rc = base32_decode(text, n, *seed, base32_decoded_max(n), len,
				&errpos)) != 0) {
		sodium_free(*seed);
		*seed = NULL;
	}
	if (rc == 0 && *len == 0) {
		sodium_free(*seed);
		*seed = NULL;
		rc = MFA_ESECRET_EMPTY;
	}
	if (rc != 0 && a->err.why[0] == '\0')
		snprintf(a->err.why, sizeof(a->err.why),
			 "the seed the AWS CLI wrote is not a base32 seed: %s",
			 mfa_strerror(rc));
	return rc;
}

static bool
enroll_stopped(const struct aws_ctx *a)
{
	return a->stop != NULL && *a->stop != 0;
}

static int
enroll_cancel(struct aws_ctx *a)
{
	snprintf(a->err.why, sizeof(a->err.why),
		 "interrupted before the device was made: nothing was "
		 "changed");
	return MFA_ECANCELED;
}

/* Undo a device whose seed could not be kept. */
static void
enroll_undo(struct aws_ctx *a, struct aws_enroll *e)
{
	const char *args[] = {"iam", "delete-virtual-mfa-device",
			      "--serial-number", e->serial, NULL};
	char keep[AWS_ERR_MAX];

	snprintf(keep, sizeof(keep), "%s", a->err.why);
	if (aws_run(a, args, NULL) == 0) {
		e->undone = true;
		e->state = AWS_ENROLL_NONE;
	}
	snprintf(a->err.why, sizeof(a->err.why), "%s", keep);
}

static int
enroll_create(struct aws_ctx *a, struct aws_enroll *e, uint8_t **seed,
	      size_t *seed_len)
{
	const char *args[] = {"iam",
			      "create-virtual-mfa-device",
			      "--virtual-mfa-device-name",
			      e->device_out,
			      "--outfile",
			      AWS_RUN_OUTFILE,
			      "--bootstrap-method",
			      "Base32StringSeed",
			      NULL};
	struct aws_run_file f = {NULL, 0};
	json_t *out = NULL;
	const char *serial;
	size_t n;
	int rc;

	if ((rc = aws_run_shielded(a, args, &out, &f)) != 0) {
		/* Not AWS's refusal: the CLI may have failed after AWS made
		 * the device (it could not write the seed, it was killed). */
		if (rc == MFA_EAWS &&
		    strstr(a->err.why, "An error occurred (") == NULL &&
		    (n = strlen(a->err.why)) < sizeof(a->err.why))
			snprintf(a->err.why + n, sizeof(a->err.why) - n,
				 " (the device '%s' may exist in AWS without "
				 "its seed: see 'aws iam "
				 "list-virtual-mfa-devices', and delete it)",
				 e->device_out);
		goto out;
	}
	serial = json_string_value(json_object_get(
	    json_object_get(out, "VirtualMFADevice"), "SerialNumber"));
	if (serial == NULL || serial[0] == '\0') {
		/* Cannot name it, so cannot undo it: say so. */
		snprintf(a->err.why, sizeof(a->err.why),
			 "the AWS CLI did not say the new device's serial "
			 "number (look for '%s' in 'aws iam "
			 "list-virtual-mfa-devices')",
			 e->device_out);
		rc = MFA_EPARSE;
		goto out;
	}
	if ((rc = enroll_strdup(&e->serial, serial)) != 0)
		goto out;
	e->state = AWS_ENROLL_CREATED;
	rc = enroll_read_seed(a, &f, seed, seed_len);
out:
	if (f.data != NULL)
		sodium_free(f.data);
	json_decref(out);
	return rc;
}

int
aws_enroll(struct aws_ctx *a, struct vault *v, struct aws_enroll *e)
{
	struct aws_new_account acct;
	struct aws_take t;
	uint8_t *seed = NULL;
	size_t seed_len = 0;
	int rc;

	a->err.why[0] = '\0';
	e->state = AWS_ENROLL_NONE;
	e->undone = false;
	memset(&t, 0, sizeof(t));
	if ((rc = enroll_user(a, e)) != 0)
		return enroll_stopped(a) ? enroll_cancel(a) : rc;
	if ((rc = enroll_strdup(&e->device_out,
				e->device ? e->device : e->user_out)) != 0 ||
	    (rc = enroll_strdup(&e->name_out,
				e->name ? e->name : e->device_out)) != 0)
		return rc;
	/* Checked again under the lock; this spares AWS a useless device. */
	if (enroll_name_taken(vault_data(v), e->name_out)) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the vault already has an account \"%s:%s\" "
			 "(choose another name with --name)",
			 AWS_ISSUER, e->name_out);
		return MFA_EEXIST;
	}
	if (enroll_stopped(a))
		return enroll_cancel(a);
	if ((rc = enroll_create(a, e, &seed, &seed_len)) != 0) {
		if (e->state == AWS_ENROLL_CREATED)
			enroll_undo(a, e);
		return rc;
	}

	/* From here on a stop request waits: the seed is saved first. */
	acct.name = e->name_out;
	acct.serial = e->serial;
	acct.secret = seed;
	acct.secret_len = seed_len;
	t.add = &acct;
	t.count = 2;
	/* The pair is the previous and the current step. That is what AWS
	 * receives from the console flow its IAM User Guide describes (type
	 * the code shown, wait for the next one, type it, submit): at
	 * submission the first code belongs to the previous step. So no
	 * 30-second wait; a few seconds must be left so the current step is
	 * still current when AWS checks it. */
	t.min_left = 3;
	rc = aws_step_take(a, v, &t);
	sodium_free(seed);
	if (rc != 0) {
		if (rc == MFA_EEXIST)
			snprintf(a->err.why, sizeof(a->err.why),
				 "the vault already has an account \"%s:%s\"",
				 AWS_ISSUER, e->name_out);
		else if (a->err.why[0] == '\0')
			snprintf(a->err.why, sizeof(a->err.why),
				 "cannot save the seed in the vault: %s",
				 mfa_strerror(rc));
		enroll_undo(a, e);
		return rc;
	}
	e->state = AWS_ENROLL_SAVED;
	e->steps[0] = t.first;
	e->steps[1] = t.first + 1;
	if (enroll_stopped(a)) {
		aws_take_clear(&t);
		snprintf(a->err.why, sizeof(a->err.why),
			 "interrupted before the device was enabled");
		return MFA_ECANCELED;
	}
	{
		/* Both codes are one-time and spent by this call; the AWS CLI
		 * takes them nowhere but argv. The seed never is. */
		const char *args[] = {"iam",
				      "enable-mfa-device",
				      "--user-name",
				      e->user_out,
				      "--serial-number",
				      e->serial,
				      "--authentication-code1",
				      t.code[0],
				      "--authentication-code2",
				      t.code[1],
				      NULL};

		/* Shielded: once sent, its answer is waited for, so that
		 * what we report is what AWS did. */
		rc = aws_run_shielded(a, args, NULL, NULL);
	}
	aws_take_clear(&t);
	if (rc != 0)
		return rc;
	e->state = AWS_ENROLL_ENABLED;
	return 0;
}
