/*
 * store.c — the session store, the one module that includes sqlite3.h. One connection
 * per handle; WAL, synchronous=FULL, foreign keys, secure delete. Every public write is
 * one transaction that has committed (and so fsync'ed) before the call returns TACIT_OK.
 * The schema grows only through the migration list below; PRAGMA user_version is the
 * number of migrations applied. Final segments are indexed by an external-content FTS5
 * table kept in step by triggers; partial segments (final = 0) never reach the index.
 */
#include "internal.h"

#include "hash.h"
#include "store.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <yyjson.h>

#define STORE_BUSY_MS 5000
#define STATE_ORPHAN_AGE_S (24 * 3600) /* a state file no row names is removed after this */
#define WAV_HEADER 44

struct tacit_store {
	sqlite3 *db;
	char *path;  /* as opened, for messages */
	char *dir;   /* directory holding the database; NULL for :memory: */
	int tx_depth;
};

/* ---- migrations: never edit one that has shipped; append a new one ---------------- */
static const char *const migrations[] = {
	/* 1: sessions, speakers, segments, settings */
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  started_ms INTEGER NOT NULL,"
	"  ended_ms INTEGER,"
	"  language TEXT NOT NULL DEFAULT '',"
	"  models TEXT NOT NULL DEFAULT '',"
	"  settings TEXT NOT NULL DEFAULT '{}');"
	"CREATE TABLE speakers ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  label TEXT NOT NULL,"
	"  name TEXT,"
	"  UNIQUE (session_id, label));"
	"CREATE TABLE segments ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  start_ms INTEGER NOT NULL,"
	"  end_ms INTEGER NOT NULL,"
	"  speaker_id INTEGER REFERENCES speakers(id) ON DELETE SET NULL,"
	"  text TEXT NOT NULL,"
	"  final INTEGER NOT NULL DEFAULT 1,"
	"  confidence REAL);"
	"CREATE INDEX segments_by_session ON segments (session_id, final, start_ms);"
	"CREATE INDEX speakers_by_session ON speakers (session_id);"
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",

	/* 2: what the models produce, recordings, cached model state */
	"CREATE TABLE artifacts ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  json TEXT,"
	"  markdown TEXT,"
	"  model TEXT NOT NULL DEFAULT '',"
	"  prompt_version TEXT NOT NULL DEFAULT '',"
	"  created_ms INTEGER NOT NULL);"
	"CREATE INDEX artifacts_by_session ON artifacts (session_id, kind);"
	"CREATE TABLE chat_messages ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),"
	"  text TEXT NOT NULL,"
	"  model TEXT,"
	"  created_ms INTEGER NOT NULL);"
	"CREATE INDEX chat_by_session ON chat_messages (session_id);"
	"CREATE TABLE suggestions ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  at_ms INTEGER NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT '',"
	"  text TEXT NOT NULL,"
	"  model TEXT,"
	"  created_ms INTEGER NOT NULL);"
	"CREATE INDEX suggestions_by_session ON suggestions (session_id);"
	"CREATE TABLE audio_files ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  chunk INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  sample_rate INTEGER NOT NULL,"
	"  channels INTEGER NOT NULL,"
	"  bytes_durable INTEGER NOT NULL DEFAULT 0,"
	"  sha256 TEXT,"
	"  state TEXT NOT NULL DEFAULT 'recording'"
	"    CHECK (state IN ('recording', 'closed', 'repaired', 'missing')),"
	"  UNIQUE (session_id, chunk));"
	"CREATE TABLE model_states ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,"
	"  model TEXT NOT NULL DEFAULT '',"
	"  path TEXT NOT NULL UNIQUE,"
	"  sha256 TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  created_ms INTEGER NOT NULL);",

	/* 3: full-text search over final segments; imported sessions have estimated times */
	"ALTER TABLE sessions ADD COLUMN times_synthesized INTEGER NOT NULL DEFAULT 0;"
	"CREATE VIEW segments_final (id, text) AS SELECT id, text FROM segments WHERE final = 1;"
	"CREATE VIRTUAL TABLE segments_fts USING fts5("
	"  text, content = 'segments_final', content_rowid = 'id', tokenize = 'porter unicode61');"
	"INSERT INTO segments_fts (segments_fts, rank) VALUES ('secure-delete', 1);"
	"CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments WHEN new.final = 1 BEGIN"
	"  INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);"
	"END;"
	"CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments WHEN old.final = 1 BEGIN"
	"  INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);"
	"END;"
	"CREATE TRIGGER segments_fts_update AFTER UPDATE OF text, final ON segments BEGIN"
	"  INSERT INTO segments_fts (segments_fts, rowid, text)"
	"    SELECT 'delete', old.id, old.text WHERE old.final = 1;"
	"  INSERT INTO segments_fts (rowid, text) SELECT new.id, new.text WHERE new.final = 1;"
	"END;"
	"INSERT INTO segments_fts (segments_fts) VALUES ('rebuild');",

	/* 4: custom models (`tacit add`): a reference to a GGUF file on disk, never a copy,
	 * with the size and mtime it had when it passed the checks and what its header says */
	"CREATE TABLE custom_models ("
	"  name TEXT PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  file_bytes INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  info TEXT NOT NULL DEFAULT '{}',"
	"  added_ms INTEGER NOT NULL) WITHOUT ROWID;",
};

int tacit_store_schema_version(void)
{
	return (int)ARRAY_SIZE(migrations);
}

int64_t store_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- errors ---------------------------------------------------------------------- */

static enum tacit_status status_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return TACIT_ERR_NO_SPACE;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return TACIT_ERR_IO;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return TACIT_ERR_INTEGRITY;
	case SQLITE_NOMEM:
		return TACIT_ERR_NOMEM;
	default:
		return TACIT_ERR_DB;
	}
}

static enum tacit_status db_fail(struct tacit_store *s, int rc, const char *what)
{
	enum tacit_status st = status_of(rc);
	const char *why = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	if (st == TACIT_ERR_NO_SPACE)
		return tacit_fail(st, "cannot %s in '%s': %s (free some disk space)", what, s->path, why);
	return tacit_fail(st, "cannot %s in '%s': %s", what, s->path, why);
}

static enum tacit_status prep(struct tacit_store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK)
		return db_fail(s, rc, "prepare a statement");
	return TACIT_OK;
}

static enum tacit_status exec(struct tacit_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? TACIT_OK : db_fail(s, rc, what);
}

/* Runs a statement that returns no rows, then finalizes it. */
static enum tacit_status step_done(struct tacit_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	enum tacit_status ret = rc == SQLITE_DONE ? TACIT_OK : db_fail(s, rc, what);
	sqlite3_finalize(st);
	return ret;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* ---- transactions ---------------------------------------------------------------- */

enum tacit_status store_batch_begin(struct tacit_store *s)
{
	if (s->tx_depth == 0) {
		enum tacit_status st = exec(s, "BEGIN IMMEDIATE", "start a transaction");
		if (st != TACIT_OK)
			return st;
	}
	s->tx_depth++;
	return TACIT_OK;
}

enum tacit_status store_batch_end(struct tacit_store *s, enum tacit_status st)
{
	if (s->tx_depth == 0)
		return st; /* an inner failure already rolled back */
	if (st != TACIT_OK) {
		s->tx_depth = 0;
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return st;
	}
	if (--s->tx_depth > 0)
		return TACIT_OK;
	int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		st = db_fail(s, rc, "commit");
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return st;
}

/* ---- open, migrate, check --------------------------------------------------------- */

static enum tacit_status pragma_int(struct tacit_store *s, const char *sql, int *out)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, sql, &st);
	if (ret != TACIT_OK)
		return ret;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		ret = db_fail(s, rc, "read the schema version");
	sqlite3_finalize(st);
	return ret;
}

static enum tacit_status migrate(struct tacit_store *s)
{
	int version = 0;
	enum tacit_status st = pragma_int(s, "PRAGMA user_version", &version);
	if (st != TACIT_OK)
		return st;
	if (version > tacit_store_schema_version())
		return tacit_fail(TACIT_ERR_UNSUPPORTED,
				  "session store '%s' has schema version %d, newer than this tacit's %d (upgrade tacit)",
				  s->path, version, tacit_store_schema_version());
	while (version < tacit_store_schema_version()) {
		char set[64];
		st = store_batch_begin(s);
		if (st != TACIT_OK)
			return st;
		st = exec(s, migrations[version], "upgrade the schema");
		snprintf(set, sizeof(set), "PRAGMA user_version = %d", version + 1);
		if (st == TACIT_OK)
			st = exec(s, set, "upgrade the schema");
		st = store_batch_end(s, st);
		if (st != TACIT_OK)
			return st;
		tacit_log(TACIT_LOG_INFO, "session store '%s': schema %d -> %d", s->path, version, version + 1);
		version++;
	}
	return TACIT_OK;
}

