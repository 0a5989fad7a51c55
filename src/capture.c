/*
 * capture.c — the miniaudio adapter: a capture device (the default or one by name) as
 * 16 kHz float frames through a callback, or two of them as one two-channel stream: the
 * microphone as channel 0 ("Me") and the system's audio (an output's monitor, a WASAPI
 * loopback, or any named capture device) as channel 1 ("Them"). miniaudio converts rate,
 * format and channel count. The null backend (silence) is used only when asked for
 * (params, or TACIT_AUDIO_BACKEND=null for the command's tests), so a machine without a
 * microphone gets an error, never a silent fake. A source whose device goes away while
 * capturing (unplugged, its output unloaded, the sound server gone) is marked lost, so
 * the caller can say so instead of recording silence without a word.
 */
#include "internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <strings.h>

#define MINIAUDIO_IMPLEMENTATION
#define MA_NO_DECODING
#define MA_NO_ENCODING
#define MA_NO_GENERATION
#define MA_NO_RESOURCE_MANAGER
#define MA_NO_NODE_GRAPH
#define MA_NO_ENGINE
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wvla"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wtype-limits"
#pragma GCC diagnostic ignored "-Wcast-function-type"
#endif
#include <miniaudio.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* Two devices run on two clocks: each fills its own queue, and frames go out in pairs.
 * When one source falls MAX_SKEW behind (it stalled, or its clock is slower), the gap is
 * filled with silence so the other's audio keeps flowing. */
#define MAX_SKEW (TACIT_AUDIO_RATE / 2)
#define QUEUE_FRAMES (TACIT_AUDIO_RATE * 2)

struct source {
	struct tacit_capture *cap;
	int index;
	ma_device dev;
	bool ok;
	int lost; /* atomic: the device stopped by itself (gone, or its server is) */
	char name[256];
};

struct tacit_capture {
	ma_context ctx;
	bool ctx_ok;
	struct source src[2];
	int n_src;
	tacit_capture_fn fn;
	void *user;
	int channels;
	int stopping; /* atomic: a stop or close of ours is under way, not a lost device */
	char name[520];
	/* two sources only */
	pthread_mutex_t lock;
	bool lock_ok;
	float *queue[2]; /* QUEUE_FRAMES each */
	size_t n_queue[2];
	float *pairs;    /* QUEUE_FRAMES * 2, interleaved */
};

struct tacit_capture_params tacit_capture_default_params(void)
{
	return (struct tacit_capture_params){ .channels = 1, .null_backend = false };
}

static bool use_null(const struct tacit_capture_params *p)
{
	const char *env = getenv("TACIT_AUDIO_BACKEND");
	return p->null_backend || (env && !strcmp(env, "null"));
}

static void on_data(ma_device *dev, void *out, const void *in, ma_uint32 n_frames)
{
	struct source *src = dev->pUserData;
	struct tacit_capture *c = src->cap;
	(void)out;
	if (!in || !n_frames)
		return;
	if (c->n_src == 1) {
		c->fn(in, n_frames, c->channels, c->user);
		return;
	}
	const float *pcm = in;
	int k = src->index, o = 1 - k;
	pthread_mutex_lock(&c->lock);
	while (n_frames > 0) {
		size_t room = QUEUE_FRAMES - c->n_queue[k];
		size_t take = n_frames < room ? n_frames : room;
		memcpy(c->queue[k] + c->n_queue[k], pcm, take * sizeof(float));
		c->n_queue[k] += take;
		pcm += take;
		n_frames -= (ma_uint32)take;
		if (c->n_queue[k] > c->n_queue[o] + MAX_SKEW) { /* the other is silent: say so */
			memset(c->queue[o] + c->n_queue[o], 0, (c->n_queue[k] - c->n_queue[o]) * sizeof(float));
			c->n_queue[o] = c->n_queue[k];
		}
		size_t n = c->n_queue[0] < c->n_queue[1] ? c->n_queue[0] : c->n_queue[1];
		if (n == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			c->pairs[2 * i] = c->queue[0][i];
			c->pairs[2 * i + 1] = c->queue[1][i];
		}
		for (int q = 0; q < 2; q++) {
			memmove(c->queue[q], c->queue[q] + n, (c->n_queue[q] - n) * sizeof(float));
			c->n_queue[q] -= n;
		}
		c->fn(c->pairs, n, 2, c->user);
	}
	pthread_mutex_unlock(&c->lock);
}

