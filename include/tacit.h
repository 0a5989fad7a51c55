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
 * The model catalog: the models tacit offers, their files and the architecture facts
 * the fit scorer needs. The catalog ships inside the library (data/catalog.json, embedded
 * at build time); TACIT_CATALOG=/path/file.json replaces it (tests, a newer catalog).
 * --------------------------------------------------------------------------------- */
enum tacit_model_kind {
	TACIT_MODEL_LLM = 0, /* a language model run by llama.cpp */
	TACIT_MODEL_ASR = 1, /* a speech recognition model run by whisper.cpp */
	TACIT_MODEL_VAD = 2, /* a voice activity detector */
};

/* What the fit scorer knows about a language model: the facts of its GGUF header, so the
 * same scorer serves catalog entries and custom models described only by their GGUF.
 * Layer counts are the real ones (an MTP/nextn block in block_count is not a layer):
 * llama.cpp caps GPU offload at this count, and every spill computation divides by it.
 * Attention layers are either full (global) or sliding-window; recurrent layers (Gated
 * DeltaNet, Mamba) hold a fixed-size state instead of a KV cache. The three counts add
 * up to n_layers. Full layers are taken to be interleaved evenly, the last of each group
 * (Gemma: S S S S F; Qwen 3.5: L L L F), which decides which shared layers are which. */
struct tacit_model_layout {
	uint64_t weights_bytes;  /* bytes of tensor data; the file size is close enough */
	uint64_t params_total;   /* parameters, embeddings included */
	uint64_t params_active;  /* parameters read per token: MoE active experts, Gemma's
				  * "effective" count (per-layer embeddings are lookups);
				  * 0 = params_total */
	int n_layers;            /* real transformer blocks, 1..1024 */
	int n_embd;              /* hidden size */
	int n_head;              /* query heads */
	int n_vocab;
	int attn_full_layers;    /* layers with full attention over the whole context */
	int n_head_kv;           /* KV heads of a full-attention layer */
	int head_dim;            /* K and V head size of a full-attention layer */
	int attn_swa_layers;     /* sliding-window layers */
	int sliding_window;      /* tokens a sliding layer sees; 0 without sliding layers */
	int swa_n_head_kv;       /* KV heads of a sliding layer */
	int swa_head_dim;        /* K and V head size of a sliding layer */
	int recurrent_layers;    /* layers with a recurrent state and no KV cache */
	uint64_t recurrent_state_bytes_per_layer; /* that state, per sequence */
	int kv_shared_layers;    /* the last N layers reuse an earlier layer's KV cache */
	int n_expert;            /* MoE experts per layer; 0 = dense */
	int n_expert_used;       /* experts routed per token */
};

/* One catalog entry. Strings are never NULL unless said so. Owned by the catalog, valid
 * until tacit_catalog_free(). */
struct tacit_model_info {
	const char *id;          /* stable key ("qwen3.5-9b") */
	const char *name;        /* display name ("Qwen 3.5 9B") */
	const char *family;      /* "qwen3.5", "gemma4", "whisper" */
	const char *arch;        /* GGUF general.architecture ("qwen35"); NULL when none */
	const char *quant;       /* "Q4_K_M"; NULL when not applicable */
	const char *quant_label; /* what the picker shows ("HQ"); NULL when not applicable */
	const char *file_name;   /* file name under the models folder */
	const char *url;         /* where tacit pull fetches it (the first URL) */
	const char *sha256;      /* lowercase hex; NULL when unknown */
	const char *tier;        /* "compact", "standard", "standard-hq", "pro", "max"; or NULL */
	const char *replaced_by; /* id of the successor of an archived entry; or NULL */
	enum tacit_model_kind kind;
	bool archived;           /* kept for existing downloads, not offered any more */
	uint64_t file_bytes;     /* exact size of the file */
	uint64_t published_ram_bytes; /* the app table's "RAM at load" figure; 0 = none */
	int stars;               /* 1..3 quality rating of an LLM (see tacit_stars_for_params());
				  * 0 for other kinds */
	uint32_t n_ctx_train;    /* trained context length; 0 = unknown */
	struct tacit_model_layout layout; /* LLMs only; all zero for other kinds */
};

struct tacit_catalog;

/* Loads the built-in catalog, or the file named by TACIT_CATALOG when set. Every field is
 * checked (types, ranges, layer counts that add up, stars that follow the parameter
 * rule, unique ids); a malformed catalog fails with TACIT_ERR_FORMAT naming the entry
 * and the field. TACIT_ERR_IO when the override cannot be read. The caller frees the
 * catalog with tacit_catalog_free(). Thread-safe; a catalog is immutable, so any number
 * of threads may read one. */
TACIT_API enum tacit_status tacit_catalog_load(struct tacit_catalog **out);

/* The same from JSON text in memory (len bytes, need not be NUL-terminated). */
TACIT_API enum tacit_status tacit_catalog_parse(const char *json, size_t len, struct tacit_catalog **out);

/* Frees a catalog and every string and entry it handed out. Accepts NULL. */
TACIT_API void tacit_catalog_free(struct tacit_catalog *cat);

/* Number of entries, every kind and archived ones included. */
TACIT_API size_t tacit_catalog_count(const struct tacit_catalog *cat);

/* Entry i (0 <= i < count), or NULL past the end. Owned by the catalog. */
TACIT_API const struct tacit_model_info *tacit_catalog_get(const struct tacit_catalog *cat, size_t i);

