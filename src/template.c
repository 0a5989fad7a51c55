/*
 * template.c — the built-in summary templates, the parser of custom template files and
 * the lookup by name. A template file is read whole (at most TEMPLATE_FILE_MAX bytes)
 * and checked line by line; every message names the file and the line, so a user can
 * fix it in an editor. Nothing of a file that fails is used.
 */
#include "internal.h"

#include "template.h"
#include "utf8.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>

#define SEC(key, heading, kind, instr) { key, heading, kind, instr }

static const struct template builtins[] = {
	{ "general", "Any meeting: overview, key points, decisions, action items, open questions",
	  "Summarize the meeting: a title, a short overview, the key points, decisions, action items "
	  "(owner, task, due date or \"\") and open questions.",
	  "", true, true, 5,
	  { SEC("overview", "", TEMPLATE_TEXT, "a short overview"),
	    SEC("key_points", "Key points", TEMPLATE_LIST, "the key points"),
	    SEC("decisions", "Decisions", TEMPLATE_LIST, "decisions"),
	    SEC("action_items", "Action items", TEMPLATE_ACTIONS, "action items (owner, task, due date or \"\")"),
	    SEC("open_questions", "Open questions", TEMPLATE_LIST, "open questions") } },
	{ "one-on-one", "A one-on-one: topics, feedback, agreed actions, what to follow up", "",
	  "Keep personal topics and feedback apart.", true, true, 5,
	  { SEC("overview", "", TEMPLATE_TEXT, "a short overview"),
	    SEC("topics", "Topics", TEMPLATE_LIST, "the topics discussed"),
	    SEC("feedback", "Feedback", TEMPLATE_LIST, "feedback given or asked for"),
	    SEC("action_items", "Action items", TEMPLATE_ACTIONS, "what each person agreed to do"),
	    SEC("follow_up", "To follow up", TEMPLATE_LIST, "what to come back to next time") } },
	{ "stand-up", "A stand-up: per person what was done, what is next, blockers", "",
	  "One section per person.", true, true, 4,
	  { SEC("overview", "", TEMPLATE_TEXT, "a one-line overview"),
	    SEC("done", "Done", TEMPLATE_SPEAKERS, "what each person finished"),
	    SEC("next", "Next", TEMPLATE_SPEAKERS, "what each person will do next"),
	    SEC("blockers", "Blockers", TEMPLATE_SPEAKERS, "what blocks each person") } },
	{ "sales", "A customer or sales call: needs, objections, next steps, commitments", "",
	  "Note the customer's needs in their own words.", true, true, 5,
	  { SEC("overview", "", TEMPLATE_TEXT, "a short overview"),
	    SEC("needs", "Needs", TEMPLATE_LIST, "what the customer needs"),
	    SEC("objections", "Objections", TEMPLATE_LIST, "objections and concerns raised"),
	    SEC("next_steps", "Next steps", TEMPLATE_ACTIONS, "next steps (owner, task, due date or \"\")"),
	    SEC("commitments", "Commitments", TEMPLATE_SPEAKERS, "what each side promised") } },
	{ "interview", "An interview: background, strengths, concerns, next steps", "",
	  "Follow the order of the questions.", true, true, 5,
	  { SEC("overview", "", TEMPLATE_TEXT, "a short overview"),
	    SEC("background", "Background", TEMPLATE_LIST, "the candidate's background and experience"),
	    SEC("strengths", "Strengths", TEMPLATE_LIST, "strengths shown"),
	    SEC("concerns", "Concerns", TEMPLATE_LIST, "concerns or gaps"),
	    SEC("next_steps", "Next steps", TEMPLATE_ACTIONS, "next steps (owner, task, due date or \"\")") } },
	{ "lecture", "A lecture or training: concepts, examples, questions, assignments", "",
	  "Organise the notes by concept, with definitions and examples.", true, true, 5,
	  { SEC("overview", "", TEMPLATE_TEXT, "a short overview"),
	    SEC("concepts", "Key concepts", TEMPLATE_LIST, "the concepts taught, each with its definition"),
	    SEC("examples", "Examples", TEMPLATE_LIST, "examples given"),
	    SEC("questions", "Questions", TEMPLATE_LIST, "questions asked and their answers"),
	    SEC("assignments", "Assignments", TEMPLATE_ACTIONS, "homework or tasks (owner, task, due date or \"\")") } },
	{ "planning", "A planning or decision meeting: options, decisions, risks, actions", "",
	  "Say which options were weighed before each decision.", true, true, 6,
	  { SEC("overview", "", TEMPLATE_TEXT, "a short overview"),
	    SEC("options", "Options considered", TEMPLATE_LIST, "the options weighed"),
	    SEC("decisions", "Decisions", TEMPLATE_LIST, "decisions and their reasons"),
	    SEC("risks", "Risks", TEMPLATE_LIST, "risks named"),
	    SEC("action_items", "Action items", TEMPLATE_ACTIONS, "action items (owner, task, due date or \"\")"),
	    SEC("open_questions", "Open questions", TEMPLATE_LIST, "open questions") } },
};

