/*
 * system.c — tacit_system_probe(): joins host facts, ggml devices and measured bandwidth
 * into one struct tacit_system, and renders it as JSON for `tacit system --json`.
 */
#include "internal.h"

#include "probe.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <yyjson.h>

static atomic_uint n_probes_run; /* system_probes_run() */

struct tacit_probe_params tacit_probe_default_params(void)
{
	struct tacit_probe_params p = {
		.sysroot = NULL,
		.bandwidth = 1,
		.devices = true,
	};
	return p;
}

enum tacit_status tacit_system_probe(const struct tacit_probe_params *params, struct tacit_system *out)
{
	struct tacit_probe_params p = params ? *params : tacit_probe_default_params();
	enum tacit_status st;

	if (!out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_system_probe: out is NULL");
	if (p.bandwidth < 0 || p.bandwidth > 2)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_system_probe: bandwidth mode %d is not 0, 1 or 2", p.bandwidth);
	atomic_fetch_add(&n_probes_run, 1);
	memset(out, 0, sizeof(*out));
	st = probe_host(p.sysroot, out);
	if (st != TACIT_OK)
		return st;
	if (p.devices)
		devices_probe(out);
	if (p.bandwidth)
		bandwidth_probe(out, p.bandwidth);
	return TACIT_OK;
}

/* One kept answer per (bandwidth mode 0..2, devices on/off). */
static struct {
	struct tacit_system sys;
	int64_t at_ms; /* monotonic; 0 = none kept */
} kept[3][2];
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum tacit_status system_probe_recent(const struct tacit_probe_params *params, struct tacit_system *out)
{
	struct tacit_probe_params p = params ? *params : tacit_probe_default_params();
	if (p.sysroot || p.bandwidth < 0 || p.bandwidth > 2 || !out)
		return tacit_system_probe(&p, out);
	int b = p.bandwidth, d = p.devices;
	int64_t now = monotonic_ms();
	pthread_mutex_lock(&kept_mu);
	bool fresh = kept[b][d].at_ms && now - kept[b][d].at_ms < SYSTEM_PROBE_KEEP_MS;
	if (fresh)
		*out = kept[b][d].sys;
	pthread_mutex_unlock(&kept_mu);
	if (fresh)
		return TACIT_OK;
	enum tacit_status st = tacit_system_probe(&p, out);
	pthread_mutex_lock(&kept_mu);
	if (st == TACIT_OK) {
		kept[b][d].sys = *out;
		kept[b][d].at_ms = now ? now : 1;
	}
	pthread_mutex_unlock(&kept_mu);
	return st;
}

unsigned system_probes_run(void)
{
	return atomic_load(&n_probes_run);
}

static const char *device_type_str(enum tacit_device_type t)
{
	switch (t) {
	case TACIT_DEVICE_CPU:
		return "cpu";
	case TACIT_DEVICE_GPU:
		return "gpu";
	case TACIT_DEVICE_IGPU:
		return "igpu";
	case TACIT_DEVICE_ACCEL:
		return "accel";
	}
	return "unknown";
}

static const char *power_str(enum tacit_power p)
{
	return p == TACIT_POWER_AC ? "ac" : p == TACIT_POWER_BATTERY ? "battery" : "unknown";
}

char *tacit_system_json(const struct tacit_system *s)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	if (!doc)
		return NULL;
	yyjson_mut_val *root = yyjson_mut_obj(doc);
	yyjson_mut_doc_set_root(doc, root);

	yyjson_mut_val *cpu = yyjson_mut_obj_add_obj(doc, root, "cpu");
	yyjson_mut_obj_add_str(doc, cpu, "model", s->cpu_model);
	yyjson_mut_obj_add_int(doc, cpu, "cores_physical", s->n_cores_physical);
	yyjson_mut_obj_add_int(doc, cpu, "cores_logical", s->n_cores_logical);
	yyjson_mut_obj_add_int(doc, cpu, "cores_usable", s->n_cores_usable);
	yyjson_mut_val *simd = yyjson_mut_obj_add_arr(doc, cpu, "simd");
	for (unsigned i = 0; i < 32; i++)
		if ((s->simd & (1u << i)) && tacit_simd_name(1u << i))
			yyjson_mut_arr_add_str(doc, simd, tacit_simd_name(1u << i));

	yyjson_mut_val *mem = yyjson_mut_obj_add_obj(doc, root, "memory");
	yyjson_mut_obj_add_uint(doc, mem, "ram_total", s->ram_total);
	yyjson_mut_obj_add_uint(doc, mem, "ram_available", s->ram_available);
	if (s->cgroup_limit)
		yyjson_mut_obj_add_uint(doc, mem, "cgroup_limit", s->cgroup_limit);
	else
		yyjson_mut_obj_add_null(doc, mem, "cgroup_limit");
	yyjson_mut_obj_add_uint(doc, mem, "swap_total", s->swap_total);
	yyjson_mut_obj_add_uint(doc, mem, "swap_free", s->swap_free);
	yyjson_mut_obj_add_bool(doc, mem, "unified", s->unified_memory);
	if (s->cpu_bandwidth_gbs > 0)
		yyjson_mut_obj_add_real(doc, mem, "cpu_bandwidth_gbs", s->cpu_bandwidth_gbs);
	else
		yyjson_mut_obj_add_null(doc, mem, "cpu_bandwidth_gbs");
	yyjson_mut_obj_add_bool(doc, mem, "bandwidth_from_cache", s->bandwidth_from_cache);

	yyjson_mut_val *devs = yyjson_mut_obj_add_arr(doc, root, "devices");
	for (int i = 0; i < s->n_devices; i++) {
		const struct tacit_device *d = &s->devices[i];
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, devs);
		yyjson_mut_obj_add_str(doc, o, "name", d->name);
		yyjson_mut_obj_add_str(doc, o, "description", d->description);
		yyjson_mut_obj_add_str(doc, o, "type", device_type_str(d->type));
		yyjson_mut_obj_add_uint(doc, o, "mem_total", d->mem_total);
		yyjson_mut_obj_add_uint(doc, o, "mem_free", d->mem_free);
		if (d->bandwidth_gbs > 0)
			yyjson_mut_obj_add_real(doc, o, "bandwidth_gbs", d->bandwidth_gbs);
		else
			yyjson_mut_obj_add_null(doc, o, "bandwidth_gbs");
	}

	yyjson_mut_val *pw = yyjson_mut_obj_add_obj(doc, root, "power");
	yyjson_mut_obj_add_str(doc, pw, "source", power_str(s->power));
	if (s->battery_percent >= 0)
		yyjson_mut_obj_add_int(doc, pw, "battery_percent", s->battery_percent);
	else
		yyjson_mut_obj_add_null(doc, pw, "battery_percent");
	yyjson_mut_obj_add_bool(doc, pw, "charging", s->battery_charging);

	yyjson_mut_obj_add_str(doc, root, "machine_id", s->machine_id);

	char *json = yyjson_mut_write(doc, YYJSON_WRITE_PRETTY_TWO_SPACES, NULL);
	yyjson_mut_doc_free(doc);
	return json;
}
