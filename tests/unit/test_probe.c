/*
 * test_probe.c — the machine probe on fake /proc, /sys and cgroup trees: cgroup v1 and v2
 * limits smaller than RAM, nested limits, no swap, battery present and absent, hybrid
 * cores, arm64 feature words, and a missing /proc/meminfo; devices are listed and the
 * VAD runs in the worker, and the caller never loads a ggml backend module.
 */
#include "internal.h"

#include "probe.h"

#include "../check.h"

#include <sys/wait.h>
#include <unistd.h>

static const char cpuinfo_x86[] =
	"processor\t: 0\nmodel name\t: AMD EPYC 9B14\nphysical id\t: 0\ncore id\t\t: 0\n"
	"flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16\n\n"
	"processor\t: 1\nmodel name\t: AMD EPYC 9B14\nphysical id\t: 0\ncore id\t\t: 0\n"
	"flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16\n\n"
	"processor\t: 2\nmodel name\t: AMD EPYC 9B14\nphysical id\t: 0\ncore id\t\t: 1\n"
	"flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16\n\n"
	"processor\t: 3\nmodel name\t: AMD EPYC 9B14\nphysical id\t: 0\ncore id\t\t: 1\n"
	"flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f avx512bw avx512vl avx512_vnni avx512_bf16\n\n";

static const char meminfo_24g[] = "MemTotal:       24000000 kB\nMemFree:        20000000 kB\n"
				  "MemAvailable:   22000000 kB\nSwapTotal:      0 kB\nSwapFree:       0 kB\n";

static void put(const char *root, const char *rel, const char *text)
{
	test_write_file(root, rel, text, strlen(text));
}

static struct tacit_system probe_root(const char *root)
{
	struct tacit_system s;
	memset(&s, 0xAB, sizeof(s));
	struct tacit_probe_params p = tacit_probe_default_params();
	p.sysroot = root;
	p.bandwidth = 0;
	p.devices = false;
	CHECK_EQ_INT(tacit_system_probe(&p, &s), TACIT_OK);
	return s;
}

TEST(probe_x86_no_swap_no_battery)
{
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo", cpuinfo_x86);
	put(root, "proc/meminfo", meminfo_24g);
	put(root, "proc/self/cgroup", "0::/\n");
	struct tacit_system s = probe_root(root);
	CHECK_STR(s.cpu_model, "AMD EPYC 9B14");
	CHECK_EQ_INT(s.n_cores_logical, 4);
	CHECK_EQ_INT(s.n_cores_physical, 2);
	CHECK_EQ_INT(s.n_cores_usable, 4);
	CHECK(s.simd & TACIT_SIMD_AVX2);
	CHECK(s.simd & TACIT_SIMD_AVX512F);
	CHECK(s.simd & TACIT_SIMD_AVX512_VNNI);
	CHECK(!(s.simd & TACIT_SIMD_AMX_TILE));
	CHECK(!(s.simd & TACIT_SIMD_AVX_VNNI)); /* "avx512_vnni" must not match "avx_vnni" */
	CHECK(!(s.simd & TACIT_SIMD_NEON));
	CHECK(s.ram_total == 24000000ull * 1024);
	CHECK(s.ram_available == 22000000ull * 1024);
	CHECK(s.swap_total == 0 && s.swap_free == 0);
	CHECK(s.cgroup_limit == 0);
	CHECK_EQ_INT(s.power, TACIT_POWER_AC);
	CHECK_EQ_INT(s.battery_percent, -1);
	CHECK_EQ_INT(s.n_devices, 0);
	CHECK(strlen(s.machine_id) == 16);
}

