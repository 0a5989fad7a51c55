/*
 * import_audio.c — a recording becomes a session: resolve the models, decode, transcribe
 * (channel by channel for stereo: "Me", "Them"), then store. Nothing is written before
 * transcription has succeeded, the segments land in one transaction, and a failure while
 * storing the audio deletes the session again: an import never leaves half a session.
 */
#include "internal.h"

#include "store.h"

#include <yyjson.h>

struct tacit_audio_import_params tacit_audio_import_default_params(void)
{
	struct tacit_audio_import_params p = { 0 };
	p.temperature_fallback = true;
	return p;
}

struct collect {
	struct tacit_segments t;
	const struct tacit_audio_import_params *p;
};

static bool on_segment(const struct tacit_asr_segment *seg, void *user)
{
	struct collect *c = user;
	if (tacit_segments_add(&c->t, seg) != TACIT_OK)
		return false;
	return c->p->on_segment ? c->p->on_segment(seg, c->p->user) : true;
}

/* Two channels that are the same samples are a mono file that the decoder duplicated. */
static bool channels_differ(const struct tacit_audio *a)
{
	for (size_t i = 0; i < a->n_frames; i++)
		if (a->samples[2 * i] != a->samples[2 * i + 1])
			return true;
	return false;
}

static enum tacit_status transcribe(const struct tacit_audio_import_params *p, const char *asr_path,
				    const char *vad_path, const struct tacit_audio *a, bool stereo,
				    struct collect *c, bool *multilingual)
{
	struct tacit_asr_params ap = tacit_asr_default_params();
	struct tacit_asr *asr = NULL;
	float *mono = NULL;
	enum tacit_status st;

	ap.model_path = asr_path;
	ap.vad_model_path = vad_path;
	ap.language = p->language;
	ap.n_threads = p->n_threads;
	ap.temperature_fallback = p->temperature_fallback;
	if ((st = tacit_asr_new(&ap, &asr)) != TACIT_OK)
		return st;
	*multilingual = tacit_asr_multilingual(asr);
	if (!stereo) {
		if (a->n_channels == 1) {
			st = tacit_asr_transcribe(asr, a->samples, a->n_frames, 0, TACIT_SPEAKER_UNKNOWN, p->cancel,
						  on_segment, c);
			goto out;
		}
	}
	mono = malloc(a->n_frames * sizeof(float));
	if (!mono) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int ch = 0; ch < (stereo ? 2 : 1) && st == TACIT_OK; ch++) {
		for (size_t i = 0; i < a->n_frames; i++)
			mono[i] = a->samples[i * 2 + (size_t)ch];
		st = tacit_asr_transcribe(asr, mono, a->n_frames, 0, stereo ? ch : TACIT_SPEAKER_UNKNOWN, p->cancel,
					  on_segment, c);
	}
out:
	free(mono);
	tacit_asr_free(asr);
	return st;
}

/* {"asr":"ggml-base.en.bin","vad":"ggml-silero-v6.2.0.bin"} and the import's settings. */
static char *describe(const char *asr_path, const char *vad_path, const char *source, int channels, bool settings)
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
		yyjson_mut_obj_add_str(doc, imp, "speakers", channels == 2 ? "channels" : "none");
	} else {
		const char *a = strrchr(asr_path, '/'), *v = vad_path ? strrchr(vad_path, '/') : NULL;
		yyjson_mut_obj_add_str(doc, root, "asr", a ? a + 1 : asr_path);
		if (vad_path)
			yyjson_mut_obj_add_str(doc, root, "vad", v ? v + 1 : vad_path);
	}
	text = yyjson_mut_write(doc, 0, NULL);
	yyjson_mut_doc_free(doc);
	return text;
}