/* alsa-lib prints its errors on stderr by default ("ALSA lib pcm.c:... Unknown PCM"), a
 * dozen lines when no device answers: they go to the debug log, the caller's message
 * says what failed. */
static void alsa_error(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tacit_log(TACIT_LOG_DEBUG, "alsa: %s:%d (%s): %s (%d)", file, line, function, msg, err);
}

static void quiet_alsa(ma_context *ctx)
{
#if defined(MA_HAS_ALSA) && !defined(MA_NO_RUNTIME_LINKING)
	typedef void (*handler_fn)(const char *, int, const char *, int, const char *, ...);
	typedef int (*set_handler_fn)(handler_fn);
	if (ctx->backend != ma_backend_alsa)
		return;
	set_handler_fn set = (set_handler_fn)ma_dlsym(NULL, ctx->alsa.asoundSO, "snd_lib_error_set_handler");
	if (set)
		set(alsa_error);
#else
	(void)ctx;
	(void)alsa_error;
#endif
}

static enum tacit_status open_context(const struct tacit_capture_params *p, ma_context *ctx)
{
	ma_backend backends[MA_BACKEND_COUNT];
	ma_uint32 n_backends = 0;
	if (use_null(p)) {
		backends[n_backends++] = ma_backend_null;
	} else {
		for (int b = 0; b < (int)ma_backend_null; b++)
			backends[n_backends++] = (ma_backend)b;
	}
	if (ma_context_init(backends, n_backends, NULL, ctx) != MA_SUCCESS)
		return tacit_fail(TACIT_ERR_NOT_FOUND, "cannot capture audio: no audio system found (PulseAudio, "
						       "PipeWire, ALSA, JACK...)");
	quiet_alsa(ctx);
	return TACIT_OK;
}

/* What to do when the audio system is the kernel's (ALSA) and it has no usable device:
 * on a desktop, the sound server (which owns the devices) did not answer. "" elsewhere. */
static const char *server_hint(const ma_context *ctx)
{
	if (ctx->backend != ma_backend_alsa)
		return "";
	return "; no PulseAudio or PipeWire server answered (start it: 'systemctl --user start pipewire-pulse' or "
	       "'pulseaudio --start'; PULSE_SERVER and XDG_RUNTIME_DIR must lead to it), and ALSA has no capture "
	       "device of its own (/dev/snd)";
}

/* A monitor source: PulseAudio (and PipeWire through it) names them "<sink>.monitor". */
static bool is_monitor(const ma_context *ctx, const ma_device_info *d)
{
	if (ctx->backend == ma_backend_pulseaudio) {
		size_t n = strlen(d->id.pulse);
		return n > 8 && !strcmp(d->id.pulse + n - 8, ".monitor");
	}
	return !strncasecmp(d->name, "Monitor of ", 11);
}

/* The audio system's own name for a device, where it has one a user can see elsewhere
 * (`pactl list sources`, `arecord -L`): unlike the description it is unique ("Monitor of
 * Null Output" can be two devices; "meet.monitor" is one). "" when none. */
static const char *device_id(const ma_context *ctx, const ma_device_info *d)
{
	if (ctx->backend == ma_backend_pulseaudio)
		return d->id.pulse;
	if (ctx->backend == ma_backend_alsa)
		return d->id.alsa;
	return "";
}

/* The device called name among n: an exact (case-blind) match of its description or
 * its id, else the one whose description or id contains it. NULL when none or several. */
static const ma_device_info *find_device(const ma_context *ctx, const ma_device_info *d, ma_uint32 n,
					 const char *name, bool *ambiguous)
{
	const ma_device_info *hit = NULL;
	int n_hits = 0;
	*ambiguous = false;
	for (ma_uint32 i = 0; i < n; i++)
		if (!strcmp(device_id(ctx, &d[i]), name))
			return &d[i];
	for (ma_uint32 i = 0; i < n; i++)
		if (!strcasecmp(d[i].name, name))
			return &d[i];
	for (ma_uint32 i = 0; i < n; i++) {
		if (strcasestr(d[i].name, name) || strcasestr(device_id(ctx, &d[i]), name)) {
			hit = &d[i];
			n_hits++;
		}
	}
	*ambiguous = n_hits > 1;
	return n_hits == 1 ? hit : NULL;
}