TEST(probe_cgroup_v2_limit_below_ram)
{
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo", cpuinfo_x86);
	put(root, "proc/meminfo", meminfo_24g);
	put(root, "proc/self/cgroup", "0::/app.slice/tacit.scope\n");
	put(root, "sys/fs/cgroup/cgroup.procs", "");
	put(root, "sys/fs/cgroup/app.slice/cgroup.procs", "");
	put(root, "sys/fs/cgroup/app.slice/memory.max", "8589934592\n"); /* 8 GiB at the parent */
	put(root, "sys/fs/cgroup/app.slice/memory.current", "1073741824\n");
	put(root, "sys/fs/cgroup/app.slice/tacit.scope/cgroup.procs", "1\n");
	put(root, "sys/fs/cgroup/app.slice/tacit.scope/memory.max", "max\n");
	put(root, "sys/fs/cgroup/app.slice/tacit.scope/memory.current", "4096\n");
	put(root, "sys/fs/cgroup/app.slice/tacit.scope/cpu.max", "150000 100000\n");
	struct tacit_system s = probe_root(root);
	CHECK(s.cgroup_limit == 8589934592ull);
	CHECK(s.ram_available == 8589934592ull - 1073741824ull); /* room under the limit */
	CHECK_EQ_INT(s.n_cores_usable, 2);                       /* 1.5 CPUs rounds up */
}

TEST(probe_cgroup_v2_namespaced_root)
{
	/* Inside a cgroup namespace the path in /proc/self/cgroup does not exist under the
	 * mount: the mount point itself is this process's cgroup. */
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo", cpuinfo_x86);
	put(root, "proc/meminfo", meminfo_24g);
	put(root, "proc/self/cgroup", "0::/../../elsewhere\n");
	put(root, "sys/fs/cgroup/cgroup.procs", "1\n");
	put(root, "sys/fs/cgroup/memory.max", "4294967296\n");
	put(root, "sys/fs/cgroup/memory.current", "0\n");
	struct tacit_system s = probe_root(root);
	CHECK(s.cgroup_limit == 4294967296ull);
	CHECK(s.ram_available == 4294967296ull);
}

TEST(probe_cgroup_v1_and_unlimited)
{
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo", cpuinfo_x86);
	put(root, "proc/meminfo", meminfo_24g);
	put(root, "proc/self/cgroup", "4:memory:/job\n1:cpu:/\n0::/\n");
	put(root, "sys/fs/cgroup/memory/cgroup.procs", "");
	put(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put(root, "sys/fs/cgroup/memory/job/cgroup.procs", "1\n");
	put(root, "sys/fs/cgroup/memory/job/memory.limit_in_bytes", "2147483648\n");
	put(root, "sys/fs/cgroup/memory/job/memory.usage_in_bytes", "536870912\n");
	struct tacit_system s = probe_root(root);
	CHECK(s.cgroup_limit == 2147483648ull);
	CHECK(s.ram_available == 2147483648ull - 536870912ull);

	/* the v1 "no limit" value, and a limit above RAM, limit nothing */
	put(root, "sys/fs/cgroup/memory/job/memory.limit_in_bytes", "9223372036854771712\n");
	s = probe_root(root);
	CHECK(s.cgroup_limit == 0);
	put(root, "sys/fs/cgroup/memory/job/memory.limit_in_bytes", "99999999999999\n");
	s = probe_root(root);
	CHECK(s.cgroup_limit == 0);
	CHECK(s.ram_available == 22000000ull * 1024);
}

TEST(probe_battery_discharging_and_charging)
{
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo", cpuinfo_x86);
	put(root, "proc/meminfo", "MemTotal: 16000000 kB\nMemAvailable: 8000000 kB\nSwapTotal: 2097152 kB\nSwapFree: 1048576 kB\n");
	put(root, "sys/class/power_supply/AC/type", "Mains\n");
	put(root, "sys/class/power_supply/AC/online", "0\n");
	put(root, "sys/class/power_supply/BAT0/type", "Battery\n");
	put(root, "sys/class/power_supply/BAT0/capacity", "42\n");
	put(root, "sys/class/power_supply/BAT0/status", "Discharging\n");
	put(root, "sys/class/power_supply/hidpp_battery_0/type", "Battery\n"); /* a mouse */
	put(root, "sys/class/power_supply/hidpp_battery_0/scope", "Device\n");
	put(root, "sys/class/power_supply/hidpp_battery_0/capacity", "5\n");
	struct tacit_system s = probe_root(root);
	CHECK_EQ_INT(s.power, TACIT_POWER_BATTERY);
	CHECK_EQ_INT(s.battery_percent, 42);
	CHECK(!s.battery_charging);
	CHECK(s.swap_total == 2097152ull * 1024 && s.swap_free == 1048576ull * 1024);

	put(root, "sys/class/power_supply/AC/online", "1\n");
	put(root, "sys/class/power_supply/BAT0/status", "Charging\n");
	s = probe_root(root);
	CHECK_EQ_INT(s.power, TACIT_POWER_AC);
	CHECK(s.battery_charging);
}

TEST(probe_arm64_features)
{
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo",
	    "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes asimddp sve i8mm\n\n"
	    "processor\t: 1\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes asimddp sve i8mm\n\n");
	put(root, "proc/meminfo", meminfo_24g);
	struct tacit_system s = probe_root(root);
	CHECK_EQ_INT(s.n_cores_logical, 2);
	CHECK_EQ_INT(s.n_cores_physical, 2);
	CHECK(s.simd & TACIT_SIMD_NEON);
	CHECK(s.simd & TACIT_SIMD_DOTPROD);
	CHECK(s.simd & TACIT_SIMD_SVE);
	CHECK(!(s.simd & TACIT_SIMD_SVE2));
	CHECK(!(s.simd & TACIT_SIMD_AVX));
	CHECK_STR(s.cpu_model, "unknown CPU");
}