static enum tacit_status run_check(struct tacit_store *s, const char *pragma)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, pragma, &st);
	if (ret != TACIT_OK)
		return ret;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = col_text(st, 0);
		if (strcmp(r, "ok") != 0)
			ret = tacit_fail(TACIT_ERR_INTEGRITY,
					 "session store '%s' is damaged: %s (move it aside and restore a backup)", s->path, r);
	} else {
		ret = db_fail(s, rc, "check the database");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_check(struct tacit_store *s)
{
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_check: store is NULL");
	return run_check(s, "PRAGMA integrity_check(1)");
}

static enum tacit_status repair_recordings(struct tacit_store *s);
static void prune_model_states(struct tacit_store *s, bool default_store);
static void remove_import_leftovers(struct tacit_store *s);

static enum tacit_status configure(struct tacit_store *s)
{
	static const char *const pragmas[] = {
		"PRAGMA foreign_keys = ON",
		"PRAGMA synchronous = FULL",
		"PRAGMA secure_delete = ON",
	};
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (s->dir) {
		sqlite3_stmt *st;
		enum tacit_status ret = prep(s, "PRAGMA journal_mode = WAL", &st);
		if (ret != TACIT_OK)
			return ret;
		int rc = sqlite3_step(st);
		bool wal = rc == SQLITE_ROW && !strcmp(col_text(st, 0), "wal");
		if (rc != SQLITE_ROW)
			ret = db_fail(s, rc, "switch to WAL mode");
		sqlite3_finalize(st);
		if (ret != TACIT_OK)
			return ret;
		if (!wal)
			return tacit_fail(TACIT_ERR_DB, "cannot switch session store '%s' to WAL mode", s->path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pragmas); i++) {
		enum tacit_status ret = exec(s, pragmas[i], "configure the connection");
		if (ret != TACIT_OK)
			return ret;
	}
	return TACIT_OK;
}

enum tacit_status tacit_store_open(const char *path, struct tacit_store **out)
{
	struct tacit_store *s = NULL;
	char *data_dir = NULL;
	enum tacit_status st;
	struct buf b;

	buf_init(&b);
	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_open: out is NULL");
	*out = NULL;
	if (!path) {
		st = tacit_dir_path(TACIT_DIR_DATA, &data_dir);
		if (st != TACIT_OK)
			return st;
		buf_addf(&b, "%s/tacit.db", data_dir);
		path = b.data;
	} else if (!*path) {
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_open: empty path");
	}
	s = calloc(1, sizeof(*s));
	if (!s || b.failed) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	s->path = strdup(path);
	if (!s->path) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (strcmp(path, ":memory:") != 0) {
		const char *slash = strrchr(path, '/');
		s->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
		if (!s->dir) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		st = tacit_fail(status_of(rc), "cannot open session store '%s': %s", path,
				s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (s->dir)
		chmod(path, 0600);
	st = configure(s);
	if (st == TACIT_OK)
		st = run_check(s, "PRAGMA quick_check(1)");
	if (st == TACIT_OK)
		st = migrate(s);
	if (st == TACIT_OK && s->dir)
		st = repair_recordings(s);
	if (st == TACIT_OK && s->dir)
		prune_model_states(s, b.len > 0); /* b: the default store's path */
	if (st == TACIT_OK && s->dir)
		remove_import_leftovers(s);
out:
	if (st != TACIT_OK) {
		tacit_store_close(s);
		s = NULL;
	}
	*out = s;
	free(data_dir);
	buf_release(&b);
	return st;
}

void tacit_store_close(struct tacit_store *s)
{
	if (!s)
		return;
	if (s->db) {
		if (s->tx_depth && !sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(s->db);
	}
	free(s->path);
	free(s->dir);
	free(s);
}

/* ---- sessions -------------------------------------------------------------------- */

struct tacit_session_params tacit_session_default_params(void)
{
	struct tacit_session_params p = { 0 };
	return p;
}

static bool json_valid(const char *text, bool want_object)
{
	yyjson_doc *doc = yyjson_read(text, strlen(text), 0);
	if (!doc)
		return false;
	bool ok = !want_object || yyjson_is_obj(yyjson_doc_get_root(doc));
	yyjson_doc_free(doc);
	return ok;
}

static enum tacit_status session_exists(struct tacit_store *s, int64_t id)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, "SELECT 1 FROM sessions WHERE id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)id);
	else if (rc != SQLITE_ROW)
		ret = db_fail(s, rc, "look up a session");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_session_create(struct tacit_store *s, const struct tacit_session_params *params,
					     int64_t *out_id)
{
	struct tacit_session_params p = params ? *params : tacit_session_default_params();
	sqlite3_stmt *st;
	char title[64];

	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_create: store is NULL");
	if (p.settings_json && !json_valid(p.settings_json, true))
		return tacit_fail(TACIT_ERR_USAGE, "session settings are not a JSON object: '%.60s'", p.settings_json);
	if (!p.started_ms)
		p.started_ms = store_now_ms();
	if (!p.title || !*p.title) {
		time_t t = (time_t)(p.started_ms / 1000);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(title, sizeof(title), "Meeting %Y-%m-%d %H:%M", &tm);
		p.title = title;
	}
	enum tacit_status ret = prep(s,
				     "INSERT INTO sessions (title, started_ms, language, models, settings, times_synthesized)"
				     " VALUES (?, ?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, p.title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, p.started_ms);
	sqlite3_bind_text(st, 3, p.language ? p.language : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, p.models ? p.models : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, p.settings_json ? p.settings_json : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, p.times_synthesized);
	ret = step_done(s, st, "create a session");
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

#define SESSION_COLUMNS                                                                                   \
	"SELECT s.id, s.started_ms, COALESCE(s.ended_ms, 0), s.times_synthesized, s.title, s.language, "  \
	"s.models, (SELECT COUNT(*) FROM segments g WHERE g.session_id = s.id AND g.final = 1), "          \
	"(SELECT COALESCE(MAX(g.end_ms), 0) FROM segments g WHERE g.session_id = s.id AND g.final = 1), " \
	"(SELECT COUNT(*) FROM speakers p WHERE p.session_id = s.id) FROM sessions s "

static void session_from_row(sqlite3_stmt *st, struct tacit_session *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->started_ms = sqlite3_column_int64(st, 1);
	o->ended_ms = sqlite3_column_int64(st, 2);
	o->times_synthesized = sqlite3_column_int(st, 3) != 0;
	copy_str(o->title, sizeof(o->title), col_text(st, 4));
	copy_str(o->language, sizeof(o->language), col_text(st, 5));
	copy_str(o->models, sizeof(o->models), col_text(st, 6));
	o->n_segments = sqlite3_column_int64(st, 7);
	o->duration_ms = sqlite3_column_int64(st, 8);
	o->n_speakers = sqlite3_column_int(st, 9);
}

enum tacit_status tacit_store_session_get(struct tacit_store *s, int64_t id, struct tacit_session *out)
{
	sqlite3_stmt *st;
	if (!s || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_get: store or out is NULL");
	enum tacit_status ret = prep(s, SESSION_COLUMNS "WHERE s.id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		session_from_row(st, out);
	else if (rc == SQLITE_DONE)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)id);
	else
		ret = db_fail(s, rc, "read a session");
	sqlite3_finalize(st);
	return ret;
}

/* Fills one array element from the current row. */
typedef void (*row_fill_fn)(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *user);

/* Steps st to the end, growing an array of elem_size elements filled by fill; finalizes
 * st. On TACIT_OK *out is never NULL (an empty list is a 1-element allocation, n = 0). */
static enum tacit_status collect_rows(struct tacit_store *s, sqlite3_stmt *st, size_t elem_size, row_fill_fn fill,
				      void *user, const char *what, void **out, size_t *n_out)
{
	char *arr = NULL;
	size_t n = 0, cap = 0;
	enum tacit_status ret = TACIT_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char *p = realloc(arr, cap * elem_size);
			if (!p) {
				ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
				goto out;
			}
			arr = p;
		}
		memset(arr + n * elem_size, 0, elem_size);
		fill(s, st, arr + n * elem_size, user);
		n++;
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s, rc, what);
	if (ret == TACIT_OK && !arr && !(arr = malloc(elem_size)))
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
out:
	sqlite3_finalize(st);
	if (ret != TACIT_OK) {
		free(arr);
		return ret;
	}
	*out = arr;
	*n_out = n;
	return TACIT_OK;
}

static void session_fill(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *user)
{
	(void)s;
	(void)user;
	session_from_row(st, elem);
}

enum tacit_status tacit_store_session_list(struct tacit_store *s, struct tacit_session **out, size_t *n_out)
{
	sqlite3_stmt *st;

	if (!s || !out || !n_out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_list: NULL argument");
	*out = NULL;
	*n_out = 0;
	enum tacit_status ret = prep(s, SESSION_COLUMNS "ORDER BY s.started_ms DESC, s.id DESC", &st);
	if (ret != TACIT_OK)
		return ret;
	return collect_rows(s, st, sizeof(**out), session_fill, NULL, "list sessions", (void **)out, n_out);
}

/* Runs "UPDATE ... WHERE id = ?last" binding text (or NULL) and id; NOT_FOUND if no row. */
static enum tacit_status update_session(struct tacit_store *s, const char *sql, const char *text, int64_t num,
					int64_t id, const char *what)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, sql, &st);
	if (ret != TACIT_OK)
		return ret;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, num);
	sqlite3_bind_int64(st, 2, id);
	ret = step_done(s, st, what);
	if (ret == TACIT_OK && sqlite3_changes(s->db) == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)id);
	return ret;
}

enum tacit_status tacit_store_session_rename(struct tacit_store *s, int64_t id, const char *title)
{
	if (!s || !title)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_rename: store or title is NULL");
	if (!*title)
		return tacit_fail(TACIT_ERR_USAGE, "a session title cannot be empty");
	return update_session(s, "UPDATE sessions SET title = ? WHERE id = ?", title, 0, id, "rename a session");
}

enum tacit_status store_session_set_language(struct tacit_store *s, int64_t id, const char *language)
{
	if (!s || !language || !*language)
		return tacit_fail(TACIT_ERR_USAGE, "store_session_set_language: store or language missing");
	return update_session(s, "UPDATE sessions SET language = ? WHERE id = ?", language, 0, id,
			      "store a session's language");
}

enum tacit_status tacit_store_session_end(struct tacit_store *s, int64_t id, int64_t ended_ms)
{
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_end: store is NULL");
	return update_session(s, "UPDATE sessions SET ended_ms = ? WHERE id = ?", NULL, ended_ms ? ended_ms : store_now_ms(),
			      id, "end a session");
}

/* Overwrites a file with zeros, syncs it and unlinks it: best effort against recovery
 * of the bytes from the raw device (SSDs and copy-on-write filesystems may keep them). */
static void shred_unlink(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		struct stat sb;
		static const char zeros[65536];
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
			off_t left = sb.st_size;
			while (left > 0) {
				size_t n = left > (off_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;
				ssize_t w = write(fd, zeros, n);
				if (w <= 0)
					break;
				left -= w;
			}
			fdatasync(fd);
		}
		close(fd);
	}
	if (unlink(path) != 0 && errno != ENOENT)
		tacit_log(TACIT_LOG_WARN, "cannot remove '%s': %s", path, strerror(errno));
}

