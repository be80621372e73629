/*
 * mfa aws audit: the IAM credential report, read and judged.
 *
 * The report is CSV. Its values are plain in practice, but user names may
 * hold commas (IAM allows "+=,.@_-"), and then the field is quoted, so the
 * parser takes RFC 4180 in full rather than splitting lines on commas. The
 * columns are found by their header names: AWS has added columns before.
 * A value that is not what the column may hold stops the audit with the
 * row and column named, rather than a judgement made on a guess.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/hygiene.h"

#define AUDIT_ROOT "<root_account>"
#define AUDIT_DAY 86400
/* generate-credential-report is asked this often, at most this many
 * times: AWS makes a report in seconds. */
#define AUDIT_POLL_SECONDS 2
#define AUDIT_POLL_MAX 30

/* --- CSV ----------------------------------------------------------------- */

struct csv_buf {
	char *p;
	size_t len, cap;
};

static int
csv_put(struct csv_buf *b, char c)
{
	char *g;
	size_t cap;

	if (b->len + 2 > b->cap) {
		cap = b->cap ? b->cap * 2 : 64;
		if ((g = realloc(b->p, cap)) == NULL)
			return MFA_ENOMEM;
		b->p = g;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return 0;
}

static int
csv_end_field(struct aws_csv_row *r, struct csv_buf *b)
{
	char **g, *s;

	if ((s = b->p != NULL ? b->p : strdup("")) == NULL)
		return MFA_ENOMEM;
	b->p = NULL;
	b->len = b->cap = 0;
	if ((g = realloc(r->f, (r->n + 1) * sizeof(*g))) == NULL) {
		free(s);
		return MFA_ENOMEM;
	}
	r->f = g;
	r->f[r->n++] = s;
	return 0;
}

static void
csv_row_free(struct aws_csv_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	memset(r, 0, sizeof(*r));
}

static int
csv_end_row(struct aws_csv *c, struct aws_csv_row *r)
{
	struct aws_csv_row *g;

	if ((g = realloc(c->rows, (c->n + 1) * sizeof(*g))) == NULL)
		return MFA_ENOMEM;
	c->rows = g;
	c->rows[c->n++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

void
aws_csv_free(struct aws_csv *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		csv_row_free(&c->rows[i]);
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

int
aws_csv_parse(const char *text, size_t len, struct aws_csv *out, char *err,
	      size_t errlen)
{
	enum {
		FIELD_START,
		UNQUOTED,
		QUOTED,
		QUOTE_IN_QUOTED
	} st = FIELD_START;
	struct aws_csv_row row = {NULL, 0, 1};
	struct csv_buf b = {NULL, 0, 0};
	size_t i, line = 1, qline = 0;
	const char *why = NULL;
	int rc = 0;
	char ch;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';
	for (i = 0; i < len && rc == 0 && why == NULL; i++) {
		ch = text[i];
		if (ch == '\0') {
			why = "a NUL byte";
			break;
		}
		switch (st) {
		case QUOTED:
			if (ch == '"')
				st = QUOTE_IN_QUOTED;
			else
				rc = csv_put(&b, ch);
			if (ch == '\n')
				line++;
			continue;
		case QUOTE_IN_QUOTED:
			if (ch == '"') {
				/* A doubled quote is one quote. */
				rc = csv_put(&b, '"');
				st = QUOTED;
				continue;
			}
			if (ch != ',' && ch != '\n' &&
			    !(ch == '\r' && i + 1 < len &&
			      text[i + 1] == '\n')) {
				why = "text after a closing quote";
				continue;
			}
			break; /* the field ends: handled below */
		case FIELD_START:
			if (ch == '"') {
				st = QUOTED;
				qline = line;
				continue;
			}
			/* fall through */
		case UNQUOTED:
			if (ch == '"') {
				why = "a quote inside an unquoted field";
				continue;
			}
			break;
		}
		if (ch == ',') {
			rc = csv_end_field(&row, &b);
			st = FIELD_START;
		} else if (ch == '\r' && i + 1 < len && text[i + 1] == '\n') {
			continue; /* CRLF: the LF ends the record */
		} else if (ch == '\n') {
			/* A blank line is no record. */
			if (!(row.n == 0 && b.p == NULL && st == FIELD_START) &&
			    (rc = csv_end_field(&row, &b)) == 0)
				rc = csv_end_row(out, &row);
			line++;
			row.line = line;
			st = FIELD_START;
		} else {
			rc = csv_put(&b, ch);
			st = UNQUOTED;
		}
	}
	if (rc == 0 && why == NULL && st == QUOTED) {
		why = "a quote that is never closed";
		line = qline;
	}
	/* The last record may lack its line break. */
	if (rc == 0 && why == NULL &&
	    !(row.n == 0 && b.p == NULL && st == FIELD_START) &&
	    (rc = csv_end_field(&row, &b)) == 0)
		rc = csv_end_row(out, &row);
	free(b.p);
	csv_row_free(&row);
	if (why != NULL) {
		snprintf(err, errlen,
			 "the credential report is not CSV: %s "
			 "on line %zu",
			 why, line);
		rc = MFA_EPARSE;
	}
	if (rc != 0)
		aws_csv_free(out);
	return rc;
}

/* --- the report ---------------------------------------------------------- */

enum cr_col {
	COL_USER,
	COL_ARN,
	COL_PASSWORD_ENABLED,
	COL_PASSWORD_LAST_USED,
	COL_PASSWORD_LAST_CHANGED,
	COL_USER_CREATION_TIME,
	COL_MFA_ACTIVE,
	COL_K1_ACTIVE,
	COL_K1_ROTATED,
	COL_K1_USED,
	COL_K2_ACTIVE,
	COL_K2_ROTATED,
	COL_K2_USED,
	COL__COUNT
};

static const char *const cr_names[COL__COUNT] = {
    "user",
    "arn",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "user_creation_time",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
};

/* What a cell holds. */
enum cr_val { V_TRUE, V_FALSE, V_NA, V_NO_INFO, V_NOT_SUPPORTED, V_DATE };

struct cr_ctx {
	const struct aws_csv_row *row;
	size_t col[COL__COUNT];
	const char *const *header;
	char *err;
	size_t errlen;
};

static int
cr_value(struct cr_ctx *c, enum cr_col col, enum cr_val *v, int64_t *t)
{
	const char *s = c->row->f[c->col[col]];

	*t = 0;
	if (strcmp(s, "true") == 0)
		*v = V_TRUE;
	else if (strcmp(s, "false") == 0)
		*v = V_FALSE;
	else if (strcmp(s, "N/A") == 0)
		*v = V_NA;
	else if (strcmp(s, "no_information") == 0)
		*v = V_NO_INFO;
	else if (strcmp(s, "not_supported") == 0)
		*v = V_NOT_SUPPORTED;
	else if (s[0] >= '0' && s[0] <= '9' && aws_format_time_parse(s, t) == 0)
		*v = V_DATE;
	else {
		snprintf(c->err, c->errlen,
			 "the credential report's line %zu has '%.40s' in "
			 "column %s",
			 c->row->line, s, cr_names[col]);
		return MFA_EPARSE;
	}
	return 0;
}

/* A yes/no column: true or false, else an error. */
static int
cr_bool(struct cr_ctx *c, enum cr_col col, bool *b)
{
	enum cr_val v;
	int64_t t;
	int rc;

	if ((rc = cr_value(c, col, &v, &t)) != 0)
		return rc;
	if (v != V_TRUE && v != V_FALSE) {
		snprintf(c->err, c->errlen,
			 "the credential report's line %zu has '%.40s' in "
			 "column %s (true or false expected)",
			 c->row->line, c->row->f[c->col[col]], cr_names[col]);
		return MFA_EPARSE;
	}
	*b = v == V_TRUE;
	return 0;
}

static int64_t
cr_days(int64_t now, int64_t t)
{
	return now > t ? (now - t) / AUDIT_DAY : 0;
}

static bool
cr_older(int64_t now, int64_t t, uint64_t days)
{
	return now > t && (uint64_t)(now - t) > days * AUDIT_DAY;
}

static int
cr_key(struct aws_audit *au, struct cr_ctx *c, int64_t now,
       const struct aws_audit_limits *lim, int k, bool root, bool *active)
{
	enum cr_col ca = k == 1 ? COL_K1_ACTIVE : COL_K2_ACTIVE;
	enum cr_col cr = k == 1 ? COL_K1_ROTATED : COL_K2_ROTATED;
	enum cr_col cu = k == 1 ? COL_K1_USED : COL_K2_USED;
	const char *who = c->row->f[c->col[COL_USER]];
	const char *arn = c->row->f[c->col[COL_ARN]];
	enum cr_val vr, vu;
	int64_t tr, tu;
	int rc;

	if ((rc = cr_bool(c, ca, active)) != 0 || !*active)
		return rc;
	if ((rc = cr_value(c, cr, &vr, &tr)) != 0 ||
	    (rc = cr_value(c, cu, &vu, &tu)) != 0)
		return rc;
	if (root)
		return aws_audit_add(au, AWS_F_ROOT_KEY, who, arn, k,
				     vr == V_DATE ? cr_days(now, tr) : -1);
	if (vr == V_DATE && cr_older(now, tr, lim->max_key_age) &&
	    (rc = aws_audit_add(au, AWS_F_KEY_OLD, who, arn, k,
				cr_days(now, tr))) != 0)
		return rc;
	/* N/A: never used (AWS tracks key use since April 2015). */
	if (vu != V_DATE)
		return aws_audit_add(au, AWS_F_KEY_NEVER_USED, who, arn, k,
				     vr == V_DATE ? cr_days(now, tr) : -1);
	if (cr_older(now, tu, lim->max_idle))
		return aws_audit_add(au, AWS_F_KEY_IDLE, who, arn, k,
				     cr_days(now, tu));
	return 0;
}

static int
cr_password(struct aws_audit *au, struct cr_ctx *c, int64_t now,
	    const struct aws_audit_limits *lim, bool mfa)
{
	const char *who = c->row->f[c->col[COL_USER]];
	const char *arn = c->row->f[c->col[COL_ARN]];
	enum cr_val ve, vu, vc;
	int64_t t, tu, tc = 0;
	int rc;

	if ((rc = cr_value(c, COL_PASSWORD_ENABLED, &ve, &t)) != 0)
		return rc;
	if (ve != V_TRUE)
		return 0;
	if (!mfa && (rc = aws_audit_add(au, AWS_F_PASSWORD_NO_MFA, who, arn, 0,
					-1)) != 0)
		return rc;
	if ((rc = cr_value(c, COL_PASSWORD_LAST_USED, &vu, &tu)) != 0)
		return rc;
	if (vu == V_DATE)
		return cr_older(now, tu, lim->max_idle)
			   ? aws_audit_add(au, AWS_F_PASSWORD_IDLE, who, arn, 0,
					   cr_days(now, tu))
			   : 0;
	/* no_information: never used (or not since October 2014). The age
	 * shown is the password's, when the report has it. */
	vc = V_NA;
	if (c->col[COL_PASSWORD_LAST_CHANGED] != SIZE_MAX &&
	    (rc = cr_value(c, COL_PASSWORD_LAST_CHANGED, &vc, &tc)) != 0)
		return rc;
	return aws_audit_add(au, AWS_F_PASSWORD_NEVER_USED, who, arn, 0,
			     vc == V_DATE ? cr_days(now, tc) : -1);
}

static int
cr_row(struct aws_audit *au, struct cr_ctx *c, int64_t now,
       const struct aws_audit_limits *lim)
{
	const char *who = c->row->f[c->col[COL_USER]];
	const char *arn = c->row->f[c->col[COL_ARN]];
	bool root = strcmp(who, AUDIT_ROOT) == 0, mfa, a1, a2;
	int rc;

	if ((rc = cr_bool(c, COL_MFA_ACTIVE, &mfa)) != 0)
		return rc;
	if (root) {
		au->root_row = true;
		if (!mfa && (rc = aws_audit_add(au, AWS_F_ROOT_NO_MFA, who, arn,
						0, -1)) != 0)
			return rc;
	} else if ((rc = cr_password(au, c, now, lim, mfa)) != 0) {
		return rc;
	}
	if ((rc = cr_key(au, c, now, lim, 1, root, &a1)) != 0 ||
	    (rc = cr_key(au, c, now, lim, 2, root, &a2)) != 0)
		return rc;
	if (!root && a1 && a2)
		return aws_audit_add(au, AWS_F_TWO_KEYS, who, arn, 0, -1);
	return 0;
}

int
aws_audit_report(const char *csv, size_t len, int64_t now,
		 const struct aws_audit_limits *lim, struct aws_audit *out,
		 char *err, size_t errlen)
{
	struct aws_csv t;
	struct cr_ctx c;
	size_t i, k;
	int rc;

	if ((rc = aws_csv_parse(csv, len, &t, err, errlen)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	if (t.n == 0) {
		snprintf(err, errlen, "the credential report is empty");
		rc = MFA_EPARSE;
		goto out;
	}
	for (k = 0; k < COL__COUNT; k++) {
		c.col[k] = SIZE_MAX;
		for (i = 0; i < t.rows[0].n; i++)
			if (strcmp(t.rows[0].f[i], cr_names[k]) == 0)
				c.col[k] = i;
		/* Only these two are for the message: not needed. */
		if (c.col[k] == SIZE_MAX && k != COL_PASSWORD_LAST_CHANGED &&
		    k != COL_USER_CREATION_TIME) {
			snprintf(err, errlen,
				 "the credential report has no column %s",
				 cr_names[k]);
			rc = MFA_EPARSE;
			goto out;
		}
	}
	for (i = 1; i < t.n; i++) {
		if (t.rows[i].n != t.rows[0].n) {
			snprintf(err, errlen,
				 "the credential report's line %zu has %zu "
				 "fields, its header %zu",
				 t.rows[i].line, t.rows[i].n, t.rows[0].n);
			rc = MFA_EPARSE;
			goto out;
		}
		c.row = &t.rows[i];
		if ((rc = cr_row(out, &c, now, lim)) != 0)
			goto out;
		out->users++;
	}
out:
	aws_csv_free(&t);
	return rc;
}

/* --- findings ------------------------------------------------------------ */

int
aws_audit_add(struct aws_audit *au, enum aws_finding_kind kind, const char *who,
	      const char *arn, int key, int64_t days)
{
	struct aws_finding *g, *f;

	if ((g = realloc(au->f, (au->n + 1) * sizeof(*g))) == NULL)
		return MFA_ENOMEM;
	au->f = g;
	f = &au->f[au->n];
	f->kind = kind;
	f->key = key;
	f->days = days;
	f->who = strdup(who);
	f->arn = strdup(arn != NULL ? arn : "");
	if (f->who == NULL || f->arn == NULL) {
		free(f->who);
		free(f->arn);
		return MFA_ENOMEM;
	}
	au->n++;
	return 0;
}

static int
audit_cmp(const void *pa, const void *pb)
{
	const struct aws_finding *a = pa, *b = pb;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->who, b->who)) != 0)
		return c;
	return a->key - b->key;
}

void
aws_audit_sort(struct aws_audit *au)
{
	if (au->n > 1)
		qsort(au->f, au->n, sizeof(*au->f), audit_cmp);
}

void
aws_audit_free(struct aws_audit *au)
{
	size_t i;

	for (i = 0; i < au->n; i++) {
		free(au->f[i].who);
		free(au->f[i].arn);
	}
	free(au->f);
	au->f = NULL;
	au->n = 0;
}

static const struct {
	const char *name, *fix;
} audit_kinds[AWS_F__COUNT] = {
    [AWS_F_ROOT_NO_MFA] = {"root-no-mfa",
			   "sign in as the root user and assign it an MFA "
			   "device (IAM console: Security credentials)"},
    [AWS_F_ROOT_KEY] = {"root-access-key",
			"delete the root user's access keys; use IAM users "
			"or roles for programs"},
    [AWS_F_PASSWORD_NO_MFA] =
	{"password-without-mfa",
	 "give the user an MFA device (mfa aws enroll --user-name USER), "
	 "or remove the console password"},
    [AWS_F_KEY_OLD] = {"key-old",
		       "rotate the key: create a new one, move its users "
		       "over, then delete the old one"},
    [AWS_F_KEY_IDLE] = {"key-unused",
			"deactivate the key (aws iam update-access-key "
			"--status Inactive), delete it when nothing broke"},
    [AWS_F_KEY_NEVER_USED] = {"key-never-used",
			      "delete the key (aws iam delete-access-key) "
			      "unless it is about to be used"},
    [AWS_F_PASSWORD_IDLE] = {"password-unused",
			     "remove the console password (aws iam "
			     "delete-login-profile) if it is not needed"},
    [AWS_F_PASSWORD_NEVER_USED] = {"password-never-used",
				   "remove the console password (aws iam "
				   "delete-login-profile) if it is not "
				   "needed"},
    [AWS_F_TWO_KEYS] = {"two-active-keys",
			"keep one active key: deactivate the other once "
			"nothing uses it"},
    [AWS_F_DEVICE_UNASSIGNED] = {"device-unassigned",
				 "delete it (aws iam "
				 "delete-virtual-mfa-device), or enable it "
				 "for its user"},
};

const char *
aws_finding_name(enum aws_finding_kind k)
{
	return k < AWS_F__COUNT ? audit_kinds[k].name : "?";
}

const char *
aws_finding_fix(enum aws_finding_kind k)
{
	return k < AWS_F__COUNT ? audit_kinds[k].fix : "?";
}

void
aws_finding_text(const struct aws_finding *f,
		 const struct aws_audit_limits *lim, char *buf, size_t len)
{
	char age[64] = "";

	switch (f->kind) {
	case AWS_F_ROOT_NO_MFA:
		snprintf(buf, len, "the root user has no MFA");
		break;
	case AWS_F_ROOT_KEY:
		if (f->days >= 0)
			snprintf(age, sizeof(age), " (%lld days old)",
				 (long long)f->days);
		snprintf(buf, len,
			 "the root user has an active access key %d%s", f->key,
			 age);
		break;
	case AWS_F_PASSWORD_NO_MFA:
		snprintf(buf, len, "console password without MFA");
		break;
	case AWS_F_KEY_OLD:
		snprintf(buf, len,
			 "access key %d is %lld days old (limit %llu)", f->key,
			 (long long)f->days,
			 (unsigned long long)lim->max_key_age);
		break;
	case AWS_F_KEY_IDLE:
		snprintf(buf, len,
			 "access key %d unused for %lld days (limit %llu)",
			 f->key, (long long)f->days,
			 (unsigned long long)lim->max_idle);
		break;
	case AWS_F_KEY_NEVER_USED:
		if (f->days >= 0)
			snprintf(age, sizeof(age), " (made %lld days ago)",
				 (long long)f->days);
		snprintf(buf, len, "access key %d never used%s", f->key, age);
		break;
	case AWS_F_PASSWORD_IDLE:
		snprintf(buf, len,
			 "console password unused for %lld days (limit %llu)",
			 (long long)f->days, (unsigned long long)lim->max_idle);
		break;
	case AWS_F_PASSWORD_NEVER_USED:
		if (f->days >= 0)
			snprintf(age, sizeof(age), " (set %lld days ago)",
				 (long long)f->days);
		snprintf(buf, len, "console password never used%s", age);
		break;
	case AWS_F_TWO_KEYS:
		snprintf(buf, len, "two active access keys");
		break;
	case AWS_F_DEVICE_UNASSIGNED:
		snprintf(buf, len,
			 "virtual MFA device assigned to no one (a failed "
			 "enrolment leaves one)");
		break;
	default:
		snprintf(buf, len, "?");
	}
}

/* --- against AWS --------------------------------------------------------- */

static void
audit_sleep(struct aws_ctx *a, int64_t when)
{
	struct timespec ts = {AUDIT_POLL_SECONDS, 0};

	if (a->sleep_until != NULL) {
		a->sleep_until(a->clock_arg, when);
		return;
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* generate-credential-report until it says COMPLETE. */
static int
audit_generate(struct aws_ctx *a)
{
	static const char *const gen[] = {"iam", "generate-credential-report",
					  NULL};
	const char *state;
	json_t *out = NULL;
	int i, rc;

	for (i = 0; i < AUDIT_POLL_MAX; i++) {
		if ((rc = aws_run(a, gen, &out)) != 0)
			return rc;
		state = json_string_value(json_object_get(out, "State"));
		if (state != NULL && strcmp(state, "COMPLETE") == 0) {
			json_decref(out);
			return 0;
		}
		json_decref(out);
		out = NULL;
		if (i == 0 && a->notice != NULL)
			a->notice(a->notice_arg,
				  "waiting for IAM to make the credential "
				  "report");
		audit_sleep(a, aws_now(a) + AUDIT_POLL_SECONDS);
	}
	snprintf(a->err.why, sizeof(a->err.why),
		 "IAM did not finish the credential report within %d seconds",
		 AUDIT_POLL_SECONDS * AUDIT_POLL_MAX);
	return MFA_ETIME;
}

/* get-credential-report: the CSV (base64 in the CLI's JSON), malloc'd. */
static int
audit_get(struct aws_ctx *a, char **csv, size_t *len,
	  char generated[AWS_TIME_MAX])
{
	static const char *const get[] = {"iam", "get-credential-report", NULL};
	const char *b64, *fmt, *gen;
	json_t *out = NULL;
	size_t n;
	int rc;

	if ((rc = aws_run(a, get, &out)) != 0)
		return rc;
	b64 = json_string_value(json_object_get(out, "Content"));
	fmt = json_string_value(json_object_get(out, "ReportFormat"));
	gen = json_string_value(json_object_get(out, "GeneratedTime"));
	if (b64 == NULL || (fmt != NULL && strcmp(fmt, "text/csv") != 0)) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "get-credential-report gave no CSV report%s%.40s",
			 fmt != NULL ? ": " : "", fmt != NULL ? fmt : "");
		json_decref(out);
		return MFA_EPARSE;
	}
	snprintf(generated, AWS_TIME_MAX, "%s", gen != NULL ? gen : "");
	n = strlen(b64);
	if ((*csv = malloc(n / 4 * 3 + 4)) == NULL) {
		json_decref(out);
		return MFA_ENOMEM;
	}
	if (sodium_base642bin((unsigned char *)*csv, n / 4 * 3 + 3, b64, n,
			      "\n\r ", len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		snprintf(a->err.why, sizeof(a->err.why),
			 "the credential report's Content is not base64");
		free(*csv);
		*csv = NULL;
		json_decref(out);
		return MFA_EPARSE;
	}
	(*csv)[*len] = '\0';
	json_decref(out);
	return 0;
}

/* Every virtual device, counted; those with no user are findings. */
static int
audit_devices(struct aws_ctx *a, struct aws_audit *au)
{
	static const char *const list[] = {"iam", "list-virtual-mfa-devices",
					   NULL};
	const json_t *devs, *d;
	const char *serial;
	json_t *out = NULL;
	size_t i;
	int rc;

	if ((rc = aws_run(a, list, &out)) != 0)
		return rc;
	devs = json_object_get(out, "VirtualMFADevices");
	json_array_foreach(devs, i, d)
	{
		serial = json_string_value(json_object_get(d, "SerialNumber"));
		au->devices++;
		if (serial == NULL || json_object_get(d, "User") != NULL)
			continue;
		if ((rc = aws_audit_add(au, AWS_F_DEVICE_UNASSIGNED, serial, "",
					0, -1)) != 0)
			break;
	}
	json_decref(out);
	return rc;
}

int
aws_audit(struct aws_ctx *a, const struct aws_audit_limits *lim,
	  struct aws_audit *out)
{
	char *csv = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	a->err.why[0] = '\0';
	if ((rc = audit_generate(a)) != 0 ||
	    (rc = audit_get(a, &csv, &len, out->generated)) != 0)
		goto out;
	if ((rc = aws_audit_report(csv, len, aws_now(a), lim, out, a->err.why,
				   sizeof(a->err.why))) != 0)
		goto out;
	if ((rc = audit_devices(a, out)) != 0)
		goto out;
	aws_audit_sort(out);
out:
	free(csv);
	if (rc != 0)
		aws_audit_free(out);
	return rc;
}
