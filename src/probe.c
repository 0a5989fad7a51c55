/*
 * probe.c — what this machine has: CPU, cores, SIMD, memory (honouring cgroup v1 and v2
 * limits), swap and power source, read from /proc and /sys under a sysroot prefix so the
 * parsing is tested on fake trees. Devices (ggml) and bandwidth live in their own modules.
 * Missing files mean "none", never an error: containers and VMs hide much of /sys.
 */
#include "internal.h"

#include "probe.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <sched.h>
#include <unistd.h>

#define PROBE_FILE_MAX (1u << 20)

static void path_join(struct buf *b, const char *root, const char *rel)
{
	buf_reset(b);
	buf_addf(b, "%s%s", root, rel);
}

static bool read_file_at(const char *root, const char *rel, struct buf *out)
{
	struct buf path;
	buf_init(&path);
	path_join(&path, root, rel);
	buf_reset(out);
	bool ok = !path.failed && read_small_file(path.data, out, PROBE_FILE_MAX);
	buf_release(&path);
	return ok;
}

/* The value after "key:" on the first line starting with key, trimmed, into out. */
static bool field_value(const char *text, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) != 0)
			continue;
		const char *p = line + klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len >= n)
			len = n - 1;
		memcpy(out, p, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n) {
		bool start = p == list || isspace((unsigned char)p[-1]);
		bool end = p[n] == '\0' || isspace((unsigned char)p[n]);
		if (start && end)
			return true;
	}
	return false;
}

static const struct {
	const char *flag;
	unsigned bit;
} simd_flags[] = {
	{ "sse4_2", TACIT_SIMD_SSE42 },
	{ "avx", TACIT_SIMD_AVX },
	{ "avx2", TACIT_SIMD_AVX2 },
	{ "fma", TACIT_SIMD_FMA },
	{ "f16c", TACIT_SIMD_F16C },
	{ "avx512f", TACIT_SIMD_AVX512F },
	{ "avx512bw", TACIT_SIMD_AVX512BW },
	{ "avx512vl", TACIT_SIMD_AVX512VL },
	{ "avx512_vnni", TACIT_SIMD_AVX512_VNNI },
	{ "avx512_bf16", TACIT_SIMD_AVX512_BF16 },
	{ "avx_vnni", TACIT_SIMD_AVX_VNNI },
	{ "amx_tile", TACIT_SIMD_AMX_TILE },
	{ "amx_int8", TACIT_SIMD_AMX_INT8 },
	{ "amx_bf16", TACIT_SIMD_AMX_BF16 },
	/* arm64 "Features" words */
	{ "asimd", TACIT_SIMD_NEON },
	{ "asimddp", TACIT_SIMD_DOTPROD },
	{ "i8mm", TACIT_SIMD_I8MM },
	{ "sve", TACIT_SIMD_SVE },
	{ "sve2", TACIT_SIMD_SVE2 },
	{ "sme", TACIT_SIMD_SME },
};

const char *tacit_simd_name(unsigned bit)
{
	static const char *const names[] = {
		"sse4.2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
		"avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16", "neon", "dotprod", "i8mm",
		"sve", "sve2", "sme",
	};
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}

/* Counts processors, distinct (physical id, core id) pairs, the model name and flags. */
static void parse_cpuinfo(const char *text, struct tacit_system *s)
{
	char value[4096];
	int n_proc = 0, n_pairs = 0;
	struct {
		int pkg, core;
	} pairs[1024];
	int pkg = -1, core = -1;

	if (field_value(text, "model name", value, sizeof(value)) ||
	    field_value(text, "Model", value, sizeof(value)) ||
	    field_value(text, "Hardware", value, sizeof(value)))
		snprintf(s->cpu_model, sizeof(s->cpu_model), "%s", value);
	if (field_value(text, "flags", value, sizeof(value)) ||
	    field_value(text, "Features", value, sizeof(value)))
		for (size_t i = 0; i < ARRAY_SIZE(simd_flags); i++)
			if (has_word(value, simd_flags[i].flag))
				s->simd |= simd_flags[i].bit;

	/* One record per logical CPU; "core id" follows "physical id" within a record. */
	const char *line = text;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len >= 9 && strncmp(line, "processor", 9) == 0 && (line[9] == '\t' || line[9] == ' ' || line[9] == ':')) {
			n_proc++;
			pkg = core = -1;
		} else if (len > 11 && strncmp(line, "physical id", 11) == 0) {
			const char *c = memchr(line, ':', len);
			pkg = c ? atoi(c + 1) : -1;
		} else if (len > 7 && strncmp(line, "core id", 7) == 0) {
			const char *c = memchr(line, ':', len);
			core = c ? atoi(c + 1) : -1;
			bool seen = false;
			for (int i = 0; i < n_pairs; i++)
				if (pairs[i].pkg == pkg && pairs[i].core == core)
					seen = true;
			if (!seen && n_pairs < (int)ARRAY_SIZE(pairs)) {
				pairs[n_pairs].pkg = pkg;
				pairs[n_pairs].core = core;
				n_pairs++;
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (n_proc > 0)
		s->n_cores_logical = n_proc;
	/* arm64 and many VMs give no core ids: then every logical CPU is a core. */
	s->n_cores_physical = n_pairs > 0 ? n_pairs : s->n_cores_logical;
}

static uint64_t meminfo_kib(const char *text, const char *key)
{
	char value[64];
	if (!field_value(text, key, value, sizeof(value)))
		return 0;
	return strtoull(value, NULL, 10) * 1024u;
}

/* "max" or a byte count; v1 reports "no limit" as a huge page-rounded number. */
static uint64_t parse_limit(const char *text)
{
	if (strncmp(text, "max", 3) == 0)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || v >= (1ull << 62))
		return 0;
	return v;
}

