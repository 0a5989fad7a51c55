/*
 * test_capture.c — audio capture through miniaudio's null backend (no hardware needed):
 * frames arrive at the asked-for channel count, stop really stops delivery (and loses no
 * device), and bad arguments are refused. Skips when even the null backend cannot be
 * opened. Devices that go away are tested with a real server: capture_pulse.sh.
 */
#include "internal.h"

#include <time.h>

#include "../check.h"

struct got {
	size_t frames;
	int channels;
	bool nonzero;
};

static void on_pcm(const float *pcm, size_t n_frames, int n_channels, void *user)
{
	struct got *g = user;
	for (size_t i = 0; i < n_frames * (size_t)n_channels; i++)
		g->nonzero |= pcm[i] != 0.0f;
	g->channels = n_channels;
	__atomic_add_fetch(&g->frames, n_frames, __ATOMIC_RELAXED);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

TEST(capture_null_backend)
{
	struct tacit_capture_params p = tacit_capture_default_params();
	struct tacit_capture *cap = NULL;
	struct got g = { 0 };

	CHECK_EQ_INT(p.channels, 1);
	CHECK_EQ_INT(tacit_capture_open(&p, NULL, NULL, &cap), TACIT_ERR_USAGE);
	p.channels = 3;
	CHECK_EQ_INT(tacit_capture_open(&p, on_pcm, &g, &cap), TACIT_ERR_USAGE);
	CHECK(cap == NULL);

	p.channels = 2;
	p.null_backend = true;
	if (tacit_capture_open(&p, on_pcm, &g, &cap) != TACIT_OK)
		SKIP("miniaudio's null capture device cannot be opened here");
	CHECK(tacit_capture_device_name(cap) != NULL);
	CHECK_EQ_INT(tacit_capture_start(cap), TACIT_OK);
	/* Wait for audio, however slow the machine: this asserts delivery, not speed. */
	for (int i = 0; i < 1000 && __atomic_load_n(&g.frames, __ATOMIC_RELAXED) < 1600; i++)
		sleep_ms(10);
	CHECK_EQ_INT(tacit_capture_stop(cap), TACIT_OK);
	size_t after_stop = __atomic_load_n(&g.frames, __ATOMIC_RELAXED);
	CHECK(after_stop >= 1600);
	CHECK_EQ_INT(g.channels, 2);
	CHECK(!g.nonzero); /* the null device is silent */
	sleep_ms(100);
	CHECK_EQ_INT(__atomic_load_n(&g.frames, __ATOMIC_RELAXED), after_stop); /* stopped means stopped */
	CHECK_EQ_INT(tacit_capture_stop(cap), TACIT_OK); /* twice is fine */
	CHECK_EQ_INT(tacit_capture_lost(cap), 0);        /* a stop of ours loses nothing */
	tacit_capture_close(cap);
	tacit_capture_close(NULL);
	CHECK_EQ_INT(tacit_capture_lost(NULL), 0);
}

TEST(capture_two_sources_null_backend)
{
	struct tacit_capture_params p = tacit_capture_default_params();
	struct tacit_capture *cap = NULL;
	struct tacit_audio_device *d = NULL;
	size_t n = 0;
	struct got g = { 0 };

	p.null_backend = true;
	if (tacit_capture_devices(&p, &d, &n) != TACIT_OK)
		SKIP("miniaudio's null backend cannot be opened here");
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		found |= !strcmp(d[i].name, "NULL Capture Device");
		CHECK_STR(d[i].backend, "Null");
		CHECK_STR(d[i].id, ""); /* the null backend has no names of its own */
		CHECK(!d[i].loopback);
	}
	CHECK(found);
	tacit_free(d);

	/* by name, a unique part of it, case-blind; no such device */
	p.device = "nope, not a device";
	CHECK_EQ_INT(tacit_capture_open(&p, on_pcm, &g, &cap), TACIT_ERR_NOT_FOUND);
	CHECK(strstr(tacit_errmsg(), "'nope, not a device'") && strstr(tacit_errmsg(), "--list-devices"));
	CHECK(cap == NULL);
	/* the system audio by default: the null backend has no monitor or loopback */
	p.device = "null capture";
	p.system = true;
	CHECK_EQ_INT(tacit_capture_open(&p, on_pcm, &g, &cap), TACIT_ERR_UNSUPPORTED);
	CHECK(strstr(tacit_errmsg(), "--system DEVICE") != NULL);
	CHECK(cap == NULL);

	/* two named sources: one two-channel stream, microphone and system audio paired */
	p.system_device = "NULL Capture Device";
	p.channels = 1; /* two sources make two channels whatever this says */
	CHECK_EQ_INT(tacit_capture_open(&p, on_pcm, &g, &cap), TACIT_OK);
	if (!cap)
		return;
	CHECK(strstr(tacit_capture_device_name(cap), "' + '") != NULL);
	CHECK_EQ_INT(tacit_capture_start(cap), TACIT_OK);
	for (int i = 0; i < 1000 && __atomic_load_n(&g.frames, __ATOMIC_RELAXED) < 1600; i++)
		sleep_ms(10);
	CHECK_EQ_INT(tacit_capture_stop(cap), TACIT_OK);
	size_t after_stop = __atomic_load_n(&g.frames, __ATOMIC_RELAXED);
	CHECK(after_stop >= 1600);
	CHECK_EQ_INT(g.channels, 2);
	CHECK(!g.nonzero);
	sleep_ms(100);
	CHECK_EQ_INT(__atomic_load_n(&g.frames, __ATOMIC_RELAXED), after_stop);
	CHECK_EQ_INT(tacit_capture_lost(cap), 0);
	tacit_capture_close(cap);
}
