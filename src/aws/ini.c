/*
 * Reading the AWS CLI's config and credentials files line by line, as
 * Python's configparser (which the AWS CLI uses) reads them: "[name]"
 * section lines (the name up to the last ']'), "key = value" or
 * "key: value" lines, indented lines continuing a value, and comments
 * starting with '#' or ';'. Nothing is copied: each line points into the
 * text, so a file can be rewritten with every other line kept byte for
 * byte.
 */
#include <string.h>
#include <strings.h>

#include "aws/keys.h"

static bool
ini_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
aws_ini_next(const char *text, size_t len, size_t *pos, struct aws_ini_line *l)
{
	const char *p, *e, *nl, *close, *sep;
	size_t n;

	if (*pos >= len)
		return false;
	memset(l, 0, sizeof(*l));
	p = text + *pos;
	nl = memchr(p, '\n', len - *pos);
	n = nl != NULL ? (size_t)(nl - p) + 1 : len - *pos;
	*pos += n;
	l->p = p;
	l->n = n;
	l->kind = AWS_INI_OTHER;
	e = p + n;
	while (e > p && ini_blank(e[-1]))
		e--;
	if (e == p)
		return true; /* blank */
	if (*p == ' ' || *p == '\t') {
		l->kind = AWS_INI_CONT;
		return true;
	}
	if (*p == '#' || *p == ';')
		return true;
	if (*p == '[') {
		close = memrchr(p, ']', (size_t)(e - p));
		if (close == NULL || close == p + 1)
			return true;
		l->kind = AWS_INI_SECTION;
		l->name = p + 1;
		l->name_len = (size_t)(close - p - 1);
		return true;
	}
	for (sep = p; sep < e && *sep != '=' && *sep != ':'; sep++)
		;
	if (sep == e || sep == p)
		return true;
	l->kind = AWS_INI_KEY;
	l->name = p;
	l->name_len = (size_t)(sep - p);
	while (l->name_len > 0 && ini_blank(l->name[l->name_len - 1]))
		l->name_len--;
	l->val = sep + 1;
	while (l->val < e && ini_blank(*l->val))
		l->val++;
	l->val_len = (size_t)(e - l->val);
	return true;
}

bool
aws_ini_is(const char *name, size_t len, const char *s)
{
	return strlen(s) == len && strncasecmp(name, s, len) == 0;
}
