/*
 * cmd_system.c — `tacit system [--json] [--measure] [--sysroot DIR]`: the hardware the
 * fit scorer sees. --measure re-measures memory bandwidth instead of using the cache.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: tacit system [--json] [--measure] [--no-bandwidth] [--sysroot DIR]\n"
	"  --json          print every field as JSON\n"
	"  --measure       measure memory bandwidth again instead of using the cached figure\n"
	"  --no-bandwidth  skip the bandwidth figure\n"
	"  --sysroot DIR   read /proc and /sys under DIR (for tests)\n";

int cmd_system(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },      { "measure", no_argument, NULL, 'm' },
		{ "no-bandwidth", no_argument, NULL, 'n' }, { "sysroot", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },      { 0, 0, 0, 0 },
	};
	struct tacit_probe_params p = tacit_probe_default_params();
	struct tacit_system s;
	bool json = false;
	int c;
	char b1[32], b2[32];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'm':
			p.bandwidth = 2;
			break;
		case 'n':
			p.bandwidth = 0;
			break;
		case 's':
			p.sysroot = optarg;
			p.devices = false; /* a fake tree has no GPUs to ask ggml about */
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("system", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("system", "unexpected argument '%s'", argv[optind]);

	enum tacit_status st = tacit_system_probe(&p, &s);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (json) {
		char *text = tacit_system_json(&s);
		if (!text)
			return cli_fail(TACIT_ERR_NOMEM);
		printf("%s\n", text);
		tacit_free(text);
		return 0;
	}
	printf("CPU        %s\n", s.cpu_model);
	printf("Cores      %d physical, %d logical, %d usable\n", s.n_cores_physical, s.n_cores_logical,
	       s.n_cores_usable);
	printf("SIMD      ");
	for (unsigned i = 0; i < 32; i++)
		if ((s.simd & (1u << i)) && tacit_simd_name(1u << i))
			printf(" %s", tacit_simd_name(1u << i));
	printf("%s\n", s.simd ? "" : " none detected");
	printf("Memory     %s total, %s available", cli_bytes(s.ram_total, b1, sizeof(b1)),
	       cli_bytes(s.ram_available, b2, sizeof(b2)));
	if (s.cgroup_limit)
		printf(" (cgroup limit %s)", cli_bytes(s.cgroup_limit, b1, sizeof(b1)));
	printf("\n");
	if (s.swap_total)
		printf("Swap       %s total, %s free\n", cli_bytes(s.swap_total, b1, sizeof(b1)),
		       cli_bytes(s.swap_free, b2, sizeof(b2)));
	else
		printf("Swap       none\n");
	if (s.cpu_bandwidth_gbs > 0)
		printf("Bandwidth  %.1f GB/s CPU memory (triad, %d threads%s)\n", s.cpu_bandwidth_gbs, s.n_cores_usable,
		       s.bandwidth_from_cache ? ", cached" : ", measured now");
	for (int i = 0; i < s.n_devices; i++) {
		const struct tacit_device *d = &s.devices[i];
		printf("Device     %-8s %s, %s free of %s", d->name, d->description,
		       cli_bytes(d->mem_free, b1, sizeof(b1)), cli_bytes(d->mem_total, b2, sizeof(b2)));
		if (d->bandwidth_gbs > 0)
			printf(", %.0f GB/s", d->bandwidth_gbs);
		printf("\n");
	}
	if (s.n_devices && s.n_devices == 1 && s.devices[0].type == TACIT_DEVICE_CPU)
		printf("           no GPU: models run on the CPU\n");
	if (s.unified_memory)
		printf("           unified memory: the GPU shares RAM with the CPU\n");
	printf("Power      %s", s.power == TACIT_POWER_AC ? "AC" : s.power == TACIT_POWER_BATTERY ? "battery" : "unknown");
	if (s.battery_percent >= 0)
		printf(", battery %d%%%s", s.battery_percent, s.battery_charging ? " (charging)" : "");
	printf("\n");
	return 0;
}