/* The cgroup directory of this process for one hierarchy: the path from /proc/self/cgroup
 * under the mount point, or the mount point itself when the namespace hides the path. */
static void cgroup_dir(const char *root, const char *mount, const char *cgpath, struct buf *out)
{
	struct buf probe;
	buf_init(&probe);
	buf_reset(out);
	buf_addf(out, "%s%s%s", root, mount, strcmp(cgpath, "/") == 0 ? "" : cgpath);
	buf_addf(&probe, "%s/cgroup.procs", out->data);
	if (access(probe.data, F_OK) != 0) {
		buf_reset(out);
		buf_addf(out, "%s%s", root, mount);
	}
	buf_release(&probe);
}

/* Walks from dir up to the mount point, keeping the tightest limit and the free room
 * under it (limit - usage at the level that sets it). */
static void cgroup_walk(const char *dir, size_t stop_len, const char *limit_file, const char *usage_file,
			uint64_t *limit, uint64_t *room)
{
	struct buf path, text;
	buf_init(&path);
	buf_init(&text);
	buf_adds(&path, dir);
	for (;;) {
		size_t base = path.len;
		buf_addf(&path, "/%s", limit_file);
		buf_reset(&text);
		uint64_t lim = read_small_file(path.data, &text, 256) ? parse_limit(text.data) : 0;
		path.len = base;
		path.data[base] = '\0';
		if (lim && (!*limit || lim < *limit)) {
			*limit = lim;
			buf_addf(&path, "/%s", usage_file);
			buf_reset(&text);
			uint64_t used = read_small_file(path.data, &text, 256) ? strtoull(text.data, NULL, 10) : 0;
			path.len = base;
			path.data[base] = '\0';
			*room = used < lim ? lim - used : 0;
		}
		char *slash = strrchr(path.data, '/');
		if (!slash || (size_t)(slash - path.data) < stop_len || path.len <= stop_len)
			break;
		*slash = '\0';
		path.len = (size_t)(slash - path.data);
	}
	buf_release(&path);
	buf_release(&text);
}

static void probe_cgroup(const char *root, struct tacit_system *s, double *cpu_quota)
{
	struct buf text, dir, mount;
	buf_init(&text);
	buf_init(&dir);
	buf_init(&mount);
	uint64_t limit = 0, room = 0;
	*cpu_quota = 0;

	if (!read_file_at(root, "/proc/self/cgroup", &text))
		goto out;
	for (char *line = text.data; line && *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		/* "0::/path" (v2) or "4:memory:/path" (v1) */
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2) {
			*c2 = '\0';
			const char *ctrl = c1 + 1, *cgpath = c2 + 1;
			if (*ctrl == '\0') {
				cgroup_dir(root, "/sys/fs/cgroup", cgpath, &dir);
				buf_reset(&mount);
				buf_addf(&mount, "%s/sys/fs/cgroup", root);
				cgroup_walk(dir.data, mount.len, "memory.max", "memory.current", &limit, &room);
				buf_adds(&dir, "/cpu.max");
				struct buf q;
				buf_init(&q);
				long long quota, period;
				if (read_small_file(dir.data, &q, 256) && sscanf(q.data, "%lld %lld", &quota, &period) == 2 &&
				    quota > 0 && period > 0)
					*cpu_quota = (double)quota / (double)period;
				buf_release(&q);
			} else if (has_word(ctrl, "memory") || strstr(ctrl, "memory")) {
				cgroup_dir(root, "/sys/fs/cgroup/memory", cgpath, &dir);
				buf_reset(&mount);
				buf_addf(&mount, "%s/sys/fs/cgroup/memory", root);
				cgroup_walk(dir.data, mount.len, "memory.limit_in_bytes", "memory.usage_in_bytes", &limit, &room);
			}
		}
		line = end ? end + 1 : NULL;
	}
out:
	/* A limit above physical RAM limits nothing. */
	if (limit && s->ram_total && limit >= s->ram_total)
		limit = 0;
	s->cgroup_limit = limit;
	if (limit && room < s->ram_available)
		s->ram_available = room;
	buf_release(&text);
	buf_release(&dir);
	buf_release(&mount);
}

