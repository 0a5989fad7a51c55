/*
 * store.c — the session store's core: open (pragmas, check, migrations, repairs),
 * transactions, and the helpers its family (store_*.c, via store_int.h) shares. One
 * connection per handle; WAL, synchronous=FULL, foreign keys, secure delete; every
 * public write has committed (and so fsync'ed) before it returns TACIT_OK. The schema
 * grows only by appending to the migration list; PRAGMA user_version counts those
 * applied. An FTS5 index, kept in step by triggers, holds final segments only.
 */
#include "internal.h"

#include "basics.h"
#include "recording.h"
#include "store_int.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

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

	/* 5: a meeting's id is never reused after a delete (a script or a note that names
	 * meeting 3 must not come to mean another meeting): sessions rebuilt with
	 * AUTOINCREMENT, every row and id kept; runs with foreign keys off (see migrate()) so
	 * that dropping the old table cascades nothing */
	"CREATE TABLE sessions_new ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  started_ms INTEGER NOT NULL,"
	"  ended_ms INTEGER,"
	"  language TEXT NOT NULL DEFAULT '',"
	"  models TEXT NOT NULL DEFAULT '',"
	"  settings TEXT NOT NULL DEFAULT '{}',"
	"  times_synthesized INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO sessions_new (id, title, started_ms, ended_ms, language, models, settings, times_synthesized)"
	"  SELECT id, title, started_ms, ended_ms, language, models, settings, times_synthesized FROM sessions;"
	"DROP TABLE sessions;"
	"ALTER TABLE sessions_new RENAME TO sessions;",

	/* 6: the summary template an artifact was made with ('' = before templates: the
	 * general one); a summary made again with another template is a new row beside it */
	"ALTER TABLE artifacts ADD COLUMN template TEXT NOT NULL DEFAULT '';",

	/* 7: action items across meetings (store_action.c): a mirror of the summaries' items
	 * with a stable id and a done mark, matched by their folded text within a meeting */
	"CREATE TABLE actions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  owner TEXT NOT NULL DEFAULT '',"
	"  task TEXT NOT NULL,"
	"  due TEXT NOT NULL DEFAULT '',"
	"  cites TEXT NOT NULL DEFAULT '[]',"
	"  artifact_id INTEGER NOT NULL DEFAULT 0,"
	"  done_ms INTEGER,"
	"  UNIQUE (session_id, key));"
	"CREATE TABLE action_sync ("
	"  session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,"
	"  artifacts TEXT NOT NULL);",

	/* 8: `tacit batch`'s durable job queue (store_batch.c): one row per file, known by its
	 * absolute path, size and mtime (a file changed since is a new job); session_before
	 * is the sessions' last id when the job was claimed, so a restart after a kill finds
	 * the half-made session of a job that had not recorded its own */
	"CREATE TABLE batch_jobs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  path TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT NOT NULL DEFAULT '',"
	"  session_id INTEGER,"
	"  session_before INTEGER NOT NULL DEFAULT 0,"
	"  not_before_ms INTEGER NOT NULL DEFAULT 0,"
	"  pid INTEGER NOT NULL DEFAULT 0,"
	"  added_ms INTEGER NOT NULL,"
	"  updated_ms INTEGER NOT NULL,"
	"  UNIQUE (path, size, mtime_ns));"
	"CREATE INDEX batch_jobs_by_state ON batch_jobs (state, not_before_ms, id);",

	/* 9: remembered voices (store_voices.c), opt-in: a meeting's speaker may carry its
	 * voiceprint (deleted with the meeting); a voice the user remembered by name is the
	 * device's, a copy that outlives the meeting it came from */
	"ALTER TABLE speakers ADD COLUMN voiceprint BLOB;"
	"CREATE TABLE voices ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  dim INTEGER NOT NULL CHECK (dim > 0),"
	"  voiceprint BLOB NOT NULL,"
	"  from_session INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
	"  created_ms INTEGER NOT NULL);",

	/* 10: a session's length (the latest end of its final lines), read by every listing,
	 * from the index alone: one seek per meeting instead of a read of each of its lines */
	"CREATE INDEX segments_by_session_end ON segments (session_id, final, end_ms);",

	/* 11: which engines did a batch job's work (store_batch.c): "" none, "local", or the
	 * server's HOST[:PORT], for speech and for the language model */
	"ALTER TABLE batch_jobs ADD COLUMN speech_engine TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE batch_jobs ADD COLUMN llm_engine TEXT NOT NULL DEFAULT '';",

	/* 12: search by meaning (store_vectors.c): a final segment's vector from one
	 * embedding model (embed.h's int8 with a scale), gone with the segment or its old text */
	"CREATE TABLE segment_vectors ("
	"  segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE,"
	"  model TEXT NOT NULL,"
	"  vec BLOB NOT NULL);"
	"CREATE TRIGGER segment_vectors_stale AFTER UPDATE OF text ON segments BEGIN"
	"  DELETE FROM segment_vectors WHERE segment_id = old.id; END;",
};

