/*
 * bandwidth.c — the probe's measured memory bandwidth (the figure CPU token rates are
 * estimated from) against glibc's memcpy on the same buffers in the same run.
 */
#include "../src/probe.h"
#include "bench.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct tacit_system s;
	struct tacit_probe_params p = tacit_probe_default_params();
	p.bandwidth = 0;
	p.devices = false;
	if (tacit_system_probe(&p, &s) != TACIT_OK)
		return 1;
	double triad = bandwidth_measure(s.n_cores_usable, (size_t)128 << 20);

	/* reference: one thread of memcpy over 256 MiB, counting read + write */
	size_t n = (size_t)256 << 20;
	char *a = malloc(n), *b = malloc(n);
	if (!a || !b)
		return 1;
	memset(a, 1, n);
	memset(b, 2, n);
	double best = 0;
	for (int i = 0; i < 6; i++) {
		double t0 = bench_now();
		memcpy(i & 1 ? a : b, i & 1 ? b : a, n);
		double dt = bench_now() - t0;
		if (dt > 0 && 2.0 * (double)n / dt / 1e9 > best)
			best = 2.0 * (double)n / dt / 1e9;
	}
	free(a);
	free(b);
	char note[128];
	snprintf(note, sizeof(note), "triad on %d threads, 3x128 MiB, 4 KiB pages; reference: 1-thread memcpy",
		 s.n_cores_usable);
	bench_emit("probe.cpu_bandwidth", triad, "GB/s", "memcpy 1 thread", best, 1, note);
	return 0;
}