static char *abs_path(struct tacit_store *s, const char *rel)
{
	struct buf b;
	buf_init(&b);
	if (rel[0] == '/')
		buf_adds(&b, rel);
	else
		buf_addf(&b, "%s/%s", s->dir ? s->dir : ".", rel);
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static enum tacit_status remove_session_files(struct tacit_store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s,
				     "SELECT path FROM audio_files WHERE session_id = ?1"
				     " UNION ALL SELECT path FROM model_states WHERE session_id = ?1",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *p = abs_path(s, col_text(st, 0));
		if (!p) {
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			break;
		}
		shred_unlink(p);
		free(p);
	}
	if (ret == TACIT_OK && rc != SQLITE_DONE)
		ret = db_fail(s, rc, "list a session's files");
	sqlite3_finalize(st);
	if (ret == TACIT_OK && s->dir) {
		char dir[64];
		snprintf(dir, sizeof(dir), "audio/%lld", (long long)id);
		char *p = abs_path(s, dir);
		if (p && rmdir(p) != 0 && errno != ENOENT)
			tacit_log(TACIT_LOG_WARN, "cannot remove '%s': %s", p, strerror(errno));
		free(p);
	}
	return ret;
}

enum tacit_status tacit_store_session_delete(struct tacit_store *s, int64_t id)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_session_delete: store is NULL");
	enum tacit_status ret = session_exists(s, id);
	/* Files first: a crash in between leaves rows pointing at nothing, never audio
	 * that the user asked to delete. */
	if (ret == TACIT_OK)
		ret = remove_session_files(s, id);
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s, "DELETE FROM sessions WHERE id = ?", &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, id);
		ret = step_done(s, st, "delete a session");
	}
	ret = store_batch_end(s, ret);
	if (ret != TACIT_OK)
		return ret;
	/* Merge the index so no segment of it still holds the text, then fold the WAL
	 * (which holds the old pages) into the zeroed database and truncate it. */
	ret = exec(s, "INSERT INTO segments_fts (segments_fts) VALUES ('optimize')", "compact the search index");
	if (ret == TACIT_OK && s->dir)
		sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	return ret;
}

/* ---- segments and speakers -------------------------------------------------------- */

/* The id of the session's speaker with this label, created when new; 0 for no label. */
static enum tacit_status speaker_id(struct tacit_store *s, int64_t session_id, const char *label, int64_t *out)
{
	sqlite3_stmt *st;
	*out = 0;
	if (!label || !*label)
		return TACIT_OK;
	enum tacit_status ret = prep(s, "INSERT INTO speakers (session_id, label) VALUES (?1, ?2)"
					" ON CONFLICT (session_id, label) DO NOTHING",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_TRANSIENT);
	ret = step_done(s, st, "add a speaker");
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s, "SELECT id FROM speakers WHERE session_id = ? AND label = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		ret = db_fail(s, rc, "look up a speaker");
	sqlite3_finalize(st);
	return ret;
}

static enum tacit_status check_segment(const struct tacit_segment *seg)
{
	if (!seg || !seg->text)
		return tacit_fail(TACIT_ERR_USAGE, "a segment needs text");
	if (seg->start_ms < 0 || seg->end_ms < seg->start_ms)
		return tacit_fail(TACIT_ERR_USAGE, "segment times %lld..%lld ms are not an interval",
				  (long long)seg->start_ms, (long long)seg->end_ms);
	return TACIT_OK;
}

static enum tacit_status insert_segment(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg,
					bool final, int64_t *out_id)
{
	sqlite3_stmt *st;
	int64_t spk;
	enum tacit_status ret = speaker_id(s, session_id, seg->speaker, &spk);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s, "DELETE FROM segments WHERE session_id = ? AND final = 0", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	ret = step_done(s, st, "replace the partial segment");
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s,
		   "INSERT INTO segments (session_id, start_ms, end_ms, speaker_id, text, final, confidence)"
		   " VALUES (?, ?, ?, ?, ?, ?, ?)",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, seg->start_ms);
	sqlite3_bind_int64(st, 3, seg->end_ms);
	if (spk)
		sqlite3_bind_int64(st, 4, spk);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, seg->text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, final);
	if (seg->confidence >= 0)
		sqlite3_bind_double(st, 7, seg->confidence);
	else
		sqlite3_bind_null(st, 7);
	ret = step_done(s, st, "add a segment");
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

enum tacit_status tacit_store_add_segment(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg,
					  int64_t *out_id)
{
	int64_t id = 0;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_segment: store is NULL");
	enum tacit_status ret = check_segment(seg);
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = insert_segment(s, session_id, seg, true, &id);
	ret = store_batch_end(s, ret);
	if (ret == TACIT_OK && out_id)
		*out_id = id;
	return ret;
}

enum tacit_status tacit_store_set_partial(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_set_partial: store is NULL");
	enum tacit_status ret = seg ? check_segment(seg) : TACIT_OK;
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = session_exists(s, session_id);
	if (ret == TACIT_OK && seg) {
		ret = insert_segment(s, session_id, seg, false, NULL);
	} else if (ret == TACIT_OK) {
		ret = prep(s, "DELETE FROM segments WHERE session_id = ? AND final = 0", &st);
		if (ret == TACIT_OK) {
			sqlite3_bind_int64(st, 1, session_id);
			ret = step_done(s, st, "clear the partial segment");
		}
	}
	return store_batch_end(s, ret);
}

