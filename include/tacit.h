/*
 * tacit.h — the public interface of libtacit, a meeting assistant that runs entirely on
 * the user's machine. This header is the manual: every function says what it does, who
 * owns what it returns, which threads may call it, and how it fails.
 *
 * Conventions
 *  - Every fallible function returns enum tacit_status; on failure the calling thread's
 *    tacit_errmsg() says what failed and, when known, what the user can do about it.
 *  - Parameters structs come from *_default_params() by value; change what you need.
 *  - Strings returned as `char *` are owned by the caller and freed with tacit_free().
 *  - Nothing in this library opens a network socket, except the model downloader.
 */
#ifndef TACIT_H
#define TACIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TACIT_API __attribute__((visibility("default")))
#else
#define TACIT_API
#endif

#define TACIT_VERSION "0.1.0"

/* ---------------------------------------------------------------------------------
 * Status codes. Append only: values are stable across releases and the CLI maps each
 * to its own exit code (see tacit_status_exit_code()).
 * --------------------------------------------------------------------------------- */
enum tacit_status {
	TACIT_OK = 0,
	TACIT_ERR_USAGE = 1,       /* bad argument from the caller */
	TACIT_ERR_NOMEM = 2,       /* an allocation failed */
	TACIT_ERR_IO = 3,          /* a file could not be read or written */
	TACIT_ERR_FORMAT = 4,      /* input is malformed (GGUF, audio, JSON, ...) */
	TACIT_ERR_NOT_FOUND = 5,   /* no such model, session, file */
	TACIT_ERR_UNSUPPORTED = 6, /* valid input tacit cannot handle */
	TACIT_ERR_CANCELLED = 7,   /* stopped by the caller's cancellation flag */
	TACIT_ERR_NO_FIT = 8,      /* the model does not fit this machine's memory */
	TACIT_ERR_NETWORK = 9,     /* a download failed */
	TACIT_ERR_DB = 10,         /* the session store failed */
	TACIT_ERR_MODEL = 11,      /* a model failed to load */
	TACIT_ERR_LLM = 12,        /* llama.cpp failed while computing */
	TACIT_ERR_ASR = 13,        /* whisper.cpp failed while computing */
	TACIT_ERR_WORKER = 14,     /* the worker process crashed or was killed */
	TACIT_ERR_CONTEXT_FULL = 15, /* the prompt does not fit the model's context */
	TACIT_ERR_INTEGRITY = 16,  /* a checksum or integrity check failed */
	TACIT_ERR_NO_SPACE = 17,   /* not enough free disk */
	TACIT_ERR_INTERNAL = 18,   /* a bug in tacit: please report it */
};

/* A short constant name for a status ("io error"). Never NULL. */
TACIT_API const char *tacit_status_str(enum tacit_status status);

/* The process exit code the tacit command uses for a status: 0 for TACIT_OK, 2 for
 * TACIT_ERR_USAGE, and 10 + status for every other failure, so scripts can tell
 * "model missing" from "out of memory" from "cancelled". */
TACIT_API int tacit_status_exit_code(enum tacit_status status);

/* The message of the last failure on the calling thread ("cannot open 'x.gguf': No such
 * file or directory"). Owned by the library, valid until the thread's next tacit call.
 * Empty string when there was no failure. Thread-safe: each thread has its own. */
TACIT_API const char *tacit_errmsg(void);

/* Frees a string or buffer the library handed over. Accepts NULL. */
TACIT_API void tacit_free(void *ptr);

/* ---------------------------------------------------------------------------------
 * Logging. The library never writes to stdout or stderr by itself: it hands lines to
 * the sink the application installs. Without a sink, lines are dropped. llama.cpp,
 * whisper.cpp and ggml messages are routed to the same sink at TACIT_LOG_DEBUG.
 * --------------------------------------------------------------------------------- */
enum tacit_log_level {
	TACIT_LOG_ERROR = 0,
	TACIT_LOG_WARN = 1,
	TACIT_LOG_INFO = 2,
	TACIT_LOG_DEBUG = 3,
};

