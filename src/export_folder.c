/*
 * export_folder.c — a meeting as a Markdown note with YAML front matter in a folder the
 * user keeps notes in (an Obsidian vault). The file is named once (date, title slug, id)
 * and keeps that name; tacit remembers in the store the SHA-256 of what it last wrote
 * there, replaces the file only while it still has those bytes, and otherwise writes a
 * sibling "NAME (tacit).md": a note the user edited is never overwritten.
 */
#include "internal.h"

#include "export_folder.h"
#include "hash.h"
#include "store.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLUG_MAX 48

void export_yaml_quote(struct buf *b, const char *s)
{
	/* always double-quoted: the one YAML scalar style where every byte can be escaped,
	 * so a title with quotes, colons, '#', '---' or a newline stays one string */
	buf_adds(b, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_adds(b, "\\n");
		else if (*p == '\r')
			buf_adds(b, "\\r");
		else if (*p == '\t')
			buf_adds(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(b, "\\x%02x", *p);
		else
			buf_add(b, (const char *)p, 1);
	}
	buf_adds(b, "\"");
}

static bool utf8_whole(const char *p, size_t len)
{
	for (size_t i = 1; i < len; i++)
		if (((unsigned char)p[i] & 0xc0) != 0x80)
			return false;
	return true;
}

void export_folder_name(const struct tacit_session *ss, char *out, size_t n)
{
	char slug[SLUG_MAX + 1], date[16];
	size_t k = 0;
	time_t t = (time_t)(ss->started_ms / 1000);
	struct tm tm;
	for (const char *p = ss->title; *p && k < SLUG_MAX; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			slug[k++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			slug[k++] = (char)(c - 'A' + 'a');
		else if (c >= 0xc2 && c <= 0xf4 && utf8_whole(p, c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4)) {
			/* a letter of another script, kept whole ("réunion-été") or not at all */
			size_t len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			if (k + len > SLUG_MAX)
				break;
			memcpy(slug + k, p, len);
			k += len;
			p += len - 1;
		} else if (k && slug[k - 1] != '-')
			slug[k++] = '-';
	}
	while (k && slug[k - 1] == '-')
		k--;
	slug[k] = '\0';
	if (!localtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%d", &tm))
		snprintf(date, sizeof(date), "0000-00-00");
	snprintf(out, n, "%s-%s-%lld.md", date, k ? slug : "meeting", (long long)ss->id);
}

struct speakers_ctx {
	struct buf *b;
	int n;
};

static void yaml_speaker(int64_t session_id, const char *label, const char *name, void *user)
{
	(void)session_id;
	struct speakers_ctx *c = user;
	buf_adds(c->b, c->n++ ? ", " : "");
	export_yaml_quote(c->b, name && *name ? name : label);
}

struct template_ctx {
	char name[64];
	long long created;
};

/* The template of the newest summary (artifacts come oldest first). */
static void newest_template(const char *const *col, int n, void *user)
{
	struct template_ctx *c = user;
	if (!col[0] || strcmp(col[0], "summary"))
		return;
	long long created = col[5] ? strtoll(col[5], NULL, 10) : 0;
	if (created >= c->created) {
		c->created = created;
		snprintf(c->name, sizeof(c->name), "%s", n > 6 && col[6] && *col[6] ? col[6] : "general");
	}
}

enum tacit_status export_folder_render(struct tacit_store *s, const struct tacit_session *ss, char **out)
{
	struct buf b;
	struct speakers_ctx sc = { &b, 0 };
	struct template_ctx tc = { "", -1 };
	char *md = NULL, date[32];
	time_t t = (time_t)(ss->started_ms / 1000);
	struct tm tm;
	long long d = ss->duration_ms / 1000;

	*out = NULL;
	buf_init(&b);
	enum tacit_status st = tacit_store_export(s, ss->id, TACIT_FORMAT_MD, &md);
	if (st == TACIT_OK)
		st = store_rows(s, ss->id, STORE_ROWS_ARTIFACTS, newest_template, &tc);
	if (st != TACIT_OK)
		goto out;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_adds(&b, "---\ntitle: ");
	export_yaml_quote(&b, ss->title);
	buf_addf(&b, "\ndate: %s\nduration: \"%02lld:%02lld:%02lld\"\nspeakers: [", date, d / 3600, d / 60 % 60, d % 60);
	if ((st = store_speakers(s, ss->id, yaml_speaker, &sc)) != TACIT_OK)
		goto out;
	buf_adds(&b, "]\ntemplate: ");
	export_yaml_quote(&b, tc.name[0] ? tc.name : "");
	buf_adds(&b, "\ntags: [\"meeting\"");
	if (tc.name[0]) {
		buf_adds(&b, ", ");
		export_yaml_quote(&b, tc.name);
	}
	buf_addf(&b, "]\ntacit_id: %lld\n---\n\n%s", (long long)ss->id, md);
	if (b.failed) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = buf_detach(&b, NULL);
out:
	tacit_free(md);
	buf_release(&b);
	return st;
}

static void text_hash(const char *text, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 h;
	hex[0] = '\0';
	if (!sha256_init(&h))
		return;
	sha256_update(&h, text, strlen(text));
	sha256_final(&h, hex);
}

/* What tacit last wrote for a meeting: "export.file.<id>" is "<sha256> <file name>",
 * "export.sibling.<id>" the sha256 of the sibling. *hash "" and *name untouched when
 * none was recorded. */
static enum tacit_status record_get(struct tacit_store *s, const char *what, int64_t id, char *hash, char *name,
				    size_t n_name)
{
	char key[64], *v = NULL;
	snprintf(key, sizeof(key), "export.%s.%lld", what, (long long)id);
	hash[0] = '\0';
	enum tacit_status st = tacit_store_setting_get(s, key, &v);
	if (st == TACIT_ERR_NOT_FOUND) {
		tacit_clear_error();
		return TACIT_OK;
	}
	if (st != TACIT_OK)
		return st;
	if (strlen(v) >= SHA256_HEX_LEN) {
		memcpy(hash, v, SHA256_HEX_LEN);
		hash[SHA256_HEX_LEN] = '\0';
		if (!sha256_is_hex(hash))
			hash[0] = '\0';
		else if (name && v[SHA256_HEX_LEN] == ' ' && v[SHA256_HEX_LEN + 1] && !strchr(v + SHA256_HEX_LEN + 1, '/'))
			snprintf(name, n_name, "%s", v + SHA256_HEX_LEN + 1);
	}
	tacit_free(v);
	return TACIT_OK;
}

static enum tacit_status record_set(struct tacit_store *s, const char *what, int64_t id, const char *hash,
				    const char *name)
{
	char key[64], value[SHA256_HEX_LEN + 2 + TACIT_FOLDER_NAME_MAX];
	snprintf(key, sizeof(key), "export.%s.%lld", what, (long long)id);
	snprintf(value, sizeof(value), "%s%s%s", hash, name ? " " : "", name ? name : "");
	return tacit_store_setting_set(s, key, value);
}

/* Whether tacit may write path: it is absent, holds what tacit last wrote there (known),
 * or already holds the new text (fresh). */
static enum tacit_status may_write(const char *path, const char *known, const char *fresh, bool *ok, bool *same)
{
	struct stat sb;
	char have[SHA256_HEX_LEN + 1];
	*ok = *same = false;
	if (lstat(path, &sb) != 0) {
		if (errno != ENOENT)
			return tacit_fail_errno(TACIT_ERR_IO, "cannot read '%s'", path);
		*ok = true;
		return TACIT_OK;
	}
	if (!S_ISREG(sb.st_mode))
		return TACIT_OK; /* a link or a folder of the user's: theirs */
	enum tacit_status st = sha256_file(path, have);
	if (st != TACIT_OK)
		return st;
	*same = !strcmp(have, fresh);
	*ok = *same || (*known && !strcmp(have, known));
	return TACIT_OK;
}

enum tacit_status export_folder_check(const char *folder, bool probe, char **abs)
{
	struct stat sb;
	*abs = NULL;
	if (stat(folder, &sb) != 0)
		return tacit_fail(TACIT_ERR_IO, "cannot write to the export folder '%s': %s (create it, or choose another "
				  "with 'tacit export --set-folder DIR')", folder, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return tacit_fail(TACIT_ERR_IO, "cannot write to the export folder '%s': it is not a folder", folder);
	if (!(*abs = realpath(folder, NULL)))
		return tacit_fail_errno(TACIT_ERR_IO, "cannot write to the export folder '%s'", folder);
	if (!probe)
		return TACIT_OK;
	struct buf p;
	buf_init(&p);
	buf_addf(&p, "%s/.tacit-probe-XXXXXX", *abs);
	int fd = p.failed ? -1 : mkstemp(p.data);
	enum tacit_status st = TACIT_OK;
	if (fd < 0)
		st = tacit_fail(TACIT_ERR_IO, "cannot write to the export folder '%s': %s", *abs,
				p.failed ? "out of memory" : strerror(errno));
	else {
		close(fd);
		unlink(p.data);
	}
	buf_release(&p);
	if (st != TACIT_OK) {
		free(*abs);
		*abs = NULL;
	}
	return st;
}

enum tacit_status tacit_export_folder_set(struct tacit_store *s, const char *folder)
{
	char *dir = NULL;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_export_folder_set: store is NULL");
	if (folder && *folder) {
		enum tacit_status st = export_folder_check(folder, true, &dir);
		if (st != TACIT_OK)
			return st;
	}
	enum tacit_status st = tacit_store_setting_set(s, "export.folder", dir);
	free(dir);
	return st;
}

enum tacit_status tacit_export_folder(struct tacit_store *s, int64_t session_id, const char *folder,
				      struct tacit_folder_result *out)
{
	struct tacit_session ss;
	char *setting = NULL, *dir = NULL, *text = NULL;
	char name[TACIT_FOLDER_NAME_MAX], known[SHA256_HEX_LEN + 1], sib_known[SHA256_HEX_LEN + 1];
	char fresh[SHA256_HEX_LEN + 1];
	struct buf path;
	bool ok, same;
	enum tacit_status st;

	buf_init(&path);
	if (!s || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_export_folder: store or out is NULL");
	memset(out, 0, sizeof(*out));
	if (!folder || !*folder) {
		st = tacit_store_setting_get(s, "export.folder", &setting);
		if (st == TACIT_ERR_NOT_FOUND)
			st = tacit_fail(TACIT_ERR_NOT_FOUND,
					"no export folder is set (choose one with 'tacit export --set-folder DIR')");
		if (st != TACIT_OK)
			goto out;
		folder = setting;
	}
	if ((st = export_folder_check(folder, false, &dir)) != TACIT_OK ||
	    (st = tacit_store_session_get(s, session_id, &ss)) != TACIT_OK)
		goto out;
	export_folder_name(&ss, name, sizeof(name));
	if ((st = record_get(s, "file", session_id, known, name, sizeof(name))) != TACIT_OK ||
	    (st = record_get(s, "sibling", session_id, sib_known, NULL, 0)) != TACIT_OK ||
	    (st = export_folder_render(s, &ss, &text)) != TACIT_OK)
		goto out;
	text_hash(text, fresh);
	buf_addf(&path, "%s/%s", dir, name);
	if (path.failed || !fresh[0]) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((st = may_write(path.data, known, fresh, &ok, &same)) != TACIT_OK)
		goto out;
	out->outcome = ok ? (same ? TACIT_FOLDER_UNCHANGED : known[0] ? TACIT_FOLDER_UPDATED : TACIT_FOLDER_WRITTEN)
			  : TACIT_FOLDER_SIBLING;
	if (!ok) {
		/* the user's note: ours goes beside it, "NAME (tacit).md" */
		snprintf(out->edited_path, sizeof(out->edited_path), "%s", path.data);
		path.len -= 3;
		path.data[path.len] = '\0';
		buf_adds(&path, " (tacit).md");
		if (path.failed) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((st = may_write(path.data, sib_known, fresh, &ok, &same)) != TACIT_OK)
			goto out;
		if (!ok) {
			st = tacit_fail(TACIT_ERR_IO,
					"'%s' and '%s' were both edited since tacit wrote them: neither was replaced "
					"(move one away to get the meeting's new note)",
					out->edited_path, path.data);
			goto out;
		}
	}
	snprintf(out->path, sizeof(out->path), "%s", path.data);
	if (!same && (st = tacit_export_save(path.data, text, strlen(text), true)) != TACIT_OK)
		goto out;
	if (out->outcome == TACIT_FOLDER_SIBLING)
		st = record_set(s, "sibling", session_id, fresh, NULL);
	else
		st = record_set(s, "file", session_id, fresh, name);
out:
	buf_release(&path);
	tacit_free(text);
	free(dir);
	tacit_free(setting);
	return st;
}

void export_folder_after(struct tacit_store *s, int64_t session_id)
{
	struct tacit_folder_result r;
	struct tacit_session ss;
	struct errsave e;
	char *folder = NULL;

	/* the caller's work succeeded: nothing here may change what it reports */
	errsave_push(&e);
	if (tacit_store_setting_get(s, "export.folder", &folder) != TACIT_OK || !*folder ||
	    tacit_store_session_get(s, session_id, &ss) != TACIT_OK || !ss.ended_ms)
		goto out;
	if (tacit_export_folder(s, session_id, folder, &r) != TACIT_OK)
		tacit_log(TACIT_LOG_WARN, "meeting %lld was saved, but not written to the export folder: %s",
			  (long long)session_id, tacit_errmsg());
	else if (r.outcome == TACIT_FOLDER_SIBLING)
		tacit_log(TACIT_LOG_WARN, "'%s' was edited since tacit wrote it: meeting %lld went to '%s' instead",
			  r.edited_path, (long long)session_id, r.path);
	else
		tacit_log(TACIT_LOG_INFO, "meeting %lld written to '%s'", (long long)session_id, r.path);
out:
	tacit_free(folder);
	errsave_pop(&e, TACIT_OK);
}
