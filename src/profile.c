/*
 * profile.c — built-in hardware profiles: typical machines as struct tacit_system, so
 * `tacit models --profile NAME` and the fit tests can score hardware nobody here owns.
 * Figures are published specs (RAM, GPU memory and bandwidth); "available" memory is a
 * machine in ordinary use (a browser and the meeting app open), stated per profile.
 */
#include "internal.h"

#define GIB_U (1024ull * 1024 * 1024)
#define GIB_F(x) ((uint64_t)((x) * (double)GIB_U))

struct profile {
	const char *name;
	const char *description;
	const char *cpu;
	int cores, threads;
	double ram_gib, avail_gib;
	double cpu_gbs;          /* triad-like CPU bandwidth */
	enum tacit_device_type gpu_type; /* TACIT_DEVICE_CPU = no GPU */
	const char *gpu_name, *gpu_desc;
	double gpu_total_gib, gpu_free_gib, gpu_gbs;
	bool unified;
	enum tacit_power power;
};

/* Apple GPUs: Metal reports recommendedMaxWorkingSetSize (about 2/3 of RAM up to 36 GB,
 * 3/4 above) as the device's memory. */
static const struct profile profiles[] = {
	{ "m1-8gb", "MacBook Air M1, 8 GB unified memory", "Apple M1", 8, 8, 8, 5.5, 60, TACIT_DEVICE_GPU, "MTL0",
	  "Apple M1", 5.36, 5.36, 68, true, TACIT_POWER_BATTERY },
	{ "m3-air-16gb", "MacBook Air M3, 16 GB unified memory", "Apple M3", 8, 8, 16, 11, 90, TACIT_DEVICE_GPU, "MTL0",
	  "Apple M3", 10.7, 10.7, 100, true, TACIT_POWER_BATTERY },
	{ "m3-pro-36gb", "MacBook Pro M3 Pro, 36 GB unified memory", "Apple M3 Pro", 12, 12, 36, 28, 120,
	  TACIT_DEVICE_GPU, "MTL0", "Apple M3 Pro", 24.1, 24.1, 150, true, TACIT_POWER_AC },
	{ "m5-max-128gb", "MacBook Pro M5 Max, 128 GB unified memory", "Apple M5 Max", 18, 18, 128, 110, 450,
	  TACIT_DEVICE_GPU, "MTL0", "Apple M5 Max", 96, 96, 614, true, TACIT_POWER_AC },
	{ "iphone-15-pro", "iPhone 15 Pro, 8 GB (about 5 GB for one app)", "Apple A17 Pro", 6, 6, 8, 5, 40,
	  TACIT_DEVICE_GPU, "MTL0", "Apple A17 Pro GPU", 5.36, 5.36, 51.2, true, TACIT_POWER_BATTERY },
	{ "rtx4060-8gb", "desktop, GeForce RTX 4060 8 GB, 32 GB RAM", "AMD Ryzen 7 7700", 8, 16, 32, 24, 60,
	  TACIT_DEVICE_GPU, "CUDA0", "NVIDIA GeForce RTX 4060", 8, 7.6, 272, false, TACIT_POWER_AC },
	{ "rtx4080-16gb", "desktop, GeForce RTX 4080 16 GB, 32 GB RAM", "AMD Ryzen 7 7700", 8, 16, 32, 24, 60,
	  TACIT_DEVICE_GPU, "CUDA0", "NVIDIA GeForce RTX 4080", 16, 15.4, 717, false, TACIT_POWER_AC },
	{ "intel-igpu-16gb", "laptop, Intel Core Ultra 7 with Arc iGPU, 16 GB", "Intel(R) Core(TM) Ultra 7 155H", 16, 22,
	  16, 10, 60, TACIT_DEVICE_IGPU, "Vulkan0", "Intel(R) Arc(TM) Graphics", 8, 8, 90, true, TACIT_POWER_BATTERY },
	{ "cpu-2core-24gb", "2-core CPU-only box, 24 GB (a small server or CI runner)", "Intel Xeon (2 vCPU)", 2, 2, 24,
	  20, 15, TACIT_DEVICE_CPU, NULL, NULL, 0, 0, 0, false, TACIT_POWER_AC },
};

size_t tacit_profile_count(void)
{
	return ARRAY_SIZE(profiles);
}

const char *tacit_profile_name(size_t i)
{
	return i < ARRAY_SIZE(profiles) ? profiles[i].name : NULL;
}

const char *tacit_profile_description(size_t i)
{
	return i < ARRAY_SIZE(profiles) ? profiles[i].description : NULL;
}

enum tacit_status tacit_profile_get(const char *name, struct tacit_system *out)
{
	if (!name || !out)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_profile_get: name or out is NULL");
	const struct profile *p = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		if (!strcmp(profiles[i].name, name))
			p = &profiles[i];
	if (!p) {
		struct buf names;
		buf_init(&names);
		for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
			buf_addf(&names, "%s%s", i ? ", " : "", profiles[i].name);
		enum tacit_status st = tacit_fail(TACIT_ERR_NOT_FOUND, "unknown hardware profile '%s' (known: %s)", name,
						  names.data);
		buf_release(&names);
		return st;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->cpu_model, sizeof(out->cpu_model), "%s", p->cpu);
	out->n_cores_physical = p->cores;
	out->n_cores_logical = p->threads;
	out->n_cores_usable = p->threads;
	out->ram_total = GIB_F(p->ram_gib);
	out->ram_available = GIB_F(p->avail_gib);
	out->cpu_bandwidth_gbs = p->cpu_gbs;
	out->unified_memory = p->unified;
	out->power = p->power;
	out->battery_percent = p->power == TACIT_POWER_BATTERY ? 80 : -1;
	struct tacit_device *d = &out->devices[out->n_devices++];
	snprintf(d->name, sizeof(d->name), "CPU");
	snprintf(d->description, sizeof(d->description), "%s", p->cpu);
	d->type = TACIT_DEVICE_CPU;
	d->mem_total = out->ram_total;
	d->mem_free = out->ram_available;
	if (p->gpu_type != TACIT_DEVICE_CPU) {
		d = &out->devices[out->n_devices++];
		snprintf(d->name, sizeof(d->name), "%s", p->gpu_name);
		snprintf(d->description, sizeof(d->description), "%s", p->gpu_desc);
		d->type = p->gpu_type;
		d->mem_total = GIB_F(p->gpu_total_gib);
		d->mem_free = GIB_F(p->gpu_free_gib);
		d->bandwidth_gbs = p->gpu_gbs;
	}
	snprintf(out->machine_id, sizeof(out->machine_id), "profile");
	return TACIT_OK;
}
