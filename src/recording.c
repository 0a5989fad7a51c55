/*
 * recording.c — the WAV files of a session's audio, beside the store: a live recording
 * (tacit_recording_*), whose header is made valid at each sync (every half second of
 * audio or every second); an import's file, adopted once complete; and at a store's
 * open, the repair of files a crash left unfinished. Each chunk's row (store_audio.c)
 * is committed before its file exists and counts only bytes already fdatasync'ed. A
 * live recording's durable progress is its file: the row's byte count is a hint, updated
 * when the store is free, so audio never waits for another process's write lock.
 */
#include "internal.h"

#include "hash.h"
#include "recording.h"
#include "store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAV_HEADER 44

/* ---- live recordings -------------------------------------------------------------- */

struct tacit_recording {
	struct tacit_store *store;
	int64_t id;
	int fd;
	char *path;
	int sample_rate;
	int channels;
	uint64_t written;  /* PCM bytes written to the file */
	uint64_t durable;  /* PCM bytes fdatasync'ed (header included) */
	uint64_t hinted;   /* PCM bytes the row says are durable (a hint, may lag) */
	bool hint_warned;  /* a hint update failed for another reason than a busy store */
	uint64_t sync_bytes;
	int64_t last_sync_ms;
	bool failed;
	bool cut; /* after the failure, the file was cut back to its durable part */
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

/* Makes a directory's entries durable; false (errno set) when its fsync failed. */
static bool fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fsync(fd) == 0;
	int e = errno;
	close(fd);
	errno = e;
	return ok;
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
	if (!store_dir(s))
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "an in-memory session store cannot keep recordings");
	int64_t id = 0;
	enum tacit_status ret = store_audio_add_chunk(s, session_id, sample_rate, channels, 0, dir, rel, &id);
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
	/* the file's entry must survive a power cut before any of its audio counts */
	if (!fsync_dir(store_dir(s)) || !fsync_dir(audio)) {
		ret = io_fail("sync directory", audio, errno);
		free(audio);
		goto out;
	}
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
	if (!fsync_dir(adir)) {
		ret = io_fail("sync directory", adir, errno);
		goto out;
	}
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
		store_audio_set_progress(s, id, 0, "missing", NULL);
		return ret;
	}
	*out = r;
	return TACIT_OK;
}

/* Records the durable length in the row without waiting for another writer's lock: a
 * busy store leaves the hint behind and the next sync tries again (the file is the truth;
 * a crash's repair reads it). Never fails the recording. */
static void update_hint(struct tacit_recording *r)
{
	if (r->hinted == r->durable)
		return;
	int old = store_set_busy_ms(r->store, 0);
	enum tacit_status st = store_audio_set_progress(r->store, r->id, r->durable, NULL, NULL);
	bool busy = st != TACIT_OK && store_was_busy(r->store);
	store_set_busy_ms(r->store, old);
	if (st == TACIT_OK) {
		r->hinted = r->durable;
	} else if (!busy && !r->hint_warned) {
		r->hint_warned = true;
		tacit_log(TACIT_LOG_WARN, "recording '%s' goes on, but its progress is not recorded in the store: %s",
			  r->path, tacit_errmsg());
	}
	tacit_clear_error();
}

/* A write or a sync failed (a full disk, an I/O error): the recording stops there, and
 * the file is cut back to the audio already durable, under a header that says so, so
 * what was recorded stays playable. Nothing written since the last good fdatasync
 * counts, even if a later one succeeds (the kernel may have dropped those pages and
 * reports that only once). Cutting needs no new blocks, so it works on a full disk;
 * when it fails all the same, the next open repairs the file. Returns the failure. */
static enum tacit_status fail_and_cut(struct tacit_recording *r, const char *what, int err)
{
	uint8_t h[WAV_HEADER];
	enum tacit_status ret = io_fail(what, r->path, err);
	r->failed = true;
	wav_header(h, r->sample_rate, r->channels, (uint32_t)r->durable);
	r->cut = ftruncate(r->fd, (off_t)(WAV_HEADER + r->durable)) == 0 && store_write_all(r->fd, h, sizeof(h), 0) &&
		 fdatasync(r->fd) == 0;
	return ret;
}

enum tacit_status tacit_recording_sync(struct tacit_recording *r)
{
	uint8_t h[WAV_HEADER];
	if (!r)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_recording_sync: recording is NULL");
	if (r->failed)
		return tacit_fail(TACIT_ERR_IO, "recording '%s' failed earlier; its durable audio is kept", r->path);
	if (r->written != r->durable) {
		wav_header(h, r->sample_rate, r->channels, (uint32_t)r->written);
		if (!store_write_all(r->fd, h, sizeof(h), 0))
			return fail_and_cut(r, "write recording", errno);
		if (fdatasync(r->fd) != 0)
			return fail_and_cut(r, "sync recording", errno);
		r->durable = r->written;
	}
	r->last_sync_ms = store_now_ms();
	update_hint(r);
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
		if (!store_write_all(r->fd, src, n, (off_t)(WAV_HEADER + r->written)))
			return fail_and_cut(r, "write recording", errno);
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
	/* a recording cut after a failure is closed as the durable part it kept */
	enum tacit_status ret = r->failed && r->cut ? TACIT_OK : tacit_recording_sync(r);
	if (ret == TACIT_OK)
		ret = sha256_file(r->path, hex);
	if (ret == TACIT_OK) {
		ret = store_audio_set_progress(r->store, r->id, r->durable, "closed", hex);
		if (ret != TACIT_OK && store_was_busy(r->store)) {
			/* the file is complete; the next store open, once the lock is released,
			 * repairs the row from it (same bytes, same sha256) */
			tacit_log(TACIT_LOG_INFO, "recording '%s' is complete; its row is finished at the next open (%s)",
				  r->path, tacit_errmsg());
			tacit_clear_error();
			ret = TACIT_OK;
		}
	}
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
	if (!store_dir(s))
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
		ret = store_audio_add_chunk(s, session_id, sample_rate, channels, data, dir, rel, &id);
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
	} else if (!fsync_dir(adir) || !fsync_dir(audio)) {
		ret = io_fail("sync directory", adir, errno);
	} else {
		ret = store_audio_set_progress(s, id, data, "closed", hex);
	}
	if (ret != TACIT_OK)
		store_audio_set_progress(s, id, 0, "missing", NULL);
	free(audio);
	free(adir);
	free(dest);
	return ret;
}

/* ---- after a crash ------------------------------------------------------------------ */

void recording_remove_leftovers(struct tacit_store *s)
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
	if (channels < 1 || channels > 8)
		return;
	char *path = store_abs_path(s, rel);
	if (!path)
		return;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT) {
			tacit_log(TACIT_LOG_WARN, "recording '%s' is missing", path);
			store_audio_set_progress(s, id, 0, "missing", NULL);
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
	if (store_audio_set_progress(s, id, data, "repaired", hex) == TACIT_OK)
		tacit_log(TACIT_LOG_INFO, "repaired recording '%s' (%llu bytes of audio)", path, (unsigned long long)data);
out:
	if (fd >= 0)
		close(fd);
	free(path);
}

enum tacit_status recording_repair(struct tacit_store *s)
{
	return store_audio_unfinished(s, repair_one);
}
