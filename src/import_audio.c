/*
 * import_audio.c — a recording becomes a session, in bounded memory whatever its length.
 * Pass 1 decodes the file piece by piece into a 16-bit WAV in the store's audio folder
 * (a locked temporary file); pass 2 reads it back one channel at a time in requests of
 * at most four minutes ("Me", "Them" for stereo) and transcribes them. Only then is the
 * session created: the segments land in one transaction and the WAV is renamed into
 * place as its recording. Any failure removes the temporary files and leaves no session.
 * Analysed (import_fold.c), a mono recording's session is created before pass 2 and each
 * segment stored as it is found: a failure then keeps what was transcribed.
 */
#include "internal.h"

#include "asr.h"
#include "basics.h"
#include "diar_run.h"
#include "export_folder.h"
#include "import_fold.h"
#include "media.h"
#include "store.h"
#include "utf8.h"

#include <math.h>
#include <unistd.h>

#include <yyjson.h>

#define WAV_HEADER_BYTES 44
#define IO_FRAMES 4096

struct tacit_audio_import_params tacit_audio_import_default_params(void)
{
	struct tacit_audio_import_params p = { 0 };
	p.temperature_fallback = true;
	return p;
}

struct collect {
	struct tacit_segments t;
	const struct tacit_audio_import_params *p;
	uint64_t done_frames, total_frames; /* for p->progress, every channel counted */
	struct import_fold *fold; /* analysed while transcribed: segments go there, not to t */
	enum tacit_status fold_st;
	char fold_msg[512];
};

/* Reports frames transcribed so far; false when the caller cancels. */
static bool report(struct collect *c)
{
	if (!c->p->progress)
		return true;
	struct tacit_progress pr = { TACIT_PROGRESS_TRANSCRIBE, 0.0f, 0, 0 };
	pr.fraction = c->total_frames ? (float)((double)c->done_frames / (double)c->total_frames) : 0.0f;
	pr.done = (int)(c->done_frames * 1000 / TACIT_AUDIO_RATE);
	pr.total = (int)(c->total_frames * 1000 / TACIT_AUDIO_RATE);
	return c->p->progress(&pr, c->p->progress_user);
}

static bool on_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct collect *c = user;
	if (c->fold) {
		c->fold_st = import_fold_segment(c->fold, seg, tacit_speaker_name(seg->speaker));
		if (c->fold_st != TACIT_OK) { /* whisper's cancel would replace the message */
			snprintf(c->fold_msg, sizeof(c->fold_msg), "%s", tacit_errmsg());
			return false;
		}
	} else if (tacit_segments_add(&c->t, seg) != TACIT_OK) {
		return false;
	}
	return c->p->on_segment ? c->p->on_segment(seg, c->p->user) : true;
}

static enum tacit_status write_fail(const char *path, int err)
{
	if (err == ENOSPC || err == EDQUOT || err == EFBIG)
		return tacit_fail(TACIT_ERR_NO_SPACE, "cannot write recording '%s': %s (free some disk space)", path,
				  strerror(err));
	return tacit_fail(TACIT_ERR_IO, "cannot write recording '%s': %s", path, strerror(err));
}

/* A temporary WAV in the store's audio folder, its header left for the adoption. */
struct tmp_wav {
	int fd;
	char *path;
};

static enum tacit_status tmp_open(struct tacit_store *s, struct tmp_wav *w)
{
	static const uint8_t zeros[WAV_HEADER_BYTES];
	enum tacit_status st = store_audio_tmp(s, &w->fd, &w->path);
	if (st == TACIT_OK && !store_write_all(w->fd, zeros, sizeof(zeros), -1))
		st = write_fail(w->path, errno);
	return st;
}

static void tmp_remove(struct tmp_wav *w)
{
	if (w->path)
		unlink(w->path);
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	w->fd = -1;
	w->path = NULL;
}

/* The inverse of the decoder's s16 -> float (x / 32768), rounded: a 16-bit recording is
 * stored exactly as it came. */
static int16_t to_s16(float v)
{
	v = rintf(v * 32768.0f);
	return (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : (int)v);
}

/* ---- pass 1: decode into the WAV ------------------------------------------------------ */