static const char *const kind_names[] = { "text", "list", "per-speaker", "actions" };

const char *template_kind_name(enum template_kind k)
{
	return (unsigned)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

size_t template_builtin_count(void)
{
	return ARRAY_SIZE(builtins);
}

const struct template *template_builtin(size_t i)
{
	return i < ARRAY_SIZE(builtins) ? &builtins[i] : NULL;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > TEMPLATE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static bool valid_key(const char *s, size_t n)
{
	if (n < 1 || n > TEMPLATE_KEY_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Trims spaces at both ends, in place: returns the start, *len the length left. */
static const char *trim(const char *s, size_t *len)
{
	while (*len && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/* Copies a directive's text into dst (capacity cap incl. NUL). */
static enum tacit_status copy_text(const char *path, int line, const char *what, const char *s, size_t n, char *dst,
				   size_t cap)
{
	if (n == 0)
		return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: the %s is empty", path, line, what);
	if (n >= cap)
		return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: the %s is %zu bytes long; at most %zu", path, line, what, n,
				  cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return TACIT_OK;
}

/* "KEY KIND Heading words | instruction" */
static enum tacit_status parse_section(const char *path, int line, const char *s, size_t n, struct template *tp)
{
	static const char *const reserved[] = { "title", "dropped", "template", "language" };
	struct template_section *sec;
	const char *bar = memchr(s, '|', n);
	size_t i = 0, k0, k1, c0, c1;
	if (tp->n == TEMPLATE_MAX_SECTIONS)
		return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: more than %d sections (a small model follows a few)", path, line,
				  TEMPLATE_MAX_SECTIONS);
	if (!bar)
		return tacit_fail(TACIT_ERR_FORMAT,
				  "%s:%d: a section needs 'KEY KIND Heading | instruction' (no '|' before the instruction)",
				  path, line);
	sec = &tp->s[tp->n];
	k0 = i;
	while (s + i < bar && s[i] != ' ' && s[i] != '\t')
		i++;
	k1 = i;
	while (s + i < bar && (s[i] == ' ' || s[i] == '\t'))
		i++;
	c0 = i;
	while (s + i < bar && s[i] != ' ' && s[i] != '\t')
		i++;
	c1 = i;
	if (!valid_key(s + k0, k1 - k0))
		return tacit_fail(TACIT_ERR_FORMAT,
				  "%s:%d: section key '%.*s' must be a lowercase word (a-z, 0-9, _), at most %d characters",
				  path, line, (int)(k1 - k0 > 40 ? 40 : k1 - k0), s + k0, TEMPLATE_KEY_MAX);
	memcpy(sec->key, s + k0, k1 - k0);
	sec->key[k1 - k0] = '\0';
	for (size_t r = 0; r < ARRAY_SIZE(reserved); r++)
		if (!strcmp(sec->key, reserved[r]))
			return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: section key '%s' is reserved: choose another", path,
					  line, sec->key);
	for (size_t j = 0; j < tp->n; j++)
		if (!strcmp(tp->s[j].key, sec->key))
			return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: section key '%s' is used twice", path, line, sec->key);
	size_t kind;
	for (kind = 0; kind < ARRAY_SIZE(kind_names); kind++)
		if (c1 - c0 == strlen(kind_names[kind]) && !memcmp(s + c0, kind_names[kind], c1 - c0))
			break;
	if (kind == ARRAY_SIZE(kind_names))
		return tacit_fail(TACIT_ERR_FORMAT,
				  "%s:%d: '%.*s' is not a section kind (list, per-speaker, text or actions)", path, line,
				  (int)(c1 - c0 > 40 ? 40 : c1 - c0), s + c0);
	sec->kind = (enum template_kind)kind;
	size_t hn = (size_t)(bar - (s + c1));
	const char *h = trim(s + c1, &hn);
	enum tacit_status st = copy_text(path, line, "heading", h, hn, sec->heading, sizeof(sec->heading));
	if (st != TACIT_OK)
		return st;
	size_t in = n - (size_t)(bar + 1 - s);
	const char *ins = trim(bar + 1, &in);
	if ((st = copy_text(path, line, "instruction", ins, in, sec->instruction, sizeof(sec->instruction))) != TACIT_OK)
		return st;
	tp->n++;
	return TACIT_OK;
}

enum tacit_status template_parse(const char *data, size_t len, const char *name, const char *path,
				 struct template *out)
{
	static const char *const directives[] = { "description", "prompt", "notes", "section" };
	bool seen[ARRAY_SIZE(directives)] = { false };
	int line = 0;
	memset(out, 0, sizeof(*out));
	out->exact_owner = true;
	if (!valid_name(name))
		return tacit_fail(TACIT_ERR_FORMAT,
				  "%s: the template's name '%s' (its file name) must be lowercase letters, digits and '-', "
				  "at most %d characters",
				  path, name, TEMPLATE_NAME_MAX);
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (len > TEMPLATE_FILE_MAX)
		return tacit_fail(TACIT_ERR_FORMAT, "%s: %zu bytes is too long for a template (at most %d)", path, len,
				  TEMPLATE_FILE_MAX);
	if (!utf8_valid(data, len))
		return tacit_fail(TACIT_ERR_FORMAT, "%s: not UTF-8 text", path);
	for (size_t pos = 0; pos < len;) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (n > TEMPLATE_LINE_MAX)
			return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: the line is longer than %d bytes", path, line,
					  TEMPLATE_LINE_MAX);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
				return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: a control character (byte %d)", path, line,
						  (unsigned char)s[i]);
		s = trim(s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		const char *colon = memchr(s, ':', n);
		size_t d;
		for (d = 0; colon && d < ARRAY_SIZE(directives); d++)
			if ((size_t)(colon - s) == strlen(directives[d]) && !memcmp(s, directives[d], (size_t)(colon - s)))
				break;
		if (!colon || d == ARRAY_SIZE(directives))
			return tacit_fail(TACIT_ERR_FORMAT,
					  "%s:%d: expected 'description:', 'prompt:', 'notes:' or 'section:' at the start "
					  "of the line",
					  path, line);
		size_t rn = n - (size_t)(colon + 1 - s);
		const char *rest = trim(colon + 1, &rn);
		enum tacit_status st = TACIT_OK;
		if (d != 3 && seen[d])
			return tacit_fail(TACIT_ERR_FORMAT, "%s:%d: '%s:' is given twice", path, line, directives[d]);
		seen[d] = true;
		if (d == 0)
			st = copy_text(path, line, "description", rest, rn, out->description, sizeof(out->description));
		else if (d == 1)
			st = copy_text(path, line, "prompt", rest, rn, out->prompt, sizeof(out->prompt));
		else if (d == 2)
			st = copy_text(path, line, "notes instruction", rest, rn, out->notes, sizeof(out->notes));
		else
			st = parse_section(path, line, rest, rn, out);
		if (st != TACIT_OK)
			return st;
	}
	if (out->n == 0)
		return tacit_fail(TACIT_ERR_FORMAT,
				  "%s: no sections (add a line such as 'section: points list Key points | the main points')",
				  path);
	return TACIT_OK;
}

static enum tacit_status templates_dir(const char *dir, struct buf *out)
{
	char *config = NULL;
	if (dir) {
		buf_adds(out, dir);
		return TACIT_OK;
	}
	enum tacit_status st = tacit_dir_path(TACIT_DIR_CONFIG, &config);
	if (st != TACIT_OK)
		return st;
	buf_addf(out, "%s/templates", config);
	tacit_free(config);
	return TACIT_OK;
}

static enum tacit_status load_file(const char *path, const char *name, struct template *out)
{
	struct buf data;
	enum tacit_status st;
	FILE *f = fopen(path, "rb");
	if (!f)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO, "cannot read template '%s'",
					path);
	buf_init(&data);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && data.len <= TEMPLATE_FILE_MAX)
		buf_add(&data, chunk, n);
	if (ferror(f))
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot read template '%s'", path);
	else if (data.failed)
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	else
		st = template_parse(data.data, data.len, name, path, out);
	fclose(f);
	buf_release(&data);
	return st;
}

