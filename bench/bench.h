/*
 * bench.h — what every benchmark prints: one JSON line per figure with its reference
 * measured in the same run, so results are ratios on the same machine, never absolute
 * claims carried from elsewhere. bench/run collects the lines into bench/results/.
 */
#ifndef TACIT_BENCH_H
#define TACIT_BENCH_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tacit.h>

/* The model worker built beside the benchmark (build/bench/X -> build/tacit-worker),
 * unless $TACIT_WORKER names another. */
static inline void bench_use_built_worker(void)
{
	char self[PATH_MAX], worker[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || getenv("TACIT_WORKER"))
		return;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash) {
		*slash = '\0';
		snprintf(worker, sizeof(worker), "%s/../tacit-worker", self);
		setenv("TACIT_WORKER", worker, 1);
	}
}

/* Removes a benchmark's temporary TACIT_HOME (made with mkdtemp). */
static inline void bench_remove_home(const char *home, const char *name)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	if (system(cmd) != 0)
		fprintf(stderr, "bench %s: cannot remove %s\n", name, home);
}

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Threads for a benchmark: $TACIT_BENCH_THREADS when set, else the cores this process
 * may use (the probe's n_cores_usable: affinity mask and cgroup quota), as tacit itself
 * uses by default. */
static inline int bench_threads(void)
{
	const char *env = getenv("TACIT_BENCH_THREADS");
	if (env && atoi(env) > 0)
		return atoi(env);
	struct tacit_system s;
	struct tacit_probe_params p = tacit_probe_default_params();
	p.bandwidth = 0;
	p.devices = false;
	if (tacit_system_probe(&p, &s) == TACIT_OK && s.n_cores_usable > 0)
		return s.n_cores_usable;
	return 1;
}

/* ratio = value / reference; higher_is_better says which way is good for the reader. */
static inline void bench_emit(const char *name, double value, const char *unit, const char *ref_name,
			      double ref_value, int higher_is_better, const char *note)
{
	struct tacit_system s;
	struct tacit_probe_params p = tacit_probe_default_params();
	p.bandwidth = 0;
	p.devices = false;
	const char *machine = "unknown";
	char desc[256];
	if (tacit_system_probe(&p, &s) == TACIT_OK) {
		snprintf(desc, sizeof(desc), "%s, %d cores, %.0f GiB", s.cpu_model, s.n_cores_usable,
			 (double)s.ram_total / (double)(1ull << 30));
		machine = desc;
	}
	printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"reference\":\"%s\",\"reference_value\":%.6g,"
	       "\"ratio\":%.4f,\"higher_is_better\":%s,\"machine\":\"%s\",\"note\":\"%s\"}\n",
	       name, value, unit, ref_name, ref_value, ref_value > 0 ? value / ref_value : 0.0,
	       higher_is_better ? "true" : "false", machine, note ? note : "");
	fflush(stdout);
}

#endif
