/*
 * store_journal.c — a live meeting's final segments that wait for the store while
 * another process holds its write lock: each is appended to a journal beside the store
 * (<dir>/live/<db stem>-pending-<session>-XXXXXX.jsonl, 0600, fdatasync'ed before the
 * append returns) and the journal is emptied once they are committed. The meeting holds
 * a lock on it; one that nobody holds (a crash) is replayed into its session by the next
 * store open, skipping the segments the store already has, then removed.
 */
#include "internal.h"

#include "store_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yyjson.h>

/* A journal bigger than this is not one a meeting wrote (hours of waiting segments are
 * a few MiB): it is left alone and named in the log. */
#define JOURNAL_MAX_BYTES (256u << 20)

struct store_journal {
	int fd;
	char *path;
	off_t size;
};

/* "<db stem>-pending-" for the store's file name: stores sharing a directory keep apart. */
static void journal_prefix(const struct tacit_store *s, struct buf *b)
{
	const char *slash = strrchr(s->path, '/');
	const char *file = slash ? slash + 1 : s->path;
	const char *dot = strrchr(file, '.');
	size_t n = dot && dot > file ? (size_t)(dot - file) : strlen(file);
	buf_addf(b, "%.*s-pending-", (int)(n > 64 ? 64 : n), file);
}

enum tacit_status store_journal_open(struct tacit_store *s, int64_t session_id, struct store_journal **out)
{
	enum tacit_status ret = TACIT_OK;
	struct store_journal *j = NULL;
	char *dir = NULL;
	struct buf path;
	int fd = -1;

	*out = NULL;
	if (!s->dir)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "an in-memory session store keeps no journal");
	buf_init(&path);
	if (!(dir = store_abs_path(s, "live")) || !buf_addf(&path, "%s/", dir)) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	journal_prefix(s, &path);
	if (!buf_addf(&path, "%lld-XXXXXX.jsonl", (long long)session_id) || !(j = calloc(1, sizeof(*j)))) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		ret = tacit_fail_errno(TACIT_ERR_IO, "cannot create directory '%s'", dir);
		goto out;
	}
	if ((fd = mkostemps(path.data, 6, O_CLOEXEC | O_APPEND)) < 0) {
		ret = tacit_fail_errno(TACIT_ERR_IO, "cannot create a journal in '%s'", dir);
		goto out;
	}
	/* the lock says "a meeting is writing this": a store open leaves it alone */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ret = tacit_fail_errno(TACIT_ERR_IO, "cannot lock journal '%s'", path.data);
		goto out;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	j->fd = fd;
	j->path = buf_detach(&path, NULL);
	*out = j;
	j = NULL;
	fd = -1;
out:
	if (fd >= 0) {
		unlink(path.data);
		close(fd);
	}
	free(j);
	free(dir);
	buf_release(&path);
	return ret;
}

enum tacit_status store_journal_append(struct store_journal *j, const struct tacit_segment *seg)
{
	enum tacit_status ret = TACIT_OK;
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	char *line = NULL;
	size_t len = 0;
	if (doc) {
		yyjson_mut_val *o = yyjson_mut_obj(doc);
		yyjson_mut_doc_set_root(doc, o);
		yyjson_mut_obj_add_int(doc, o, "start_ms", seg->start_ms);
		yyjson_mut_obj_add_int(doc, o, "end_ms", seg->end_ms);
		if (seg->speaker)
			yyjson_mut_obj_add_strcpy(doc, o, "speaker", seg->speaker);
		yyjson_mut_obj_add_strcpy(doc, o, "text", seg->text);
		yyjson_mut_obj_add_real(doc, o, "confidence", seg->confidence);
		line = yyjson_mut_write(doc, 0, &len);
	}
	if (!line) {
		ret = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	} else {
		line[len] = '\n'; /* yyjson's terminating NUL; the line goes out in one write */
		if (!store_write_all(j->fd, line, len + 1, -1) || fdatasync(j->fd) != 0) {
			int e = errno;
			/* a torn line is cut off again, so the next append starts a fresh one */
			if (ftruncate(j->fd, j->size) != 0)
				tacit_log(TACIT_LOG_WARN, "cannot cut journal '%s': %s", j->path, strerror(errno));
			ret = tacit_fail(e == ENOSPC ? TACIT_ERR_NO_SPACE : TACIT_ERR_IO, "cannot write journal '%s': %s",
					 j->path, strerror(e));
		} else {
			j->size += (off_t)len + 1;
		}
	}
	free(line);
	yyjson_mut_doc_free(doc);
	return ret;
}

void store_journal_clear(struct store_journal *j)
{
	if (!j || j->size == 0)
		return;
	if (ftruncate(j->fd, 0) != 0 || fdatasync(j->fd) != 0)
		tacit_log(TACIT_LOG_WARN, "cannot empty journal '%s': %s (its segments are stored; the next open skips them)",
			  j->path, strerror(errno));
	else
		j->size = 0;
}

void store_journal_close(struct store_journal *j)
{
	if (!j)
		return;
	if (j->size == 0)
		unlink(j->path);
	else
		tacit_log(TACIT_LOG_WARN, "journal '%s' keeps segments the store has not taken yet; the next open stores them",
			  j->path);
	close(j->fd);
	free(j->path);
	free(j);
}

