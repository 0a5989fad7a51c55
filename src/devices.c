/*
 * devices.c — ggml backend devices (the adapter for ggml-backend.h): what llama.cpp and
 * whisper.cpp could offload to, with free/total memory, plus GPU memory bandwidth from a
 * table by name, since no API reports it. Backends are loaded once per process.
 */
#include "internal.h"

#include "deplog.h"
#include "probe.h"

#include <pthread.h>

#include <ggml-backend.h>

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_backends(void)
{
	deplog_init();
	ggml_backend_load_all();
}

/* Published memory bandwidths, GB/s. Matched by substring of the device description,
 * first match wins, so more specific names come first. */
static const struct {
	const char *name;
	double gbs;
} gpu_bandwidth[] = {
	{ "RTX 5090", 1792 }, { "RTX 5080", 960 },  { "RTX 5070 Ti", 896 }, { "RTX 5070", 672 },
	{ "RTX 5060 Ti", 448 }, { "RTX 5060", 448 }, { "RTX 4090", 1008 }, { "RTX 4080", 717 },
	{ "RTX 4070 Ti", 504 }, { "RTX 4070", 504 }, { "RTX 4060 Ti", 288 }, { "RTX 4060", 272 },
	{ "RTX 3090", 936 },  { "RTX 3080", 760 },  { "RTX 3070", 448 },  { "RTX 3060", 360 },
	{ "H200", 4800 },     { "H100", 3350 },     { "A100", 2039 },     { "L40S", 864 },
	{ "L4", 300 },        { "T4", 320 },        { "RX 7900 XTX", 960 }, { "RX 7900 XT", 800 },
	{ "RX 7800 XT", 624 }, { "RX 7600", 288 },  { "Arc A770", 560 },  { "Arc B580", 456 },
	{ "Apple M1 Ultra", 800 }, { "Apple M1 Max", 400 }, { "Apple M1 Pro", 200 }, { "Apple M1", 68 },
	{ "Apple M2 Ultra", 800 }, { "Apple M2 Max", 400 }, { "Apple M2 Pro", 200 }, { "Apple M2", 100 },
	{ "Apple M3 Ultra", 819 }, { "Apple M3 Max", 400 }, { "Apple M3 Pro", 150 }, { "Apple M3", 100 },
	{ "Apple M4 Max", 546 }, { "Apple M4 Pro", 273 }, { "Apple M4", 120 },
	{ "Apple M5 Max", 614 }, { "Apple M5 Pro", 307 }, { "Apple M5", 153 },
};

void devices_load(void)
{
	pthread_once(&load_once, load_backends);
}

double devices_gpu_bandwidth(const char *description)
{
	for (size_t i = 0; i < ARRAY_SIZE(gpu_bandwidth); i++)
		if (strstr(description, gpu_bandwidth[i].name))
			return gpu_bandwidth[i].gbs;
	return 0;
}

void devices_probe(struct tacit_system *s)
{
	pthread_once(&load_once, load_backends);
	size_t n = ggml_backend_dev_count();
	for (size_t i = 0; i < n && s->n_devices < TACIT_MAX_DEVICES; i++) {
		ggml_backend_dev_t dev = ggml_backend_dev_get(i);
		struct tacit_device *d = &s->devices[s->n_devices];
		size_t free_b = 0, total_b = 0;
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", ggml_backend_dev_name(dev));
		snprintf(d->description, sizeof(d->description), "%s", ggml_backend_dev_description(dev));
		switch (ggml_backend_dev_type(dev)) {
		case GGML_BACKEND_DEVICE_TYPE_CPU:
			d->type = TACIT_DEVICE_CPU;
			break;
		case GGML_BACKEND_DEVICE_TYPE_GPU:
			d->type = TACIT_DEVICE_GPU;
			break;
		case GGML_BACKEND_DEVICE_TYPE_IGPU:
			d->type = TACIT_DEVICE_IGPU;
			s->unified_memory = true;
			break;
		default:
			d->type = TACIT_DEVICE_ACCEL;
			break;
		}
		ggml_backend_dev_memory(dev, &free_b, &total_b);
		d->mem_free = free_b;
		d->mem_total = total_b;
		if (d->type == TACIT_DEVICE_GPU || d->type == TACIT_DEVICE_IGPU)
			d->bandwidth_gbs = devices_gpu_bandwidth(d->description);
		/* Apple's GPUs report as GPU but share memory with the CPU. */
		if (strstr(d->description, "Apple") && d->type != TACIT_DEVICE_CPU)
			s->unified_memory = true;
		s->n_devices++;
	}
}
