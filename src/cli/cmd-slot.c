/*
 * mfa slot list|add|rm: the vault's key slots. Besides the passphrase, a
 * FIDO2 security key can open the vault through its hmac-secret extension
 * (src/fido derives the slot's key; the vault wraps the vault key with it),
 * alone, or together with the passphrase (--require-fido2: two factors).
 *
 * Adding or removing a slot proves the vault's secret again (no cached
 * key), as passwd does: a cached key alone must not let anyone enrol a key
 * of their own or take the owner's away.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "fido/fido2.h"

/* "fido2 + PIN + passphrase" */
static const char *
cmd_slot_kind(const struct vault_slot_info *si, char *buf, size_t len)
{
	if (si->type == VAULT_SLOT_PASSPHRASE)
		return "passphrase";
	if (si->type != VAULT_SLOT_FIDO2) {
		snprintf(buf, len, "unknown (type %u)", si->type);
		return buf;
	}
	snprintf(buf, len, "fido2%s%s%s",
		 (si->flags & VAULT_FIDO2_PIN) ? " + PIN" : "",
		 (si->flags & VAULT_FIDO2_PASS) ? " + passphrase" : "",
		 si->usable ? "" : " (newer format)");
	return buf;
}

/* What opens the vault, in words. */
static const char *
cmd_slot_summary(const struct vault *v)
{
	struct vault_slot_info si;
	bool pass = false, key = false, both = false;
	size_t i;

	for (i = 0; i < vault_slot_count(v); i++) {
		if (vault_slot_get(v, i, &si) != 0)
			continue;
		if (si.type == VAULT_SLOT_PASSPHRASE)
			pass = true;
		else if (si.type == VAULT_SLOT_FIDO2 &&
			 (si.flags & VAULT_FIDO2_PASS))
			both = true;
		else if (si.type == VAULT_SLOT_FIDO2)
			key = true;
	}
	if (both && !pass && !key)
		return "the passphrase AND one of its security keys "
		       "(--require-fido2: the passphrase alone does not)";
	if (pass && key)
		return "the passphrase, or one of its security keys alone";
	if (pass)
		return "the passphrase";
	if (key)
		return "one of its security keys alone (no passphrase slot)";
	return "no slot this version of mfa can use";
}

static int
cmd_slot_list_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *path = unlock_path(ctx);
	struct vault_slot_info si;
	struct vault *v;
	char kind[64], when[32];
	struct tm tm;
	time_t t;
	size_t i;
	int rc;

	(void)a;
	if (path == NULL)
		return cli_fail(ctx, MFA_EINVAL,
				"vault path (set HOME, MFA_VAULT or --vault)");
	/* The slots are in the plaintext header: nothing to unlock. */
	if ((rc = vault_open(path, &v)) != 0)
		return cli_fail(ctx, rc, "vault %s", path);
	ctx->vault = v;
	printf("%-3s %-28s %-17s %s\n", "ID", "TYPE", "CREATED", "LABEL");
	for (i = 0; i < vault_slot_count(v); i++) {
		if ((rc = vault_slot_get(v, i, &si)) != 0)
			return cli_fail(ctx, rc, "vault %s", path);
		snprintf(when, sizeof(when), "-");
		t = (time_t)si.created;
		if (si.created > 0 && gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%MZ", &tm);
		printf("%-3zu %-28s %-17s %s\n", i + 1,
		       cmd_slot_kind(&si, kind, sizeof(kind)), when,
		       si.label[0] != '\0' ? util_clean(si.label) : "-");
	}
	printf("Opens with: %s.\n", cmd_slot_summary(v));
	return 0;
}

/* The one key to enrol: --device, else the only one plugged in. */
static int
cmd_slot_device(struct mfa_ctx *ctx, const struct mfa_args *a,
		struct fido2_dev *dev)
{
	struct fido2_dev devs[FIDO2_DEVS_MAX];
	char list[512] = "";
	size_t n = 0, i, l = 0;
	int rc;

	memset(dev, 0, sizeof(*dev));
	if (args_has(a, OPT_DEVICE)) {
		if (strlen(args_get(a, OPT_DEVICE)) >= sizeof(dev->path))
			return cli_fail(ctx, MFA_ETOOLONG, "--device");
		snprintf(dev->path, sizeof(dev->path), "%s",
			 args_get(a, OPT_DEVICE));
		return 0;
	}
	if ((rc = fido2_devices(devs, FIDO2_DEVS_MAX, &n)) != 0)
		return cli_fail(ctx, rc, "security keys");
	if (n == 1) {
		*dev = devs[0];
		return 0;
	}
	if (n == 0)
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "slot add --fido2: no security key found: "
				 "plug one in (or name it with --device "
				 "PATH)");
	for (i = 0; i < n && l < sizeof(list); i++)
		l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s",
				      i > 0 ? ", " : "", devs[i].path);
	return cli_failx(ctx, MFA_EAMBIGUOUS,
			 "slot add --fido2: %zu security keys are plugged in "
			 "(%s): choose one with --device PATH",
			 n, list);
}

