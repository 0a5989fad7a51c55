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
 * GGUF inspection. tacit validates every model file with its own strict parser before
 * llama.cpp ever opens it: a regular file only, magic "GGUF", version 2 or 3, bounded
 * counts, string and array lengths, a power-of-two alignment of at most 1 MiB, at most 4
 * dimensions, known tensor types, every tensor's data inside the file (checked
 * arithmetic, no overlaps), tokenizer arrays of the expected element types and special
 * token ids below the vocabulary size. Only the header is read; tensor data never is.
 * --------------------------------------------------------------------------------- */

/* Bytes and counts of the tensors of one ggml type: one entry of the quantization mix. */
struct tacit_gguf_type_stat {
	int type;              /* ggml type number (0 = f32, 1 = f16, 12 = q4_K, ...) */
	const char *type_name; /* ggml's name for it ("q4_K"); static */
	uint64_t n_tensors;
	uint64_t n_elements;
	uint64_t n_bytes;
};

/* What a GGUF file holds. Every string is owned by the info (never NULL; "" when the
 * file lacks it) and valid until tacit_gguf_info_free(). Display strings (architecture,
 * name, tokenizer_*) have control characters and invalid UTF-8 replaced by '?'.
 * Hyper-parameters come from "<architecture>.<key>"; 0 means absent. Where the file gives
 * a per-layer array (hybrid models), the field holds the array's largest value; read
 * each layer's with tacit_gguf_info_get_u64_at(). */
struct tacit_gguf_info {
	uint32_t version;     /* 2 or 3 */
	uint64_t file_size;   /* bytes */
	uint64_t data_offset; /* where tensor data starts */
	uint32_t alignment;   /* of tensor data, general.alignment or 32 */
	uint64_t n_kv;        /* metadata entries */
	uint64_t n_tensors;

	const char *architecture;   /* general.architecture ("llama", "qwen3", "gemma3") */
	const char *name;           /* general.name */
	int file_type;              /* general.file_type (llama_ftype number), -1 when absent */
	const char *file_type_name; /* "Q4_K_M", "F16", ...; "" when absent or unknown */

	uint64_t n_params;       /* elements of all tensors */
	uint64_t n_layers;       /* .block_count */
	uint64_t n_embd;         /* .embedding_length */
	uint64_t n_ff;           /* .feed_forward_length */
	uint64_t n_head;         /* .attention.head_count */
	uint64_t n_head_kv;      /* .attention.head_count_kv, else n_head */
	uint64_t head_dim;       /* .attention.key_length, else n_embd / n_head */
	uint64_t head_dim_v;     /* .attention.value_length, else head_dim */
	uint64_t n_ctx_train;    /* .context_length */
	uint64_t sliding_window; /* .attention.sliding_window; 0 = none */
	uint64_t n_expert;       /* .expert_count; 0 = dense */
	uint64_t n_expert_used;  /* .expert_used_count */

	uint64_t n_vocab;            /* tokenizer.ggml.tokens entries, else .vocab_size */
	const char *tokenizer_model; /* tokenizer.ggml.model ("llama" = SentencePiece, "gpt2" = BPE) */
	const char *tokenizer_pre;   /* tokenizer.ggml.pre */
	bool has_chat_template;      /* tokenizer.chat_template present */
	int64_t bos_token_id;        /* -1 when absent */
	int64_t eos_token_id;        /* -1 when absent */

	uint64_t weight_bytes;      /* data bytes of all tensors (no padding) */
	uint64_t layer_bytes_total; /* of tensors named blk.N.* */
	uint64_t other_bytes;       /* the rest: token_embd, output, final norms */
	uint64_t expert_bytes;      /* of MoE expert tensors (*_exps), also in layer bytes */
	const uint64_t *layer_bytes; /* n_layer_bytes entries: bytes of blk.N.* at [N] */
	size_t n_layer_bytes;        /* highest N + 1; 0 when no tensor is named blk.N.* */

	const struct tacit_gguf_type_stat *types; /* the quantization mix, most bytes first */
	size_t n_types;
	int main_type;              /* the ggml type holding the most bytes of 2-D+ tensors */
	const char *main_type_name; /* its name, "" without tensors */
};

/* Validates and summarises the GGUF file at path into *out (free with
 * tacit_gguf_info_free()). Reads only the header. Errors: TACIT_ERR_NOT_FOUND when it
 * does not exist; TACIT_ERR_IO when it cannot be read or is not a regular file (a
 * directory, FIFO or device); TACIT_ERR_FORMAT when it is malformed ("malformed GGUF
 * 'x': tensor 'blk.3.attn_q.weight' data ends at byte N, past the end of the file (M
 * bytes)") or not GGUF at all; TACIT_ERR_UNSUPPORTED for valid GGUF tacit cannot use
 * (version 1, big-endian, a newer version); TACIT_ERR_NOMEM. Thread-safe. */
TACIT_API enum tacit_status tacit_gguf_inspect(const char *path, struct tacit_gguf_info **out);

/* Frees an info. Accepts NULL. */
TACIT_API void tacit_gguf_info_free(struct tacit_gguf_info *info);

/* The info as a JSON object (every field; sizes in bytes). Caller frees with tacit_free().
 * Returns NULL only when out of memory. */
TACIT_API char *tacit_gguf_info_json(const struct tacit_gguf_info *info);

/* Generic metadata lookups, for architecture-specific keys
 * ("qwen35.full_attention_interval", "gemma3.attention.sliding_window_pattern").
 * get_u64: true when key holds a non-negative integer or a bool (as 0/1).
 * get_f64: true when key holds any number or bool.
 * get_str: the string value (owned by the info; cut at an embedded NUL, bytes otherwise
 *   as in the file), or NULL when absent or not a string.
 * array_len: elements of an array key, 0 when absent or not an array.
 * get_u64_at: element i of a numeric array of at most 65536 elements, with get_u64's
 *   rules (longer arrays, such as tokenizer scores, are counted, not kept).
 * All are read-only: any number of threads may call them on one info. */
TACIT_API bool tacit_gguf_info_get_u64(const struct tacit_gguf_info *info, const char *key, uint64_t *out);
TACIT_API bool tacit_gguf_info_get_f64(const struct tacit_gguf_info *info, const char *key, double *out);
TACIT_API const char *tacit_gguf_info_get_str(const struct tacit_gguf_info *info, const char *key);
TACIT_API size_t tacit_gguf_info_array_len(const struct tacit_gguf_info *info, const char *key);
TACIT_API bool tacit_gguf_info_get_u64_at(const struct tacit_gguf_info *info, const char *key, size_t i,
					  uint64_t *out);

/* ggml's name for a tensor type number ("q4_K"), or NULL for a type tacit does not know.
 * Bytes per block and elements per block come from tacit's own table. */
TACIT_API const char *tacit_gguf_type_name(int type);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_H */
