/*
 * The few facts mfa reads from AWS's XML answers: the text of a named
 * element. AWS's query-protocol answers are flat enough for that: no
 * element mfa reads contains another of the same name, and text is
 * escaped with the five predefined entities and numeric references.
 * Values may be credentials: they go to sodium_malloc'd memory.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "aws/keys.h"

/* The first "<name>" or "<name ...>" in xml[from, to): the offset after
 * its '>' into *open_end. */
static bool
xml_find_open(const char *xml, size_t from, size_t to, const char *name,
	      size_t *open_end)
{
	size_t n = strlen(name), i;

	for (i = from; i + n + 2 <= to; i++) {
		const char *gt;

		if (xml[i] != '<' || memcmp(xml + i + 1, name, n) != 0)
			continue;
		if (xml[i + 1 + n] != '>' && xml[i + 1 + n] != ' ' &&
		    xml[i + 1 + n] != '/')
			continue;
		gt = memchr(xml + i, '>', to - i);
		if (gt == NULL)
			return false;
		/* "<name/>" ends here too: the caller sees the '/'. */
		*open_end = (size_t)(gt - xml) + 1;
		return true;
	}
	return false;
}

int
aws_xml_span(const char *xml, size_t from, size_t to, const char *name,
	     size_t *start, size_t *end)
{
	size_t n = strlen(name), i, s;

	if (xml == NULL || !xml_find_open(xml, from, to, name, &s))
		return MFA_ENOTFOUND;
	if (s >= 2 && xml[s - 2] == '/') {
		*start = *end = s;
		return 0;
	}
	for (i = s; i + n + 3 <= to; i++)
		if (xml[i] == '<' && xml[i + 1] == '/' &&
		    memcmp(xml + i + 2, name, n) == 0 &&
		    xml[i + 2 + n] == '>') {
			*start = s;
			*end = i;
			return 0;
		}
	return MFA_EPARSE;
}

static int
xml_entity(const char *p, size_t n, unsigned long *cp, size_t *used)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"amp;", '&'},
		    {"lt;", '<'},
		    {"gt;", '>'},
		    {"quot;", '"'},
		    {"apos;", '\''}};
	size_t i;
	char *end;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (n >= strlen(ents[i].name) &&
		    memcmp(p, ents[i].name, strlen(ents[i].name)) == 0) {
			*cp = (unsigned char)ents[i].c;
			*used = strlen(ents[i].name);
			return 0;
		}
	if (n >= 3 && p[0] == '#') {
		char num[12];
		size_t k;

		for (k = 1; k < n && k < sizeof(num) && p[k] != ';'; k++)
			num[k - 1] = p[k];
		if (k == n || p[k] != ';' || k == 1 || k >= sizeof(num))
			return MFA_EPARSE;
		num[k - 1] = '\0';
		*cp = num[0] == 'x' ? strtoul(num + 1, &end, 16)
				    : strtoul(num, &end, 10);
		if (*end != '\0' || *cp == 0 || *cp > 0x10ffff)
			return MFA_EPARSE;
		*used = k + 1;
		return 0;
	}
	return MFA_EPARSE;
}

int
aws_xml_text(const char *xml, size_t from, size_t to, const char *name,
	     char **out, size_t *next)
{
	size_t s, e, i, o = 0, used;
	unsigned long cp;
	char *buf;
	int rc;

	*out = NULL;
	if ((rc = aws_xml_span(xml, from, to, name, &s, &e)) != 0)
		return rc;
	if ((buf = sodium_malloc(e - s + 1)) == NULL)
		return MFA_ENOMEM;
	for (i = s; i < e; i++) {
		if (xml[i] == '<') {
			/* Markup inside: not a text element. */
			sodium_free(buf);
			return MFA_EPARSE;
		}
		if (xml[i] != '&') {
			buf[o++] = xml[i];
			continue;
		}
		if ((rc = xml_entity(xml + i + 1, e - i - 1, &cp, &used)) !=
		    0) {
			sodium_free(buf);
			return rc;
		}
		/* UTF-8 of cp: never longer than the reference itself. */
		if (cp < 0x80) {
			buf[o++] = (char)cp;
		} else if (cp < 0x800) {
			buf[o++] = (char)(0xc0 | (cp >> 6));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[o++] = (char)(0xe0 | (cp >> 12));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[o++] = (char)(0xf0 | (cp >> 18));
			buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		}
		i += used;
	}
	buf[o] = '\0';
	*out = buf;
	if (next != NULL)
		*next = e + strlen(name) + 3;
	return 0;
}