enum tacit_status tacit_capture_devices(const struct tacit_capture_params *params, struct tacit_audio_device **out,
					size_t *n_out)
{
	struct tacit_capture_params p = params ? *params : tacit_capture_default_params();
	ma_context ctx;
	ma_device_info *play = NULL, *rec = NULL;
	ma_uint32 n_play = 0, n_rec = 0;

	if (!out || !n_out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_capture_devices: out is NULL");
	*out = NULL;
	*n_out = 0;
	enum tacit_status st = open_context(&p, &ctx);
	if (st != TACIT_OK)
		return st;
	if (ma_context_get_devices(&ctx, &play, &n_play, &rec, &n_rec) != MA_SUCCESS) {
		ma_context_uninit(&ctx);
		return tacit_fail(TACIT_ERR_IO, "cannot list the audio devices of %s", ma_get_backend_name(ctx.backend));
	}
	bool loopback = ctx.backend == ma_backend_wasapi;
	size_t n = n_rec + (loopback ? n_play : 0);
	struct tacit_audio_device *list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		ma_context_uninit(&ctx);
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	}
	size_t k = 0;
	for (ma_uint32 i = 0; i < n_rec; i++, k++) {
		snprintf(list[k].name, sizeof(list[k].name), "%s", rec[i].name);
		snprintf(list[k].id, sizeof(list[k].id), "%s", device_id(&ctx, &rec[i]));
		list[k].is_default = rec[i].isDefault;
		list[k].system = is_monitor(&ctx, &rec[i]);
	}
	for (ma_uint32 i = 0; loopback && i < n_play; i++, k++) {
		snprintf(list[k].name, sizeof(list[k].name), "%s", play[i].name);
		snprintf(list[k].id, sizeof(list[k].id), "%s", device_id(&ctx, &play[i]));
		list[k].is_default = play[i].isDefault;
		list[k].system = true;
		list[k].loopback = true;
	}
	snprintf(list[0].backend, sizeof(list[0].backend), "%s", ma_get_backend_name(ctx.backend));
	for (size_t i = 1; i < k; i++)
		snprintf(list[i].backend, sizeof(list[i].backend), "%s", list[0].backend);
	ma_context_uninit(&ctx);
	*out = list;
	*n_out = k;
	return TACIT_OK;
}

static const char *const list_hint = "('tacit transcribe --list-devices' lists them)";

static void mark_lost(struct source *s)
{
	if (__atomic_load_n(&s->cap->stopping, __ATOMIC_ACQUIRE))
		return; /* our own stop or close */
	if (!__atomic_exchange_n(&s->lost, 1, __ATOMIC_ACQ_REL))
		tacit_log(TACIT_LOG_INFO, "capture: '%s' stopped by itself (the device or its sound server is gone)",
			  s->name);
}

/* Backends that see a device vanish stop it (ALSA, WASAPI, Core Audio...): a stop we did
 * not ask for is a lost device. PulseAudio's "stopped" means suspended, which passes:
 * its streams are watched instead (watch_stream). */
static void on_notification(const ma_device_notification *n)
{
	if (n->type == ma_device_notification_type_stopped && n->pDevice->pContext->backend != ma_backend_pulseaudio)
		mark_lost(n->pDevice->pUserData);
}

#if defined(MA_HAS_PULSEAUDIO) && !defined(MA_NO_RUNTIME_LINKING)
/* PulseAudio (and PipeWire through it) kills a stream whose source is unloaded, or fails
 * it when the server goes: miniaudio does not watch for that (its device would wait for
 * data forever), so the stream's state is watched here, on the device's own thread. */
static void on_pulse_state(ma_pa_stream *stream, void *user)
{
	struct source *s = user;
	ma_pa_stream_state_t st = ((ma_pa_stream_get_state_proc)s->cap->ctx.pulse.pa_stream_get_state)(stream);
	if (st == MA_PA_STREAM_FAILED || st == MA_PA_STREAM_TERMINATED)
		mark_lost(s);
}
#endif

static void watch_stream(struct tacit_capture *c, struct source *s)
{
#if defined(MA_HAS_PULSEAUDIO) && !defined(MA_NO_RUNTIME_LINKING)
	typedef void (*set_state_fn)(ma_pa_stream *, ma_pa_stream_notify_cb_t, void *);
	if (c->ctx.backend != ma_backend_pulseaudio || !s->dev.pulse.pStreamCapture)
		return;
	set_state_fn set = (set_state_fn)ma_dlsym(NULL, c->ctx.pulse.pulseSO, "pa_stream_set_state_callback");
	if (set)
		set((ma_pa_stream *)s->dev.pulse.pStreamCapture, on_pulse_state, s);
#else
	(void)c;
	(void)s;
#endif
}