enum tacit_status tacit_store_segments(struct tacit_store *s, int64_t session_id, bool include_partial,
				       tacit_segment_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_segments: store or fn is NULL");
	enum tacit_status ret = session_exists(s, session_id);
	if (ret != TACIT_OK)
		return ret;
	ret = prep(s,
		   "SELECT g.id, g.start_ms, g.end_ms, p.label, p.name, g.text, COALESCE(g.confidence, -1), g.final"
		   " FROM segments g LEFT JOIN speakers p ON p.id = g.speaker_id"
		   " WHERE g.session_id = ? AND g.final >= ? ORDER BY g.final DESC, g.start_ms, g.id",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int(st, 2, include_partial ? 0 : 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_segment seg = {
			.id = sqlite3_column_int64(st, 0),
			.session_id = session_id,
			.start_ms = sqlite3_column_int64(st, 1),
			.end_ms = sqlite3_column_int64(st, 2),
			.speaker = (const char *)sqlite3_column_text(st, 3),
			.speaker_name = (const char *)sqlite3_column_text(st, 4),
			.text = col_text(st, 5),
			.confidence = (float)sqlite3_column_double(st, 6),
			.final = sqlite3_column_int(st, 7) != 0,
		};
		if (!fn(&seg, user)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s, rc, "read segments");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_speaker_name(struct tacit_store *s, int64_t session_id, const char *label,
					   const char *name)
{
	sqlite3_stmt *st;
	if (!s || !label || !*label)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_speaker_name: store or label missing");
	enum tacit_status ret = session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s, "UPDATE speakers SET name = ? WHERE session_id = ? AND label = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	bind_text_or_null(st, 1, name && *name ? name : NULL);
	sqlite3_bind_int64(st, 2, session_id);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_TRANSIENT);
	ret = step_done(s, st, "name a speaker");
	if (ret == TACIT_OK && sqlite3_changes(s->db) == 0)
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "session %lld has no speaker '%s'", (long long)session_id, label);
	return ret;
}

enum tacit_status store_speakers(struct tacit_store *s, int64_t session_id, store_speaker_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s, "SELECT label, name FROM speakers WHERE session_id = ? ORDER BY id", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(col_text(st, 0), (const char *)sqlite3_column_text(st, 1), user);
	if (rc != SQLITE_DONE)
		ret = db_fail(s, rc, "read speakers");
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_session_settings(struct tacit_store *s, int64_t session_id, char **out)
{
	sqlite3_stmt *st;
	*out = NULL;
	enum tacit_status ret = prep(s, "SELECT settings FROM sessions WHERE id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = strdup(col_text(st, 0));
		if (!*out)
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "no session %lld (see 'tacit sessions')", (long long)session_id);
	} else {
		ret = db_fail(s, rc, "read a session's settings");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_rows(struct tacit_store *s, int64_t session_id, enum store_rows kind, store_row_fn fn,
			     void *user)
{
	static const char *const sql[] = {
		[STORE_ROWS_ARTIFACTS] = "SELECT kind, json, markdown, model, prompt_version, created_ms FROM artifacts"
					 " WHERE session_id = ? ORDER BY id",
		[STORE_ROWS_CHAT] = "SELECT role, text, model, created_ms FROM chat_messages WHERE session_id = ?"
				    " ORDER BY id",
		[STORE_ROWS_SUGGESTIONS] = "SELECT at_ms, kind, text, model, created_ms FROM suggestions"
					   " WHERE session_id = ? ORDER BY at_ms, id",
	};
	sqlite3_stmt *st;
	int rc;
	const char *cols[8];
	enum tacit_status ret = prep(s, sql[kind], &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		for (int i = 0; i < n && i < 8; i++)
			cols[i] = (const char *)sqlite3_column_text(st, i);
		fn(cols, n, user);
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(s, rc, "read a session's records");
	sqlite3_finalize(st);
	return ret;
}

/* ---- artifacts, chat, suggestions, model states ------------------------------------ */

static bool is_word(const char *s, const char *extra)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/* Binds session_id at 1, runs an insert prepared by the caller, reports the id. */
static enum tacit_status insert_row(struct tacit_store *s, sqlite3_stmt *st, int64_t session_id, const char *what,
				    int64_t *out_id)
{
	enum tacit_status ret = session_exists(s, session_id);
	if (ret != TACIT_OK) {
		sqlite3_finalize(st);
		return ret;
	}
	sqlite3_bind_int64(st, 1, session_id);
	ret = step_done(s, st, what);
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

enum tacit_status tacit_store_add_artifact(struct tacit_store *s, int64_t session_id, const struct tacit_artifact *a,
					   int64_t *out_id)
{
	sqlite3_stmt *st;
	if (!s || !a)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_artifact: store or artifact is NULL");
	if (!is_word(a->kind, "_"))
		return tacit_fail(TACIT_ERR_USAGE, "artifact kind '%s' is not a lowercase word", a->kind ? a->kind : "");
	if (a->json && !json_valid(a->json, false))
		return tacit_fail(TACIT_ERR_USAGE, "the %s artifact's JSON is not valid: '%.60s'", a->kind, a->json);
	enum tacit_status ret = prep(s,
				     "INSERT INTO artifacts (session_id, kind, json, markdown, model, prompt_version,"
				     " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 2, a->kind, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 3, a->json);
	bind_text_or_null(st, 4, a->markdown);
	sqlite3_bind_text(st, 5, a->model ? a->model : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, a->prompt_version ? a->prompt_version : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, a->created_ms ? a->created_ms : store_now_ms());
	return insert_row(s, st, session_id, "add an artifact", out_id);
}

enum tacit_status tacit_store_get_artifact(struct tacit_store *s, int64_t session_id, const char *kind,
					   char **out_json, char **out_markdown)
{
	sqlite3_stmt *st;
	if (out_json)
		*out_json = NULL;
	if (out_markdown)
		*out_markdown = NULL;
	if (!s || !kind)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_get_artifact: store or kind is NULL");
	enum tacit_status ret = session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT json, markdown FROM artifacts WHERE session_id = ? AND kind = ?"
			   " ORDER BY created_ms DESC, id DESC LIMIT 1",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char *j = NULL, *m = NULL;
		if (out_json && sqlite3_column_type(st, 0) != SQLITE_NULL)
			j = strdup(col_text(st, 0));
		if (out_markdown && sqlite3_column_type(st, 1) != SQLITE_NULL)
			m = strdup(col_text(st, 1));
		if ((out_json && sqlite3_column_type(st, 0) != SQLITE_NULL && !j) ||
		    (out_markdown && sqlite3_column_type(st, 1) != SQLITE_NULL && !m)) {
			free(j);
			free(m);
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		} else {
			if (out_json)
				*out_json = j;
			if (out_markdown)
				*out_markdown = m;
		}
	} else if (rc == SQLITE_DONE) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "session %lld has no %s", (long long)session_id, kind);
	} else {
		ret = db_fail(s, rc, "read an artifact");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_add_chat(struct tacit_store *s, int64_t session_id, const struct tacit_chat_record *m,
				       int64_t *out_id)
{
	sqlite3_stmt *st;
	if (!s || !m || !m->text)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_chat: store, message or text is NULL");
	if (!m->role || (strcmp(m->role, "user") && strcmp(m->role, "assistant") && strcmp(m->role, "system")))
		return tacit_fail(TACIT_ERR_USAGE, "chat role '%s' is not user, assistant or system",
				  m->role ? m->role : "");
	enum tacit_status ret = prep(s,
				     "INSERT INTO chat_messages (session_id, role, text, model, created_ms)"
				     " VALUES (?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 2, m->role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, m->text, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 4, m->model);
	sqlite3_bind_int64(st, 5, m->created_ms ? m->created_ms : store_now_ms());
	return insert_row(s, st, session_id, "add a chat message", out_id);
}

enum tacit_status tacit_store_add_suggestion(struct tacit_store *s, int64_t session_id,
					     const struct tacit_suggestion *g, int64_t *out_id)
{
	sqlite3_stmt *st;
	if (!s || !g || !g->text)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_suggestion: store, suggestion or text is NULL");
	enum tacit_status ret = prep(s,
				     "INSERT INTO suggestions (session_id, at_ms, kind, text, model, created_ms)"
				     " VALUES (?, ?, ?, ?, ?, ?)",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 2, g->at_ms);
	sqlite3_bind_text(st, 3, g->kind ? g->kind : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, g->text, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 5, g->model);
	sqlite3_bind_int64(st, 6, g->created_ms ? g->created_ms : store_now_ms());
	return insert_row(s, st, session_id, "add a suggestion", out_id);
}

enum tacit_status tacit_store_add_model_state(struct tacit_store *s, int64_t session_id, const char *model,
					      const char *path, int64_t *out_id)
{
	sqlite3_stmt *st;
	struct stat sb;
	char hex[SHA256_HEX_LEN + 1];
	if (!s || !path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_add_model_state: store or path missing");
	if (stat(path, &sb) != 0)
		return tacit_fail(TACIT_ERR_IO, "cannot read model state '%s': %s", path, strerror(errno));
	enum tacit_status ret = sha256_file(path, hex);
	if (ret != TACIT_OK)
		return ret;
	if (session_id) {
		ret = session_exists(s, session_id);
		if (ret != TACIT_OK)
			return ret;
	}
	ret = prep(s,
		   "INSERT INTO model_states (session_id, model, path, sha256, bytes, created_ms) VALUES (?, ?, ?, ?, ?, ?)"
		   " ON CONFLICT (path) DO UPDATE SET session_id = excluded.session_id, model = excluded.model,"
		   " sha256 = excluded.sha256, bytes = excluded.bytes, created_ms = excluded.created_ms",
		   &st);
	if (ret != TACIT_OK)
		return ret;
	if (session_id)
		sqlite3_bind_int64(st, 1, session_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, model ? model : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (int64_t)sb.st_size);
	sqlite3_bind_int64(st, 6, store_now_ms());
	ret = step_done(s, st, "record a model state file");
	if (ret == TACIT_OK && out_id)
		*out_id = sqlite3_last_insert_rowid(s->db);
	return ret;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

enum tacit_status store_model_states_keep(struct tacit_store *s, int64_t session_id, const char *const *keep,
					  size_t n_keep)
{
	sqlite3_stmt *st;
	int rc;
	char **gone = NULL;
	size_t n_gone = 0, alloc = 0;
	enum tacit_status ret = prep(s, "SELECT path FROM model_states WHERE session_id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = col_text(st, 0);
		if (in_list(path, keep, n_keep))
			continue;
		if (n_gone == alloc) {
			size_t na = alloc ? alloc * 2 : 8;
			char **g = realloc(gone, na * sizeof(*g));
			if (!g)
				break;
			gone = g;
			alloc = na;
		}
		if (!(gone[n_gone] = strdup(path)))
			break;
		n_gone++;
	}
	if (rc != SQLITE_DONE)
		ret = rc == SQLITE_ROW ? tacit_fail(TACIT_ERR_NOMEM, "out of memory") : db_fail(s, rc, "list model states");
	sqlite3_finalize(st);
	/* files first, as in tacit_store_session_delete(): a crash in between leaves rows
	 * pointing at nothing, which the next open drops */
	for (size_t i = 0; i < n_gone && ret == TACIT_OK; i++) {
		char *p = abs_path(s, gone[i]);
		if (p)
			shred_unlink(p);
		free(p);
		if ((ret = prep(s, "DELETE FROM model_states WHERE path = ?", &st)) == TACIT_OK) {
			sqlite3_bind_text(st, 1, gone[i], -1, SQLITE_STATIC);
			ret = step_done(s, st, "remove a model state");
		}
		if (ret == TACIT_OK)
			tacit_log(TACIT_LOG_INFO, "removed the superseded model state '%s'", gone[i]);
	}
	for (size_t i = 0; i < n_gone; i++)
		free(gone[i]);
	free(gone);
	return ret;
}

enum tacit_status store_model_states(struct tacit_store *s, int64_t session_id, store_path_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	enum tacit_status ret = prep(s, "SELECT path FROM model_states WHERE session_id IS ?1 ORDER BY id", &st);
	if (ret != TACIT_OK)
		return ret;
	if (session_id)
		sqlite3_bind_int64(st, 1, session_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(col_text(st, 0), user);
	if (rc != SQLITE_DONE)
		ret = db_fail(s, rc, "list model states");
	sqlite3_finalize(st);
	return ret;
}

/* At open: rows whose file is gone are dropped; for the default store, files in
 * <cache>/kv that no row names and that are more than a day old (a crash between
 * writing a state and recording it, a store replaced) are removed. Best effort: a
 * failure here is logged, never fatal to the open. */
static void prune_model_states(struct tacit_store *s, bool default_store)
{
	sqlite3_stmt *st;
	char **paths = NULL;
	size_t n = 0, alloc = 0;
	int rc;
	if (prep(s, "SELECT path FROM model_states", &st) != TACIT_OK)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			char **p = realloc(paths, na * sizeof(*p));
			if (!p)
				break;
			paths = p;
			alloc = na;
		}
		if (!(paths[n] = abs_path(s, col_text(st, 0))))
			break;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (access(paths[i], F_OK) == 0 || errno != ENOENT)
			continue;
		if (prep(s, "DELETE FROM model_states WHERE path = ?", &st) != TACIT_OK)
			break;
		sqlite3_bind_text(st, 1, paths[i], -1, SQLITE_STATIC);
		if (step_done(s, st, "drop a model state row") == TACIT_OK)
			tacit_log(TACIT_LOG_INFO, "dropped the record of model state '%s': its file is gone", paths[i]);
	}
	char *cache = NULL;
	if (default_store && tacit_dir_path(TACIT_DIR_CACHE, &cache) == TACIT_OK) {
		struct buf dir;
		buf_init(&dir);
		buf_addf(&dir, "%s/kv", cache);
		DIR *d = opendir(dir.data);
		struct dirent *e;
		time_t day_ago = time(NULL) - STATE_ORPHAN_AGE_S;
		while (d && (e = readdir(d))) {
			struct buf f;
			struct stat sb;
			if (e->d_name[0] == '.')
				continue;
			buf_init(&f);
			buf_addf(&f, "%s/%s", dir.data, e->d_name);
			if (!f.failed && lstat(f.data, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_mtime < day_ago &&
			    !in_list(f.data, (const char *const *)paths, n)) {
				shred_unlink(f.data);
				tacit_log(TACIT_LOG_INFO, "removed '%s': a model state no meeting refers to", f.data);
			}
			buf_release(&f);
		}
		if (d)
			closedir(d);
		buf_release(&dir);
	}
	tacit_free(cache);
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* ---- settings ---------------------------------------------------------------------- */

static enum tacit_status check_key(const char *key)
{
	if (!key || strlen(key) > 64 || !is_word(key, "._-"))
		return tacit_fail(TACIT_ERR_USAGE, "setting name '%s' is not [a-z0-9._-]+ of at most 64 bytes",
				  key ? key : "");
	return TACIT_OK;
}

enum tacit_status tacit_store_setting_get(struct tacit_store *s, const char *key, char **out_value)
{
	sqlite3_stmt *st;
	if (!s || !out_value)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_setting_get: store or out_value is NULL");
	*out_value = NULL;
	enum tacit_status ret = check_key(key);
	if (ret == TACIT_OK)
		ret = prep(s, "SELECT value FROM settings WHERE key = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_value = strdup(col_text(st, 0));
		if (!*out_value)
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "setting '%s' is not set", key);
	} else {
		ret = db_fail(s, rc, "read a setting");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status tacit_store_setting_set(struct tacit_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	if (!s)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_setting_set: store is NULL");
	enum tacit_status ret = check_key(key);
	if (ret == TACIT_OK)
		ret = prep(s,
			   value ? "INSERT INTO settings (key, value) VALUES (?1, ?2)"
				   " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
				 : "DELETE FROM settings WHERE key = ?1",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (value)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	return step_done(s, st, "save a setting");
}

/* ---- search -------------------------------------------------------------------------- */

struct tacit_search_params tacit_search_default_params(void)
{
	struct tacit_search_params p = { .speaker = NULL, .session_id = 0, .limit = 20 };
	return p;
}

/* Rewrites the user's query as an FTS5 expression in which every word is a quoted
 * string, so punctuation and FTS5 column syntax can never be misread; only quotes,
 * parentheses, a trailing '*' and the upper-case operators keep their meaning. */
static enum tacit_status fts_query(const char *q, struct buf *out)
{
	const char *p = q;
	int n_terms = 0;
	bool operand = false; /* the last thing emitted ends an operand: a term or ')' */
	while (*p) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '(' || *p == ')') {
			/* FTS5 wants an explicit AND between an operand and '(' */
			if (*p == '(' && operand)
				buf_adds(out, "AND ");
			operand = *p == ')';
			buf_addf(out, "%c ", *p++);
			continue;
		}
		const char *start, *end;
		if (*p == '"') {
			start = ++p;
			end = strchr(p, '"');
			if (!end)
				return tacit_fail(TACIT_ERR_USAGE, "unterminated quote in search query '%s'", q);
			p = end + 1;
		} else {
			start = p;
			while (*p && !isspace((unsigned char)*p) && *p != '"' && *p != '(' && *p != ')')
				p++;
			end = p;
			size_t n = (size_t)(end - start);
			if ((n == 3 && (!strncmp(start, "AND", 3) || !strncmp(start, "NOT", 3))) ||
			    (n == 2 && !strncmp(start, "OR", 2))) {
				buf_add(out, start, n);
				buf_adds(out, " ");
				operand = false;
				continue;
			}
		}
		bool prefix = false;
		if (*p == '*') {
			prefix = true;
			p++;
		}
		while (end > start && end[-1] == '*') {
			prefix = true;
			end--;
		}
		if (end == start)
			continue;
		if (operand)
			buf_adds(out, "AND ");
		buf_adds(out, "\"");
		buf_add(out, start, (size_t)(end - start));
		buf_adds(out, prefix ? "\"* " : "\" ");
		operand = true;
		n_terms++;
	}
	if (out->failed)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	if (!n_terms)
		return tacit_fail(TACIT_ERR_USAGE, "search query '%s' has no words to search for", q);
	return TACIT_OK;
}

enum tacit_status tacit_store_search(struct tacit_store *s, const char *query, const struct tacit_search_params *params,
				     tacit_search_fn fn, void *user)
{
	struct tacit_search_params p = params ? *params : tacit_search_default_params();
	sqlite3_stmt *st = NULL;
	struct buf q;
	int rc;

	if (!s || !query || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_search: store, query or fn is NULL");
	if (p.limit <= 0)
		p.limit = 20;
	buf_init(&q);
	enum tacit_status ret = fts_query(query, &q);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT s.id, s.title, g.id, g.start_ms, g.end_ms, COALESCE(p.name, p.label, ''),"
			   " snippet(segments_fts, 0, '[', ']', '...', 16)"
			   " FROM segments_fts JOIN segments g ON g.id = segments_fts.rowid"
			   " JOIN sessions s ON s.id = g.session_id LEFT JOIN speakers p ON p.id = g.speaker_id"
			   " WHERE segments_fts MATCH ?1"
			   " AND (?2 IS NULL OR p.label = ?2 COLLATE NOCASE OR p.name = ?2 COLLATE NOCASE)"
			   " AND (?3 = 0 OR s.id = ?3)"
			   " ORDER BY rank, g.id LIMIT ?4",
			   &st);
	if (ret != TACIT_OK)
		goto out;
	sqlite3_bind_text(st, 1, q.data, (int)q.len, SQLITE_STATIC);
	bind_text_or_null(st, 2, p.speaker);
	sqlite3_bind_int64(st, 3, p.session_id);
	sqlite3_bind_int(st, 4, p.limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct tacit_search_hit h = {
			.session_id = sqlite3_column_int64(st, 0),
			.session_title = col_text(st, 1),
			.segment_id = sqlite3_column_int64(st, 2),
			.start_ms = sqlite3_column_int64(st, 3),
			.end_ms = sqlite3_column_int64(st, 4),
			.speaker = col_text(st, 5),
			.snippet = col_text(st, 6),
		};
		if (!fn(&h, user)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		const char *msg = sqlite3_errmsg(s->db);
		if ((rc & 0xff) == SQLITE_ERROR && !strncmp(msg, "fts5:", 5))
			ret = tacit_fail(TACIT_ERR_USAGE, "cannot search for '%s': %s", query, msg);
		else
			ret = db_fail(s, rc, "search");
	}
out:
	sqlite3_finalize(st);
	buf_release(&q);
	return ret;
}

/* Words too common to say which part of a meeting a question is about. */
static const char *const stopwords[] = {
	"a",     "about", "after", "all",   "also",  "an",   "and",  "any",   "are",   "as",    "at",    "be",
	"been",  "but",   "by",    "can",   "could", "did",  "do",   "does",  "for",   "from",  "had",   "has",
	"have",  "he",    "her",   "his",   "how",   "i",    "if",   "in",    "into",  "is",    "it",    "its",
	"me",    "meeting", "my",  "no",    "not",   "of",   "on",   "or",    "our",   "she",   "so",    "some",
	"than",  "that",  "the",   "their", "them",  "then", "there", "these", "they", "this",  "to",    "up",
	"us",    "was",   "we",    "were",  "what",  "when", "where", "which", "who",  "whom",  "why",   "will",
	"with",  "would", "you",   "your",
};

static bool stopword(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(stopwords); i++)
		if (strlen(stopwords[i]) == n && !strncasecmp(stopwords[i], w, n))
			return true;
	return false;
}

enum tacit_status store_segment_relevance(struct tacit_store *s, int64_t session_id, const char *question,
					  store_score_fn fn, void *user)
{
	sqlite3_stmt *st;
	struct buf q;
	int rc, n_terms = 0;
	if (!s || !question || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "store_segment_relevance: store, question or fn is NULL");
	/* the question's words (letters, digits, any non-ASCII byte), each quoted, OR'ed */
	buf_init(&q);
	for (const char *p = question; *p && n_terms < 32;) {
		const unsigned char *w = (const unsigned char *)p;
		size_t n = 0;
		while (w[n] && (isalnum(w[n]) || w[n] >= 0x80))
			n++;
		if (!n) {
			p++;
			continue;
		}
		if (n > 1 && n < 64 && !stopword(p, n)) {
			buf_addf(&q, "%s\"%.*s\"", n_terms ? " OR " : "", (int)n, p);
			n_terms++;
		}
		p += n;
	}
	if (q.failed) {
		buf_release(&q);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	if (!n_terms) {
		buf_release(&q);
		return TACIT_OK;
	}
	enum tacit_status ret = prep(s,
				     "SELECT g.id, bm25(segments_fts) FROM segments_fts"
				     " JOIN segments g ON g.id = segments_fts.rowid"
				     " WHERE segments_fts MATCH ?1 AND g.session_id = ?2 ORDER BY rank LIMIT 64",
				     &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_text(st, 1, q.data, (int)q.len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, session_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			fn(sqlite3_column_int64(st, 0), -sqlite3_column_double(st, 1), user); /* bm25: lower is better */
		if (rc != SQLITE_DONE)
			ret = db_fail(s, rc, "rank segments");
		sqlite3_finalize(st);
	}
	buf_release(&q);
	return ret;
}

/* ---- recordings ---------------------------------------------------------------------- */

struct tacit_recording {
	struct tacit_store *store;
	int64_t id;
	int fd;
	char *path;
	int sample_rate;
	int channels;
	uint64_t written;  /* PCM bytes written to the file */
	uint64_t durable;  /* PCM bytes fdatasync'ed and recorded in the store */
	uint64_t sync_bytes;
	int64_t last_sync_ms;
	bool failed;
};

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wav_header(uint8_t h[WAV_HEADER], int rate, int channels, uint32_t data_bytes)
{
	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data_bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	h[20] = 1; /* PCM */
	h[21] = 0;
	h[22] = (uint8_t)channels;
	h[23] = 0;
	put_le32(h + 24, (uint32_t)rate);
	put_le32(h + 28, (uint32_t)rate * (uint32_t)channels * 2);
	h[32] = (uint8_t)(channels * 2);
	h[33] = 0;
	h[34] = 16;
	h[35] = 0;
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data_bytes);
}

static enum tacit_status io_fail(const char *what, const char *path, int err)
{
	if (err == ENOSPC || err == EDQUOT || err == EFBIG)
		return tacit_fail(TACIT_ERR_NO_SPACE, "cannot %s '%s': %s (free some disk space)", what, path, strerror(err));
	return tacit_fail(TACIT_ERR_IO, "cannot %s '%s': %s", what, path, strerror(err));
}

/* The number of session_id's next audio chunk (0 for the first). */
static enum tacit_status next_chunk(struct tacit_store *s, int64_t session_id, int *chunk)
{
	sqlite3_stmt *st;
	enum tacit_status ret =
		prep(s, "SELECT COALESCE(MAX(chunk) + 1, 0) FROM audio_files WHERE session_id = ?", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*chunk = sqlite3_column_int(st, 0);
	else
		ret = db_fail(s, rc, "number an audio chunk");
	sqlite3_finalize(st);
	return ret;
}

/* Adds the row of the session's next audio chunk, committed before its file exists (a
 * crash in between leaves a row the next open marks missing, or repairs, never an audio
 * file no row knows about). Fills dir ("audio/ID") and rel (the chunk's path) and *id. */
static enum tacit_status add_chunk_row(struct tacit_store *s, int64_t session_id, int sample_rate, int channels,
				       uint64_t bytes_durable, char dir[64], char rel[96], int64_t *id)
{
	sqlite3_stmt *st;
	int chunk = 0;
	enum tacit_status ret = session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	ret = next_chunk(s, session_id, &chunk);
	snprintf(dir, 64, "audio/%lld", (long long)session_id);
	snprintf(rel, 96, "%s/chunk-%03d.wav", dir, chunk);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "INSERT INTO audio_files (session_id, chunk, path, sample_rate, channels, bytes_durable)"
			   " VALUES (?, ?, ?, ?, ?, ?)",
			   &st);
	if (ret == TACIT_OK) {
		sqlite3_bind_int64(st, 1, session_id);
		sqlite3_bind_int(st, 2, chunk);
		sqlite3_bind_text(st, 3, rel, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, sample_rate);
		sqlite3_bind_int(st, 5, channels);
		sqlite3_bind_int64(st, 6, (int64_t)bytes_durable);
		ret = step_done(s, st, "add an audio chunk");
	}
	*id = sqlite3_last_insert_rowid(s->db);
	return store_batch_end(s, ret);
}

bool store_write_all(int fd, const void *data, size_t len, off_t at)
{
	const char *p = data;
	while (len) {
		ssize_t n = at >= 0 ? pwrite(fd, p, len, at) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return false;
		}
		p += n;
		len -= (size_t)n;
		if (at >= 0)
			at += n;
	}
	return true;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static enum tacit_status set_audio_progress(struct tacit_store *s, int64_t id, uint64_t bytes, const char *state,
					    const char *sha)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s,
				     "UPDATE audio_files SET bytes_durable = ?, state = COALESCE(?, state),"
				     " sha256 = COALESCE(?, sha256) WHERE id = ?",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, (int64_t)bytes);
	bind_text_or_null(st, 2, state);
	bind_text_or_null(st, 3, sha);
	sqlite3_bind_int64(st, 4, id);
	return step_done(s, st, "record audio progress");
}

enum tacit_status tacit_recording_open(struct tacit_store *s, int64_t session_id, int sample_rate, int channels,
				       struct tacit_recording **out)
{
	struct tacit_recording *r = NULL;
	char rel[96], dir[64];
	char *adir = NULL;
	uint8_t h[WAV_HEADER];

	if (!s || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_recording_open: store or out is NULL");
	*out = NULL;
	if (sample_rate < 1000 || sample_rate > 384000 || channels < 1 || channels > 8)
		return tacit_fail(TACIT_ERR_USAGE, "cannot record at %d Hz with %d channels", sample_rate, channels);
	if (!s->dir)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "an in-memory session store cannot keep recordings");
	int64_t id = 0;
	enum tacit_status ret = add_chunk_row(s, session_id, sample_rate, channels, 0, dir, rel, &id);
	if (ret != TACIT_OK)
		return ret;

	r = calloc(1, sizeof(*r));
	char *audio = abs_path(s, "audio");
	adir = abs_path(s, dir);
	if (r)
		r->path = abs_path(s, rel);
	if (!r || !audio || !adir || !r->path) {
		free(audio);
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	r->fd = -1;
	if ((mkdir(audio, 0700) != 0 && errno != EEXIST) || (mkdir(adir, 0700) != 0 && errno != EEXIST)) {
		ret = io_fail("create directory", adir, errno);
		free(audio);
		goto out;
	}
	fsync_dir(s->dir);
	fsync_dir(audio);
	free(audio);
	r->fd = open(r->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (r->fd < 0) {
		ret = io_fail("create recording", r->path, errno);
		goto out;
	}
	if (flock(r->fd, LOCK_EX | LOCK_NB) != 0) {
		ret = io_fail("lock recording", r->path, errno);
		goto out;
	}
	wav_header(h, sample_rate, channels, 0);
	if (!store_write_all(r->fd, h, sizeof(h), -1) || fdatasync(r->fd) != 0) {
		ret = io_fail("write recording", r->path, errno);
		goto out;
	}
	fsync_dir(adir);
	r->store = s;
	r->id = id;
	r->sample_rate = sample_rate;
	r->channels = channels;
	r->sync_bytes = (uint64_t)sample_rate * (uint64_t)channels; /* half a second of s16 */
	r->last_sync_ms = store_now_ms();
out:
	free(adir);
	if (ret != TACIT_OK) {
		if (r && r->fd >= 0)
			close(r->fd);
		if (r)
			free(r->path);
		free(r);
		set_audio_progress(s, id, 0, "missing", NULL);
		return ret;
	}
	*out = r;
	return TACIT_OK;
}

enum tacit_status tacit_recording_sync(struct tacit_recording *r)
{
	uint8_t h[WAV_HEADER];
	if (!r)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_recording_sync: recording is NULL");
	if (r->failed)
		return tacit_fail(TACIT_ERR_IO, "recording '%s' failed earlier; its durable audio is kept", r->path);
	if (r->written == r->durable)
		return TACIT_OK;
	wav_header(h, r->sample_rate, r->channels, (uint32_t)r->written);
	if (!store_write_all(r->fd, h, sizeof(h), 0) || fdatasync(r->fd) != 0) {
		r->failed = true;
		return io_fail("write recording", r->path, errno);
	}
	enum tacit_status ret = set_audio_progress(r->store, r->id, r->written, NULL, NULL);
	if (ret != TACIT_OK)
		return ret;
	r->durable = r->written;
	r->last_sync_ms = store_now_ms();
	return TACIT_OK;
}

enum tacit_status tacit_recording_write(struct tacit_recording *r, const int16_t *pcm, size_t n_frames)
{
	if (!r || (!pcm && n_frames))
		return tacit_fail(TACIT_ERR_USAGE, "tacit_recording_write: recording or pcm is NULL");
	if (r->failed)
		return tacit_fail(TACIT_ERR_IO, "recording '%s' failed earlier; its durable audio is kept", r->path);
	size_t frame = (size_t)r->channels * 2;
	if (n_frames > (UINT32_MAX - 36 - r->written) / frame)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "recording '%s' would pass the WAV size limit of 4 GiB (start a new chunk)",
				  r->path);
	size_t len = n_frames * frame;
	uint8_t le[4096];
	const int16_t *p = pcm;
	/* WAV is little-endian; convert in blocks on the rare big-endian host. */
	for (size_t done = 0; done < len;) {
		size_t n = len - done;
		const void *src = (const char *)pcm + done;
		if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) {
			n = n > sizeof(le) ? sizeof(le) : n;
			for (size_t i = 0; i < n / 2; i++) {
				uint16_t v = (uint16_t)p[(done / 2) + i];
				le[2 * i] = (uint8_t)v;
				le[2 * i + 1] = (uint8_t)(v >> 8);
			}
			src = le;
		}
		if (!store_write_all(r->fd, src, n, (off_t)(WAV_HEADER + r->written))) {
			int e = errno;
			r->failed = true;
			return io_fail("write recording", r->path, e);
		}
		r->written += n;
		done += n;
	}
	if (r->written - r->durable >= r->sync_bytes || store_now_ms() - r->last_sync_ms >= 1000)
		return tacit_recording_sync(r);
	return TACIT_OK;
}

uint64_t tacit_recording_durable_bytes(const struct tacit_recording *r)
{
	return r ? r->durable : 0;
}

enum tacit_status tacit_recording_close(struct tacit_recording *r)
{
	char hex[SHA256_HEX_LEN + 1];
	if (!r)
		return TACIT_OK;
	enum tacit_status ret = tacit_recording_sync(r);
	if (ret == TACIT_OK)
		ret = sha256_file(r->path, hex);
	if (ret == TACIT_OK)
		ret = set_audio_progress(r->store, r->id, r->durable, "closed", hex);
	/* On failure the row stays 'recording' and the next open repairs the file. */
	close(r->fd);
	free(r->path);
	free(r);
	return ret;
}

/* ---- imported recordings: written beside the store, adopted once complete ------------ */

#define IMPORT_PREFIX ".import-"

enum tacit_status store_audio_tmp(struct tacit_store *s, int *out_fd, char **out_path)
{
	enum tacit_status ret = TACIT_OK;
	char *audio = NULL;
	struct buf path;
	int fd = -1;

	*out_fd = -1;
	*out_path = NULL;
	if (!s->dir)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "an in-memory session store cannot keep recordings");
	buf_init(&path);
	if (!(audio = abs_path(s, "audio")) || !buf_addf(&path, "%s/" IMPORT_PREFIX "XXXXXX.wav", audio)) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (mkdir(audio, 0700) != 0 && errno != EEXIST) {
		ret = io_fail("create directory", audio, errno);
		goto out;
	}
	if ((fd = mkostemps(path.data, 4, O_CLOEXEC)) < 0) {
		ret = io_fail("create a temporary recording in", audio, errno);
		goto out;
	}
	/* the lock says "an import is writing this": a later store open leaves it alone */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ret = io_fail("lock recording", path.data, errno);
		goto out;
	}
	*out_fd = fd;
	fd = -1;
	*out_path = buf_detach(&path, NULL);
out:
	if (fd >= 0) {
		close(fd);
		unlink(path.data);
	}
	buf_release(&path);
	free(audio);
	return ret;
}

enum tacit_status store_audio_adopt(struct tacit_store *s, int64_t session_id, int fd, const char *path,
				    int sample_rate, int channels)
{
	char rel[96], dir[64], hex[SHA256_HEX_LEN + 1];
	char *adir = NULL, *dest = NULL, *audio = NULL;
	uint8_t h[WAV_HEADER];
	struct stat sb;
	int64_t id = 0;

	if (sample_rate < 1000 || sample_rate > 384000 || channels < 1 || channels > 8)
		return tacit_fail(TACIT_ERR_USAGE, "cannot record at %d Hz with %d channels", sample_rate, channels);
	if (fstat(fd, &sb) != 0)
		return io_fail("read recording", path, errno);
	uint64_t data = sb.st_size > WAV_HEADER ? (uint64_t)sb.st_size - WAV_HEADER : 0;
	data -= data % ((uint64_t)channels * 2);
	if (data > UINT32_MAX - 36)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "recording '%s' passes the WAV size limit of 4 GiB", path);
	wav_header(h, sample_rate, channels, (uint32_t)data);
	if (!store_write_all(fd, h, sizeof(h), 0) || fdatasync(fd) != 0)
		return io_fail("write recording", path, errno);
	enum tacit_status ret = sha256_file(path, hex);
	if (ret == TACIT_OK) /* as for a live recording, the row comes before the file */
		ret = add_chunk_row(s, session_id, sample_rate, channels, data, dir, rel, &id);
	if (ret != TACIT_OK)
		return ret;
	audio = abs_path(s, "audio");
	adir = abs_path(s, dir);
	dest = abs_path(s, rel);
	if (!audio || !adir || !dest) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else if (mkdir(adir, 0700) != 0 && errno != EEXIST) {
		ret = io_fail("create directory", adir, errno);
	} else if (rename(path, dest) != 0) {
		ret = io_fail("move the recording into", adir, errno);
	} else {
		fsync_dir(adir);
		fsync_dir(audio);
		ret = set_audio_progress(s, id, data, "closed", hex);
	}
	if (ret != TACIT_OK)
		set_audio_progress(s, id, 0, "missing", NULL);
	free(audio);
	free(adir);
	free(dest);
	return ret;
}

/* Temporary recordings of imports that crashed: removed unless their import still runs
 * (it holds the file's lock). */
static void remove_import_leftovers(struct tacit_store *s)
{
	char *audio = abs_path(s, "audio");
	DIR *d = audio ? opendir(audio) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, IMPORT_PREFIX, strlen(IMPORT_PREFIX)) != 0)
			continue;
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			tacit_log(TACIT_LOG_INFO, "removing '%s/%s', left by an import that did not finish", audio,
				  e->d_name);
			unlinkat(dirfd(d), e->d_name, 0);
		}
		close(fd);
	}
	if (d)
		closedir(d);
	free(audio);
}

/* Fixes one unfinished recording: the header's sizes are set to the whole frames on
 * disk. Skipped while its writer (holding the lock) is alive. */
static void repair_one(struct tacit_store *s, int64_t id, const char *rel, int rate, int channels, int64_t durable)
{
	char hex[SHA256_HEX_LEN + 1];
	uint8_t h[WAV_HEADER];
	struct stat sb;
	char *path = abs_path(s, rel);
	if (!path)
		return;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			tacit_log(TACIT_LOG_WARN, "recording '%s' is missing", path);
			set_audio_progress(s, id, 0, "missing", NULL);
		}
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &sb) != 0)
		goto out; /* still being written by a live process */
	uint64_t frame = (uint64_t)channels * 2;
	uint64_t data = sb.st_size > WAV_HEADER ? (uint64_t)sb.st_size - WAV_HEADER : 0;
	data -= data % frame;
	if (data > UINT32_MAX - 36)
		data = (UINT32_MAX - 36) / frame * frame;
	wav_header(h, rate, channels, (uint32_t)data);
	if (ftruncate(fd, (off_t)(WAV_HEADER + data)) != 0 || !store_write_all(fd, h, sizeof(h), 0) || fdatasync(fd) != 0) {
		tacit_log(TACIT_LOG_WARN, "cannot repair recording '%s': %s", path, strerror(errno));
		goto out;
	}
	if ((int64_t)data < durable)
		tacit_log(TACIT_LOG_WARN, "recording '%s' lost %lld bytes the store had recorded as durable", path,
			  (long long)(durable - (int64_t)data));
	if (sha256_file(path, hex) != TACIT_OK)
		goto out;
	if (set_audio_progress(s, id, data, "repaired", hex) == TACIT_OK)
		tacit_log(TACIT_LOG_INFO, "repaired recording '%s' (%llu bytes of audio)", path, (unsigned long long)data);