/* The entry with this id, or NULL. Owned by the catalog. */
TACIT_API const struct tacit_model_info *tacit_catalog_find(const struct tacit_catalog *cat, const char *id);

/* The quality rating for a parameter count: 1 under 7B, 2 for 7B to 12B, 3 above 12B.
 * Quantization never changes it. */
TACIT_API int tacit_stars_for_params(uint64_t params_total);

/* ---------------------------------------------------------------------------------
 * The fit scorer: will this model run on this machine, how well, and how fast. It adds
 * up the memory a model needs (weights, KV cache at the configured context, compute
 * buffers, fixed overhead), sets it against what the machine has (free RAM, free VRAM
 * per GPU, the GPU working-set limit of unified memory), plans how many layers go on the
 * GPU, and estimates decode speed from memory bandwidth. Pure arithmetic: no file, no
 * device, no allocation; thread-safe. The formulas and every threshold are in src/fit.c
 * and docs/fit.md.
 * --------------------------------------------------------------------------------- */
enum tacit_fit_verdict {
	TACIT_FIT_GREAT = 0, /* fits with room to spare */
	TACIT_FIT_TIGHT = 1, /* fits, but little else will */
	TACIT_FIT_NONE = 2,  /* won't fit */
};

/* "Great fit", "Tight fit", "Won't fit". */
TACIT_API const char *tacit_fit_verdict_str(enum tacit_fit_verdict verdict);

enum tacit_kv_type {
	TACIT_KV_F16 = 0,  /* 2 bytes per element, llama.cpp's default */
	TACIT_KV_Q8_0 = 1, /* 34 bytes per 32 elements */
};

struct tacit_fit_params {
	uint32_t n_ctx;    /* context length the model will be loaded with; default 8192:
			    * an hour of meeting transcript is about 10,000 words, and tacit
			    * summarizes in chunks, so 8192 holds a chunk, the instructions
			    * and the answer while keeping the KV cache small */
	uint32_t n_ubatch; /* llama.cpp micro-batch; default 512 (llama.cpp's default) */
	enum tacit_kv_type kv_type; /* default TACIT_KV_F16 */
};

TACIT_API struct tacit_fit_params tacit_fit_default_params(void);

#define TACIT_FIT_REASON_MAX 192

struct tacit_fit {
	enum tacit_fit_verdict verdict;
	bool slow;        /* "+ Slow": part of the model runs on the CPU of a GPU machine, or
			   * it fits unified memory only by pushing other apps out, or (no GPU)
			   * the estimate is below the usability threshold */
	bool recommended; /* the best-quality Great fit that is not slow (one per catalog) */
	bool listed;      /* shown in the picker: fits, and not a catastrophic spill */
	uint64_t mem_weights;  /* bytes */
	uint64_t mem_kv;       /* KV cache and recurrent state at n_ctx */
	uint64_t mem_compute;  /* compute buffers (logits, activations) */
	uint64_t mem_overhead; /* fixed: runtime, tokenizer, GPU driver context */
	uint64_t mem_needed;   /* the sum: the estimated RAM (+VRAM) at load */
	uint64_t mem_available; /* what the scorer set it against */
	int n_gpu_layers;      /* layers planned on the GPU (0 without one) */
	int n_layers;          /* of this many */
	double est_tokens_per_s; /* estimated decode speed */
	char reason[TACIT_FIT_REASON_MAX]; /* one plain sentence: why this verdict */
};

/* Scores one model described by its layout against sys. Fails with TACIT_ERR_USAGE when
 * an argument is NULL or the layout is inconsistent (no layers, counts that do not add
 * up); *out is then zeroed. recommended is never set here: it is a choice among models. */
TACIT_API enum tacit_status tacit_fit_score(const struct tacit_system *sys, const struct tacit_model_layout *model,
					    const struct tacit_fit_params *params, struct tacit_fit *out);

/* Scores every catalog entry into out_array, which holds tacit_catalog_count(cat)
 * elements, entry i into element i, and marks the one Recommended model: the listed,
 * non-slow Great fit with the most stars (then the higher tier, then more parameters,
 * then less memory). Entries that are not LLMs, and archived ones, are not listed and
 * say why. params may be NULL for the defaults. When no active LLM is listed, returns
 * TACIT_ERR_NO_FIT with a plain blocking reason in tacit_errmsg() (out_array is still
 * filled); TACIT_ERR_USAGE on NULL arguments. */
TACIT_API enum tacit_status tacit_fit_score_all(const struct tacit_system *sys, const struct tacit_catalog *cat,
						const struct tacit_fit_params *params, struct tacit_fit *out_array);

/* ---------------------------------------------------------------------------------
 * Hardware profiles: built-in machines to score against instead of this one (`tacit
 * models --profile m3-air-16gb`), so the picker's outcome can be checked for hardware one
 * does not own. Static data; thread-safe.
 * --------------------------------------------------------------------------------- */

/* Number of built-in profiles. */
TACIT_API size_t tacit_profile_count(void);

/* Name ("m1-8gb") and one-line description of profile i, or NULL past the end. Static. */
TACIT_API const char *tacit_profile_name(size_t i);
TACIT_API const char *tacit_profile_description(size_t i);

/* Fills *out with the named profile. TACIT_ERR_NOT_FOUND for an unknown name (the message
 * lists the known ones), TACIT_ERR_USAGE for NULL arguments. */
TACIT_API enum tacit_status tacit_profile_get(const char *name, struct tacit_system *out);

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