enum tacit_status template_find(const char *dir, const char *name, struct template *out)
{
	struct buf path;
	enum tacit_status st;
	if (!name || !*name)
		name = "general";
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (!strcmp(builtins[i].name, name)) {
			*out = builtins[i];
			return TACIT_OK;
		}
	if (!valid_name(name))
		return tacit_fail(TACIT_ERR_NOT_FOUND, "no template '%s' (see 'tacit templates')", name);
	buf_init(&path);
	if ((st = templates_dir(dir, &path)) == TACIT_OK) {
		buf_addf(&path, "/%s.tmpl", name);
		if (path.failed)
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	if (st == TACIT_OK)
		st = load_file(path.data, name, out);
	if (st == TACIT_ERR_NOT_FOUND)
		st = tacit_fail(TACIT_ERR_NOT_FOUND,
				"no template '%s': neither built in nor '%s' (see 'tacit templates')", name, path.data);
	buf_release(&path);
	return st;
}

void template_instructions(const struct template *tp, struct buf *out)
{
	if (tp->prompt[0]) {
		buf_adds(out, tp->prompt);
		return;
	}
	/* short: every token here is read by every summary, and small contexts are tight */
	bool people = false;
	buf_adds(out, "Summarize the meeting: a title");
	for (size_t i = 0; i < tp->n; i++) {
		buf_addf(out, "; %s: %s", tp->s[i].key, tp->s[i].instruction);
		people = people || tp->s[i].kind == TEMPLATE_SPEAKERS || tp->s[i].kind == TEMPLATE_ACTIONS;
	}
	buf_adds(out, people ? ". Owners are speakers, or \"unassigned\"." : ".");
}

/* ---- the public listing ------------------------------------------------------------ */

static bool list_one(const struct template *tp, const char *path, const char *error, tacit_template_fn fn,
		     void *user)
{
	struct tacit_template_section secs[TEMPLATE_MAX_SECTIONS];
	struct tacit_template_info info = { 0 };
	for (size_t i = 0; i < tp->n; i++)
		secs[i] = (struct tacit_template_section){ tp->s[i].key, tp->s[i].heading, template_kind_name(tp->s[i].kind),
							   tp->s[i].instruction };
	info.name = tp->name;
	info.description = tp->description;
	info.path = path;
	info.error = error;
	info.n_sections = tp->n;
	info.sections = secs;
	return fn(&info, user);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum tacit_status tacit_templates_list(tacit_template_fn fn, void *user)
{
	struct buf dir;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	enum tacit_status st = TACIT_OK;
	if (!fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_templates_list: fn is NULL");
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (!list_one(&builtins[i], NULL, NULL, fn, user))
			return TACIT_OK;
	buf_init(&dir);
	if ((st = templates_dir(NULL, &dir)) != TACIT_OK)
		goto out;
	DIR *d = opendir(dir.data);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".tmpl"))
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 8;
			char **nn = realloc(names, na * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
			alloc = na;
		}
		if (!(names[n] = strndup(e->d_name, len - 5)))
			break;
		n++;
	}
	if (d)
		closedir(d);
	if (n > 1) /* qsort must not be given the NULL of an empty list */
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct template tp;
		struct buf path;
		buf_init(&path);
		buf_addf(&path, "%s/%s.tmpl", dir.data, names[i]);
		bool shadow = false;
		for (size_t b = 0; b < ARRAY_SIZE(builtins); b++)
			shadow = shadow || !strcmp(builtins[b].name, names[i]);
		enum tacit_status ls = shadow ? tacit_fail(TACIT_ERR_FORMAT,
							   "%s: '%s' is a built-in template's name: rename the file",
							   path.data, names[i])
					      : load_file(path.data, names[i], &tp);
		if (ls != TACIT_OK) {
			memset(&tp, 0, sizeof(tp));
			snprintf(tp.name, sizeof(tp.name), "%.32s", names[i]);
		}
		bool go = list_one(&tp, path.data, ls == TACIT_OK ? NULL : tacit_errmsg(), fn, user);
		buf_release(&path);
		if (!go)
			break;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&dir);
	return st;
}

enum tacit_status tacit_template_check(const char *name)
{
	struct template tp;
	return template_find(NULL, name, &tp);
}
