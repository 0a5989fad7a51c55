/*
 * store_int.h — what the files of the session store (store.c, store_*.c) share and
 * nothing else includes: the handle and the SQL helpers. Only this family includes
 * sqlite3.h; the rest of the library sees the store through tacit.h and store.h. A
 * helper that fails records it with tacit_fail(), naming the store's file.
 */
#ifndef TACIT_STORE_INT_H
#define TACIT_STORE_INT_H

#include "store.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "utf8.h"

struct tacit_store {
	sqlite3 *db;
	char *path;  /* as opened, for messages */
	char *dir;   /* directory holding the database; NULL for :memory: */
	int tx_depth;
	int busy_ms; /* how long a write waits for another connection's lock */
	int last_rc; /* SQLite's code of the last failure (store_was_busy) */
	dev_t file_dev; /* the database file opened (store_reusable); 0, 0 for :memory: */
	ino_t file_ino;
};

/* ---- statements and their failures ---------------------------------------------- */

/* "cannot <what> in '<path>': <SQLite's message>", with the status rc maps to (a full
 * disk, I/O, damage, memory; any other code is TACIT_ERR_DB). In store.c. */
enum tacit_status store_db_fail(struct tacit_store *s, int rc, const char *what);

/* Statements prepared so far in this process (store_statements_prepared()). In store.c. */
extern atomic_ulong store_n_prepared;

/* The smallest statement helpers, inline under the short names the family reads with. */
static inline enum tacit_status prep(struct tacit_store *s, const char *sql, sqlite3_stmt **st)
{
	atomic_fetch_add_explicit(&store_n_prepared, 1, memory_order_relaxed);
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK)
		return store_db_fail(s, rc, "prepare a statement");
	return TACIT_OK;
}

static inline enum tacit_status exec(struct tacit_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? TACIT_OK : store_db_fail(s, rc, what);
}

/* Runs a statement that returns no rows, then finalizes it. */
static inline enum tacit_status step_done(struct tacit_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	enum tacit_status ret = rc == SQLITE_DONE ? TACIT_OK : store_db_fail(s, rc, what);
	sqlite3_finalize(st);
	return ret;
}

static inline void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Binds text a person or a model wrote (titles, segments, names, chat, artifacts) as
 * valid UTF-8: a library caller may pass any bytes, and everything stored must be text
 * (bad bytes become U+FFFD). NULL binds SQL NULL. */
static inline void bind_text_utf8(sqlite3_stmt *st, int i, const char *v)
{
	size_t n = v ? strlen(v) : 0;
	char *fixed = NULL;
	if (v && !utf8_valid(v, n))
		fixed = utf8_repair(v, n, &n);
	if (!v)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, fixed ? fixed : v, (int)n, SQLITE_TRANSIENT);
	free(fixed);
}

/* The column's text, "" for SQL NULL; valid until the statement steps again. */
static inline const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* Copies src ("" for NULL) into a fixed array, cut to fit. */
static inline void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* Fills one array element from the current row (store_collect_rows, in store.c). */
typedef void (*store_row_fill_fn)(struct tacit_store *s, sqlite3_stmt *st, void *elem, void *user);
/* Steps st to the end, growing an array of elem_size elements filled by fill; finalizes
 * st. On TACIT_OK *out is never NULL (an empty list is a 1-element allocation, n = 0). */
enum tacit_status store_collect_rows(struct tacit_store *s, sqlite3_stmt *st, size_t elem_size, store_row_fill_fn fill,
				     void *user, const char *what, void **out, size_t *n_out);

/* ---- values the store checks before writing them (store.c) ------------------------ */

/* text parses as JSON (as an object when want_object). */
bool store_json_valid(const char *text, bool want_object);
/* s is non-empty and only lowercase ASCII letters, digits and bytes of extra. */
bool store_is_word(const char *s, const char *extra);

/* ---- files the store's rows refer to (store.c; store_abs_path is in store.h) ------ */

/* Overwrites a file with zeros, syncs it and unlinks it: best effort against recovery
 * of the bytes from the raw device (SSDs and copy-on-write filesystems may keep them). */
void store_shred_unlink(const char *path);

/* ---- shared between the family's files ------------------------------------------ */

/* TACIT_ERR_NOT_FOUND ("no session N") unless the session exists (store_session.c). */
enum tacit_status store_session_exists(struct tacit_store *s, int64_t id);

/* At open (store_artifact.c): forgets model states whose file is gone and, for the
 * default store, removes old state files no row names. Best effort, never fatal. */
void store_prune_model_states(struct tacit_store *s, bool default_store);

#endif
