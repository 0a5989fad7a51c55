/*
 * devices.c — the devices llama.cpp and whisper.cpp could offload to, as tacit_system
 * reports them. tacit-worker lists them (a DEVICES request, worker/devices.c), so a GPU
 * driver that crashes while its backend loads takes down only the worker; the answer is
 * kept for the process's lifetime. GPU memory bandwidth comes from a table by name, since
 * no API reports it. No ggml backend is ever loaded in this process: the worker's engines
 * load them (worker/devices.c).
 */
#include "internal.h"

#include "probe.h"
#include "proto.h"
#include "workerproc.h"

#include <pthread.h>

#include <yyjson.h>

/* How long the worker may take to start and list its devices (ms). */
#define DEVICES_TIMEOUT_MS 30000

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

double devices_gpu_bandwidth(const char *description)
{
	for (size_t i = 0; i < ARRAY_SIZE(gpu_bandwidth); i++)
		if (strstr(description, gpu_bandwidth[i].name))
			return gpu_bandwidth[i].gbs;
	return 0;
}

/* The worker's answer, kept for the process's lifetime (n_listed < 0: not asked yet). */
static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tacit_device listed[TACIT_MAX_DEVICES];
static int n_listed = -1;
static bool from_worker; /* false: the worker could not answer, listed is the CPU alone */

static enum tacit_device_type type_from(const char *t)
{
	if (!t || !strcmp(t, "cpu"))
		return TACIT_DEVICE_CPU;
	if (!strcmp(t, "gpu"))
		return TACIT_DEVICE_GPU;
	if (!strcmp(t, "igpu"))
		return TACIT_DEVICE_IGPU;
	return TACIT_DEVICE_ACCEL;
}

static enum tacit_status parse_list(const char *payload, size_t len)
{
	yyjson_doc *doc = yyjson_read(payload, len, 0);
	yyjson_val *arr = yyjson_obj_get(yyjson_doc_get_root(doc), "devices");
	if (!yyjson_is_arr(arr)) {
		yyjson_doc_free(doc);
		return tacit_fail(TACIT_ERR_WORKER, "the model worker's device list is malformed");
	}
	size_t i, max;
	yyjson_val *o;
	n_listed = 0;
	yyjson_arr_foreach(arr, i, max, o)
	{
		if (n_listed == TACIT_MAX_DEVICES)
			break;
		struct tacit_device *d = &listed[n_listed++];
		const char *name = yyjson_get_str(yyjson_obj_get(o, "name"));
		const char *desc = yyjson_get_str(yyjson_obj_get(o, "description"));
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
		snprintf(d->description, sizeof(d->description), "%s", desc ? desc : "");
		d->type = type_from(yyjson_get_str(yyjson_obj_get(o, "type")));
		d->mem_free = yyjson_get_uint(yyjson_obj_get(o, "mem_free"));
		d->mem_total = yyjson_get_uint(yyjson_obj_get(o, "mem_total"));
	}
	yyjson_doc_free(doc);
	return TACIT_OK;
}

/* Asks a worker of its own for the list (under list_mu). */
static enum tacit_status ask_worker(void)
{
	static const char req[] = "{\"id\":1}";
	struct workerproc w;
	enum tacit_status st;
	unsigned type;
	const char *payload;
	size_t len;

	workerproc_init(&w, "device probe worker", "a ggml backend or GPU driver");
	if ((st = workerproc_spawn(&w)) != TACIT_OK)
		goto out;
	if (!workerproc_send(&w, PROTO_DEVICES, req, sizeof(req) - 1)) {
		st = workerproc_died(&w, false);
		goto out;
	}
	for (;;) {
		int got = workerproc_wait(&w, DEVICES_TIMEOUT_MS, &type, &payload, &len);
		if (got <= 0) {
			st = workerproc_died(&w, got == 0);
			break;
		}
		if (type == PROTO_DEVICE_LIST) {
			st = parse_list(payload, len);
			break;
		}
		if (type == PROTO_ERROR) {
			st = tacit_fail(TACIT_ERR_WORKER, "the model worker cannot list devices (an older tacit-worker?)");
			break;
		}
	}
out:
	workerproc_release(&w);
	return st;
}

/* What tacit reports when the worker cannot list devices: the CPU, as ggml shows it. */
static void cpu_only(const struct tacit_system *s)
{
	struct tacit_device *d = &listed[0];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "CPU");
	snprintf(d->description, sizeof(d->description), "%s", s->cpu_model);
	d->type = TACIT_DEVICE_CPU;
	d->mem_free = s->ram_available;
	d->mem_total = s->ram_total;
	n_listed = 1;
}

void devices_probe(struct tacit_system *s)
{
	pthread_mutex_lock(&list_mu);
	if (n_listed < 0) {
		from_worker = ask_worker() == TACIT_OK;
		if (!from_worker) {
			tacit_log(TACIT_LOG_DEBUG, "devices: %s; reporting the CPU only", tacit_errmsg());
			cpu_only(s);
		}
	}
	for (int i = 0; i < n_listed && s->n_devices < TACIT_MAX_DEVICES; i++) {
		struct tacit_device *d = &s->devices[s->n_devices++];
		*d = listed[i];
		if (d->type == TACIT_DEVICE_IGPU)
			s->unified_memory = true;
		if (d->type == TACIT_DEVICE_GPU || d->type == TACIT_DEVICE_IGPU)
			d->bandwidth_gbs = devices_gpu_bandwidth(d->description);
		/* Apple's GPUs report as GPU but share memory with the CPU. */
		if (strstr(d->description, "Apple") && d->type != TACIT_DEVICE_CPU)
			s->unified_memory = true;
	}
	pthread_mutex_unlock(&list_mu);
}

bool devices_from_worker(void)
{
	pthread_mutex_lock(&list_mu);
	bool yes = n_listed >= 0 && from_worker;
	pthread_mutex_unlock(&list_mu);
	return yes;
}