typedef void (*tacit_log_fn)(enum tacit_log_level level, const char *line, void *user);

/* Installs the sink and the most verbose level it receives. Call before other threads
 * use the library; pass NULL to drop everything. */
TACIT_API void tacit_log_set(tacit_log_fn fn, void *user, enum tacit_log_level max_level);

/* ---------------------------------------------------------------------------------
 * Versions
 * --------------------------------------------------------------------------------- */
struct tacit_versions {
	const char *tacit;   /* TACIT_VERSION */
	const char *llama;   /* llama.cpp's llama_version() */
	const char *whisper; /* whisper.cpp's whisper_version() */
	const char *ggml;    /* ggml_version() and, when known, its commit */
	const char *sqlite;  /* sqlite3_libversion() */
};

/* Versions of tacit and of the libraries it runs on. Static strings; thread-safe. */
TACIT_API struct tacit_versions tacit_versions(void);

/* ---------------------------------------------------------------------------------
 * Where tacit keeps things. TACIT_HOME, when set, holds everything (data/, cache/,
 * config/ beneath it). Otherwise the XDG base directories are used:
 *   data   $XDG_DATA_HOME/tacit   (~/.local/share/tacit): models, sessions, audio
 *   cache  $XDG_CACHE_HOME/tacit  (~/.cache/tacit): measured bandwidth, KV states
 *   config $XDG_CONFIG_HOME/tacit (~/.config/tacit): per-device settings
 * --------------------------------------------------------------------------------- */
enum tacit_dir {
	TACIT_DIR_DATA = 0,
	TACIT_DIR_CACHE = 1,
	TACIT_DIR_CONFIG = 2,
};

/* The directory's path, created (mode 0700) if missing. Caller frees with tacit_free().
 * Fails with TACIT_ERR_IO when it cannot be created. */
TACIT_API enum tacit_status tacit_dir_path(enum tacit_dir dir, char **out_path);

/* ---------------------------------------------------------------------------------
 * The machine: what the fit scorer scores models against.
 * --------------------------------------------------------------------------------- */
enum tacit_simd {
	TACIT_SIMD_SSE42 = 1u << 0,
	TACIT_SIMD_AVX = 1u << 1,
	TACIT_SIMD_AVX2 = 1u << 2,
	TACIT_SIMD_FMA = 1u << 3,
	TACIT_SIMD_F16C = 1u << 4,
	TACIT_SIMD_AVX512F = 1u << 5,
	TACIT_SIMD_AVX512BW = 1u << 6,
	TACIT_SIMD_AVX512VL = 1u << 7,
	TACIT_SIMD_AVX512_VNNI = 1u << 8,
	TACIT_SIMD_AVX512_BF16 = 1u << 9,
	TACIT_SIMD_AVX_VNNI = 1u << 10,
	TACIT_SIMD_AMX_TILE = 1u << 11,
	TACIT_SIMD_AMX_INT8 = 1u << 12,
	TACIT_SIMD_AMX_BF16 = 1u << 13,
	TACIT_SIMD_NEON = 1u << 14,
	TACIT_SIMD_DOTPROD = 1u << 15,
	TACIT_SIMD_I8MM = 1u << 16,
	TACIT_SIMD_SVE = 1u << 17,
	TACIT_SIMD_SVE2 = 1u << 18,
	TACIT_SIMD_SME = 1u << 19,
};

/* The name of one TACIT_SIMD_* bit ("avx512_vnni"), or NULL for an unknown bit. */
TACIT_API const char *tacit_simd_name(unsigned bit);

enum tacit_device_type {
	TACIT_DEVICE_CPU = 0,
	TACIT_DEVICE_GPU = 1,   /* discrete GPU with its own memory */
	TACIT_DEVICE_IGPU = 2,  /* integrated GPU sharing system memory */
	TACIT_DEVICE_ACCEL = 3, /* other accelerator (BLAS, NPU) */
};

