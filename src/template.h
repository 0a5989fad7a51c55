/*
 * template.h — summary templates (session types): a name and a few sections, each a
 * kind (text, list, per-speaker list, action items) and an instruction. The summary's
 * prompt, GBNF grammar, citation check and Markdown are all generated from one. The
 * built-in "general" template reproduces the fixed summary tacit had before templates,
 * byte for byte (prompt, grammar and Markdown); custom ones are files in
 * <config dir>/templates/NAME.tmpl (docs/templates.md), checked when loaded.
 */
#ifndef TACIT_TEMPLATE_H
#define TACIT_TEMPLATE_H

#include "internal.h"

#define TEMPLATE_MAX_SECTIONS 8
#define TEMPLATE_NAME_MAX 32
#define TEMPLATE_KEY_MAX 32
#define TEMPLATE_HEADING_MAX 64
#define TEMPLATE_TEXT_MAX 240 /* an instruction, a description */
#define TEMPLATE_LINE_MAX 512
#define TEMPLATE_FILE_MAX (64 * 1024)

enum template_kind {
	TEMPLATE_TEXT = 0,     /* a string */
	TEMPLATE_LIST = 1,     /* [{"text","cites"}] */
	TEMPLATE_SPEAKERS = 2, /* [{"speaker","text","cites"}]: grouped by speaker */
	TEMPLATE_ACTIONS = 3,  /* [{"owner","task","due","cites"}] */
};

struct template_section {
	char key[TEMPLATE_KEY_MAX + 1];         /* the JSON key: [a-z][a-z0-9_]* */
	char heading[TEMPLATE_HEADING_MAX + 1]; /* the Markdown heading; "" = none (a text right under the title) */
	enum template_kind kind;
	char instruction[TEMPLATE_TEXT_MAX + 1];
};

struct template {
	char name[TEMPLATE_NAME_MAX + 1]; /* [a-z0-9-]+ */
	char description[TEMPLATE_TEXT_MAX + 1];
	char prompt[TEMPLATE_TEXT_MAX * 2 + 1]; /* the summary instruction; "" = made from the sections */
	char notes[TEMPLATE_TEXT_MAX + 1];      /* added to the notes' instruction; "" = none */
	bool builtin;
	bool exact_owner; /* owners are the meeting's speakers or "unassigned" (owners.h); false: any string */
	size_t n;
	struct template_section s[TEMPLATE_MAX_SECTIONS];
};

/* "list", "per-speaker", "text", "actions" */
const char *template_kind_name(enum template_kind k);

/* The built-in templates, in listing order (static storage). */
size_t template_builtin_count(void);
const struct template *template_builtin(size_t i);

/* Parses a template file's bytes; name is the file's stem, path its name in messages
 * ("PATH:LINE: what is wrong"). TACIT_ERR_FORMAT with such a message. */
enum tacit_status template_parse(const char *data, size_t len, const char *name, const char *path,
				 struct template *out);

/* Finds a template by name: built-in, else <config dir>/templates/NAME.tmpl (dir NULL =
 * the configuration directory's). NULL or "" = "general". TACIT_ERR_NOT_FOUND with the
 * remedy, TACIT_ERR_FORMAT for a custom file that does not parse. */
enum tacit_status template_find(const char *dir, const char *name, struct template *out);

/* The summary's instruction: the template's prompt, or one made from its sections. */
void template_instructions(const struct template *tp, struct buf *out);

#endif