struct pass1 {
	struct tacit_store *store;
	const volatile int *cancel;
	int src_channels; /* set by the decoder before the first frames */
	int file_channels; /* 1 for a mono source, else 2 */
	struct tmp_wav wav;
	bool differ;       /* the two channels are not the same samples */
	uint64_t n_frames;
	int16_t pcm[IO_FRAMES * 2];
};

static enum tacit_status on_pcm(const float *pcm, size_t n, void *user)
{
	struct pass1 *p = user;
	enum tacit_status st;
	if (cancel_requested(p->cancel))
		return tacit_fail(TACIT_ERR_CANCELLED, "import cancelled");
	if (p->wav.fd < 0) { /* the first audio: now there is something to keep */
		p->file_channels = p->src_channels == 1 ? 1 : 2;
		if ((st = tmp_open(p->store, &p->wav)) != TACIT_OK)
			return st;
	}
	while (n > 0) {
		size_t k = n < IO_FRAMES ? n : IO_FRAMES;
		for (size_t i = 0; i < k; i++) {
			float l = pcm[2 * i], r = pcm[2 * i + 1];
			p->differ |= l != r;
			p->pcm[i * (size_t)p->file_channels] = to_s16(l);
			if (p->file_channels == 2)
				p->pcm[i * 2 + 1] = to_s16(r);
		}
		if (!store_write_all(p->wav.fd, p->pcm, k * (size_t)p->file_channels * sizeof(int16_t), -1))
			return write_fail(p->wav.path, errno);
		p->n_frames += k;
		pcm += 2 * k;
		n -= k;
	}
	return TACIT_OK;
}

/* ---- pass 2: read back one channel, transcribe, optionally copy it out --------------- */

static bool read_at(int fd, void *data, size_t len, off_t at)
{
	char *p = data;
	while (len) {
		ssize_t n = pread(fd, p, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return false;
		}
		p += n;
		len -= (size_t)n;
		at += n;
	}
	return true;
}

/* Transcribes channel c of the pass-1 WAV in requests of at most ASR_MAX_SAMPLES, each
 * ending at a quiet moment; with copy set, writes that channel to it as mono. Holds one
 * request's samples at a time. */
static enum tacit_status transcribe_channel(struct tacit_asr *asr, const struct pass1 *p1, int c, int speaker,
					    struct tmp_wav *copy, struct collect *col, struct diar_run **diar)
{
	const size_t cap = ASR_MAX_SAMPLES + 1; /* one more than a request: asr_split_at() then splits */
	const size_t fc = (size_t)p1->file_channels;
	int16_t raw[IO_FRAMES * 2], mono[IO_FRAMES];
	float *buf = malloc(cap * sizeof(float));
	uint64_t at = 0, done = 0;
	size_t have = 0;
	enum tacit_status st = TACIT_OK;

	if (!buf)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	while (st == TACIT_OK) {
		while (have < cap && at < p1->n_frames) {
			size_t k = cap - have < IO_FRAMES ? cap - have : IO_FRAMES;
			if (p1->n_frames - at < k)
				k = (size_t)(p1->n_frames - at);
			if (!read_at(p1->wav.fd, raw, k * fc * sizeof(int16_t),
				     (off_t)(WAV_HEADER_BYTES + at * fc * sizeof(int16_t)))) {
				st = tacit_fail_errno(TACIT_ERR_IO, "cannot read recording '%s'", p1->wav.path);
				break;
			}
			for (size_t i = 0; i < k; i++) {
				mono[i] = raw[i * fc + (size_t)c];
				buf[have + i] = (float)mono[i] / 32768.0f;
			}
			if (copy && !store_write_all(copy->fd, mono, k * sizeof(int16_t), -1)) {
				st = write_fail(copy->path, errno);
				break;
			}
			have += k;
			at += k;
		}
		if (st != TACIT_OK || have == 0)
			break;
		size_t k = asr_split_at(buf, have);
		if (diar && *diar && (st = diar_run_feed(*diar, buf, k)) != TACIT_OK) {
			if (st == TACIT_ERR_CANCELLED)
				break;
			tacit_log(TACIT_LOG_WARN, "speaker diarization stopped: %s; the transcript is stored without speakers",
				  tacit_errmsg());
			diar_run_free(*diar);
			*diar = NULL;
			st = TACIT_OK;
		}
		st = tacit_asr_transcribe(asr, buf, k, (int64_t)(done * 1000 / TACIT_AUDIO_RATE), speaker, col->p->cancel,
					  on_segment, col);
		memmove(buf, buf + k, (have - k) * sizeof(float));
		have -= k;
		done += k;
		col->done_frames += k;
		if (st == TACIT_OK && !report(col))
			st = tacit_fail(TACIT_ERR_CANCELLED, "import cancelled");
	}
	free(buf);
	return st;
}