static void probe_power(const char *root, struct tacit_system *s)
{
	struct buf path, text;
	buf_init(&path);
	buf_init(&text);
	bool mains_online = false, have_mains = false, have_battery = false, discharging = false;
	s->battery_percent = -1;
	s->battery_charging = false;

	buf_addf(&path, "%s/sys/class/power_supply", root);
	DIR *d = opendir(path.data);
	if (!d) {
		s->power = TACIT_POWER_AC; /* no power supply class: desktop, server or VM */
		goto out;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char rel[512];
		snprintf(rel, sizeof(rel), "/sys/class/power_supply/%s/type", e->d_name);
		if (!read_file_at(root, rel, &text))
			continue;
		if (strncmp(text.data, "Mains", 5) == 0 || strncmp(text.data, "USB", 3) == 0) {
			have_mains = true;
			snprintf(rel, sizeof(rel), "/sys/class/power_supply/%s/online", e->d_name);
			if (read_file_at(root, rel, &text) && atoi(text.data) == 1)
				mains_online = true;
		} else if (strncmp(text.data, "Battery", 7) == 0) {
			snprintf(rel, sizeof(rel), "/sys/class/power_supply/%s/scope", e->d_name);
			if (read_file_at(root, rel, &text) && strncmp(text.data, "Device", 6) == 0)
				continue; /* a mouse or headset battery, not the machine's */
			have_battery = true;
			snprintf(rel, sizeof(rel), "/sys/class/power_supply/%s/capacity", e->d_name);
			if (read_file_at(root, rel, &text)) {
				int pct = atoi(text.data);
				s->battery_percent = pct < 0 ? 0 : pct > 100 ? 100 : pct;
			}
			snprintf(rel, sizeof(rel), "/sys/class/power_supply/%s/status", e->d_name);
			if (read_file_at(root, rel, &text)) {
				if (strncmp(text.data, "Discharging", 11) == 0)
					discharging = true;
				else if (strncmp(text.data, "Charging", 8) == 0)
					s->battery_charging = true;
			}
		}
	}
	closedir(d);
	if (!have_battery)
		s->power = TACIT_POWER_AC;
	else if (mains_online && !discharging)
		s->power = TACIT_POWER_AC;
	else if (discharging || (have_mains && !mains_online))
		s->power = TACIT_POWER_BATTERY;
	else
		s->power = TACIT_POWER_UNKNOWN;
out:
	buf_release(&path);
	buf_release(&text);
}

static int usable_cores(const struct tacit_system *s, double quota, bool real_root)
{
	int n = s->n_cores_logical > 0 ? s->n_cores_logical : 1;
	if (real_root) {
		cpu_set_t set;
		if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0 && CPU_COUNT(&set) < n)
			n = CPU_COUNT(&set);
	}
	if (quota > 0) {
		int q = (int)(quota + 0.999);
		if (q < 1)
			q = 1;
		if (q < n)
			n = q;
	}
	return n;
}

static void machine_id(struct tacit_system *s)
{
	/* FNV-1a over what makes a bandwidth figure comparable. */
	uint64_t h = 0xcbf29ce484222325ull;
	char key[256];
	snprintf(key, sizeof(key), "%s|%d|%d|%" PRIu64, s->cpu_model, s->n_cores_logical, s->n_cores_usable,
		 s->ram_total >> 28);
	for (const char *p = key; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ull;
	}
	snprintf(s->machine_id, sizeof(s->machine_id), "%016" PRIx64, h);
}

enum tacit_status probe_host(const char *sysroot, struct tacit_system *s)
{
	const char *root = sysroot && strcmp(sysroot, "/") != 0 ? sysroot : "";
	struct buf text;
	enum tacit_status st = TACIT_OK;
	double quota = 0;

	buf_init(&text);
	if (!read_file_at(root, "/proc/meminfo", &text)) {
		st = tacit_fail_errno(TACIT_ERR_IO, "cannot read '%s/proc/meminfo'", root);
		goto out;
	}
	s->ram_total = meminfo_kib(text.data, "MemTotal");
	s->ram_available = meminfo_kib(text.data, "MemAvailable");
	if (!s->ram_available) /* kernels before 3.14 */
		s->ram_available = meminfo_kib(text.data, "MemFree") + meminfo_kib(text.data, "Cached");
	s->swap_total = meminfo_kib(text.data, "SwapTotal");
	s->swap_free = meminfo_kib(text.data, "SwapFree");

	if (read_file_at(root, "/proc/cpuinfo", &text))
		parse_cpuinfo(text.data, s);
	if (s->n_cores_logical <= 0) {
		long n = root[0] ? 1 : sysconf(_SC_NPROCESSORS_ONLN);
		s->n_cores_logical = n > 0 ? (int)n : 1;
		s->n_cores_physical = s->n_cores_logical;
	}
	if (!s->cpu_model[0])
		snprintf(s->cpu_model, sizeof(s->cpu_model), "unknown CPU");

	probe_cgroup(root, s, &quota);
	s->n_cores_usable = usable_cores(s, quota, root[0] == '\0');
	probe_power(root, s);
	machine_id(s);
out:
	buf_release(&text);
	return st;
}