/* Opens source k: a capture device by name (NULL: the default), or for the system audio
 * (system set) a named device, else the default output's monitor or loopback. */
static enum tacit_status open_source(struct tacit_capture *c, int k, const char *name, bool system, int channels)
{
	ma_device_info *play = NULL, *rec = NULL, *pick = NULL;
	ma_uint32 n_play = 0, n_rec = 0;
	ma_device_type type = ma_device_type_capture;
	bool ambiguous = false;
	const char *backend = ma_get_backend_name(c->ctx.backend);
	const char *what = system ? "system audio" : "microphone";

	if ((name || system) && ma_context_get_devices(&c->ctx, &play, &n_play, &rec, &n_rec) != MA_SUCCESS)
		return tacit_fail(TACIT_ERR_IO, "cannot list the audio devices of %s", backend);
	if (name && *name) {
		pick = (ma_device_info *)find_device(&c->ctx, rec, n_rec, name, &ambiguous);
		if (!pick && !ambiguous && system && c->ctx.backend == ma_backend_wasapi) {
			pick = (ma_device_info *)find_device(&c->ctx, play, n_play, name, &ambiguous);
			type = ma_device_type_loopback; /* an output, recorded as it plays */
		}
		if (!pick)
			return tacit_fail(TACIT_ERR_NOT_FOUND, "%s capture device '%s' for the %s %s",
					  ambiguous ? "more than one" : "no", name, what, list_hint);
	} else if (system) {
		if (c->ctx.backend == ma_backend_wasapi) {
			type = ma_device_type_loopback; /* the default output */
		} else {
			const ma_device_info *def = NULL;
			for (ma_uint32 i = 0; i < n_play; i++)
				if (play[i].isDefault)
					def = &play[i];
			for (ma_uint32 i = 0; i < n_rec && c->ctx.backend == ma_backend_pulseaudio; i++) {
				if (!is_monitor(&c->ctx, &rec[i]))
					continue;
				/* the default output's monitor, else the first one */
				if (!pick || (def && !strncmp(rec[i].id.pulse, def->id.pulse, strlen(def->id.pulse))))
					pick = &rec[i];
			}
			if (!pick)
				return tacit_fail(TACIT_ERR_UNSUPPORTED,
						  "cannot find the system audio through %s: it has no monitor or loopback "
						  "device. With PulseAudio or PipeWire it is an output's '.monitor' source; on "
						  "macOS install a loopback driver (such as BlackHole) and route the meeting "
						  "to it; then pass its name: --system DEVICE %s",
						  backend, list_hint);
		}
	}
	struct source *s = &c->src[k];
	s->cap = c;
	s->index = k;
	ma_device_config cfg = ma_device_config_init(type);
	cfg.capture.format = ma_format_f32;
	cfg.capture.channels = (ma_uint32)channels;
	cfg.capture.pDeviceID = pick ? &pick->id : NULL;
	cfg.sampleRate = TACIT_AUDIO_RATE;
	cfg.dataCallback = on_data;
	cfg.notificationCallback = on_notification;
	cfg.pUserData = s;
	ma_result r = ma_device_init(&c->ctx, &cfg, &s->dev);
	if (r != MA_SUCCESS)
		return tacit_fail(TACIT_ERR_NOT_FOUND, "cannot open the %s%s%s%s through %s: %s%s", what,
				  pick ? " '" : "", pick ? pick->name : "", pick ? "'" : "", backend, ma_result_description(r),
				  server_hint(&c->ctx));
	s->ok = true;
	watch_stream(c, s);
	if (type == ma_device_type_loopback)
		snprintf(s->name, sizeof(s->name), "%s (loopback)", pick ? pick->name : "default output");
	else
		ma_device_get_name(&s->dev, ma_device_type_capture, s->name, sizeof(s->name), NULL);
	return TACIT_OK;
}