/* {"asr":"ggml-base.en.bin","vad":"ggml-silero-v6.2.0.bin"} and the import's settings. */
static char *describe(const char *asr_path, const char *vad_path, const char *remote, const char *source, int channels,
		      bool settings, bool diarized)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	char *text = NULL;
	if (!doc)
		return NULL;
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);
	if (settings) {
		yyjson_mut_val *imp = yyjson_mut_obj_add_obj(doc, root, "import");
		yyjson_mut_obj_add_str(doc, imp, "source", source);
		yyjson_mut_obj_add_str(doc, imp, "format", "audio");
		yyjson_mut_obj_add_int(doc, imp, "channels", channels);
		yyjson_mut_obj_add_str(doc, imp, "speakers",
				       channels == 2 ? (diarized ? "channels+diarized" : "channels") : (diarized ? "diarized" : "none"));
	} else if (remote[0]) { /* "NAME on HOST": the transcript was made there */
		yyjson_mut_obj_add_str(doc, root, "asr", remote);
		yyjson_mut_obj_add_str(doc, root, "asr_where", "remote");
	} else {
		const char *a = strrchr(asr_path, '/'), *v = vad_path ? strrchr(vad_path, '/') : NULL;
		yyjson_mut_obj_add_str(doc, root, "asr", a ? a + 1 : asr_path);
		if (vad_path)
			yyjson_mut_obj_add_str(doc, root, "vad", v ? v + 1 : vad_path);
	}
	text = utf8_json_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	return text;
}

/* Remembered voices on (tacit.h): each diarized speaker's voiceprint, and "Me"'s from
 * the microphone channel, kept with the meeting's speakers; then the speakers who sound
 * like a remembered voice are named after it. A speaker without lines has no row. */
static enum tacit_status keep_voiceprints(struct tacit_store *s, int64_t id, const struct tacit_diarization *who,
					  const struct tacit_diarization *me)
{
	enum tacit_status st = TACIT_OK;
	char label[32];
	for (int k = 0; who->voiceprints && k < who->n_speakers && st == TACIT_OK; k++) {
		snprintf(label, sizeof(label), "Speaker %d", k + 1);
		st = tacit_store_speaker_voiceprint_set(s, id, label, who->voiceprints + (size_t)k * (size_t)who->dim,
							who->dim);
		if (st == TACIT_ERR_NOT_FOUND)
			st = TACIT_OK;
	}
	if (st == TACIT_OK && me->voiceprints && me->n_speakers == 1) {
		st = tacit_store_speaker_voiceprint_set(s, id, tacit_speaker_name(TACIT_SPEAKER_ME), me->voiceprints,
							me->dim);
		if (st == TACIT_ERR_NOT_FOUND)
			st = TACIT_OK;
	}
	return st == TACIT_OK ? tacit_store_voices_label(s, id, NULL) : st;
}

static enum tacit_status session_describe(const char *path, const struct tacit_audio_import_params *p,
					  const char *asr_path, const char *vad_path, const char *remote, int channels,
					  bool diarized, char **title, char **models, char **settings);
static enum tacit_status adopt(struct tacit_store *s, int64_t id, struct tmp_wav *mono, struct tmp_wav *wav,
			       int channels);
static void keep_partial(struct tacit_store *s, int64_t id, const char *language, struct tmp_wav *wav, int channels,
			 bool ended, int64_t *out_id, enum tacit_status why);

