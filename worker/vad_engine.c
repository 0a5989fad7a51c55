/*
 * vad_engine.c — Silero voice activity detection through whisper.cpp (the adapter for
 * whisper's whisper_vad_* API), run only inside tacit-worker: the transcription engine
 * decides with it what whisper hears, and the "vad" engine answers the caller's
 * requests (tacit_vad_detect(), the live stream every half second). Always on the CPU.
 */
#include "internal.h"

#include "devices.h"
#include "vad_engine.h"

#include <whisper.h>

struct vad_engine {
	struct whisper_vad_context *ctx;
	struct tacit_vad_params p;
};

static struct whisper_vad_params vad_params(const struct tacit_vad_params *v)
{
	struct whisper_vad_params w = whisper_vad_default_params();
	w.threshold = v->threshold;
	w.min_speech_duration_ms = v->min_speech_ms;
	w.min_silence_duration_ms = v->min_silence_ms;
	w.speech_pad_ms = v->pad_ms;
	return w;
}

static enum tacit_status vad_open(const char *path, int n_threads, struct whisper_vad_context **out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return tacit_fail_errno(errno == ENOENT ? TACIT_ERR_NOT_FOUND : TACIT_ERR_IO,
					"cannot open VAD model '%s'", path);
	fclose(f);
	devices_load();
	struct whisper_vad_context_params cp = whisper_vad_default_context_params();
	/* One thread: Silero's graph is a few thousand operations per 32 ms window, and
	 * handing each window to a second thread costs more than the window itself (300 s of
	 * audio: 0.7 s on one thread; seconds on two, far worse on a busy machine). */
	cp.n_threads = n_threads > 0 ? n_threads : 1;
	cp.use_gpu = false;
	*out = whisper_vad_init_from_file_with_params(path, cp);
	if (!*out)
		return tacit_fail(TACIT_ERR_MODEL, "cannot load VAD model '%s': not a whisper.cpp Silero VAD model", path);
	return TACIT_OK;
}

static enum tacit_status vad_run(struct whisper_vad_context *vctx, const struct tacit_vad_params *v, const float *pcm,
				 size_t n, struct tacit_span **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (n < 512)
		return TACIT_OK; /* shorter than one Silero window: no speech to find */
	if (n > (size_t)INT32_MAX)
		return tacit_fail(TACIT_ERR_UNSUPPORTED, "audio too long for one VAD pass");
	struct whisper_vad_segments *segs = whisper_vad_segments_from_samples(vctx, vad_params(v), pcm, (int)n);
	if (!segs)
		return tacit_fail(TACIT_ERR_ASR, "voice activity detection failed");
	int k = whisper_vad_segments_n_segments(segs);
	enum tacit_status st = TACIT_OK;
	if (k > 0) {
		*out = calloc((size_t)k, sizeof(**out));
		if (!*out) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
		} else {
			for (int i = 0; i < k; i++) {
				(*out)[i].start_ms = (int64_t)(whisper_vad_segments_get_segment_t0(segs, i) * 10.0f + 0.5f);
				(*out)[i].end_ms = (int64_t)(whisper_vad_segments_get_segment_t1(segs, i) * 10.0f + 0.5f);
			}
			*n_out = (size_t)k;
		}
	}
	whisper_vad_free_segments(segs);
	return st;
}

enum tacit_status vad_engine_open(const char *path, const struct tacit_vad_params *params, struct vad_engine **out)
{
	struct vad_engine *v = calloc(1, sizeof(*v));
	*out = NULL;
	if (!v)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	v->p = params ? *params : tacit_vad_default_params();
	enum tacit_status st = vad_open(path, v->p.n_threads, &v->ctx);
	if (st != TACIT_OK) {
		free(v);
		return st;
	}
	*out = v;
	return TACIT_OK;
}

void vad_engine_free(struct vad_engine *v)
{
	if (!v)
		return;
	whisper_vad_free(v->ctx);
	free(v);
}

enum tacit_status vad_engine_detect(struct vad_engine *v, const float *pcm, size_t n, struct tacit_span **out,
				    size_t *n_out)
{
	return vad_run(v->ctx, &v->p, pcm, n, out, n_out);
}