enum tacit_power {
	TACIT_POWER_UNKNOWN = 0,
	TACIT_POWER_AC = 1,      /* on mains, or no battery at all (desktop, server, VM) */
	TACIT_POWER_BATTERY = 2, /* running from a battery */
};

#define TACIT_MAX_DEVICES 8

struct tacit_device {
	char name[64];          /* ggml backend device name ("CPU", "CUDA0", "Vulkan0") */
	char description[128];  /* human name ("NVIDIA GeForce RTX 4060") */
	enum tacit_device_type type;
	uint64_t mem_total;     /* bytes; for the CPU device, system RAM */
	uint64_t mem_free;      /* bytes */
	double bandwidth_gbs;   /* memory bandwidth from tacit's table by name; 0 = unknown */
};

struct tacit_system {
	char cpu_model[128];
	int n_cores_physical;   /* physical cores (hyper-threads not counted) */
	int n_cores_logical;    /* online logical CPUs */
	int n_cores_usable;     /* this process may use: affinity mask and cgroup cpu quota */
	unsigned simd;          /* TACIT_SIMD_* bits */

	uint64_t ram_total;     /* bytes, MemTotal */
	uint64_t ram_available; /* bytes, MemAvailable capped by the cgroup's free room */
	uint64_t cgroup_limit;  /* bytes, the tightest cgroup memory limit; 0 = none */
	uint64_t swap_total;
	uint64_t swap_free;

	int n_devices;
	struct tacit_device devices[TACIT_MAX_DEVICES];
	bool unified_memory;    /* an integrated GPU shares RAM with the CPU */

	double cpu_bandwidth_gbs; /* measured triad bandwidth, all usable cores; 0 = not measured */
	bool bandwidth_from_cache;

	enum tacit_power power;
	int battery_percent;    /* 0..100, or -1 without a battery */
	bool battery_charging;

	char machine_id[17];    /* hex hash of CPU model, cores and RAM: keys cached measurements */
};

struct tacit_probe_params {
	const char *sysroot;    /* read /proc and /sys under this prefix (tests); NULL = "/" */
	int bandwidth;          /* 0 = skip, 1 = from cache or measure once, 2 = measure now */
	bool devices;           /* enumerate ggml backend devices (loads ggml backends) */
};

TACIT_API struct tacit_probe_params tacit_probe_default_params(void);

/* Probes the machine into *out. Missing files (no swap, no battery, no cgroup limit) are
 * not errors: the fields take their "none" values. Fails with TACIT_ERR_IO only when
 * /proc/meminfo cannot be read. Measuring bandwidth takes about half a second and is
 * then cached in the cache dir under the machine id. Thread-safe. */
TACIT_API enum tacit_status tacit_system_probe(const struct tacit_probe_params *params,
					       struct tacit_system *out);

/* The probe as a JSON object (every field, sizes in bytes). Caller frees with tacit_free().
 * Returns NULL only when out of memory. */
TACIT_API char *tacit_system_json(const struct tacit_system *sys);

/* ---------------------------------------------------------------------------------
 * Model downloads. This is the only code in tacit that opens a network connection, and
 * it runs only when asked for a model (libcurl over HTTPS; http_proxy, https_proxy and
 * no_proxy are honoured as curl does).
 *
 * A download writes DEST.partial and, beside it, DEST.partial.json (the URL, the
 * server's ETag / Last-Modified and the bytes done). A later call for the same URL
 * resumes it with Range + If-Range, and accepts only a 206 whose Content-Range starts
 * exactly where the partial file ends; a 200, a changed ETag or any other answer restarts
 * from byte 0. DEST itself appears only after the whole file verified: the sha256 is
 * checked, the file fsync'd, renamed onto DEST and the directory fsync'd. A model file
 * under its final name is therefore always complete and verified.
 *
 * TACIT_MODEL_MIRROR=BASE (for air-gapped organisations) replaces the scheme and host of
 * every URL: https://huggingface.co/org/repo/resolve/main/f.gguf is fetched from
 * BASE/org/repo/resolve/main/f.gguf. Nothing else about the download changes.
 * --------------------------------------------------------------------------------- */