atomic_ulong store_n_prepared;
static atomic_ulong n_opens; /* store_opens() */

unsigned long store_statements_prepared(void)
{
	return atomic_load_explicit(&store_n_prepared, memory_order_relaxed);
}

unsigned long store_opens(void)
{
	return atomic_load_explicit(&n_opens, memory_order_relaxed);
}

int tacit_store_schema_version(void)
{
	return (int)ARRAY_SIZE(migrations);
}

const char *store_sqlite_version(void)
{
	return sqlite3_libversion();
}

int64_t store_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- statements and their failures --------------------------------------------- */

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

enum tacit_status store_db_fail(struct tacit_store *s, int rc, const char *what)
{
	enum tacit_status st = status_of(rc);
	s->last_rc = rc;
	const char *why = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	if (st == TACIT_ERR_NO_SPACE)
		return tacit_fail(st, "cannot %s in '%s': %s (free some disk space)", what, s->path, why);
	return tacit_fail(st, "cannot %s in '%s': %s", what, s->path, why);
}

enum tacit_status store_collect_rows(struct tacit_store *s, sqlite3_stmt *st, size_t elem_size, store_row_fill_fn fill,
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
		ret = store_db_fail(s, rc, what);
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

/* ---- values the store checks before writing them -------------------------------- */

bool store_json_valid(const char *text, bool want_object)
{
	yyjson_doc *doc = yyjson_read(text, strlen(text), 0);
	if (!doc)
		return false;
	bool ok = !want_object || yyjson_is_obj(yyjson_doc_get_root(doc));
	yyjson_doc_free(doc);
	return ok;
}

bool store_is_word(const char *s, const char *extra)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/* ---- files the store's rows refer to --------------------------------------------- */

const char *store_dir(const struct tacit_store *s)
{
	return s->dir;
}

char *store_abs_path(struct tacit_store *s, const char *rel)
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

void store_shred_unlink(const char *path)
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

/* ---- waiting for other writers ---------------------------------------------------- */

int store_set_busy_ms(struct tacit_store *s, int ms)
{
	int old = s->busy_ms;
	s->busy_ms = ms < 0 ? 0 : ms;
	sqlite3_busy_timeout(s->db, s->busy_ms);
	return old;
}

bool store_was_busy(const struct tacit_store *s)
{
	int rc = s ? s->last_rc & 0xff : 0;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
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
		st = store_db_fail(s, rc, "commit");
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
		ret = store_db_fail(s, rc, "read the schema version");
	sqlite3_finalize(st);
	return ret;
}

/* After a migration, inside its transaction: a row whose parent is gone fails it (and
 * so rolls it back), as foreign keys would have had they been on. */
static enum tacit_status foreign_key_check(struct tacit_store *s)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s, "PRAGMA foreign_key_check", &st);
	if (ret != TACIT_OK)
		return ret;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = tacit_fail(TACIT_ERR_INTEGRITY,
				 "session store '%s': upgrading the schema would orphan rows of '%s' (move it aside and "
				 "restore a backup)",
				 s->path, col_text(st, 0));
	else if (rc != SQLITE_DONE)
		ret = store_db_fail(s, rc, "check the foreign keys");
	sqlite3_finalize(st);
	return ret;
}

/* Migrations run with foreign keys off, SQLite's way to change a table's schema ("Making
 * Other Kinds Of Table Schema Changes" in its ALTER TABLE page): a rebuild drops the old
 * table, which with them on would delete every row that refers to it. The pragma is a
 * no-op inside a transaction, so it is set around them; foreign_key_check() stands in. */
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
	if (version == tacit_store_schema_version())
		return TACIT_OK;
	if ((st = exec(s, "PRAGMA foreign_keys = OFF", "upgrade the schema")) != TACIT_OK)
		return st;
	while (version < tacit_store_schema_version()) {
		char set[64];
		st = store_batch_begin(s);
		if (st != TACIT_OK)
			break;
		/* another connection may have upgraded while this one waited for the write
		 * lock (two requests of a fresh `tacit serve` opening a new store at once):
		 * the version read under the lock says what is left to do */
		int now = version;
		st = pragma_int(s, "PRAGMA user_version", &now);
		if (st == TACIT_OK && now != version) {
			st = store_batch_end(s, st);
			if (st != TACIT_OK)
				break;
			version = now;
			continue;
		}
		if (st == TACIT_OK)
			st = exec(s, migrations[version], "upgrade the schema");
		if (st == TACIT_OK)
			st = foreign_key_check(s);
		snprintf(set, sizeof(set), "PRAGMA user_version = %d", version + 1);
		if (st == TACIT_OK)
			st = exec(s, set, "upgrade the schema");
		st = store_batch_end(s, st);
		if (st != TACIT_OK)
			break;
		tacit_log(TACIT_LOG_INFO, "session store '%s': schema %d -> %d", s->path, version, version + 1);
		version++;
	}
	enum tacit_status on = exec(s, "PRAGMA foreign_keys = ON", "configure the connection");
	return st != TACIT_OK ? st : on;
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
		ret = store_db_fail(s, rc, "check the database");
	}
	sqlite3_finalize(st);
	return ret;
}