enum tacit_status tacit_store_import_audio(struct tacit_store *s, const char *path,
					   const struct tacit_audio_import_params *params, int64_t *out_id)
{
	struct tacit_audio_import_params p = params ? *params : tacit_audio_import_default_params();
	struct tacit_audio_params aud = tacit_audio_default_params();
	struct tacit_asr_params ap = tacit_asr_default_params();
	struct tacit_asr *asr = NULL;
	struct collect c = { .p = &p };
	struct pass1 *p1 = NULL;
	struct tmp_wav mono = { -1, NULL };
	char *asr_path = NULL, *vad_path = NULL, *models = NULL, *settings = NULL, *title = NULL;
	char language[16] = "", remote[600] = "";
	struct tacit_engine engine = tacit_engine_default();
	bool stereo = false, kept = false, ended = false; /* kept: a failure keeps the session */
	int64_t id = 0;
	struct diar_run *diar = NULL, *me_diar = NULL;
	struct tacit_diarization who = { 0 }, me = { 0 };
	bool voices = false;
	enum tacit_status st;

	tacit_segments_init(&c.t);
	if (!s || !path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_import_audio: store or path missing");
	if (p.asr_engine)
		engine = *p.asr_engine;
	else if ((st = tacit_engine_from_settings(s, "asr", &engine)) != TACIT_OK)
		goto out;
	if (tacit_engine_is_remote(&engine))
		ap.engine = &engine; /* the server's models: none resolved here */
	else if ((st = tacit_model_resolve(TACIT_MODEL_ASR, p.asr_model, &asr_path)) != TACIT_OK)
		goto out;
	if (!ap.engine && !p.no_vad && (st = tacit_model_resolve(TACIT_MODEL_VAD, p.vad_model, &vad_path)) != TACIT_OK)
		goto out;
	if (!(p1 = calloc(1, sizeof(*p1)))) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	p1->store = s;
	p1->cancel = p.cancel;
	p1->wav.fd = -1;

	/* pass 1: the whole file decoded to disk, a piece at a time */
	aud.channels = 2;
	if ((st = media_decode_file(path, &aud, on_pcm, p1, &p1->src_channels)) != TACIT_OK)
		goto out;
	if (p1->n_frames == 0) {
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot import '%s': it holds no audio", path);
		goto out;
	}
	/* two channels that are the same samples are a mono file the decoder duplicated */
	stereo = p1->file_channels == 2 && p1->differ;

	/* pass 2: transcribe channel by channel; a two-channel file that is not stereo is
	 * kept as its first channel */
	ap.model_path = asr_path;
	ap.vad_model_path = vad_path;
	ap.language = p.language;
	ap.n_threads = p.n_threads;
	if (p.analyze) {
		int llm_threads;
		import_fold_threads(&p, &ap.n_threads, &llm_threads);
	}
	ap.temperature_fallback = p.temperature_fallback;
	if ((st = tacit_asr_open(&ap, &asr)) != TACIT_OK)
		goto out;
	if (p1->file_channels == 2 && !stereo && (st = tmp_open(s, &mono)) != TACIT_OK)
		goto out;
	/* the channel diarized: the meeting's ("Them") of a stereo file, else the only one */
	int diar_ch = stereo ? 1 : 0, diar_speaker = stereo ? TACIT_SPEAKER_THEM : TACIT_SPEAKER_UNKNOWN;
	if (p.embedding_model && *p.embedding_model) {
		struct tacit_diar_params dp = tacit_diar_default_params();
		dp.embedding_model = p.embedding_model;
		dp.segmentation_model = p.segmentation_model;
		dp.vad_model = vad_path;
		dp.n_speakers = p.n_speakers;
		dp.cancel = p.cancel;
		if (diar_run_open(&dp, &diar) != TACIT_OK)
			tacit_log(TACIT_LOG_WARN, "no speaker diarization: %s; the transcript is stored without speakers",
				  tacit_errmsg());
		/* remembered voices on: the microphone channel is one voice, "Me", whose
		 * voiceprint lets one-microphone recordings find "Me" later */
		if (diar && tacit_store_voices_enabled(s, &voices) == TACIT_OK && voices && stereo) {
			dp.n_speakers = 1;
			if (diar_run_open(&dp, &me_diar) != TACIT_OK)
				tacit_log(TACIT_LOG_WARN, "no voiceprint for 'Me': %s", tacit_errmsg());
		}
	}
	c.total_frames = p1->n_frames * (stereo ? 2u : 1u);
	if (!report(&c)) {
		st = tacit_fail(TACIT_ERR_CANCELLED, "import cancelled");
		goto out;
	}
	if (p.analyze && !stereo && !diar) { /* one speaker track: folded as it is transcribed */
		struct tacit_session_params fsp = tacit_session_default_params();
		if (asr_label(asr)) /* a remote server's name, when it is known before the first request */
			snprintf(remote, sizeof(remote), "%s", asr_label(asr));
		if ((st = session_describe(path, &p, asr_path, vad_path, remote, 1, false, &title, &models, &settings)) !=
		    TACIT_OK)
			goto out;
		fsp.title = title;
		fsp.models = models;
		fsp.settings_json = settings;
		if ((st = tacit_store_session_create(s, &fsp, &id)) != TACIT_OK)
			goto out;
		if ((p.on_session && (st = p.on_session(s, id, p.session_user)) != TACIT_OK) ||
		    (st = import_fold_open(s, id, &p, true, &c.fold)) != TACIT_OK) {
			struct errsave e;
			errsave_push(&e);
			tacit_store_session_delete(s, id); /* nothing transcribed yet: nothing to keep */
			st = errsave_pop(&e, st);
			goto out;
		}
		kept = true;
	}
	for (int ch = 0; ch < (stereo ? 2 : 1) && st == TACIT_OK; ch++)
		st = transcribe_channel(asr, p1, ch, stereo ? ch : TACIT_SPEAKER_UNKNOWN, ch == 0 && mono.fd >= 0 ? &mono : NULL,
					&c, ch == diar_ch ? &diar : ch == 0 && me_diar ? &me_diar : NULL);
	if (c.fold_st != TACIT_OK)
		st = tacit_fail(c.fold_st, "%s", c.fold_msg);
	if (kept && tacit_asr_language(asr)[0])
		snprintf(language, sizeof(language), "%s", tacit_asr_language(asr));
	if (st != TACIT_OK)
		goto out;
	if (me_diar && diar_run_finish(me_diar, &me) != TACIT_OK)
		tacit_log(TACIT_LOG_WARN, "no voiceprint for 'Me': %s", tacit_errmsg());
	if (diar && (st = diar_run_finish(diar, &who)) != TACIT_OK) {
		if (st == TACIT_ERR_CANCELLED)
			goto out;
		tacit_log(TACIT_LOG_WARN, "speaker diarization failed: %s; the transcript is stored without speakers",
			  tacit_errmsg());
		tacit_diarization_release(&who);
		st = TACIT_OK;
	}
	snprintf(language, sizeof(language), "%s", tacit_asr_language(asr));
	if (asr_label(asr))
		snprintf(remote, sizeof(remote), "%s", asr_label(asr));
	tacit_asr_close(asr);
	asr = NULL;

	if (c.fold) { /* the session and its segments are stored: the recording, then the stop */
		if (language[0] && (st = store_session_set_language(s, id, language)) != TACIT_OK)
			goto out;
		if ((st = adopt(s, id, &mono, &p1->wav, p1->file_channels)) != TACIT_OK)
			goto out;
		if ((st = import_fold_finish(c.fold, p.cancel)) != TACIT_OK)
			goto out;
		ended = true;
		goto done;
	}
	if ((st = session_describe(path, &p, asr_path, vad_path, remote, stereo ? 2 : 1, who.n_speakers > 0, &title,
				   &models, &settings)) != TACIT_OK)
		goto out;
	struct tacit_session_params sp = tacit_session_default_params();
	sp.title = title;
	sp.models = models;
	sp.settings_json = settings;
	sp.language = language; /* given, detected, or "" when no speech was decoded */
	if ((st = store_batch_begin(s)) != TACIT_OK)
		goto out;
	st = tacit_store_session_create(s, &sp, &id);
	if (st == TACIT_OK && p.on_session) /* in the transaction: recorded with the session or not at all */
		st = p.on_session(s, id, p.session_user);
	for (size_t i = 0; st == TACIT_OK && i < c.t.n_segments; i++) {
		const struct tacit_asr_segment *g = &c.t.segments[i];
		char label[32];
		int who_spk = g->speaker == diar_speaker ? tacit_diarization_speaker_at(&who, g->start_ms, g->end_ms) : -1;
		snprintf(label, sizeof(label), "Speaker %d", who_spk + 1);
		struct tacit_segment seg = {
			.start_ms = g->start_ms,
			.end_ms = g->end_ms,
			.speaker = who_spk >= 0 ? label : tacit_speaker_name(g->speaker),
			.text = g->text,
			.confidence = g->confidence,
		};
		st = tacit_store_add_segment(s, id, &seg, NULL);
	}
	if (st == TACIT_OK && voices)
		st = keep_voiceprints(s, id, &who, &me);
	if (st == TACIT_OK && !p.analyze) /* analysed: the stop ends it */
		st = tacit_store_session_end(s, id, 0);
	if ((st = store_batch_end(s, st)) != TACIT_OK)
		goto out;
	if ((st = adopt(s, id, &mono, &p1->wav, p1->file_channels)) != TACIT_OK) {
		struct errsave e;
		errsave_push(&e);
		tacit_store_session_delete(s, id); /* all or nothing */
		st = errsave_pop(&e, st);
		goto out;
	}
	if (p.analyze) { /* stereo or diarized: its speakers are known now, so fold it now */
		kept = true;
		if ((st = import_fold_open(s, id, &p, false, &c.fold)) != TACIT_OK ||
		    (st = import_fold_finish(c.fold, p.cancel)) != TACIT_OK)
			goto out;
		ended = true;
	}
done:
	export_folder_after(s, id);
	if (out_id)
		*out_id = id;
out:
	import_fold_close(c.fold); /* before the store changes: its threads are gone */
	if (st != TACIT_OK && kept)
		keep_partial(s, id, language, p1 ? &p1->wav : NULL, p1 ? p1->file_channels : 1, ended, out_id, st);
	tacit_asr_close(asr);
	diar_run_free(diar);
	diar_run_free(me_diar);
	tacit_diarization_release(&who);
	tacit_diarization_release(&me);
	if (p1)
		tmp_remove(&p1->wav);
	tmp_remove(&mono);
	free(p1);
	tacit_segments_release(&c.t);
	free(title);
	free(models);
	free(settings);
	tacit_free(asr_path);
	tacit_free(vad_path);
	return st;
}

/* The session's title (given, else the file's name), its models and its settings. */
static enum tacit_status session_describe(const char *path, const struct tacit_audio_import_params *p,
					  const char *asr_path, const char *vad_path, const char *remote, int channels,
					  bool diarized, char **title, char **models, char **settings)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (p->title && *p->title) /* stored and shown: repaired when not UTF-8 */
		*title = utf8_repair_str(p->title);
	else
		*title = utf8_repair(base, dot && dot != base ? (size_t)(dot - base) : strlen(base), NULL);
	*models = describe(asr_path, vad_path, remote, base, 0, false, false);
	*settings = describe(asr_path, vad_path, remote, base, channels, true, diarized);
	if (!*title || !*models || !*settings)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	return TACIT_OK;
}