/* ---- replay ------------------------------------------------------------------------ */

static enum tacit_status has_segment(struct tacit_store *s, int64_t session_id, const struct tacit_segment *seg,
				     bool *out)
{
	sqlite3_stmt *st;
	enum tacit_status ret = prep(s,
				     "SELECT 1 FROM segments WHERE session_id = ? AND final = 1 AND start_ms = ?"
				     " AND end_ms = ? AND text = ? LIMIT 1",
				     &st);
	if (ret != TACIT_OK)
		return ret;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_int64(st, 2, seg->start_ms);
	sqlite3_bind_int64(st, 3, seg->end_ms);
	bind_text_utf8(st, 4, seg->text); /* as the segment was stored */
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		*out = rc == SQLITE_ROW;
	else
		ret = store_db_fail(s, rc, "look for a segment");
	sqlite3_finalize(st);
	return ret;
}

/* Stores the journal's segments (in its order, in one transaction) that the session does
 * not have yet; a line cut short by a crash is skipped. */
static enum tacit_status replay_text(struct tacit_store *s, int64_t session_id, char *text, size_t *n_added)
{
	enum tacit_status ret = store_batch_begin(s);
	if (ret != TACIT_OK)
		return ret;
	for (char *line = text, *next; ret == TACIT_OK && line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		yyjson_doc *doc = yyjson_read(line, strlen(line), 0);
		yyjson_val *o = doc ? yyjson_doc_get_root(doc) : NULL;
		yyjson_val *text_v = yyjson_obj_get(o, "text"), *conf = yyjson_obj_get(o, "confidence");
		struct tacit_segment seg = {
			.start_ms = yyjson_get_sint(yyjson_obj_get(o, "start_ms")),
			.end_ms = yyjson_get_sint(yyjson_obj_get(o, "end_ms")),
			.speaker = yyjson_get_str(yyjson_obj_get(o, "speaker")),
			.text = yyjson_get_str(text_v),
			.confidence = conf ? (float)yyjson_get_num(conf) : -1.0f,
		};
		bool have = false;
		if (seg.text && seg.end_ms >= seg.start_ms) {
			ret = has_segment(s, session_id, &seg, &have);
			if (ret == TACIT_OK && !have && (ret = tacit_store_add_segment(s, session_id, &seg, NULL)) == TACIT_OK)
				(*n_added)++;
		} else {
			tacit_log(TACIT_LOG_WARN, "skipping an unreadable line of a journal of meeting %lld",
				  (long long)session_id);
		}
		yyjson_doc_free(doc);
	}
	return store_batch_end(s, ret);
}

static char *read_fd(int fd, const char *path)
{
	struct stat sb;
	if (fstat(fd, &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > JOURNAL_MAX_BYTES) {
		tacit_log(TACIT_LOG_WARN, "journal '%s' is not one a meeting wrote; left alone", path);
		return NULL;
	}
	char *text = malloc((size_t)sb.st_size + 1);
	size_t got = 0;
	while (text && got < (size_t)sb.st_size) {
		ssize_t n = pread(fd, text + got, (size_t)sb.st_size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (text)
		text[got] = '\0';
	return text;
}

enum tacit_status store_journal_replay(struct tacit_store *s, size_t *n_added)
{
	enum tacit_status ret = TACIT_OK;
	struct buf prefix;
	size_t added = 0;
	if (n_added)
		*n_added = 0;
	if (!s->dir)
		return TACIT_OK;
	buf_init(&prefix);
	journal_prefix(s, &prefix);
	char *dir = store_abs_path(s, "live");
	DIR *d = dir && !prefix.failed ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, prefix.data, prefix.len) != 0 || !strstr(e->d_name, ".jsonl"))
			continue;
		long long id = strtoll(e->d_name + prefix.len, &end, 10);
		if (id <= 0 || *end != '-')
			continue;
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) { /* its meeting is running */
			close(fd);
			continue;
		}
		char *text = read_fd(fd, e->d_name);
		enum tacit_status st = text ? store_session_exists(s, id) : TACIT_ERR_IO;
		size_t n = 0;
		if (st == TACIT_OK)
			st = replay_text(s, id, text, &n);
		if (st == TACIT_OK || st == TACIT_ERR_NOT_FOUND) {
			if (st == TACIT_ERR_NOT_FOUND)
				tacit_log(TACIT_LOG_WARN, "meeting %lld is gone: dropping its journal '%s/%s'", id, dir,
					  e->d_name);
			else if (n)
				tacit_log(TACIT_LOG_INFO, "stored %zu segments of meeting %lld that waited in '%s/%s'", n, id,
					  dir, e->d_name);
			unlinkat(dirfd(d), e->d_name, 0);
			added += n;
			tacit_clear_error();
		} else if (text && ret == TACIT_OK) {
			ret = st; /* the first failure; the journal stays for the next open */
		}
		free(text);
		close(fd);
	}
	if (d)
		closedir(d);
	free(dir);
	buf_release(&prefix);
	if (n_added)
		*n_added = added;
	return ret;
}