TEST(probe_missing_meminfo_is_an_error)
{
	const char *root = test_tmpdir();
	struct tacit_system s;
	struct tacit_probe_params p = tacit_probe_default_params();
	p.sysroot = root;
	p.bandwidth = 0;
	p.devices = false;
	CHECK_EQ_INT(tacit_system_probe(&p, &s), TACIT_ERR_IO);
	CHECK(strstr(tacit_errmsg(), "meminfo") != NULL);
	p.bandwidth = 7;
	CHECK_EQ_INT(tacit_system_probe(&p, &s), TACIT_ERR_USAGE);
	CHECK_EQ_INT(tacit_system_probe(&p, NULL), TACIT_ERR_USAGE);
}

TEST(probe_json_has_every_field)
{
	const char *root = test_tmpdir();
	put(root, "proc/cpuinfo", cpuinfo_x86);
	put(root, "proc/meminfo", meminfo_24g);
	struct tacit_system s = probe_root(root);
	char *json = tacit_system_json(&s);
	CHECK(json != NULL);
	static const char *const keys[] = { "\"cpu\"", "\"model\"", "\"cores_physical\"", "\"cores_logical\"",
					    "\"cores_usable\"", "\"simd\"", "\"ram_total\"", "\"ram_available\"",
					    "\"cgroup_limit\"", "\"swap_total\"", "\"swap_free\"", "\"unified\"",
					    "\"cpu_bandwidth_gbs\"", "\"devices\"", "\"power\"", "\"source\"",
					    "\"battery_percent\"", "\"machine_id\"" };
	for (size_t i = 0; json && i < ARRAY_SIZE(keys); i++)
		CHECK(strstr(json, keys[i]) != NULL);
	tacit_free(json);
}

TEST(probe_real_machine)
{
	struct tacit_system s;
	struct tacit_probe_params p = tacit_probe_default_params();
	p.bandwidth = 0;
	CHECK_EQ_INT(tacit_system_probe(&p, &s), TACIT_OK);
	CHECK(s.n_cores_logical >= 1 && s.n_cores_usable >= 1 && s.n_cores_usable <= s.n_cores_logical);
	CHECK(s.ram_total > 0 && s.ram_available > 0 && s.ram_available <= s.ram_total);
	CHECK(s.n_devices >= 1);
	CHECK(s.n_devices >= 1 && s.devices[0].type == TACIT_DEVICE_CPU);
}