enum tacit_status store_pragma(struct tacit_store *s, const char *name, char **out)
{
	sqlite3_stmt *st;
	char sql[96];
	*out = NULL;
	if (!store_is_word(name, "_") || strlen(name) > 64)
		return tacit_fail(TACIT_ERR_USAGE, "'%s' is not a pragma name", name);
	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	enum tacit_status ret = prep(s, sql, &st);
	if (ret != TACIT_OK)
		return ret;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (!(*out = strdup(col_text(st, 0))))
			ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		ret = tacit_fail(TACIT_ERR_NOT_FOUND, "pragma '%s' has no value in '%s'", name, s->path);
	} else {
		ret = store_db_fail(s, rc, "read a pragma");
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

static enum tacit_status configure(struct tacit_store *s)
{
	static const char *const pragmas[] = {
		"PRAGMA foreign_keys = ON",
		"PRAGMA synchronous = FULL",
		"PRAGMA secure_delete = ON",
	};
	store_set_busy_ms(s, STORE_BUSY_MS);
	if (s->dir) {
		/* A new file's first openers race to switch it: the switch reads the file, then
		 * needs it alone, and two connections that both read it would deadlock, so SQLite
		 * answers SQLITE_BUSY at once instead of waiting. Tried again until one has
		 * switched it (WAL is kept in the file), within the busy timeout. */
		double give_up = clock_now_s() + STORE_BUSY_MS / 1000.0;
		for (int attempt = 0;; attempt++) {
			sqlite3_stmt *st;
			enum tacit_status ret = prep(s, "PRAGMA journal_mode = WAL", &st);
			if (ret != TACIT_OK)
				return ret;
			int rc = sqlite3_step(st);
			bool wal = rc == SQLITE_ROW && !strcmp(col_text(st, 0), "wal");
			if ((rc & 0xff) == SQLITE_BUSY && clock_now_s() < give_up) {
				sqlite3_finalize(st);
				usleep((useconds_t)(5000 + (attempt % 8) * 2500));
				continue;
			}
			if (rc != SQLITE_ROW)
				ret = store_db_fail(s, rc, "switch to WAL mode");
			sqlite3_finalize(st);
			if (ret != TACIT_OK)
				return ret;
			if (!wal)
				return tacit_fail(TACIT_ERR_DB, "cannot switch session store '%s' to WAL mode", s->path);
			break;
		}
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
	atomic_fetch_add_explicit(&n_opens, 1, memory_order_relaxed);
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
	if (s->dir) {
		/* Created private before SQLite opens it (SQLite would create it under the
		 * umask, readable by others until the chmod below); its -wal and -shm files
		 * take the database file's mode. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		st = tacit_fail(status_of(rc), "cannot open session store '%s': %s", path,
				s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (s->dir) {
		struct stat sb;
		chmod(path, 0600);
		if (stat(path, &sb) == 0) {
			s->file_dev = sb.st_dev;
			s->file_ino = sb.st_ino;
		}
	}
	st = configure(s);
	/* A new store's first openers: while one migrates, the others' reads of the schema
	 * can fail with SQLITE_SCHEMA past SQLite's own retries (FTS5's table "vtable
	 * constructor failed" in the quick check: 3 to 7 runs in 40 with six openers): read
	 * again until the migrations are done, within the busy timeout. */
	for (double give_up = clock_now_s() + STORE_BUSY_MS / 1000.0; st == TACIT_OK;) {
		st = run_check(s, "PRAGMA quick_check(1)");
		if (st == TACIT_OK)
			st = migrate(s);
		if (st == TACIT_OK || (s->last_rc & 0xff) != SQLITE_SCHEMA || clock_now_s() >= give_up)
			break;
		tacit_clear_error();
		st = TACIT_OK;
		usleep(5000);
	}
	if (st == TACIT_OK && s->dir)
		st = recording_repair(s);
	if (st == TACIT_OK && s->dir)
		store_prune_model_states(s, b.len > 0); /* b: the default store's path */
	if (st == TACIT_OK && s->dir)
		recording_remove_leftovers(s);
	if (st == TACIT_OK && s->dir && store_journal_replay(s, NULL) != TACIT_OK) {
		/* never fatal: the journal stays and the next open tries again */
		tacit_log(TACIT_LOG_WARN, "segments that waited for the store are not stored yet: %s", tacit_errmsg());
		tacit_clear_error();
	}
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

bool store_reusable(const struct tacit_store *s)
{
	struct stat sb;
	if (!s || !s->db || s->tx_depth || !sqlite3_get_autocommit(s->db))
		return false;
	/* a statement left mid-way holds its read snapshot: the next request would not see
	 * newer writes, and the log could not be checkpointed past it */
	for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st; st = sqlite3_next_stmt(s->db, st))
		if (sqlite3_stmt_busy(st))
			return false;
	if (!s->dir)
		return true;
	return stat(s->path, &sb) == 0 && sb.st_dev == s->file_dev && sb.st_ino == s->file_ino;
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