struct cmd_slot_state {
	bool plain_key; /* a FIDO2 slot that opens the vault alone */
	size_t plain_key_id;
	bool pass_slot;	 /* a passphrase-only slot */
	bool two_factor; /* FIDO2 slots that need the passphrase */
	const uint8_t *cred[32];
	size_t len[32], ids[32], n;
};

static void
cmd_slot_state(const struct vault *v, struct cmd_slot_state *s)
{
	struct vault_slot_info si;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < vault_slot_count(v); i++) {
		if (vault_slot_get(v, i, &si) != 0)
			continue;
		if (si.type == VAULT_SLOT_PASSPHRASE)
			s->pass_slot = true;
		if (si.type != VAULT_SLOT_FIDO2)
			continue;
		if (si.flags & VAULT_FIDO2_PASS) {
			s->two_factor = true;
		} else if (!s->plain_key) {
			s->plain_key = true;
			s->plain_key_id = i + 1;
		}
		if (s->n < 32) {
			s->cred[s->n] = si.cred;
			s->len[s->n] = si.cred_len;
			s->ids[s->n++] = i + 1;
		}
	}
}

static int
cmd_slot_add_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	const char *label = args_get(a, OPT_LABEL), *why = NULL;
	struct cmd_slot_state s;
	struct vault_fido2_new n;
	struct fido2_info info;
	struct fido2_dev dev;
	struct vault *v;
	uint8_t cred[FIDO2_CRED_MAX], salt[FIDO2_SALT_BYTES], *key = NULL;
	char err[512], prompt[512], *pass = NULL, *pin = NULL;
	size_t clen = 0, plen = 0, pinlen = 0, idx = 0, which;
	bool need_pass;
	int rc;

	if (!args_has(a, OPT_FIDO2))
		return cli_usage(ctx, "slot add: which kind of slot? --fido2 "
				      "(a FIDO2 security key)");
	if (label != NULL && strlen(label) > VAULT_LABEL_MAX)
		return cli_usage(ctx, "--label: at most %d bytes",
				 VAULT_LABEL_MAX);
	if (fido2_load(&why) != 0)
		return cli_failx(ctx, MFA_EUNSUPPORTED,
				 "slot add --fido2: cannot load %s (%s): "
				 "install the Debian package %s",
				 FIDO2_SONAME, why != NULL ? why : "?",
				 FIDO2_DEB_PACKAGE);
	/* Prove the vault's secret now, even with a cached key. */
	ctx->no_cache = true;
	if ((rc = unlock_vault_pass(ctx, &v, &pass, &plen)) != 0)
		return rc;
	cmd_slot_state(v, &s);
	/* A two-factor vault stays one: every key needs the passphrase. */
	need_pass =
	    args_has(a, OPT_REQUIRE_FIDO2) || (s.two_factor && !s.pass_slot);
	if (need_pass && s.plain_key) {
		rc = cli_failx(ctx, MFA_EEXIST,
			       "slot add --require-fido2: slot %zu opens the "
			       "vault with its security key alone: remove it "
			       "first (mfa slot rm %zu), then enrol that key "
			       "again with --require-fido2",
			       s.plain_key_id, s.plain_key_id);
		goto out;
	}
	if ((rc = cmd_slot_device(ctx, a, &dev)) != 0)
		goto out;
	if ((rc = fido2_info(dev.path, &info, err, sizeof(err))) != 0) {
		rc = cli_failx(ctx, rc, "%s", err);
		goto out;
	}
	if (!info.hmac_secret) {
		rc = cli_failx(ctx, MFA_EUNSUPPORTED,
			       "security key %s does not support the "
			       "hmac-secret extension",
			       dev.path);
		goto out;
	}
	if (info.pin_set && !args_has(a, OPT_PIN)) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "security key %s has a PIN: add --pin (it will "
			       "be asked at every unlock)",
			       dev.path);
		goto out;
	}
	if (!info.pin_set && args_has(a, OPT_PIN)) {
		rc = cli_failx(ctx, MFA_EINVAL,
			       "security key %s has no PIN: set one first "
			       "(fido2-token -S %s) or leave out --pin",
			       dev.path, dev.path);
		goto out;
	}
	/* Silently (no touch): is this key enrolled already? */
	if (s.n > 0 && fido2_find(dev.path, s.cred, s.len, s.n, &which, err,
				  sizeof(err)) == 0) {
		rc = cli_failx(ctx, MFA_EEXIST,
			       "security key %s is already enrolled in slot "
			       "%zu",
			       dev.path, s.ids[which]);
		goto out;
	}
	if (args_has(a, OPT_PIN)) {
		snprintf(prompt, sizeof(prompt),
			 "PIN for security key %.256s: ", dev.path);
		if ((rc = tty_read_secret(prompt, &pin, &pinlen)) != 0) {
			rc = cli_failx(ctx, rc,
				       "--pin: the PIN is asked on a terminal: "
				       "%s",
				       mfa_strerror(rc));
			goto out;
		}
	}
	if (need_pass && pass == NULL) {
		snprintf(prompt, sizeof(prompt),
			 "Passphrase for %s: ", vault_path(v));
		if ((rc = pass_get(ctx, PASS_CURRENT, prompt, &pass, &plen)))
			goto out;
		/* The same passphrase must open the vault today. */
		if ((rc = vault_unlock_pass(v, pass, plen)) != 0) {
			rc = cli_fail(ctx, rc, "vault %s", vault_path(v));
			goto out;
		}
	}
	tty_say("Touch your security key to create a credential (1/2)...");
	if ((rc = fido2_enroll(dev.path, vault_uuid(v), VAULT_ID_BYTES, pin,
			       cred, &clen, err, sizeof(err))) != 0) {
		rc = cli_failx(ctx, rc, "%s", err);
		goto out;
	}
	randombytes_buf(salt, sizeof(salt));
	if ((key = sodium_malloc(FIDO2_KEY_BYTES)) == NULL) {
		rc = cli_fail(ctx, MFA_ENOMEM, "security key");
		goto out;
	}
	tty_say("Touch your security key again (2/2)...");
	if ((rc = fido2_slot_key(dev.path, cred, clen, salt, pin, key, err,
				 sizeof(err))) != 0) {
		rc = cli_failx(ctx, rc, "%s", err);
		goto out;
	}
	memset(&n, 0, sizeof(n));
	n.flags = (args_has(a, OPT_PIN) ? VAULT_FIDO2_PIN : 0) |
		  (need_pass ? VAULT_FIDO2_PASS : 0);
	n.label = label != NULL		? label
		  : dev.name[0] != '\0' ? dev.name
					: "security key";
	n.cred = cred;
	n.cred_len = clen;
	n.salt = salt;
	n.created = util_time();
	if ((rc = vault_slot_add_fido2(v, &n, key, pass, plen, &idx)) != 0) {
		if (rc == MFA_EEXIST)
			rc = cli_failx(ctx, rc,
				       "slot add --require-fido2: the vault "
				       "gained a slot that opens it with a "
				       "key alone meanwhile: see mfa slot "
				       "list");
		else
			rc = cli_fail(ctx, rc, "vault %s", vault_path(v));
		goto out;
	}
	printf("added slot %zu: fido2%s%s '%s' (security key %s)\n", idx + 1,
	       (n.flags & VAULT_FIDO2_PIN) ? " + PIN" : "",
	       need_pass ? " + passphrase" : "", util_clean(n.label),
	       util_clean(dev.path));
	if (args_has(a, OPT_REQUIRE_FIDO2) && s.pass_slot) {
		/* The backup would still open with the passphrase alone. */
		if ((rc = vault_drop_backup(v)) != 0) {
			rc = cli_fail(ctx, rc, "%s.bak", vault_path(v));
			goto out;
		}
		printf("the passphrase alone no longer opens %s: it needs the "
		       "passphrase and one of its security keys\n",
		       vault_path(v));
	}
