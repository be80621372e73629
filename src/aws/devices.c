/*
 * The MFA devices of an AWS account, and resyncing, deactivating and
 * deleting one.
 *
 * A serial says what a device is: virtual devices are ...:mfa/NAME, FIDO
 * security keys ...:u2f/..., and a hardware TOTP token's serial is no ARN
 * at all. Security keys sign in to the console only: AWS takes no code
 * from them for sts or any other CLI or API call, which is worth saying to
 * someone who wonders why their key cannot feed `mfa aws session`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/hygiene.h"

enum aws_dev_kind
aws_device_kind(const char *serial)
{
	const char *p;

	if (strncmp(serial, "arn:", 4) != 0)
		return AWS_DEV_HARDWARE;
	/* arn:PARTITION:iam::ACCOUNT:RESOURCE */
	if ((p = strstr(serial, ":iam::")) == NULL ||
	    (p = strchr(p + 6, ':')) == NULL)
		return AWS_DEV_OTHER;
	p++;
	if (strncmp(p, "mfa/", 4) == 0)
		return AWS_DEV_VIRTUAL;
	if (strncmp(p, "u2f/", 4) == 0)
		return AWS_DEV_SECURITY_KEY;
	if (strncmp(p, "sms-mfa/", 8) == 0)
		return AWS_DEV_SMS;
	return AWS_DEV_OTHER;
}

const char *
aws_device_kind_name(enum aws_dev_kind k)
{
	switch (k) {
	case AWS_DEV_VIRTUAL:
		return "virtual";
	case AWS_DEV_SECURITY_KEY:
		return "security key";
	case AWS_DEV_HARDWARE:
		return "hardware TOTP";
	case AWS_DEV_SMS:
		return "SMS";
	default:
		return "other";
	}
}

void
aws_devices_free(struct aws_devices *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		free(ds->dev[i].serial);
		free(ds->dev[i].user);
	}
	free(ds->dev);
	free(ds->stale);
	free(ds->account);
	free(ds->caller_arn);
	free(ds->user);
	memset(ds, 0, sizeof(*ds));
}

static struct aws_device *
devices_find(struct aws_devices *ds, const char *serial)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (strcmp(ds->dev[i].serial, serial) == 0)
			return &ds->dev[i];
	return NULL;
}

/* One device of a list-mfa-devices or list-virtual-mfa-devices answer. */
static int
devices_take(struct aws_devices *ds, const json_t *d, bool of_user)
{
	const char *serial =
	    json_string_value(json_object_get(d, "SerialNumber"));
	const char *user = json_string_value(json_object_get(d, "UserName"));
	const char *date = json_string_value(json_object_get(d, "EnableDate"));
	struct aws_device *dev, *g;

	if (user == NULL)
		user = json_string_value(
		    json_object_get(json_object_get(d, "User"), "UserName"));
	if (serial == NULL || serial[0] == '\0')
		return 0;
	if ((dev = devices_find(ds, serial)) == NULL) {
		if ((g = realloc(ds->dev, (ds->n + 1) * sizeof(*g))) == NULL)
			return MFA_ENOMEM;
		ds->dev = g;
		dev = &ds->dev[ds->n];
		memset(dev, 0, sizeof(*dev));
		dev->vault_idx = -1;
		dev->kind = aws_device_kind(serial);
		if ((dev->serial = strdup(serial)) == NULL)
			return MFA_ENOMEM;
		ds->n++;
	}
	dev->of_user |= of_user;
	if (user != NULL && dev->user == NULL &&
	    (dev->user = strdup(user)) == NULL)
		return MFA_ENOMEM;
	if (date != NULL && dev->enabled == 0 &&
	    aws_format_time_parse(date, &dev->enabled) != 0)
		dev->enabled = 0;
	return 0;
}

static int
devices_list(struct aws_ctx *a, struct aws_devices *ds, const char *const *args,
	     const char *key, bool of_user)
{
	const json_t *d;
	json_t *out = NULL;
	size_t i;
	int rc;

	if ((rc = aws_run(a, args, &out)) != 0)
		return rc;
	json_array_foreach(json_object_get(out, key), i, d)
	{
		if ((rc = devices_take(ds, d, of_user)) != 0)
			break;
	}
	json_decref(out);
	return rc;
}

static int
devices_caller(struct aws_ctx *a, struct aws_devices *ds)
{
	static const char *const whoami[] = {"sts", "get-caller-identity",
					     NULL};
	const char *acct, *arn;
	json_t *out = NULL;
	int rc;

	if ((rc = aws_run(a, whoami, &out)) != 0)
		return rc;
	acct = json_string_value(json_object_get(out, "Account"));
	arn = json_string_value(json_object_get(out, "Arn"));
	if (acct == NULL || arn == NULL) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "sts get-caller-identity did not say who is calling");
		json_decref(out);
		return MFA_EPARSE;
	}
	ds->account = strdup(acct);
	ds->caller_arn = strdup(arn);
	json_decref(out);
	return ds->account && ds->caller_arn ? 0 : MFA_ENOMEM;
}

