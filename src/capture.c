/*
 * capture.c — the miniaudio adapter: the default capture device as 16 kHz float frames
 * through a callback. miniaudio converts rate, format and channel count. The null
 * backend (silence) is used only when asked for, so a machine without a microphone gets
 * an error, never a silent fake.
 */
#include "internal.h"

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

struct tacit_capture {
	ma_context ctx;
	ma_device dev;
	bool ctx_ok, dev_ok;
	tacit_capture_fn fn;
	void *user;
	int channels;
	char name[256];
};

struct tacit_capture_params tacit_capture_default_params(void)
{
	return (struct tacit_capture_params){ .channels = 1, .null_backend = false };
}

static void on_data(ma_device *dev, void *out, const void *in, ma_uint32 n_frames)
{
	struct tacit_capture *c = dev->pUserData;
	(void)out;
	if (in && n_frames)
		c->fn(in, n_frames, c->channels, c->user);
}

enum tacit_status tacit_capture_open(const struct tacit_capture_params *params, tacit_capture_fn fn, void *user,
				     struct tacit_capture **out)
{
	struct tacit_capture_params p = params ? *params : tacit_capture_default_params();
	ma_backend backends[MA_BACKEND_COUNT];
	ma_uint32 n_backends = 0;
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
	c->channels = p.channels;
	if (p.null_backend) {
		backends[n_backends++] = ma_backend_null;
	} else {
		for (int b = 0; b < (int)ma_backend_null; b++)
			backends[n_backends++] = (ma_backend)b;
	}
	if (ma_context_init(backends, n_backends, NULL, &c->ctx) != MA_SUCCESS) {
		st = tacit_fail(TACIT_ERR_NOT_FOUND, "cannot capture audio: no audio system found (PulseAudio, "
						     "PipeWire, ALSA, JACK...)");
		goto out;
	}
	c->ctx_ok = true;
	ma_device_config cfg = ma_device_config_init(ma_device_type_capture);
	cfg.capture.format = ma_format_f32;
	cfg.capture.channels = (ma_uint32)p.channels;
	cfg.sampleRate = TACIT_AUDIO_RATE;
	cfg.dataCallback = on_data;
	cfg.pUserData = c;
	ma_result r = ma_device_init(&c->ctx, &cfg, &c->dev);
	if (r != MA_SUCCESS) {
		st = tacit_fail(TACIT_ERR_NOT_FOUND, "cannot open a microphone through %s: %s",
				ma_get_backend_name(c->ctx.backend), ma_result_description(r));
		goto out;
	}
	c->dev_ok = true;
	ma_device_get_name(&c->dev, ma_device_type_capture, c->name, sizeof(c->name), NULL);
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
	ma_result r = ma_device_start(&c->dev);
	if (r != MA_SUCCESS)
		return tacit_fail(TACIT_ERR_IO, "cannot start capturing from '%s': %s", c->name, ma_result_description(r));
	return TACIT_OK;
}

enum tacit_status tacit_capture_stop(struct tacit_capture *c)
{
	if (!c)
		return tacit_fail(TACIT_ERR_USAGE, "no capture handle");
	ma_result r = ma_device_stop(&c->dev);
	if (r != MA_SUCCESS && r != MA_INVALID_OPERATION) /* not started: nothing to stop */
		return tacit_fail(TACIT_ERR_IO, "cannot stop capturing from '%s': %s", c->name, ma_result_description(r));
	return TACIT_OK;
}

const char *tacit_capture_device_name(const struct tacit_capture *c)
{
	return c ? c->name : "";
}

void tacit_capture_close(struct tacit_capture *c)
{
	if (!c)
		return;
	if (c->dev_ok)
		ma_device_uninit(&c->dev);
	if (c->ctx_ok)
		ma_context_uninit(&c->ctx);
	free(c);
}