/* Called from inside tacit_download() on the calling thread, at most about ten times a
 * second and once more when the file is complete. bytes_total is 0 while unknown;
 * bytes_per_s is the recent transfer rate (0 until measured). */
typedef void (*tacit_download_progress_fn)(uint64_t bytes_done, uint64_t bytes_total, double bytes_per_s,
					   void *user);

struct tacit_download_params {
	const char *url;             /* http:// or https:// */
	const char *dest;            /* final path; its directory must exist */
	uint64_t expected_bytes;     /* exact size, 0 = unknown; a server offering another
					size fails with TACIT_ERR_INTEGRITY before any transfer */
	const char *expected_sha256; /* 64 hex digits, or NULL: then the digest the server
					announces (Digest, Repr-Digest or x-linked-etag) is
					checked if there is one, and the result is recorded in
					DEST.sha256 either way */
	tacit_download_progress_fn progress; /* NULL = none */
	void *progress_user;
	const volatile int *cancel;  /* non-zero stops the download (from any thread or a
					signal handler); NULL = never */
	int connect_timeout_s;       /* 15: give up connecting after this long */
	int stall_timeout_s;         /* 60: a transfer below 1 KiB/s this long has stalled */
	int max_retries;             /* 5: transient failures in a row before giving up */
	int retry_delay_ms;          /* 1000: first backoff; doubles, capped at 30 s */
	bool use_mirror;             /* true: honour TACIT_MODEL_MIRROR */
};

TACIT_API struct tacit_download_params tacit_download_default_params(void);

/* Downloads params->url to params->dest, resuming a partial download of the same URL.
 * Checks free space first: the whole file plus 5 %, less what the partial file holds.
 * When DEST already exists and matches expected_sha256 (or DEST.sha256), returns at once
 * without touching the network. Retries transient failures (connection reset or
 * dropped, stalls, timeouts, 5xx, 408, 429) with exponential backoff; the count starts
 * again whenever a try made progress. 4xx answers are not retried.
 * On success *out_sha256 (when out_sha256 is not NULL) is the file's sha256 in lowercase
 * hex; caller frees with tacit_free().
 * Errors, each with a message naming the URL, host or path:
 *  TACIT_ERR_NETWORK    host unreachable or unresolvable (offline: the message names
 *                       the host and suggests TACIT_MODEL_MIRROR or 'tacit add'), an
 *                       HTTP error, a stall or retries used up; the partial is kept
 *  TACIT_ERR_CANCELLED  *cancel became non-zero; the partial is kept for resuming
 *  TACIT_ERR_NO_SPACE   not enough free space (checked first), or a write failed with
 *                       ENOSPC, EDQUOT or EFBIG; the partial is kept, DEST untouched
 *  TACIT_ERR_INTEGRITY  the sha256 or size does not match; the partial and its sidecar
 *                       are deleted (the bytes are wrong, resuming them cannot help)
 *  TACIT_ERR_IO         a local file cannot be written, or another process is
 *                       downloading the same DEST
 *  TACIT_ERR_USAGE      no url or dest, or expected_sha256 is not 64 hex digits
 * Thread-safe for different dests; the same dest is locked against a second download. */
TACIT_API enum tacit_status tacit_download(const struct tacit_download_params *params, char **out_sha256);

/* The URL tacit_download() would fetch for url: mapped onto TACIT_MODEL_MIRROR when that
 * is set, else a copy. Caller frees with tacit_free(). TACIT_ERR_USAGE when the mirror is
 * set and url has no scheme://host. Thread-safe. */
TACIT_API enum tacit_status tacit_download_url(const char *url, char **out_url);

/* Deletes DEST, DEST.partial, DEST.partial.json and DEST.sha256, whichever exist, and
 * stores the bytes freed in *out_freed (may be NULL). TACIT_ERR_NOT_FOUND when none
 * existed, TACIT_ERR_IO when one could not be deleted. Thread-safe. */
TACIT_API enum tacit_status tacit_download_remove(const char *dest, uint64_t *out_freed);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_H */