out:
	if (fd >= 0)
		close(fd);
	free(path);
}

static enum tacit_status repair_recordings(struct tacit_store *s)
{
	sqlite3_stmt *st;
	int rc;
	struct {
		int64_t id, durable;
		int rate, channels;
		char *path;
	} todo[64];
	int n = 0;
	/* Collect first (at most 64 per open; the rest wait for the next open), then repair
	 * outside the statement so the updates are not interleaved with the read. */
	enum tacit_status ret = prep(s,
				     "SELECT id, path, sample_rate, channels, bytes_durable FROM audio_files"
				     " WHERE state = 'recording' ORDER BY id LIMIT 64",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (int)ARRAY_SIZE(todo)) {
		todo[n].id = sqlite3_column_int64(st, 0);
		todo[n].path = strdup(col_text(st, 1));
		todo[n].rate = sqlite3_column_int(st, 2);
		todo[n].channels = sqlite3_column_int(st, 3);
		todo[n].durable = sqlite3_column_int64(st, 4);
		if (todo[n].path)
			n++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_fail(s, rc, "list unfinished recordings");
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		if (ret == TACIT_OK && todo[i].channels >= 1 && todo[i].channels <= 8)
			repair_one(s, todo[i].id, todo[i].path, todo[i].rate, todo[i].channels, todo[i].durable);
		free(todo[i].path);
	}
	return ret;
}

