/*
 * store.c — the session store's core: open (pragmas, check, migrations, repairs),
 * transactions, and the helpers its family (store_*.c, via store_int.h) shares. One
 * connection per handle; WAL, synchronous=FULL, foreign keys, secure delete; every
 * public write has committed (and so fsync'ed) before it returns TACIT_OK. The schema
 * grows only by appending to the migration list; PRAGMA user_version counts those
 * applied. An FTS5 index, kept in step by triggers, holds final segments only.
 */
#include "internal.h"

#include "hash.h"
#include "store_int.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yyjson.h>

#define STORE_BUSY_MS 5000
#define WAV_HEADER 44

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
		ret = store_db_fail(s, rc, "check the database");
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
			ret = store_db_fail(s, rc, "switch to WAL mode");
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
		store_prune_model_states(s, b.len > 0); /* b: the default store's path */
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
		ret = store_db_fail(s, rc, "number an audio chunk");
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
	enum tacit_status ret = store_session_exists(s, session_id);
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
	char *audio = store_abs_path(s, "audio");
	adir = store_abs_path(s, dir);
	if (r)
		r->path = store_abs_path(s, rel);
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
	if (!(audio = store_abs_path(s, "audio")) || !buf_addf(&path, "%s/" IMPORT_PREFIX "XXXXXX.wav", audio)) {
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
	audio = store_abs_path(s, "audio");
	adir = store_abs_path(s, dir);
	dest = store_abs_path(s, rel);
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
	char *audio = store_abs_path(s, "audio");
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
	char *path = store_abs_path(s, rel);
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
		ret = store_db_fail(s, rc, "list unfinished recordings");
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
	char *p = store_abs_path(s, col_text(st, 7));
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
	enum tacit_status ret = store_session_exists(s, session_id);
	if (ret == TACIT_OK)
		ret = prep(s,
			   "SELECT id, chunk, sample_rate, channels, bytes_durable, state, COALESCE(sha256, ''), path"
			   " FROM audio_files WHERE session_id = ? ORDER BY chunk",
			   &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	return store_collect_rows(s, st, sizeof(**out), audio_fill, &session_id, "list audio files", (void **)out,
				  n_out);
}
