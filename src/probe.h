/*
 * probe.h — the parts of the machine probe: host facts from /proc and /sys, ggml backend
 * devices, and measured memory bandwidth. tacit_system_probe() (system.c) joins them.
 */
#ifndef TACIT_PROBE_H
#define TACIT_PROBE_H

#include "internal.h"

/* CPU, memory, cgroup limits, power, machine id; files are read under sysroot. */
enum tacit_status probe_host(const char *sysroot, struct tacit_system *s);

/* Appends every ggml backend device (CPU included) to s->devices, as tacit-worker lists
 * them (asked once per process); sets unified_memory. When the worker cannot answer: the
 * CPU alone (from s's host facts), and why at debug level. */
void devices_probe(struct tacit_system *s);
/* Whether devices_probe() got its list from the worker (tests). */
bool devices_from_worker(void);

/* Memory bandwidth of a known GPU, by the device's description; 0 when unknown. */
double devices_gpu_bandwidth(const char *description);

/* A STREAM-style triad over arrays far larger than any cache, on n_threads threads;
 * returns GB/s (1e9 bytes, STREAM's 24 bytes per element) or 0 on failure. */
double bandwidth_measure(int n_threads, size_t bytes_per_array);

/* The cached figure for machine_id, or measures (mode 2 always measures) and caches it. */
void bandwidth_probe(struct tacit_system *s, int mode);

/* tacit_system_probe() for resolving models, whose answer is kept for the process a few
 * seconds (SYSTEM_PROBE_KEEP_MS) per kind of probe (bandwidth mode, devices), so that the
 * web app's status, which resolves three models on every call, reads /proc once in a
 * while rather than three times a call. A sysroot is never cached. Thread-safe. */
#define SYSTEM_PROBE_KEEP_MS 5000
enum tacit_status system_probe_recent(const struct tacit_probe_params *params, struct tacit_system *out);
/* How many times this process has probed the machine (tacit_system_probe()), for tests. */
unsigned system_probes_run(void);

#endif