/* The session's recording: the decoded audio as 16-bit PCM. */
static enum tacit_status store_audio(struct tacit_store *s, int64_t id, const struct tacit_audio *a, int channels)
{
	struct tacit_recording *rec = NULL;
	int16_t pcm[4096];
	const size_t per = ARRAY_SIZE(pcm) / 2;
	enum tacit_status st = tacit_recording_open(s, id, TACIT_AUDIO_RATE, channels, &rec);
	for (size_t at = 0; st == TACIT_OK && at < a->n_frames; at += per) {
		size_t n = a->n_frames - at < per ? a->n_frames - at : per;
		for (size_t i = 0; i < n; i++) {
			for (int c = 0; c < channels; c++) {
				float v = a->samples[(at + i) * (size_t)a->n_channels + (size_t)c] * 32767.0f;
				pcm[i * (size_t)channels + (size_t)c] =
					(int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : (int)v);
			}
		}
		st = tacit_recording_write(rec, pcm, n);
	}
	enum tacit_status cst = tacit_recording_close(rec);
	return st != TACIT_OK ? st : cst;
}

enum tacit_status tacit_store_import_audio(struct tacit_store *s, const char *path,
					   const struct tacit_audio_import_params *params, int64_t *out_id)
{
	struct tacit_audio_import_params p = params ? *params : tacit_audio_import_default_params();
	struct tacit_audio_params aud = tacit_audio_default_params();
	struct tacit_audio a = { 0 };
	struct collect c = { .p = &p };
	char *asr_path = NULL, *vad_path = NULL, *models = NULL, *settings = NULL, *title = NULL;
	bool multilingual = false, stereo = false;
	int64_t id = 0;
	enum tacit_status st;

	tacit_segments_init(&c.t);
	if (!s || !path || !*path)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_store_import_audio: store or path missing");
	if ((st = tacit_model_resolve(TACIT_MODEL_ASR, p.asr_model, &asr_path)) != TACIT_OK)
		goto out;
	if (!p.no_vad && (st = tacit_model_resolve(TACIT_MODEL_VAD, p.vad_model, &vad_path)) != TACIT_OK)
		goto out;
	aud.channels = 2;
	if ((st = tacit_audio_load(path, &aud, &a)) != TACIT_OK)
		goto out;
	if (a.n_frames == 0) {
		st = tacit_fail(TACIT_ERR_FORMAT, "cannot import '%s': it holds no audio", path);
		goto out;
	}
	stereo = a.n_channels == 2 && channels_differ(&a);
	if ((st = transcribe(&p, asr_path, vad_path, &a, stereo, &c, &multilingual)) != TACIT_OK)
		goto out;

	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (p.title && *p.title)
		title = strdup(p.title);
	else
		title = strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
	models = describe(asr_path, vad_path, base, 0, false);
	settings = describe(asr_path, vad_path, base, stereo ? 2 : 1, true);
	if (!title || !models || !settings) {
		st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		goto out;
	}
	struct tacit_session_params sp = tacit_session_default_params();
	sp.title = title;
	sp.models = models;
	sp.settings_json = settings;
	/* An English-only model can only have heard English; otherwise the language asked
	 * for, or unknown when it was detected. */
	sp.language = !multilingual ? "en" : p.language && strcmp(p.language, "auto") ? p.language : "";
	if ((st = store_batch_begin(s)) != TACIT_OK)
		goto out;
	st = tacit_store_session_create(s, &sp, &id);
	for (size_t i = 0; st == TACIT_OK && i < c.t.n_segments; i++) {
		const struct tacit_asr_segment *g = &c.t.segments[i];
		struct tacit_segment seg = {
			.start_ms = g->start_ms,
			.end_ms = g->end_ms,
			.speaker = tacit_speaker_name(g->speaker),
			.text = g->text,
			.confidence = g->confidence,
		};
		st = tacit_store_add_segment(s, id, &seg, NULL);
	}
	if (st == TACIT_OK)
		st = tacit_store_session_end(s, id, 0);
	if ((st = store_batch_end(s, st)) != TACIT_OK)
		goto out;
	if ((st = store_audio(s, id, &a, stereo ? 2 : 1)) != TACIT_OK) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
		tacit_store_session_delete(s, id); /* all or nothing */
		st = tacit_fail(st, "%s", msg);
		goto out;
	}
	if (out_id)
		*out_id = id;
out:
	tacit_segments_release(&c.t);
	tacit_audio_release(&a);
	free(title);
	free(models);
	free(settings);
	tacit_free(asr_path);
	tacit_free(vad_path);
	return st;
}