TEST(bandwidth_triad_measures_something)
{
	/* Small arrays (they may sit in cache), so the bounds are physics, not this
	 * machine: any CPU since the 1990s streams more than 0.5 GB/s, even under a
	 * sanitizer, and no cache reaches 10 TB/s. A figure outside means a broken timer,
	 * byte count or thread team. */
	double gbs = bandwidth_measure(2, 4u << 20);
	if (gbs <= 0.5 || gbs >= 10000)
		fprintf(stderr, "  measured %.3f GB/s\n", gbs);
	CHECK(gbs > 0.5);
	CHECK(gbs < 10000);
}

TEST(gpu_bandwidth_table)
{
	CHECK(devices_gpu_bandwidth("NVIDIA GeForce RTX 4060 Laptop GPU") == 272);
	CHECK(devices_gpu_bandwidth("NVIDIA GeForce RTX 4060 Ti") == 288);
	CHECK(devices_gpu_bandwidth("Apple M3 Pro") == 150);
	CHECK(devices_gpu_bandwidth("Apple M3") == 100);
	CHECK(devices_gpu_bandwidth("Mystery GPU") == 0);
}

/* Run in a fresh process by devices_come_from_the_worker (earlier tests in this process
 * load backends on purpose: the engines the unit tests call directly). */
TEST_MODEL(devices_child_probe)
{
	if (!getenv("TACIT_TEST_DEVICES_CHILD"))
		SKIP("runs in the child of devices_come_from_the_worker");
	struct tacit_system s;
	struct tacit_probe_params p = tacit_probe_default_params();
	p.bandwidth = 0;
	CHECK_EQ_INT(tacit_system_probe(&p, &s), TACIT_OK);
	CHECK(devices_from_worker());
	CHECK(s.n_devices >= 1 && s.devices[0].type == TACIT_DEVICE_CPU && s.devices[0].mem_total > 0);
	/* the VAD too runs in a worker: speech found in jfk.wav, and with no worker to be
	 * found, no answer (it did not quietly run in this process) */
	static const char vad[] = "../shared/models/ggml-silero-v6.2.0.bin";
	struct tacit_audio a;
	if (access(vad, R_OK) == 0 && tacit_audio_load("../shared/audio/jfk.wav", NULL, &a) == TACIT_OK) {
		struct tacit_span *spans = NULL;
		size_t n = 0;
		CHECK_EQ_INT(tacit_vad_detect(vad, NULL, a.samples, a.n_frames, &spans, &n), TACIT_OK);
		CHECK(n >= 1 && spans && spans[0].end_ms > spans[0].start_ms);
		tacit_free(spans);
		const char *was = getenv("TACIT_WORKER");
		char keep[4096];
		snprintf(keep, sizeof(keep), "%s", was ? was : "");
		setenv("TACIT_WORKER", "/nonexistent/tacit-worker", 1);
		CHECK_EQ_INT(tacit_vad_detect(vad, NULL, a.samples, a.n_frames, &spans, &n), TACIT_ERR_WORKER);
		CHECK(n == 0 && !spans);
		if (was)
			setenv("TACIT_WORKER", keep, 1);
		else
			unsetenv("TACIT_WORKER");
		tacit_audio_release(&a);
	} else {
		fprintf(stderr, "  ../shared VAD model or jfk.wav absent: the VAD is not checked\n");
	}
	/* ggml's backends are modules (libggml-cpu-haswell.so, libggml-cuda.so): none here */
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	int n_backends = 0;
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "libggml-") && !strstr(line, "libggml-base"))
			n_backends++, fprintf(stderr, "  loaded in the caller: %s", line);
	if (f)
		fclose(f);
	CHECK_EQ_INT(n_backends, 0);
}

TEST_MODEL(devices_come_from_the_worker)
{
	pid_t pid = fork();
	if (pid == 0) {
		setenv("TACIT_TEST_DEVICES_CHILD", "1", 1);
		execl("/proc/self/exe", "unit-tests", "devices_child_probe", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