static void audio_fill(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *session_id)
{
	struct tacit_audio_file *a = elem;
	a->id = sqlite3_column_int64(st, 0);
	a->session_id = *(const int64_t *)session_id;
	a->chunk = sqlite3_column_int(st, 1);
	a->sample_rate = sqlite3_column_int(st, 2);
	a->channels = sqlite3_column_int(st, 3);
	a->data_bytes = sqlite3_column_int64(st, 4);
	copy_str(a->state, sizeof(a->state), col_text(st, 5));
	copy_str(a->sha256, sizeof(a->sha256), col_text(st, 6));
	char *p = abs_path(s, col_text(st, 7));
	copy_str(a->path, sizeof(a->path), p);
	free(p);
}

enum tacit_status tacit_store_audio_files(struct tacit_store *s, int64_t session_id, struct tacit_audio_file **out,
					  size_t *n_out)
{
	sqlite3_stmt *st;
	if (!s || !out || !n_out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_audio_files: NULL argument");
	*out = NULL;
	*n_out = 0;
	enum tacit_status ret = session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT id, chunk, sample_rate, channels, bytes_durable, state, COALESCE(sha256, ''), path"
			   " FROM audio_files WHERE session_id = ? ORDER BY chunk",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	return collect_rows(s, st, sizeof(**out), audio_fill, &session_id, "list audio files", (void **)out, n_out);
}

/* ---- custom models ------------------------------------------------------------------ */

enum tacit_status store_custom_put(struct tacit_store *s, const struct store_custom_row *r)
{
	sqlite3_stmt *st;
	if (!s || !r || !r->name || !r->path)
		return tacit_fail(TACIT_ERR_USAGE, "store_custom_put: store, name and path are required");
	if (r->info && !json_valid(r->info, true))
		return tacit_fail(TACIT_ERR_USAGE, "custom model info is not a JSON object");
	enum tacit_status ret = prep(s,
				     "INSERT INTO custom_models (name, path, file_bytes, mtime_ns, info, added_ms)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET"
				     " path = excluded.path, file_bytes = excluded.file_bytes,"
				     " mtime_ns = excluded.mtime_ns, info = excluded.info, added_ms = excluded.added_ms",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, r->file_bytes);
	sqlite3_bind_int64(st, 4, r->mtime_ns);
	sqlite3_bind_text(st, 5, r->info ? r->info : "{}", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, r->added_ms ? r->added_ms : store_now_ms());
	return step_done(s, st, "save a custom model");
}

enum tacit_status store_custom_delete(struct tacit_store *s, const char *name)
{
	sqlite3_stmt *st;
	if (!s || !name)
		return tacit_fail(TACIT_ERR_USAGE, "store_custom_delete: store and name are required");
	enum tacit_status ret = prep(s, "DELETE FROM custom_models WHERE name = ?1", &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if ((ret = step_done(s, st, "forget a custom model")) != TACIT_OK)
		return ret;
	if (sqlite3_changes(s->db) == 0)
		return tacit_fail(TACIT_ERR_NOT_FOUND, "no custom model named '%s' ('tacit models' lists them)", name);
	return TACIT_OK;
}

enum tacit_status store_custom_list(struct tacit_store *s, store_custom_fn fn, void *user)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !fn)
		return tacit_fail(TACIT_ERR_USAGE, "store_custom_list: store and fn are required");
	enum tacit_status ret = prep(s,
				     "SELECT name, path, file_bytes, mtime_ns, info, added_ms FROM custom_models"
				     " ORDER BY name",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_custom_row r = {
			.name = col_text(st, 0),
			.path = col_text(st, 1),
			.file_bytes = sqlite3_column_int64(st, 2),
			.mtime_ns = sqlite3_column_int64(st, 3),
			.info = col_text(st, 4),
			.added_ms = sqlite3_column_int64(st, 5),
		};
		if (fn(&r, user) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_fail(s, rc, "list the custom models");
	sqlite3_finalize(st);
	return ret;
}