/* The recording renamed into place as the session's: the mono copy of a two-channel
 * file that is not stereo, else the pass-1 WAV. */
static enum tacit_status adopt(struct tacit_store *s, int64_t id, struct tmp_wav *mono, struct tmp_wav *wav,
			       int channels)
{
	struct tmp_wav *keep = mono->fd >= 0 ? mono : wav;
	enum tacit_status st = store_audio_adopt(s, id, keep->fd, keep->path, TACIT_AUDIO_RATE, mono->fd >= 0 ? 1 : channels);
	if (st == TACIT_OK) {
		free(keep->path); /* renamed into place: no longer ours to remove */
		keep->path = NULL;
	}
	return st;
}

/* An analysed import that failed or was cancelled keeps what it had: the session is
 * ended, holding the segments transcribed so far and the whole recording (pass 1 had
 * decoded it), and its id is told. Keeps the failure's message. */
static void keep_partial(struct tacit_store *s, int64_t id, const char *language, struct tmp_wav *wav, int channels,
			 bool ended, int64_t *out_id, enum tacit_status why)
{
	struct errsave e;
	errsave_push(&e);
	if (language[0])
		store_session_set_language(s, id, language);
	if (!ended)
		tacit_store_session_end(s, id, 0);
	if (wav && wav->path && wav->fd >= 0) {
		struct tmp_wav none = { -1, NULL };
		if (adopt(s, id, &none, wav, channels) != TACIT_OK)
			tacit_log(TACIT_LOG_WARN, "the recording of meeting %lld was not kept: %s", (long long)id,
				  tacit_errmsg());
	}
	if (out_id)
		*out_id = id;
	errsave_pop(&e, why);
}