/* The vault's accounts: their devices, and serials AWS no longer has. */
static int
devices_vault(struct aws_devices *ds, const struct vault_data *d)
{
	struct aws_device *dev;
	char acct[13];
	size_t i;

	if (d == NULL)
		return 0;
	if ((ds->stale = calloc(d->n_entries + 1, sizeof(*ds->stale))) == NULL)
		return MFA_ENOMEM;
	for (i = 0; i < d->n_entries; i++) {
		const char *s = d->entries[i].serial;

		if (s[0] == '\0')
			continue;
		if ((dev = devices_find(ds, s)) != NULL) {
			if (dev->vault_idx < 0)
				dev->vault_idx = (long)i;
			continue;
		}
		/* Only a virtual device of this very account is known to be
		 * gone, and only when the whole list could be read. */
		if (ds->no_virtual[0] == '\0' &&
		    aws_device_kind(s) == AWS_DEV_VIRTUAL &&
		    aws_arn_account(s, acct, sizeof(acct)) &&
		    strcmp(acct, ds->account) == 0)
			ds->stale[ds->n_stale++] = i;
	}
	return 0;
}

int
aws_devices(struct aws_ctx *a, const struct vault_data *d, const char *user,
	    struct aws_devices *out)
{
	static const char *const virt[] = {"iam", "list-virtual-mfa-devices",
					   NULL};
	const char *mine[] = {"iam", "list-mfa-devices", "--user-name", user,
			      NULL};
	const char *p;
	int rc;

	memset(out, 0, sizeof(*out));
	a->err.why[0] = '\0';
	if ((rc = devices_caller(a, out)) != 0)
		goto out;
	if (user == NULL) {
		/* An IAM user's (or the root's) own devices need no name; a
		 * role has none. */
		p = strrchr(out->caller_arn, ':');
		if (p != NULL && strncmp(p + 1, "user/", 5) == 0) {
			p = strrchr(p, '/');
			user = p + 1;
		} else if (p == NULL || strcmp(p + 1, "root") != 0) {
			snprintf(out->no_user, sizeof(out->no_user),
				 "%s is no IAM user: name one with "
				 "--user-name to see its devices",
				 out->caller_arn);
		}
		mine[2] = user != NULL ? "--user-name" : NULL;
		mine[3] = user;
	}
	if (out->no_user[0] == '\0') {
		if (user != NULL && (out->user = strdup(user)) == NULL) {
			rc = MFA_ENOMEM;
			goto out;
		}
		if ((rc = devices_list(a, out, mine, "MFADevices", true)) != 0)
			goto out;
	}
	/* Listing the account's devices is a permission of its own: without
	 * it, say what is missing and show the rest. */
	rc = devices_list(a, out, virt, "VirtualMFADevices", false);
	if (rc == MFA_EAWS) {
		snprintf(out->no_virtual, sizeof(out->no_virtual), "%s",
			 a->err.why);
		a->err.why[0] = '\0';
		rc = 0;
	}
	if (rc == 0)
		rc = devices_vault(out, d);
out:
	if (rc != 0)
		aws_devices_free(out);
	return rc;
}

int
aws_device_user(struct aws_ctx *a, const char *serial, char **user,
		bool *exists)
{
	static const char *const virt[] = {"iam", "list-virtual-mfa-devices",
					   NULL};
	struct aws_devices ds;
	struct aws_device *dev;
	int rc;

	*user = NULL;
	*exists = false;
	memset(&ds, 0, sizeof(ds));
	a->err.why[0] = '\0';
	if ((rc = devices_list(a, &ds, virt, "VirtualMFADevices", false)) != 0)
		goto out;
	if ((dev = devices_find(&ds, serial)) != NULL) {
		*exists = true;
		if (dev->user != NULL && (*user = strdup(dev->user)) == NULL)
			rc = MFA_ENOMEM;
	}
out:
	aws_devices_free(&ds);
	return rc;
}

int
aws_resync(struct aws_ctx *a, struct vault *v, const uint8_t id[VAULT_ID_BYTES],
	   const char *user, uint64_t steps[2])
{
	const struct vault_data *d = vault_data(v);
	struct aws_take t;
	char *serial;
	long idx;
	int rc;

	a->err.why[0] = '\0';
	if (d == NULL || (idx = vault_entry_find_id(d, id)) < 0)
		return MFA_ENOTFOUND;
	if ((serial = strdup(d->entries[idx].serial)) == NULL)
		return MFA_ENOMEM;
	memset(&t, 0, sizeof(t));
	t.id = id;
	t.count = 2;
	/* As for enrolment: the previous and the current step, with a few
	 * seconds left so the current one is still current at AWS. */
	t.min_left = 3;
	if ((rc = aws_step_take(a, v, &t)) == 0) {
		/* The two codes are spent by this call (their steps are
		 * recorded); the AWS CLI takes them nowhere but argv. */
		const char *args[] = {"iam",
				      "resync-mfa-device",
				      "--user-name",
				      user,
				      "--serial-number",
				      serial,
				      "--authentication-code1",
				      t.code[0],
				      "--authentication-code2",
				      t.code[1],
				      NULL};

		steps[0] = t.first;
		steps[1] = t.first + 1;
		rc = aws_run(a, args, NULL);
	}
	aws_take_clear(&t);
	free(serial);
	return rc;
}

int
aws_device_deactivate(struct aws_ctx *a, const char *user, const char *serial)
{
	const char *args[] = {"iam", "deactivate-mfa-device", "--user-name",
			      user,  "--serial-number",	      serial,
			      NULL};

	return aws_run(a, args, NULL);
}

int
aws_device_delete(struct aws_ctx *a, const char *serial)
{
	const char *args[] = {"iam", "delete-virtual-mfa-device",
			      "--serial-number", serial, NULL};

	return aws_run(a, args, NULL);
}