enum tacit_status tacit_capture_open(const struct tacit_capture_params *params, tacit_capture_fn fn, void *user,
				     struct tacit_capture **out)
{
	struct tacit_capture_params p = params ? *params : tacit_capture_default_params();
	enum tacit_status st = TACIT_OK;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_capture_open: out is NULL");
	*out = NULL;
	if (!fn || (p.channels != 1 && p.channels != 2))
		return tacit_fail(TACIT_ERR_USAGE, "capture needs a callback and 1 or 2 channels");
	struct tacit_capture *c = calloc(1, sizeof(*c));
	if (!c)
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	c->fn = fn;
	c->user = user;
	c->channels = p.system ? 2 : p.channels;
	c->n_src = p.system ? 2 : 1;
	if ((st = open_context(&p, &c->ctx)) != TACIT_OK)
		goto out;
	c->ctx_ok = true;
	if (c->n_src == 2) {
		c->queue[0] = malloc(QUEUE_FRAMES * sizeof(float));
		c->queue[1] = malloc(QUEUE_FRAMES * sizeof(float));
		c->pairs = malloc(2 * QUEUE_FRAMES * sizeof(float));
		c->lock_ok = pthread_mutex_init(&c->lock, NULL) == 0;
		if (!c->queue[0] || !c->queue[1] || !c->pairs || !c->lock_ok) {
			st = tacit_fail(TACIT_ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if ((st = open_source(c, 0, p.device, false, c->n_src == 2 ? 1 : c->channels)) != TACIT_OK)
		goto out;
	if (c->n_src == 2 && (st = open_source(c, 1, p.system_device, true, 1)) != TACIT_OK)
		goto out;
	if (c->n_src == 2)
		snprintf(c->name, sizeof(c->name), "%s' + '%s", c->src[0].name, c->src[1].name);
	else
		snprintf(c->name, sizeof(c->name), "%s", c->src[0].name);
	tacit_log(TACIT_LOG_INFO, "capturing from '%s' through %s", c->name, ma_get_backend_name(c->ctx.backend));
out:
	if (st != TACIT_OK) {
		tacit_capture_close(c);
		return st;
	}
	*out = c;
	return TACIT_OK;
}

enum tacit_status tacit_capture_start(struct tacit_capture *c)
{
	if (!c)
		return tacit_fail(TACIT_ERR_USAGE, "no capture handle");
	__atomic_store_n(&c->stopping, 0, __ATOMIC_RELEASE);
	for (int k = 0; k < c->n_src; k++) {
		ma_result r = ma_device_start(&c->src[k].dev);
		if (r != MA_SUCCESS) {
			__atomic_store_n(&c->stopping, 1, __ATOMIC_RELEASE);
			for (int j = 0; j < k; j++)
				ma_device_stop(&c->src[j].dev);
			return tacit_fail(TACIT_ERR_IO, "cannot start capturing from '%s': %s", c->src[k].name,
					  ma_result_description(r));
		}
	}
	return TACIT_OK;
}

enum tacit_status tacit_capture_stop(struct tacit_capture *c)
{
	enum tacit_status st = TACIT_OK;
	if (!c)
		return tacit_fail(TACIT_ERR_USAGE, "no capture handle");
	__atomic_store_n(&c->stopping, 1, __ATOMIC_RELEASE);
	for (int k = 0; k < c->n_src; k++) {
		ma_result r = ma_device_stop(&c->src[k].dev);
		if (__atomic_load_n(&c->src[k].lost, __ATOMIC_ACQUIRE))
			continue; /* a lost device refuses to stop: it has, by itself */
		if (r != MA_SUCCESS && r != MA_INVALID_OPERATION && st == TACIT_OK) /* not started: nothing to stop */
			st = tacit_fail(TACIT_ERR_IO, "cannot stop capturing from '%s': %s", c->src[k].name,
					ma_result_description(r));
	}
	if (c->n_src == 2) { /* a restart begins in step */
		pthread_mutex_lock(&c->lock);
		c->n_queue[0] = c->n_queue[1] = 0;
		pthread_mutex_unlock(&c->lock);
	}
	return st;
}

const char *tacit_capture_device_name(const struct tacit_capture *c)
{
	return c ? c->name : "";
}

unsigned tacit_capture_lost(const struct tacit_capture *c)
{
	unsigned lost = 0;
	for (int k = 0; c && k < c->n_src; k++)
		if (__atomic_load_n(&c->src[k].lost, __ATOMIC_ACQUIRE))
			lost |= k == 0 ? TACIT_CAPTURE_MIC : TACIT_CAPTURE_SYSTEM;
	return lost;
}

void tacit_capture_close(struct tacit_capture *c)
{
	if (!c)
		return;
	__atomic_store_n(&c->stopping, 1, __ATOMIC_RELEASE);
	for (int k = 0; k < 2; k++)
		if (c->src[k].ok)
			ma_device_uninit(&c->src[k].dev);
	if (c->ctx_ok)
		ma_context_uninit(&c->ctx);
	if (c->lock_ok)
		pthread_mutex_destroy(&c->lock);
	free(c->queue[0]);
	free(c->queue[1]);
	free(c->pairs);
	free(c);
}