out:
	sodium_free(key);
	sodium_memzero(salt, sizeof(salt));
	pass_free(pin, pinlen);
	pass_free(pass, plen);
	return rc;
}

static int
cmd_slot_rm_exec(struct mfa_ctx *ctx, struct mfa_args *a)
{
	struct vault_slot_info si, o;
	struct vault *v;
	char kind[64], q[512], *end;
	const char *word = a->argv[0];
	unsigned long id;
	size_t i, npass = 0;
	int rc;

	id = strtoul(word, &end, 10);
	if (*word < '1' || *word > '9' || *end != '\0' || id > 32)
		return cli_usage(ctx,
				 "slot rm: '%s' is not a slot number "
				 "(see mfa slot list)",
				 word);
	ctx->no_cache = true;
	if ((rc = unlock_vault(ctx, &v)) != 0)
		return rc;
	if (id > vault_slot_count(v))
		return cli_failx(ctx, MFA_ENOTFOUND,
				 "slot rm: vault %s has no slot %lu (it has "
				 "%zu)",
				 vault_path(v), id, vault_slot_count(v));
	if ((rc = vault_slot_get(v, id - 1, &si)) != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	if (vault_slot_count(v) == 1)
		return cli_failx(ctx, MFA_EINVAL,
				 "slot rm: slot %lu is the only slot of %s: "
				 "without it nothing would open the vault",
				 id, vault_path(v));
	for (i = 0; i < vault_slot_count(v); i++)
		if (vault_slot_get(v, i, &o) == 0 &&
		    o.type == VAULT_SLOT_PASSPHRASE)
			npass++;
	if (si.type == VAULT_SLOT_PASSPHRASE && npass == 1) {
		snprintf(q, sizeof(q),
			 "mfa: warning: slot %lu is the last passphrase slot "
			 "of %s: afterwards only a security key opens the "
			 "vault",
			 id, vault_path(v));
		fprintf(stderr, "%s\n", q);
		if (!args_has(a, OPT_YES)) {
			if (!tty_available())
				return cli_failx(
				    ctx, MFA_ECANCELED,
				    "slot rm: slot %lu is the last passphrase "
				    "slot: give --yes to remove it without a "
				    "terminal to confirm on",
				    id);
			if ((rc = tty_confirm("Remove it?")) != 0)
				return cli_fail(ctx, rc, "slot rm");
		}
	}
	if ((rc = vault_slot_remove(v, id - 1)) != 0)
		return cli_fail(ctx, rc, "vault %s", vault_path(v));
	/* The backup would still hold the removed slot. */
	if ((rc = vault_drop_backup(v)) != 0)
		return cli_fail(ctx, rc, "%s.bak", vault_path(v));
	printf("removed slot %lu (%s%s%s)\n", id,
	       cmd_slot_kind(&si, kind, sizeof(kind)),
	       si.label[0] != '\0' ? ", " : "",
	       si.label[0] != '\0' ? util_clean(si.label) : "");
	return 0;
}

static const struct mfa_cmd cmd_slot_list_entry = {
    .name = "list",
    .alias = "ls",
    .summary = "the vault's key slots: type, creation time, label",
    .exec = cmd_slot_list_exec,
};

static const struct mfa_opt cmd_slot_add_opts[] = {
    OPT_FLAG(OPT_FIDO2, "fido2", 0,
	     "a FIDO2 security key (hmac-secret extension)"),
    OPT_ARG(OPT_DEVICE, "device", 0, "PATH", VAL_FILE,
	    "the key to enrol (default: the only one plugged in)"),
    OPT_FLAG(OPT_PIN, "pin", 0,
	     "use the key with its PIN, asked at every unlock"),
    OPT_ARG(OPT_LABEL, "label", 0, "S", VAL_TEXT,
	    "a name for the slot (default: the key's product name)"),
    OPT_FLAG(OPT_REQUIRE_FIDO2, "require-fido2", 0,
	     "the passphrase alone no longer opens the vault: it needs "
	     "the passphrase and a security key"),
    OPT_END,
};

static const struct mfa_cmd cmd_slot_add_entry = {
    .name = "add",
    .summary = "enrol a security key as a key slot",
    .help = "Creates a credential on the key (relying party 'mfa', with "
	    "hmac-secret) and wraps the vault key with a key derived from "
	    "the key's hmac-secret output. Asks for two touches. Several "
	    "keys may be enrolled (a spare in a drawer).",
    .opts = cmd_slot_add_opts,
    .exec = cmd_slot_add_exec,
};

static const struct mfa_opt cmd_slot_rm_opts[] = {
    OPT_FLAG(OPT_YES, "yes", 'y',
	     "do not ask before removing the last passphrase slot"),
    OPT_END,
};

static const struct mfa_pos cmd_slot_rm_pos[] = {
    {.name = "ID", .val = VAL_NUMBER},
    POS_END,
};

static const struct mfa_cmd cmd_slot_rm_entry = {
    .name = "rm",
    .summary = "remove a key slot (never the last one)",
    .opts = cmd_slot_rm_opts,
    .pos = cmd_slot_rm_pos,
    .exec = cmd_slot_rm_exec,
};

static const struct mfa_cmd *const cmd_slot_subs[] = {
    &cmd_slot_list_entry,
    &cmd_slot_add_entry,
    &cmd_slot_rm_entry,
    NULL,
};

const struct mfa_cmd cmd_slot_entry = {
    .name = "slot",
    .summary = "key slots: the passphrase and FIDO2 security keys",
    .subs = cmd_slot_subs,
};
