/*
 * probe.h — the parts of the machine probe: host facts from /proc and /sys, ggml backend
 * devices, and measured memory bandwidth. tacit_system_probe() (system.c) joins them.
 */
#ifndef TACIT_PROBE_H
#define TACIT_PROBE_H

#include "internal.h"

/* CPU, memory, cgroup limits, power, machine id; files are read under sysroot. */
enum tacit_status probe_host(const char *sysroot, struct tacit_system *s);

/* Appends every ggml backend device (CPU included) to s->devices; sets unified_memory. */
/* Loads the ggml backends once per process; whisper and llama need them before init. */
void devices_load(void);
void devices_probe(struct tacit_system *s);

/* Memory bandwidth of a known GPU, by the device's description; 0 when unknown. */
double devices_gpu_bandwidth(const char *description);

/* A STREAM-style triad over arrays far larger than any cache, on n_threads threads;
 * returns GB/s (1e9 bytes, STREAM's 24 bytes per element) or 0 on failure. */
double bandwidth_measure(int n_threads, size_t bytes_per_array);

/* The cached figure for machine_id, or measures (mode 2 always measures) and caches it. */
void bandwidth_probe(struct tacit_system *s, int mode);

#endif
