/*
 * tacit.h — the public interface of libtacit, a meeting assistant that runs entirely on
 * the user's machine: recordings and live audio become transcripts (whisper.cpp), and
 * transcripts become summaries, notes, answers and suggestions (llama.cpp), all kept in
 * a local SQLite store. This header is the manual: every function says what it does,
 * who owns what it returns, which threads may call it, and how it fails.
 *
 * Basic usage: list the meetings in the user's store. examples/basic.c is this program,
 * grown to import a transcript or recording first; `make test` builds and runs it.
 *
 *     struct tacit_store *store = NULL;
 *     struct tacit_session *list = NULL;
 *     size_t n = 0;
 *     if (tacit_store_open(NULL, &store) != TACIT_OK ||
 *         tacit_store_session_list(store, &list, &n) != TACIT_OK) {
 *         fprintf(stderr, "tacit: %s\n", tacit_errmsg());  // says what to do
 *         ...
 *     }
 *     for (size_t i = 0; i < n; i++)
 *         printf("%lld %s\n", (long long)list[i].id, list[i].title);
 *     tacit_free(list);
 *     tacit_store_close(store);
 *
 * The manual runs bottom-up, by layer: basics (status codes, errors, memory, logging,
 * versions, directories) -> models (the machine, catalog, fit, GGUF check, downloads,
 * custom models, resolution) -> storage (store, sessions, segments, search, export)
 * -> engines (LLM, audio, VAD, transcription, capture) -> orchestration (meeting tasks,
 * live meetings, import) -> surfaces (the local web app) -> low-level and testing
 * interfaces.
 *
 * Rules that hold everywhere
 *  - Errors: every fallible function returns enum tacit_status; on failure the calling
 *    thread's tacit_errmsg() says what failed and, when known, what the user can do.
 *  - Memory: strings and arrays returned through `char **` or `T **` out-parameters are
 *    the caller's, freed with tacit_free(); handles are freed by their own _close/_free.
 *  - Threads: a handle is used by one thread at a time; different handles, and every
 *    function without a handle, may be used from any thread unless the text says not.
 *  - ABI: parameter structs only grow at their end; get them from *_default_params() and
 *    change the fields you need, so a program built against an older header still works.
 *  - Callbacks that return bool go on while they return true and stop on false; void
 *    callbacks cannot stop anything (use the call's cancel flag).
 *  - Privacy: no meeting data leaves the machine. Only two parts of the library open a
 *    network socket: the model downloader (tacit_download(), and only when the caller
 *    asks for a model) and the local web app (tacit_serve_start(), which listens on the
 *    loopback interface only). A live meeting's question socket is a Unix-domain socket
 *    for this user on this machine. Nothing else opens a socket; there is no telemetry.
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

/* Marks a name kept for old callers: the compiler warns with the replacement's name. */
#if defined(__GNUC__)
#define TACIT_DEPRECATED(decl, hint) decl __attribute__((deprecated(hint)))
#else
#define TACIT_DEPRECATED(decl, hint) decl
#endif

/* =================================================================================
 * Part 1. Basics: status codes, errors, memory, logging, versions, directories
 * ================================================================================= */

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
	TACIT_ERR_NETWORK = 9,     /* a download failed, or a remote engine (see tacit_engine) */
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
 * Versions. TACIT_VERSION_NUMBER is major * 10000 + minor * 100 + patch (0.1.0 is 100,
 * 1.2.3 is 10203), so versions compare as integers. The macros say which header a
 * program was compiled against; tacit_version_number() says which library it runs
 * with. A program linked to a shared libtacit can check that they agree:
 *
 *     if (tacit_version_number() / 100 != TACIT_VERSION_NUMBER / 100) ... rebuild
 *
 * Within one major.minor the ABI does not change incompatibly (see the ABI rule above).
 * --------------------------------------------------------------------------------- */
#define TACIT_VERSION_MAJOR 0
#define TACIT_VERSION_MINOR 1
#define TACIT_VERSION_PATCH 0
#define TACIT_VERSION "0.1.0"
#define TACIT_VERSION_NUMBER (TACIT_VERSION_MAJOR * 10000 + TACIT_VERSION_MINOR * 100 + TACIT_VERSION_PATCH)

/* The TACIT_VERSION_NUMBER the library was compiled with. Thread-safe. */
TACIT_API int tacit_version_number(void);

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
 * Output formats: one list for everything tacit renders, a stored meeting
 * (tacit_store_export()) or a fresh transcript (tacit_segments_render()). Each renderer
 * says what its text looks like in each format. Append only.
 * --------------------------------------------------------------------------------- */
enum tacit_format {
	TACIT_FORMAT_MD = 0,   /* Markdown */
	TACIT_FORMAT_JSON = 1, /* JSON */
	TACIT_FORMAT_TXT = 2,  /* plain text, one timestamped line per segment */
	TACIT_FORMAT_SRT = 3,  /* SubRip subtitles */
	TACIT_FORMAT_VTT = 4,  /* WebVTT subtitles */
};

/* "md", "json", "txt", "srt", "vtt" -> *out. TACIT_ERR_USAGE for anything else (NULL
 * included), with a message that lists the names. Thread-safe. */
TACIT_API enum tacit_status tacit_format_parse(const char *name, enum tacit_format *out);

/* =================================================================================
 * Part 2. Models: the machine, catalog, fit, GGUF check, downloads, custom models
 * ================================================================================= */

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
	TACIT_MODEL_SPEAKER = 3, /* a speaker-embedding model (ONNX) for diarization */
	TACIT_MODEL_EMBED = 4, /* a text-embedding model (GGUF) for search by meaning */
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
	uint64_t cpu_repack_bytes; /* weights llama.cpp's CPU backend copies into an
				    * interleaved layout (q4_0, q4_K, iq4_nl tensors) and so
				    * holds twice on a machine without a GPU; from the GGUF
				    * header (tacit_gguf_layout()), 0 = unknown */
};

/* The shape of a whisper speech model (catalog field "whisper"): what the speech scorer
 * estimates its speed from (tacit_speech_score()). All zero for other kinds. */
struct tacit_speech_shape {
	int n_audio_layer; /* encoder blocks */
	int n_text_layer;  /* decoder blocks */
	int n_audio_state; /* encoder width */
	int n_text_state;  /* decoder width */
	int n_mels;
	int n_vocab;
	bool multilingual; /* false: an English-only model (".en") */
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
	uint64_t file_bytes;     /* size of the file: exact unless !file_bytes_exact */
	bool file_bytes_exact;   /* false: the publisher gives the size rounded ("33.8 MB");
				  * a download is then checked by its sha256 alone */
	uint64_t published_ram_bytes; /* the app table's "RAM at load" figure; 0 = none */
	int stars;               /* 1..3 quality rating of an LLM (see tacit_stars_for_params());
				  * 0 for other kinds */
	uint32_t n_ctx_train;    /* trained context length; 0 = unknown */
	struct tacit_model_layout layout; /* LLMs only; all zero for other kinds */
	struct tacit_speech_shape speech; /* speech models only; all zero for other kinds */
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
	uint64_t mem_weights;  /* bytes: the weights, plus the copy a CPU-only machine repacks
				* (tacit_model_layout.cpu_repack_bytes) */
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
 * The speech scorer: will a whisper model keep up with live audio on this machine. Its
 * real-time factor (seconds of work per second of speech) is estimated from the model's
 * shape (encoder and decoder layers and widths: the multiply-adds a 30 s window costs)
 * against one measured anchor, whisper tiny.en on a 2-core CPU, scaled by the cores the
 * machine has. Pure arithmetic; thread-safe. The formula is in src/speech_fit.c and
 * docs/fit.md.
 * --------------------------------------------------------------------------------- */
enum tacit_speech_verdict {
	TACIT_SPEECH_LIVE = 0,       /* keeps up live (real-time factor <= 0.5) */
	TACIT_SPEECH_RECORDINGS = 1, /* fine for recordings, too slow for a live meeting */
	TACIT_SPEECH_TOO_SLOW = 2,   /* too slow even for recordings, or does not fit RAM */
};

/* "keeps up live", "recordings only", "too slow". */
TACIT_API const char *tacit_speech_verdict_str(enum tacit_speech_verdict verdict);

struct tacit_speech_fit {
	enum tacit_speech_verdict verdict;
	double est_rtf;       /* estimated seconds of work per second of speech */
	uint64_t mem_needed;  /* the file plus whisper's buffers and the pipeline's headroom */
	bool english_only;
	char reason[TACIT_FIT_REASON_MAX];
};

/* Scores speech model m (kind TACIT_MODEL_ASR, with its shape) against sys.
 * TACIT_ERR_USAGE for NULL arguments, another kind, or a shape without layers. */
TACIT_API enum tacit_status tacit_speech_score(const struct tacit_system *sys, const struct tacit_model_info *m,
					       struct tacit_speech_fit *out);

/* The one recommendation every hint, `tacit setup` and the web app use, for kind:
 *  - language: the fit scorer's Recommended model (tacit_fit_score_all()), else the
 *    listed one that needs the least memory;
 *  - speech: the largest model (by work per window, then file size) that keeps up live,
 *    else the fastest;
 *  - voice activity: the first active entry.
 * Archived entries are never recommended. NULL when the catalog has none of that kind.
 * Owned by cat. Thread-safe. */
TACIT_API const struct tacit_model_info *tacit_models_recommend(const struct tacit_system *sys,
								 const struct tacit_catalog *cat,
								 enum tacit_model_kind kind);

/* The catalog entry a person typed: its id, or its display name ("Qwen 3.5 9B"), either
 * in any case. NULL when none matches. Owned by cat. */
TACIT_API const struct tacit_model_info *tacit_catalog_lookup(const struct tacit_catalog *cat, const char *text);

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

/* ---------------------------------------------------------------------------------
 * Model downloads. Besides the loopback-only web app, this is the only code in tacit
 * that opens a network connection, and it runs only when asked for a model (libcurl
 * over HTTPS; http_proxy, https_proxy and no_proxy are honoured as curl does).
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

/* Hashes the file at path with SHA-256, as tacit_download() verifies a download, and
 * compares it with expected_sha256 (64 hex digits, either case). progress (may be NULL)
 * hears the bytes hashed, the file's size and the rate, on the calling thread, at most
 * about ten times a second and once at the end; cancel (may be NULL) stops it. A file
 * of several GiB takes seconds to a minute. Errors: TACIT_ERR_INTEGRITY (another
 * digest; the message names both and the file), TACIT_ERR_IO (cannot read it; _NOT_FOUND
 * when it is missing), TACIT_ERR_CANCELLED, TACIT_ERR_USAGE (expected_sha256 is not 64
 * hex digits). Thread-safe. */
TACIT_API enum tacit_status tacit_file_verify_sha256(const char *path, const char *expected_sha256,
						     tacit_download_progress_fn progress, void *user,
						     const volatile int *cancel);

/* ---------------------------------------------------------------------------------
 * Custom models: any GGUF language model on disk, added by path (`tacit add`). The file
 * is referenced, never copied or moved; the reference lives in the session store (so it
 * persists across runs and stays on this device). Before a file is accepted it passes
 * the strict GGUF check (tacit_gguf_inspect()), then a load probe in a child process
 * (tacit-worker) under an address-space limit and a timeout: a vocabulary-only load,
 * then llama.cpp's no-allocation dry run of the whole model. A hostile or broken file
 * can only kill that child. Beyond this there is no compatibility promise: the user owns
 * their memory budget. Custom models are scored by the same fit scorer as the catalog,
 * from the layout in their GGUF header (tacit_gguf_layout()), and resolve by name in
 * tacit_model_resolve().
 * --------------------------------------------------------------------------------- */

/* The fit scorer's view of a GGUF file: layers, attention kinds, KV heads, sliding
 * window, recurrent state and experts from its header (llama.cpp's per-architecture
 * rules where the header does not say). Errors: TACIT_ERR_USAGE for NULL arguments,
 * TACIT_ERR_UNSUPPORTED when the file lacks what a language model has (layers,
 * embedding width, heads, vocabulary). Thread-safe. */
TACIT_API enum tacit_status tacit_gguf_layout(const struct tacit_gguf_info *info, struct tacit_model_layout *out);

struct tacit_custom_params {
	const char *name;         /* the name it resolves by; NULL = from the file name
				   * ("My-Model.Q4.gguf" -> "my-model.q4"); [a-z0-9._-], 1..64
				   * bytes, and not a catalog id */
	int timeout_ms;           /* the load probe's limit; default 60000 */
	uint64_t mem_limit_bytes; /* the probe's address-space limit (RLIMIT_AS); default
				   * 8 GiB: the probe reads no weights, so only a hostile header
				   * reaches it. Not applied in AddressSanitizer builds, whose
				   * shadow memory needs terabytes of address space. */
};

TACIT_API struct tacit_custom_params tacit_custom_default_params(void);

/* One custom model. Strings are owned by the list and valid until tacit_custom_list_free(). */
struct tacit_custom_model {
	const char *name;
	const char *path;        /* absolute path, as added */
	const char *arch;        /* general.architecture */
	const char *quant;       /* the file type ("Q4_K_M"), "" when the file does not say */
	uint64_t file_bytes;     /* when added */
	int64_t added_ms;        /* Unix ms */
	bool missing;            /* the file is gone, or changed since it was checked */
	const char *problem;     /* why, with what to do; "" when not missing */
	uint32_t n_ctx_train;
	struct tacit_model_layout layout;
};

struct tacit_custom_models;

/* Checks path as described above and records it under a name (returned in *out_name
 * when not NULL; caller frees with tacit_free()). Adding the same file again re-checks
 * it and refreshes the record. Errors: TACIT_ERR_USAGE (a bad or taken name: the message
 * says how to choose another), TACIT_ERR_NOT_FOUND / TACIT_ERR_IO (cannot read the
 * file), TACIT_ERR_FORMAT / TACIT_ERR_UNSUPPORTED (the GGUF check or the layout refuses
 * it), TACIT_ERR_MODEL (the probe: llama.cpp refused it, the probe crashed, ran out of
 * its memory limit or time), TACIT_ERR_WORKER (the probe could not be started),
 * TACIT_ERR_DB and friends from the store. Nothing is recorded on failure. Thread-safe;
 * blocks for the probe (about a second for a small model). */
TACIT_API enum tacit_status tacit_custom_add(const char *path, const struct tacit_custom_params *params,
					     char **out_name);

/* Forgets a custom model (the file itself is never touched). TACIT_ERR_NOT_FOUND when
 * no custom model has that name. Thread-safe. */
TACIT_API enum tacit_status tacit_custom_forget(const char *name);

/* Every custom model, by name, each checked against its file now (missing, problem).
 * Free with tacit_custom_list_free(). Thread-safe; a list is immutable. */
TACIT_API enum tacit_status tacit_custom_list(struct tacit_custom_models **out);
TACIT_API size_t tacit_custom_count(const struct tacit_custom_models *list);
/* Entry i, or NULL past the end. Owned by the list. */
TACIT_API const struct tacit_custom_model *tacit_custom_get(const struct tacit_custom_models *list, size_t i);
/* The entry with this name, or NULL. Owned by the list. */
TACIT_API const struct tacit_custom_model *tacit_custom_find(const struct tacit_custom_models *list,
							     const char *name);
TACIT_API void tacit_custom_list_free(struct tacit_custom_models *list);

/* ---------------------------------------------------------------------------------
 * Model resolution: which file a task runs. Every command that takes --model NAME, the
 * live pipeline and the web app go through this one function, so "which model" has one
 * answer everywhere.
 *
 * name may be:
 *  - a path to an existing file (it contains a '/' or names a file that exists): used as is;
 *  - a catalog id ("qwen3.5-2b", "whisper-base.en"): its file in <data dir>/models, which
 *    must have been downloaded (`tacit pull ID`);
 *  - the name of a custom model added with `tacit add`;
 *  - NULL or "": the per-device choice (setting "model.llm", "model.asr" or "model.vad",
 *    itself any of the above), else the best downloaded model of that kind.
 * --------------------------------------------------------------------------------- */

/* Sets *out_path to the model file for kind and name (caller frees with tacit_free()).
 * Errors: TACIT_ERR_NOT_FOUND with a message saying what to do ("model 'x' is not
 * downloaded: run 'tacit pull x'", "no speech model is downloaded: run 'tacit pull
 * whisper-base.en' or pass --model FILE"), TACIT_ERR_USAGE when a catalog id names a
 * model of another kind, TACIT_ERR_IO / TACIT_ERR_DB / TACIT_ERR_FORMAT from the store
 * or catalog. Thread-safe. */
TACIT_API enum tacit_status tacit_model_resolve(enum tacit_model_kind kind, const char *name, char **out_path);

/* The directory downloaded catalog models live in (<data dir>/models), created if
 * missing. Caller frees with tacit_free(). */
TACIT_API enum tacit_status tacit_models_dir(char **out_path);

/* Whether catalog model m is downloaded: its verified file under its final name in
 * models_dir (from tacit_models_dir(); a download in progress is NAME.partial until it
 * verifies). False for a NULL models_dir. Thread-safe. */
TACIT_API bool tacit_model_downloaded(const char *models_dir, const struct tacit_model_info *m);

/* =================================================================================
 * Part 3. Storage: the session store, sessions, segments, search, export
 * ================================================================================= */

/* ---------------------------------------------------------------------------------
 * The session store: every meeting's transcript, speakers, summaries, notes, chat,
 * suggestions, audio and cached model state, in one SQLite database (WAL mode,
 * synchronous=FULL, foreign keys on) plus files next to it:
 *   <data dir>/tacit.db                            the database
 *   <data dir>/audio/<session id>/chunk-NNN.wav    recordings (16-bit PCM WAV)
 * Nothing in it is ever sent anywhere. Per-device settings live in the same database
 * and are never synchronised.
 *
 * Threads: a struct tacit_store is one database connection. Use it from one thread at
 * a time; give each thread its own handle (tacit_store_open() again on the same path).
 * Handles in several threads and processes may share one database: writers wait up to
 * 5 s for each other (busy timeout) before failing with TACIT_ERR_DB.
 *
 * Durability: every function that writes returns only after its transaction is
 * committed and fsync'ed. On TACIT_OK the change survives a crash or a power cut; on
 * failure nothing was acknowledged, and a failure in the middle of writing (a full
 * disk, a failing device) leaves the earlier contents intact.
 *
 * Errors: TACIT_ERR_NOT_FOUND for an unknown session id, TACIT_ERR_USAGE for bad
 * arguments (including a malformed search query), TACIT_ERR_NO_SPACE when the disk is
 * full, TACIT_ERR_IO for other write failures, TACIT_ERR_INTEGRITY for a damaged
 * database, TACIT_ERR_DB for other SQLite failures (their message carries SQLite's).
 * --------------------------------------------------------------------------------- */
struct tacit_store;

/* Opens (creating if needed) the store at path, or at <data dir>/tacit.db when path is
 * NULL; ":memory:" gives a private in-memory store without recordings (tests, fuzzing).
 * Opening runs PRAGMA quick_check (TACIT_ERR_INTEGRITY when it fails), brings an older
 * schema up to date (TACIT_ERR_UNSUPPORTED for a database from a newer tacit), repairs
 * recordings a crash left unfinished (see tacit_recording_open()), and drops the records
 * of model states whose file is gone; the default store (path NULL) also removes files
 * in <cache dir>/kv that no record names and that are more than a day old. Close with
 * tacit_store_close(). */
TACIT_API enum tacit_status tacit_store_open(const char *path, struct tacit_store **out);

/* Closes the connection and frees the handle. Accepts NULL. Recordings opened on this
 * handle must be closed first. */
TACIT_API void tacit_store_close(struct tacit_store *store);

/* Runs PRAGMA integrity_check (slower than the quick_check done at open). TACIT_OK, or
 * TACIT_ERR_INTEGRITY with the first problem found in the message. */
TACIT_API enum tacit_status tacit_store_check(struct tacit_store *store);

/* --- sessions ----------------------------------------------------------------- */
struct tacit_session_params {
	const char *title;         /* NULL or "" = "Meeting <date>" */
	const char *language;      /* transcript language ("en"); NULL = "" (unknown) */
	const char *models;        /* models used, free text or JSON; NULL = "" */
	const char *settings_json; /* the settings in force, a JSON object; NULL = "{}" */
	int64_t started_ms;        /* Unix time in ms; 0 = now */
	bool times_synthesized;    /* segment times are estimates (imported transcripts) */
};

TACIT_API struct tacit_session_params tacit_session_default_params(void);

struct tacit_session {
	int64_t id;
	int64_t started_ms;     /* Unix time in ms */
	int64_t ended_ms;       /* Unix time in ms; 0 while the meeting is still running */
	int64_t duration_ms;    /* end of the last final segment */
	int64_t n_segments;     /* final segments */
	int n_speakers;
	bool times_synthesized;
	char title[256];        /* longer titles are truncated here, kept whole in the store */
	char language[16];
	char models[256];
};

/* Creates a session; its id goes to *out_id. TACIT_ERR_USAGE when settings_json is not
 * a JSON object. */
TACIT_API enum tacit_status tacit_store_session_create(struct tacit_store *store,
						       const struct tacit_session_params *params,
						       int64_t *out_id);
TACIT_API enum tacit_status tacit_store_session_get(struct tacit_store *store, int64_t id,
						    struct tacit_session *out);
/* Every session, most recent first, as one array in *out (caller frees with tacit_free())
 * and its length in *n_out (0 and a valid pointer when there are none). */
TACIT_API enum tacit_status tacit_store_session_list(struct tacit_store *store,
						     struct tacit_session **out, size_t *n_out);
TACIT_API enum tacit_status tacit_store_session_rename(struct tacit_store *store, int64_t id,
						       const char *title);
/* Marks the meeting ended at ended_ms (Unix ms; 0 = now). */
TACIT_API enum tacit_status tacit_store_session_end(struct tacit_store *store, int64_t id,
						    int64_t ended_ms);
/* Deletes a session for good: its rows (segments, speakers, artifacts, chat,
 * suggestions), its recordings and its cached model state files. Deleted rows are
 * zeroed on disk (PRAGMA secure_delete, FTS5 secure-delete, then the WAL is checkpointed
 * and truncated); files are overwritten with zeros, synced, then unlinked. That is best
 * effort: SSD wear levelling and copy-on-write filesystems may keep old blocks. */
TACIT_API enum tacit_status tacit_store_session_delete(struct tacit_store *store, int64_t id);

/* --- transcript segments ------------------------------------------------------ */
struct tacit_segment {
	int64_t id;                /* output only */
	int64_t session_id;        /* output only */
	int64_t start_ms;          /* from the start of the meeting */
	int64_t end_ms;            /* >= start_ms */
	const char *speaker;       /* label from diarization ("S1"); NULL or "" = unknown */
	const char *speaker_name;  /* output only: the user-given name, or NULL */
	const char *text;          /* UTF-8, not NULL */
	float confidence;          /* 0..1; negative = unknown */
	bool final;                /* output only: false for the session's partial segment */
};

/* Appends a final segment to a session in its own transaction. On TACIT_OK the segment
 * is durable: committed and fsync'ed, it survives a crash or a power cut. Its speaker
 * label, when new, becomes one of the session's speakers. Also drops the session's
 * partial segment (the final one replaces it). The new id goes to *out_id (may be NULL).
 * TACIT_ERR_USAGE for NULL text or end_ms < start_ms. */
TACIT_API enum tacit_status tacit_store_add_segment(struct tacit_store *store, int64_t session_id,
						    const struct tacit_segment *seg, int64_t *out_id);

/* Calls fn for each final segment of a session in time order (and, when
 * include_partial, the partial one last). The pointers in *seg are valid during the
 * call only. fn returns true to go on, false to stop the walk (still TACIT_OK). */
typedef bool (*tacit_segment_fn)(const struct tacit_segment *seg, void *user);
TACIT_API enum tacit_status tacit_store_segments(struct tacit_store *store, int64_t session_id,
						 bool include_partial, tacit_segment_fn fn, void *user);

/* Gives the speaker with this label a user-chosen name (NULL or "" clears it). The
 * name shows in exports and search results, and search can filter by it. */
TACIT_API enum tacit_status tacit_store_speaker_name(struct tacit_store *store, int64_t session_id,
						     const char *label, const char *name);

/* A meeting's speaker as tacit_store_speakers_list() reports it. Strings are valid
 * during the callback only. */
struct tacit_speaker_info {
	const char *label;          /* the stored label: "Me", "Them", "Speaker 2", "S1" */
	const char *name;           /* the user-given name, or NULL */
	int n_segments;             /* final lines spoken */
	int64_t talk_ms;            /* their total duration */
	int64_t sample_segment_id;  /* the longest line, to play or show; 0 when none */
	int64_t sample_start_ms, sample_end_ms;
	const char *sample_text;    /* its text, or NULL */
	bool has_voiceprint;        /* a voiceprint is kept with it (remembered voices on);
				     * the vector itself is never handed out */
};
typedef bool (*tacit_speaker_info_fn)(const struct tacit_speaker_info *sp, void *user);

/* Calls fn for each speaker of the session in the order they were first heard; fn
 * returns false to stop (still TACIT_OK). Errors: TACIT_ERR_NOT_FOUND (no such session),
 * TACIT_ERR_USAGE, TACIT_ERR_DB. */
TACIT_API enum tacit_status tacit_store_speakers_list(struct tacit_store *store, int64_t session_id,
						      tacit_speaker_info_fn fn, void *user);

#define TACIT_SPEAKER_NAME_MAX 64 /* bytes */

/* Names a speaker for the whole meeting: who is a label ("Speaker 2"), or, when no label
 * matches, a name given before (any case; every speaker with that name is renamed, as
 * when two labels are one person). name NULL or "" goes back to the label. Every line,
 * export, search result and later summary of the meeting uses the name at once (one row
 * changes; the lines keep their label). *n_renamed (may be NULL) gets how many speakers
 * changed. Errors: TACIT_ERR_NOT_FOUND (no such session or speaker; the message names
 * `tacit speakers ID`), TACIT_ERR_USAGE (who missing, name over TACIT_SPEAKER_NAME_MAX),
 * TACIT_ERR_DB. */
TACIT_API enum tacit_status tacit_store_speaker_rename(struct tacit_store *store, int64_t session_id,
						       const char *who, const char *name, int *n_renamed);

/* --- remembered voices (opt-in) --------------------------------------------------
 * A voiceprint is a speaker-embedding vector computed from someone's speech: biometric
 * data, since it can recognise that person in other recordings. tacit keeps none unless
 * the user turns remembered voices on for this device (setting "voices.remember",
 * tacit_store_voices_enable()); it is off by default. When on:
 *  - diarization stores each speaker's voiceprint with that meeting's speaker (and, for
 *    a two-channel recording, "Me"'s from the microphone channel). These belong to the
 *    meeting: deleting the meeting deletes them, and turning the setting off deletes
 *    every meeting's voiceprints.
 *  - a voiceprint becomes the device's only when the user remembers it by name
 *    (tacit_store_voice_remember(), `tacit speakers ID remember WHO [NAME]`); that copy
 *    stays until forgotten (tacit_store_voice_forget(), `tacit voices forget NAME`),
 *    whatever happens to the meeting it came from.
 *  - a later meeting's unnamed speaker whose voiceprint is at least TACIT_VOICE_MATCH
 *    (cosine similarity) close to a remembered voice is named "NAME (likely)"; each
 *    remembered voice names at most one speaker per meeting, the closest.
 * Exports, search, the MCP server and the web API's meeting views never include
 * voiceprints. Thread safety as the rest of the store (one handle per thread).
 * --------------------------------------------------------------------------------- */

/* Cosine similarity from which a speaker is named after a remembered voice (a distance
 * of 0.4): stricter than the live labels' TACIT_DIAR_LIVE_THRESHOLD (distance 0.6), as a
 * wrong name across meetings misleads more than a split speaker within one; the offline
 * clustering's TACIT_DIAR_THRESHOLD (0.3) compares 3 s windows, not whole speakers'
 * voiceprints. Checked with the test embedding model only (tests/integration/voices.sh). */
#define TACIT_VOICE_MATCH 0.6f
/* The largest voiceprint accepted (floats). */
#define TACIT_VOICE_DIM_MAX 4096
/* What "NAME (likely)" appends to a name found by voice. */
#define TACIT_VOICE_LIKELY " (likely)"

/* Whether remembered voices are on for this device (*on false when never set). */
TACIT_API enum tacit_status tacit_store_voices_enabled(struct tacit_store *store, bool *on);
/* Turns remembered voices on or off. Off also deletes every meeting's voiceprints
 * (remembered voices stay until forgotten: tacit_store_voice_forget()). */
TACIT_API enum tacit_status tacit_store_voices_enable(struct tacit_store *store, bool on);

/* Stores the voiceprint (dim floats, any length > 0; kept L2-normalised) of the
 * meeting's speaker with this label, replacing any. Errors: TACIT_ERR_USAGE (remembered
 * voices are off, dim out of 1..TACIT_VOICE_DIM_MAX, a vector of zeros or not finite),
 * TACIT_ERR_NOT_FOUND (no such session or speaker label), TACIT_ERR_DB. */
TACIT_API enum tacit_status tacit_store_speaker_voiceprint_set(struct tacit_store *store, int64_t session_id,
							       const char *label, const float *voiceprint, int dim);

/* Remembers the voiceprint of the meeting's speaker who (a label, or a name given
 * before, as tacit_store_speaker_rename() finds it) as the device's voice called name
 * (NULL or "": the speaker's name, else its label), replacing a voice of that name (any
 * case). Errors: TACIT_ERR_USAGE (remembered voices are off; a name over
 * TACIT_SPEAKER_NAME_MAX or ending in TACIT_VOICE_LIKELY), TACIT_ERR_NOT_FOUND (no such
 * session or speaker, or the speaker has no voiceprint: the message says why),
 * TACIT_ERR_DB. */
TACIT_API enum tacit_status tacit_store_voice_remember(struct tacit_store *store, int64_t session_id,
						       const char *who, const char *name);

/* A remembered voice as tacit_store_voices_list() reports it (strings valid during the
 * callback). The vector itself is never handed out. */
struct tacit_voice_info {
	const char *name;
	int dim;             /* its voiceprint's length */
	int64_t created_ms;  /* when it was remembered (Unix ms) */
	int64_t from_session; /* the meeting it came from (0 when deleted since) */
};
typedef bool (*tacit_voice_info_fn)(const struct tacit_voice_info *v, void *user);
/* Calls fn for each remembered voice by name; fn returns false to stop. */
TACIT_API enum tacit_status tacit_store_voices_list(struct tacit_store *store, tacit_voice_info_fn fn, void *user);
/* Forgets the voice called name (any case); NULL forgets every one. *n_forgotten (may be
 * NULL) gets how many. Errors: TACIT_ERR_NOT_FOUND (no voice of that name). */
TACIT_API enum tacit_status tacit_store_voice_forget(struct tacit_store *store, const char *name, int *n_forgotten);

/* Names the meeting's unnamed speakers that have a voiceprint after the remembered voices
 * they match (see above): "NAME (likely)". *n_named (may be NULL) gets how many. Does
 * nothing (TACIT_OK, 0) when remembered voices are off or none is remembered. */
TACIT_API enum tacit_status tacit_store_voices_label(struct tacit_store *store, int64_t session_id, int *n_named);

/* --- what the language model produces ----------------------------------------- */
struct tacit_artifact {
	const char *kind;           /* "summary", "notes", ... ([a-z_]+) */
	const char *json;           /* structured form, a JSON value; NULL = none */
	const char *markdown;       /* rendered form; NULL = none */
	const char *model;          /* the model that wrote it */
	const char *prompt_version; /* which prompt template */
	int64_t created_ms;         /* Unix ms; 0 = now */
	const char *template_name;  /* the summary template that shaped it; NULL = "" (none
				     * recorded: made before templates, read as "general") */
};
/* Stores an artifact; an older one of the same kind is kept (the newest wins in
 * exports). TACIT_ERR_USAGE when json is not valid JSON. */
TACIT_API enum tacit_status tacit_store_add_artifact(struct tacit_store *store, int64_t session_id,
						     const struct tacit_artifact *art, int64_t *out_id);
/* The newest artifact of a kind: *out_json and *out_markdown (either may be NULL to skip;
 * a missing part comes back as NULL). Caller frees both with tacit_free().
 * TACIT_ERR_NOT_FOUND when the session has none of that kind. */
TACIT_API enum tacit_status tacit_store_get_artifact(struct tacit_store *store, int64_t session_id,
						     const char *kind, char **out_json, char **out_markdown);
/* The same, among the artifacts made with one summary template (template_name NULL or
 * "" = any; "general" also finds those made before templates). Each template's summary
 * is kept: making one with another template adds a row, it replaces nothing. */
TACIT_API enum tacit_status tacit_store_get_artifact_template(struct tacit_store *store, int64_t session_id,
							      const char *kind, const char *template_name,
							      char **out_json, char **out_markdown);

/* --- action items across meetings ---------------------------------------------- */
/* Every action item of every meeting: the items of the newest summary of each template
 * (general's "action_items", a template's "actions" sections), each with a stable id.
 * An item keeps its id and its done mark when the summary is made again, as long as its
 * task text comes back the same, compared with case, spaces and punctuation ignored
 * ("Send the report." is "send the report") within the same meeting; an item whose text
 * changed is a new item. Items no current summary has are not listed (their rows stay:
 * a later summary with the same text brings them back, done mark included). */
struct tacit_action {
	int64_t id;
	int64_t session_id;
	const char *session_title;
	int64_t session_started_ms; /* Unix ms */
	const char *owner;          /* a speaker of the meeting, "unassigned", or "" */
	const char *task;
	const char *due;            /* as said in the meeting ("Friday"); "" when not stated */
	const int64_t *cites;       /* the segments (1-based, as in the summary) */
	size_t n_cites;
	int64_t done_ms;            /* Unix ms it was marked done; 0 = open */
};

struct tacit_action_params {
	bool open_only;      /* only items not marked done */
	const char *owner;   /* only this owner (any case); NULL = all */
	int64_t since_ms;    /* only meetings started at or after (Unix ms); 0 = all */
	int64_t session_id;  /* only this meeting; 0 = all */
};
TACIT_API struct tacit_action_params tacit_action_default_params(void);

/* Receives one item; pointers are valid during the call only. Return false to stop. */
typedef bool (*tacit_action_fn)(const struct tacit_action *a, void *user);

/* Lists action items, newest meeting first (params NULL = all). Brings the store's
 * record of items up to date with the summaries first (a write, for meetings whose
 * summaries changed since the last listing). */
TACIT_API enum tacit_status tacit_store_actions(struct tacit_store *store, const struct tacit_action_params *params,
						tacit_action_fn fn, void *user);

/* Marks an item done (done = false: open again); an item already done keeps its first
 * time. TACIT_ERR_NOT_FOUND for an unknown id. */
TACIT_API enum tacit_status tacit_store_action_done(struct tacit_store *store, int64_t action_id, bool done);

struct tacit_chat_record {
	const char *role;  /* "user", "assistant" or "system" */
	const char *text;
	const char *model; /* NULL for the user's messages */
	int64_t created_ms; /* Unix ms; 0 = now */
};
TACIT_API enum tacit_status tacit_store_add_chat(struct tacit_store *store, int64_t session_id,
						 const struct tacit_chat_record *msg, int64_t *out_id);

struct tacit_suggestion {
	int64_t at_ms;      /* meeting time it refers to */
	const char *kind;   /* "question", "action", ... */
	const char *text;
	const char *model;
	int64_t created_ms; /* Unix ms; 0 = now */
};
TACIT_API enum tacit_status tacit_store_add_suggestion(struct tacit_store *store, int64_t session_id,
						       const struct tacit_suggestion *sug, int64_t *out_id);

/* --- per-device settings -------------------------------------------------------- */
/* Keys are [a-z0-9._-]+ (1..64 bytes); tacit uses "model.asr", "model.llm" (the chosen
 * model per task), "local.<feature>" ("on"/"off"), "suggestions.auto" ("on"/"off"),
 * "output.language" and "engine.llm.*", "engine.asr.*" (where the language model and speech run: see
 * tacit_engine; never an API key). Values are UTF-8 text. Settings stay on this device. */
/* *out_value: caller frees with tacit_free(). TACIT_ERR_NOT_FOUND when unset. */
TACIT_API enum tacit_status tacit_store_setting_get(struct tacit_store *store, const char *key,
						    char **out_value);
/* value NULL removes the key. */
TACIT_API enum tacit_status tacit_store_setting_set(struct tacit_store *store, const char *key,
						    const char *value);

/* --- search ------------------------------------------------------------------- */
struct tacit_search_params {
	const char *speaker; /* only this speaker (label or given name, any case); NULL = all */
	int64_t session_id;  /* only this session; 0 = all */
	int limit;           /* most hits; default 20 */
};
TACIT_API struct tacit_search_params tacit_search_default_params(void);

struct tacit_search_hit {
	int64_t session_id;
	const char *session_title;
	int64_t segment_id;
	int64_t start_ms;
	int64_t end_ms;
	const char *speaker;  /* given name, else label, else "" */
	const char *snippet;  /* matched words in [brackets], "..." where text was cut */
};
typedef bool (*tacit_search_fn)(const struct tacit_search_hit *hit, void *user);

/* Full-text search over every final segment of every meeting, best match first, with
 * English stemming ("budgets" finds "budget"). The query: words (all must appear),
 * "quoted phrases", a trailing * for a prefix (budg*), OR, NOT, AND and parentheses.
 * Punctuation inside a word is ignored ("kick-off" is the phrase "kick off").
 * TACIT_ERR_USAGE, with the reason, for a query that cannot be parsed (an unterminated
 * quote, a dangling OR). Pointers in *hit are valid during the call only; fn returns
 * true to go on, false to stop the search (still TACIT_OK). */
TACIT_API enum tacit_status tacit_store_search(struct tacit_store *store, const char *query,
					       const struct tacit_search_params *params,
					       tacit_search_fn fn, void *user);

/* --- Model Context Protocol server ---------------------------------------------- */
/* The message handling of an MCP server (JSON-RPC 2.0, protocol version "2025-06-18") that
 * lets a user's own assistant read the store: tools search_meetings {query, limit?,
 * meeting_id?}, get_meeting {id} (the newest summary and the transcript) and
 * list_action_items {open?, owner?, meeting_id?}, and ask {question, meeting_id?} (see
 * tacit_mcp_set_model()). Read-only: no tool changes the store,
 * except that listing action items brings their record up to date (see
 * tacit_store_actions()). The handle does no I/O: the caller reads one message per line
 * (stdio in `tacit mcp`) and writes each reply followed by a newline. One thread at a
 * time per handle; the store must outlive it. */
struct tacit_mcp;
TACIT_API enum tacit_status tacit_mcp_new(struct tacit_store *store, struct tacit_mcp **out);
TACIT_API void tacit_mcp_free(struct tacit_mcp *mcp);
/* The model of the ask tool {question, meeting_id?}: a name as tacit_model_resolve()
 * takes it (NULL = the chosen one, else the best downloaded). It is loaded by the first
 * question and kept; a missing model makes the tool answer with isError and the remedy.
 * The tool answers one meeting with tacit_meeting_run() (nothing is stored) or, without
 * meeting_id, every meeting with tacit_ask_all() (its JSON as the text). */
TACIT_API enum tacit_status tacit_mcp_set_model(struct tacit_mcp *mcp, const char *name);
/* Handles one line (len bytes, a trailing newline ignored; need not be NUL-terminated).
 * *out_reply gets the reply, one line of JSON without a newline (caller frees with
 * tacit_free()), or NULL when the message wants none (a notification, the client's own
 * response). Protocol errors are replies, not failures: -32700 for text that is not
 * JSON, -32600 for a message that is not a request (an array, a wrong "jsonrpc", a null
 * or fractional id, over 4 MiB), -32601 for an unknown method, -32602 for bad params
 * (an unknown tool, a missing or mistyped argument). A tool that fails on valid
 * arguments (no such meeting, a query that cannot be parsed) answers with isError true
 * and the reason as its text. Fails only with TACIT_ERR_USAGE (NULL arguments) or
 * TACIT_ERR_NOMEM. */
TACIT_API enum tacit_status tacit_mcp_handle(struct tacit_mcp *mcp, const char *line, size_t len,
					     char **out_reply);

/* --- export ------------------------------------------------------------------- */
/* Renders a session in any enum tacit_format: Markdown (title, summary, notes,
 * transcript), JSON (everything: session, speakers, segments, artifacts, chat,
 * suggestions), text ("[hh:mm:ss] Speaker: text" lines), SubRip, or WebVTT with
 * <v Speaker> voice tags. *out is NUL-terminated text, caller frees with tacit_free(). */
TACIT_API enum tacit_status tacit_store_export(struct tacit_store *store, int64_t session_id,
					       enum tacit_format format, char **out);

/* Writes an export (len bytes of text) to a file the user named, safely: never into
 * tacit's own data, cache or config directory, where the meetings database lives
 * (TACIT_ERR_USAGE); never over an existing file unless overwrite (TACIT_ERR_USAGE); through
 * a temporary file in the same directory, synced and renamed into place, so a failure
 * leaves the old file or none, never half an export. The file is private (mode 0600).
 * An existing FIFO or character device (/dev/stdout) is written to as it is.
 * TACIT_ERR_IO or TACIT_ERR_NO_SPACE when it cannot be written. */
TACIT_API enum tacit_status tacit_export_save(const char *path, const char *text, size_t len, bool overwrite);

/* --- the export folder ----------------------------------------------------------
 * A meeting as a Markdown note with YAML front matter (title, date, duration, speakers,
 * template, tags, tacit_id) in a folder the user keeps notes in, such as an Obsidian
 * vault. Set the folder with the setting "export.folder" (an absolute path); then every
 * meeting is written there when it ends (live stop, import, batch) and again whenever its
 * summary or notes are made again: a failure to write is a warning in the log, never a
 * failed meeting.
 * The file is named "YYYY-MM-DD-title-slug-ID.md" (local date the meeting started) when
 * first written and keeps that name, a renamed meeting included, so links to it hold.
 * tacit records in the store the SHA-256 of what it last wrote and replaces the file only
 * while it still holds those bytes: a note the user edited (or a file tacit did not
 * write) is left alone, and the meeting goes to "NAME (tacit).md" beside it instead.
 * Writes are atomic (a temporary file renamed into place, mode 0600). */
#define TACIT_FOLDER_NAME_MAX 256

enum tacit_folder_outcome {
	TACIT_FOLDER_WRITTEN,   /* a new file */
	TACIT_FOLDER_UPDATED,   /* tacit's earlier file replaced */
	TACIT_FOLDER_UNCHANGED, /* the file already held this text: not rewritten */
	TACIT_FOLDER_SIBLING,   /* the file was edited: written to "NAME (tacit).md" */
};

struct tacit_folder_result {
	enum tacit_folder_outcome outcome;
	char path[4096];        /* the file written (absolute) */
	char edited_path[4096]; /* TACIT_FOLDER_SIBLING: the user's file, left untouched */
};

/* Writes one meeting's note into folder (NULL or "" = the setting export.folder). Errors:
 * TACIT_ERR_NOT_FOUND (no such session; no folder given and none set), TACIT_ERR_IO (the
 * folder is missing or not writable, with its path in the message; or the note and its
 * sibling were both edited, so neither was replaced), TACIT_ERR_NO_SPACE. */
TACIT_API enum tacit_status tacit_export_folder(struct tacit_store *store, int64_t session_id, const char *folder,
						struct tacit_folder_result *out);

/* Sets the setting "export.folder" to folder's absolute path once a note can be written
 * there: it exists, is a folder, and a file can be created in it (a probe file, removed
 * at once). NULL or "" clears the setting: meetings are then written to no folder.
 * Errors: TACIT_ERR_IO with the folder and the reason ("cannot write to the export folder
 * '/x': Read-only file system"), the setting then left as it was; a store error. */
TACIT_API enum tacit_status tacit_export_folder_set(struct tacit_store *store, const char *folder);

/* =================================================================================
 * Part 4. Engines: language model, audio, voice activity, transcription, capture
 * ================================================================================= */

/* ---------------------------------------------------------------------------------
 * The LLM engine. llama.cpp runs in a supervised worker process (`tacit-worker`), never
 * in the caller's process: a crash, a GGML_ASSERT, a C++ exception or an out-of-memory
 * kill inside llama.cpp ends the worker, and the call in progress fails with
 * TACIT_ERR_WORKER and a message saying what happened ("the model worker was killed by
 * signal 9 (out of memory?)"). The handle stays usable: the next call starts a new
 * worker and loads the model again.
 *
 * The worker executable is found through the environment variable TACIT_WORKER, else
 * next to the running program (/proc/self/exe), else in the compiled-in LIBEXECDIR. It is
 * started with posix_spawn (safe in multithreaded programs); the library changes no
 * process-wide signal disposition: SIGPIPE is blocked only on the writing thread while it
 * writes to the worker, and a SIGPIPE raised there is consumed.
 *
 * Threads: a handle serves one call at a time (calls on one handle must not overlap);
 * different handles may be used from different threads. A cancel flag may be set from
 * any thread or from a signal handler.
 *
 * Cancellation: generate (and open, through the progress callback) take a pointer to an
 * int the caller sets to non-zero to stop. The worker stops between two decode steps, or
 * inside one through llama.cpp's abort callback; if it has not stopped 2 s after the flag
 * is seen, it is killed (and respawned by the next call). Both ways the call fails with
 * TACIT_ERR_CANCELLED, and the model's cache is rolled back so the next call is correct.
 * --------------------------------------------------------------------------------- */
struct tacit_llm;

/* Where model work runs. Local (the default) is the worker process on this device. A
 * remote engine is an OpenAI-compatible server the user named (llama.cpp's llama-server,
 * vLLM, Ollama, LM Studio): the transcript of the meeting asked about goes to that host
 * and nowhere else. There is never a silent fallback: a remote failure is an error naming
 * the host and what failed (TACIT_ERR_NETWORK: connection refused, wrong API key, an HTTP
 * error, a timeout, a certificate that does not verify), never retried locally; a local
 * failure is never retried remotely.
 * With llama-server (recognised by its /props endpoint) answers are constrained by the
 * same GBNF grammars as locally ("grammar"), the transcript prefix stays in a server slot
 * chosen per meeting (cache_prompt, id_slot) so a second question reuses it, and tokens
 * are counted by /tokenize. Other servers get response_format json_schema (the request's
 * json_schema; json_object when it has none) and token counts estimated from the text
 * (4 bytes a token). Either way the answer is checked against the schema, then as a
 * local one is (citations). Cancelling closes the stream, which frees the
 * server's slot. Settings (per device, tacit_engine_from_settings()): engine.llm (URL or
 * "local"), engine.llm.model, engine.llm.key_file, engine.llm.ca_file,
 * engine.llm.timeout_s. The API key is read from key_file, else from the environment
 * variable TACIT_ENGINE_KEY; it is never stored in the database, logged or put in an
 * error message. */
struct tacit_engine {
	char url[512];      /* "" or "local": this device; else an http:// or https:// base URL
			     * ("http://gpu-box:8080", with or without a trailing "/v1") */
	char model[128];    /* model name sent to the server; "" = the first it lists */
	char key_file[512]; /* file holding the API key (first line); "" = $TACIT_ENGINE_KEY,
			     * else no key */
	char ca_file[512];  /* PEM file of CA certificates for https; "" = the system's */
	int connect_timeout_s; /* 0 = 10 */
	int timeout_s;      /* most seconds without a byte from the server; 0 = 300 */
};

TACIT_API struct tacit_engine tacit_engine_default(void);

/* Sets e->url after checking it: "local", "" or an http(s):// URL with a host.
 * TACIT_ERR_USAGE otherwise, naming what is wrong. */
TACIT_API enum tacit_status tacit_engine_set_url(struct tacit_engine *e, const char *url);

/* Fills *out from the store's settings engine.<kind>, engine.<kind>.model, .key_file,
 * .ca_file and .timeout_s (kind: "llm" for the language model, "asr" for speech). Unset keys keep tacit_engine_default()'s values.
 * store may be NULL (the default engine). TACIT_ERR_USAGE for a bad stored URL. */
TACIT_API enum tacit_status tacit_engine_from_settings(struct tacit_store *store, const char *kind,
						       struct tacit_engine *out);

/* True when e names a server (NULL and "local" are local). */
TACIT_API bool tacit_engine_is_remote(const struct tacit_engine *e);

/* Where e's work would run, for people, without asking the server: "this device", or
 * "remote, HOST (model NAME)" ("the server's model" when e->model is empty). */
TACIT_API void tacit_engine_describe(const struct tacit_engine *e, char *out, size_t len);

/* Where e runs, as short as a record can say it: "local" for this device, else the
 * "HOST[:PORT]" of its URL (no scheme, path or model). */
TACIT_API void tacit_engine_host(const struct tacit_engine *e, char *out, size_t len);

/* Where a handle's work runs, for people: "this device" or "remote, HOST (model NAME)".
 * Owned by the handle, valid until tacit_llm_close(). */
TACIT_API const char *tacit_llm_where(const struct tacit_llm *llm);

/* What the model is busy with, for a progress display. */
enum tacit_progress_phase {
	TACIT_PROGRESS_LOAD = 0, /* tacit_llm_open() loads the model file: fraction only */
	TACIT_PROGRESS_READ = 1, /* a generate call reads its prompt (a meeting task: the
				  * transcript) before the first token: done of total tokens */
	TACIT_PROGRESS_TRANSCRIBE = 2, /* tacit_store_import_audio() transcribes: done of
					* total milliseconds of audio, every channel counted */
	TACIT_PROGRESS_SUMMARIZE = 3,  /* tacit_store_import() with analyze folds a
					* transcript: done of total segments summarized */
};

struct tacit_progress {
	enum tacit_progress_phase phase;
	float fraction; /* 0..1 */
	int done;       /* READ: prompt tokens in the context so far; those reused from the
			 * previous call's cache or a saved state count at once. LOAD: 0 */
	int total;      /* READ: the prompt's tokens (exact, from the model's tokenizer).
			 * LOAD: 0 */
};

/* Progress of a load, and of the prompt reading of every generate call on the handle
 * (tacit_llm_generate() and what calls it: tacit_meeting_run(), tacit_session_task()).
 * A read reports once when the call starts (done = what the cache spared, total known)
 * and after each batch of n_batch tokens; done never decreases within a call; the
 * first token then goes to the call's token callback. p is valid during the call only.
 * Return false to cancel: open fails, or the generate call, with TACIT_ERR_CANCELLED.
 * Called on the thread that called tacit_llm_open() or the generate call. */
typedef bool (*tacit_progress_fn)(const struct tacit_progress *p, void *user);

struct tacit_llm_params {
	const char *model_path; /* a GGUF file; required */
	int n_ctx;              /* context in tokens; 0 = the model's training context, capped at 8192 */
	int n_threads;          /* 0 = the usable cores */
	int n_gpu_layers;       /* layers on the GPU; -1 = all, 0 = CPU only (from the fit plan) */
	int n_batch;            /* prompt tokens per decode call; 0 = 512 */
	tacit_progress_fn progress; /* may be NULL */
	void *progress_user;
	int n_ctx_cap;          /* with n_ctx 0: cap the training context here instead of at 8192
				 * (a session task raises it so a whole meeting fits one pass) */
	const struct tacit_engine *engine; /* NULL or a local engine: the worker runs model_path;
					    * a remote one: the server does the work, model_path
					    * and the other fields above are not used (see
					    * tacit_engine); copied by tacit_llm_open() */
};

TACIT_API struct tacit_llm_params tacit_llm_default_params(void);

/* Starts a worker and loads the model. *out is set on success; close it with
 * tacit_llm_close(). Errors: TACIT_ERR_NOT_FOUND (no such file), TACIT_ERR_MODEL (not a
 * loadable GGUF), TACIT_ERR_NO_FIT (the context cannot be allocated), TACIT_ERR_CANCELLED
 * (the progress callback said stop), TACIT_ERR_WORKER (the worker could not be started,
 * or died while loading). With a remote engine it asks the server what it runs (its
 * models, and /props where there is one) and fails with TACIT_ERR_NETWORK when it cannot
 * (unreachable, wrong key, certificate), TACIT_ERR_IO when the key file is unreadable. */
TACIT_API enum tacit_status tacit_llm_open(const struct tacit_llm_params *params, struct tacit_llm **out);

/* Stops the worker (politely, then SIGKILL after 2 s) and frees the handle. Accepts NULL. */
TACIT_API void tacit_llm_close(struct tacit_llm *llm);

struct tacit_llm_info {
	int n_ctx;       /* the context actually allocated */
	int n_ctx_train; /* the model's training context */
	int n_vocab;
	char arch[32];   /* general.architecture ("llama", "qwen3") */
	char chat_format[16]; /* how messages become a prompt: "model" (the GGUF's own template
			       * through llama_chat_apply_template), "chatml", "gemma",
			       * "llama3", or "plain" for a base model without a template */
	int n_slots;     /* requests the engine serves at once: 1 on this device; a remote
			  * server's parallel slots (llama-server's /props total_slots), 0 when
			  * it does not say */
};

/* What the loaded model is. Never fails. */
TACIT_API struct tacit_llm_info tacit_llm_info(const struct tacit_llm *llm);

struct tacit_chat_message {
	const char *role;    /* "system", "user" or "assistant" */
	const char *content;
};

struct tacit_llm_request {
	const struct tacit_chat_message *messages; /* chat messages, formatted with the
						    * model's template (see chat_format) */
	size_t n_messages;
	const char *prompt;  /* or a raw prompt used as is (when messages is NULL) */
	const char *grammar; /* GBNF whose rule "root" constrains the output; NULL = free text */
	int max_tokens;      /* most tokens to generate; 0 = until the context is full */
	float temperature;   /* 0 = greedy (deterministic) */
	int top_k;           /* with temperature > 0; 0 = off */
	uint32_t seed;
	/* A saved prefix: the prompt's tokens up to the end of the text state_prefix (found
	 * in the formatted prompt, e.g. a transcript at the start of the user message) are
	 * loaded from the file state_path (llama_state_seq_save_file format) when it holds
	 * exactly those tokens, else decoded and saved there before the rest of the prompt.
	 * A file holding other tokens is never used. The caller keys the path to what the
	 * state depends on (model file, prompt version, transcript). Both NULL = none.
	 * state_prefix without state_path: no file; a remote engine keeps the meeting on
	 * the server slot this prefix picks (llama-server), so the next question reuses it. */
	const char *state_prefix;
	const char *state_path;
	/* The JSON Schema (text) that grammar's answers follow; NULL = none. The local
	 * worker and llama-server are held to the grammar; another server (vLLM, Ollama)
	 * gets it as response_format json_schema. A remote engine's answer is checked
	 * against it either way: one that does not follow it fails with TACIT_ERR_LLM
	 * naming the host and where the answer goes wrong. */
	const char *json_schema;
};

TACIT_API struct tacit_llm_request tacit_llm_default_request(void);

enum tacit_finish {
	TACIT_FINISH_STOP = 0,    /* the model ended its answer (end of generation token) */
	TACIT_FINISH_LENGTH = 1,  /* max_tokens reached */
	TACIT_FINISH_CONTEXT = 2, /* the context filled up */
};

enum tacit_state_use {
	TACIT_STATE_NONE = 0,   /* no saved prefix state involved */
	TACIT_STATE_LOADED = 1, /* the prefix came from state_path */
	TACIT_STATE_SAVED = 2,  /* the prefix was decoded and saved to state_path */
};

struct tacit_llm_stats {
	int n_prompt;        /* prompt tokens */
	int n_reused;        /* of which reused from the cache (a shared prefix) */
	int n_generated;
	double prefill_ms;   /* time to process the prompt tokens not reused */
	double decode_ms;    /* time to generate */
	double prefill_tps;  /* (n_prompt - n_reused) / prefill time */
	double decode_tps;   /* n_generated / decode time */
	enum tacit_finish finish;
	enum tacit_state_use state; /* what happened with req->state_path */
	/* Where decode_ms went, measured in the worker (wall clock): */
	int n_eval;          /* forward passes while generating: n_generated - 1 at most, as
			      * the first token comes from the prompt's pass and the last one
			      * is not decoded when the answer stops there */
	double eval_ms;      /* those forward passes (llama_decode) */
	double sample_ms;    /* choosing the tokens: the sampler and the grammar */
	double emit_ms;      /* turning tokens into text and sending it to the caller */
	char sampler[16];    /* which sampler chose the tokens: "argmax" (temperature 0),
			      * "top-k" (temperature > 0, 0 < top_k <= 1024: the k best logits
			      * are selected without a candidate array over the vocabulary),
			      * "llama-chain" (llama.cpp's sampler chain: other settings). The
			      * three give the same tokens for the same seed; see
			      * tacit_llm_generate */
	int n_rejected;      /* with a grammar: picks it rejected, each chosen again among the
			      * tokens it allows */
	int n_full_filter;   /* of those, the picks that needed the whole vocabulary filtered
			      * through the grammar (the best few tokens did not decide them);
			      * each costs tens of milliseconds with a 100k+ vocabulary */
	double state_ms;     /* loading or saving req->state_path's saved prefix state (not
			      * part of prefill_ms) */
	int n_narrow_filter; /* rejected picks the best few tokens did not decide, filtered
			      * over only the tokens whose first character the grammar allows
			      * (exactly the whole vocabulary's result; n_full_filter counts
			      * those where that left nothing out) */
	long long n_filtered; /* tokens passed through the grammar by those filters, in all */
};

/* Receives the generated text as it is sampled, in pieces of whole UTF-8 characters. The
 * piece is not NUL-terminated and valid only during the call. Runs on the calling thread. */
typedef void (*tacit_token_fn)(const char *piece, size_t len, void *user);

/* Generates a completion. on_token (may be NULL) streams it; *out_text (may be NULL)
 * receives all of it, caller frees with tacit_free(); *out_stats may be NULL. cancel may
 * be NULL. Errors: TACIT_ERR_USAGE (bad request, invalid grammar), TACIT_ERR_CONTEXT_FULL
 * (the prompt alone does not fit the context), TACIT_ERR_CANCELLED, TACIT_ERR_LLM (a
 * decode error), TACIT_ERR_WORKER (the worker died; the next call respawns it).
 * Sampling: temperature 0 takes the token with the highest logit (the lowest id among
 * equals); otherwise the top_k best logits (all tokens when top_k is 0) are divided by
 * the temperature and one is drawn from their softmax with a Mersenne Twister seeded by
 * seed, exactly as llama.cpp's top-k, temp and dist samplers do (same seed, same
 * tokens; only the order of exactly equal logits inside the k may differ). With a
 * grammar, the token is drawn first and checked; only when the grammar rejects it are
 * all tokens filtered through the grammar and the draw repeated over those it allows. */
TACIT_API enum tacit_status tacit_llm_generate(struct tacit_llm *llm, const struct tacit_llm_request *req,
					       tacit_token_fn on_token, void *user, const volatile int *cancel,
					       char **out_text, struct tacit_llm_stats *out_stats);

/* Counts the tokens of text with the model's vocabulary (no BOS). */
TACIT_API enum tacit_status tacit_llm_count_tokens(struct tacit_llm *llm, const char *text, int *out_n);

/* ---------------------------------------------------------------------------------
 * Audio: any common recording (wav, mp3, m4a/aac, ogg/opus, flac, webm, mp4/mkv audio
 * track) decoded with FFmpeg's libraries to 16 kHz float PCM, mono or two channels.
 * --------------------------------------------------------------------------------- */
#define TACIT_AUDIO_RATE 16000

struct tacit_audio {
	float *samples;   /* interleaved, n_frames * n_channels values in [-1, 1]; owned by
			   * the struct, freed by tacit_audio_release() */
	size_t n_frames;  /* samples per channel; 0 for an empty or silent-less file */
	int n_channels;   /* 1 or 2 */
	int sample_rate;  /* always TACIT_AUDIO_RATE */
};

struct tacit_audio_params {
	int channels;       /* 1: mix down to mono (default). 2: keep two channels (a mono
			     * input is duplicated; more channels are mixed down to stereo) */
	double max_seconds; /* refuse longer input; default 12 h */
};

TACIT_API struct tacit_audio_params tacit_audio_default_params(void);

/* Decodes the first audio stream of the file at path (a video track is ignored) into
 * *out. Errors: TACIT_ERR_NOT_FOUND (no such file), TACIT_ERR_IO (unreadable),
 * TACIT_ERR_FORMAT (empty, corrupted or not media: "cannot decode 'x.mp3': ..."),
 * TACIT_ERR_UNSUPPORTED (no audio stream, no decoder, longer than max_seconds),
 * TACIT_ERR_NOMEM. A truncated file yields the audio before the damage. On failure *out
 * is empty. Thread-safe (each call has its own decoder). */
TACIT_API enum tacit_status tacit_audio_load(const char *path, const struct tacit_audio_params *params,
					     struct tacit_audio *out);

/* The same from a buffer in memory; name is used in messages only (may be NULL). */
TACIT_API enum tacit_status tacit_audio_load_memory(const void *data, size_t len, const char *name,
						    const struct tacit_audio_params *params,
						    struct tacit_audio *out);

/* Frees the samples; *audio becomes empty. Accepts NULL and an empty struct. */
TACIT_API void tacit_audio_release(struct tacit_audio *audio);

/* ---------------------------------------------------------------------------------
 * Voice activity: speech regions found by whisper.cpp's Silero VAD (ggml model file,
 * e.g. ggml-silero-v6.2.0.bin) in 16 kHz mono PCM.
 * --------------------------------------------------------------------------------- */
struct tacit_span {
	int64_t start_ms;
	int64_t end_ms;
};

struct tacit_vad_params {
	float threshold;         /* speech probability threshold; default 0.5 */
	int min_speech_ms;       /* shorter bursts are dropped; default 250 */
	int min_silence_ms;      /* a pause this long ends a region; default 300 */
	int pad_ms;              /* padding on each side of a region; default 30 */
	int n_threads;           /* 0 = one thread (default): Silero's work per 32 ms window
				  * is too small to share, and more threads only wait on each
				  * other (300 s of audio: 0.7 s on one thread, seconds on two) */
};

TACIT_API struct tacit_vad_params tacit_vad_default_params(void);

/* Speech regions in pcm (16 kHz mono, n samples), in order, on the input's timeline.
 * *out_spans: caller frees with tacit_free() (NULL when none, *n_out = 0). Errors:
 * TACIT_ERR_NOT_FOUND, TACIT_ERR_MODEL (the VAD model cannot be loaded), TACIT_ERR_ASR,
 * TACIT_ERR_WORKER (the worker cannot start, crashed or hung), TACIT_ERR_NOMEM.
 * Silero runs in a tacit-worker started for the call (found as for the LLM engine), so
 * neither whisper.cpp nor a ggml backend ever runs in the caller's process; each call
 * starts it and loads the model (under 1 MB) again. Thread-safe. */
TACIT_API enum tacit_status tacit_vad_detect(const char *model_path, const struct tacit_vad_params *params,
					     const float *pcm, size_t n, struct tacit_span **out_spans,
					     size_t *n_out);

/* ---------------------------------------------------------------------------------
 * Speaker diarization ("who spoke when") with ONNX models run by onnxruntime in a
 * tacit-worker: pyannote segmentation-3.0 finds up to 3 local speakers in each 10 s
 * window (overlap included), a speaker-embedding model (WeSpeaker ResNet34, 3D-Speaker
 * CAM++: Kaldi 80-bin filterbank in, one vector out) describes each, and agglomerative
 * clustering (cosine distance, average linkage, then a second pass that moves each
 * local speaker to its nearest speaker centroid and merges centroids nearer than the
 * threshold) links them into the recording's speakers; a speaker with under 2 % of the
 * local speakers is joined to the nearest one. Local speakers with under 2 s of speech
 * (the noisiest embeddings) do not shape the speakers: each joins its nearest speaker
 * afterwards (unless fewer than 20 have more). Without a segmentation model, the VAD's
 * speech regions are cut into windows of about 3 s, each embedded on its own (no
 * overlapped speech is found then).
 * --------------------------------------------------------------------------------- */
struct tacit_speaker_turn {
	int64_t start_ms;
	int64_t end_ms;
	int speaker; /* 0-based: shown as "Speaker 1" ... */
};

/* Cosine distance under which two clusters are the same voice: average linkage stops
 * there, and speaker centroids nearer than it are merged. One value for every length
 * of recording. Chosen with the test embedding model on meetings simulated from the 8
 * speakers of ../shared/audio/diarization (docs/diarization.md); with real models, a
 * user's own recordings are the judge (--threshold). */
#define TACIT_DIAR_THRESHOLD 0.3f
/* The same for a live meeting's labels (tacit_live_params.speaker_threshold): there one
 * embedding stands for a whole segment as it ends (its 1.5 s windows averaged), not 3 s
 * windows clustered at once, and a segment that opens a speaker too soon splits one
 * voice for the rest of the meeting. Chosen with the test embedding model on the
 * three-voice meeting of tests/integration/live_speakers.sh. The stop's recluster
 * clusters the whole meeting at 0.45 of it, then joins a speaker of under 8 s of speech
 * to the nearest one within it (docs/diarization.md). */
#define TACIT_DIAR_LIVE_THRESHOLD 0.6f

struct tacit_diar_params {
	const char *segmentation_model; /* pyannote segmentation-3.0 ONNX; NULL: VAD windows */
	const char *embedding_model;    /* required: speaker-embedding ONNX */
	const char *vad_model;          /* Silero (ggml); required without a segmentation model */
	int n_speakers;                 /* > 0: exactly this many; 0: found by threshold */
	float threshold;                /* cosine distance that ends merging; default
					 * TACIT_DIAR_THRESHOLD */
	int n_threads;                  /* onnxruntime's threads; 0 = 1 */
	const volatile int *cancel;     /* non-zero stops it (TACIT_ERR_CANCELLED); may be NULL */
};

TACIT_API struct tacit_diar_params tacit_diar_default_params(void);

struct tacit_diarization {
	struct tacit_speaker_turn *turns; /* by start time; turns of different speakers may
					   * overlap. Owned by the struct */
	size_t n_turns;
	int n_speakers;
	bool segmented; /* true: the segmentation model ran; false: VAD windows */
	float *voiceprints; /* n_speakers x dim: each speaker's mean embedding, L2-normalised
			     * (what tacit_store_speaker_voiceprint_set() takes); NULL when no
			     * embedding was made. Owned by the struct */
	int dim;
};

/* Who speaks when in pcm (16 kHz mono, n samples). Errors: TACIT_ERR_USAGE (no
 * embedding model, or no segmentation and no VAD model), TACIT_ERR_NOT_FOUND,
 * TACIT_ERR_FORMAT (a model file is not ONNX), TACIT_ERR_MODEL (onnxruntime refused a
 * model, or its inputs, outputs or metadata are not what tacit feeds it: the message
 * names the mismatch), TACIT_ERR_WORKER, TACIT_ERR_CANCELLED, TACIT_ERR_NOMEM,
 * TACIT_ERR_UNSUPPORTED (more than 12000 local speakers: about 10 hours of speech without
 * segmentation). No speech is not an error: zero turns. On failure *out is empty.
 * Thread-safe (each call starts its own worker). */
TACIT_API enum tacit_status tacit_diarize(const struct tacit_diar_params *params, const float *pcm, size_t n,
					  struct tacit_diarization *out);

/* tacit_diarize() of the recording at path, decoded as tacit_audio_load() decodes it
 * (mixed to mono, the same checks and 12 h cap) but a piece at a time and handed on
 * as it comes, so memory stays bounded whatever the length (a minute of samples here
 * and in the worker, plus the local speakers' embeddings: a few KB a minute). The
 * worker starts at the first decoded audio: a file that cannot be decoded is refused
 * before any model loads. Errors: tacit_audio_load()'s (TACIT_ERR_NOT_FOUND,
 * TACIT_ERR_IO, TACIT_ERR_FORMAT naming the file) and tacit_diarize()'s. A file without
 * audio frames gives zero turns, as no speech does. On failure *out is empty.
 * Thread-safe. */
TACIT_API enum tacit_status tacit_diarize_file(const struct tacit_diar_params *params, const char *path,
					       struct tacit_diarization *out);

/* The speaker who talks most between start_ms and end_ms, or -1 when nobody does. */
TACIT_API int tacit_diarization_speaker_at(const struct tacit_diarization *d, int64_t start_ms, int64_t end_ms);

/* Frees the turns; *d becomes empty. Accepts NULL. */
TACIT_API void tacit_diarization_release(struct tacit_diarization *d);

/* ---------------------------------------------------------------------------------
 * Transcription with whisper.cpp: 16 kHz PCM in, timestamped segments out. whisper runs
 * in a supervised worker process (`tacit-worker`, found as for the LLM engine above), one
 * per handle: a crash, an abort or an out-of-memory kill inside whisper.cpp fails the
 * call in progress with TACIT_ERR_WORKER ("the transcription worker was killed by signal
 * 6 ..."), and the handle stays usable: the next call starts a new worker and loads the
 * model again. The live stream's Silero VAD runs in a second worker of the handle's own,
 * so it never waits behind a decode.
 * Guards against invented text: no-context decoding (neither earlier calls nor earlier
 * 30 s windows of the same call are fed back as a prompt), log-prob, entropy and
 * no-speech thresholds, Silero VAD (when a VAD model is given) so silence is never
 * decoded, and a filter that drops segments caught in a repeated-token loop. With VAD,
 * whisper hears only the speech regions, packed one after another with 100 ms of silence
 * between them (a 30 s window holds 30 s of speech, so fewer encoder passes), and the
 * segments' times are mapped back onto the input's timeline.
 * --------------------------------------------------------------------------------- */
struct tacit_asr;

struct tacit_asr_params {
	const char *model_path;     /* whisper.cpp ggml model (required) */
	const char *vad_model_path; /* Silero ggml VAD model; NULL = decode everything */
	const char *language;       /* "en", "fr", ...; NULL or "auto" = detect */
	bool translate;             /* translate to English */
	bool speaker_turns;         /* ask for tinydiarize speaker-turn markers (tdrz
				     * models only; ignored by the others) */
	int n_threads;              /* 0 = the probe's usable cores */
	bool use_gpu;               /* default false */
	float logprob_thold;        /* default -1.0 */
	float no_speech_thold;      /* default 0.6 */
	float entropy_thold;        /* default 2.4 */
	bool temperature_fallback;  /* retry a failed window at higher temperature
				     * (default true; costs time on noise) */
	struct tacit_vad_params vad;
	/* NULL or a local engine: whisper in the worker, from model_path. A remote engine
	 * (see tacit_engine; setting engine.asr): the audio goes to that server, and to no
	 * other place, in WAV requests of at most four minutes: whisper.cpp's whisper-server
	 * (POST /inference) or an OpenAI-compatible one (POST /v1/audio/transcriptions, the
	 * model engine->model or the first it lists), told apart by whether it lists models
	 * on /v1/models; a URL ending in "/inference" or "/audio/transcriptions" is used as
	 * it is. model_path, vad_model_path, the thresholds and threads are then the
	 * server's business (unused); language and translate are sent. The live stream
	 * (tacit_asr_stream_open) sends the server its final utterances only (no partials)
	 * and still cuts them with vad_model_path on this device. Errors are TACIT_ERR_NETWORK naming the host (refused, HTTP status, wrong
	 * key, certificate, timeout, an answer that is not verbose_json), never retried on
	 * this device. Copied by tacit_asr_open(). */
	const struct tacit_engine *engine;
};

TACIT_API struct tacit_asr_params tacit_asr_default_params(void);

/* Who spoke. Channel speakers come from two-channel capture (channel 0 = microphone). */
enum tacit_speaker {
	TACIT_SPEAKER_UNKNOWN = -1,
	TACIT_SPEAKER_ME = 0,   /* "Me": the microphone channel */
	TACIT_SPEAKER_THEM = 1, /* "Them": the meeting audio channel */
	TACIT_SPEAKER_DIARIZED = 16, /* + k, k from 0 to 63: "Speaker k+1", found by
				      * diarization (tacit_diarize()) */
};

/* A display name for a speaker ("Me", "Them", "Speaker 3", "" for unknown). Static
 * string. */
TACIT_API const char *tacit_speaker_name(int speaker);

/* A segment as the speech engine hands it out. It is not struct tacit_segment (the
 * store's row) on purpose: the engine knows the audio channel a segment came from
 * (speaker is a number, enum tacit_speaker) and whether the model marked a turn, while
 * a stored segment has ids, a speaker label as text ("S1", "Me", a replayed name) and
 * the name the user gave it. Live meetings and imports turn one into the other when
 * they store a segment (the label is tacit_speaker_name(speaker)). */
struct tacit_asr_segment {
	int64_t start_ms;  /* on the input's timeline (plus the offset given) */
	int64_t end_ms;
	int speaker;       /* enum tacit_speaker, or TACIT_SPEAKER_UNKNOWN */
	bool turn_next;    /* the model marked a speaker change after this segment */
	bool final;        /* a final segment never changes; a partial one (live mode) is
			    * replaced by the next partial or final segments */
	float confidence;  /* mean token probability, 0..1 */
	const char *text;  /* UTF-8, trimmed; owned by the engine, valid during the callback
			    * (tacit_transcript copies it) */
};

/* Called for every segment as it is produced; return false to stop (the call then
 * fails with TACIT_ERR_CANCELLED). Runs on the thread that called the engine. */
typedef bool (*tacit_asr_segment_fn)(const struct tacit_asr_segment *seg, void *user);

/* Starts the worker and loads the model, as tacit_llm_open() does for a language model
 * (both handles are models in a worker process, and have the same verbs). Errors:
 * TACIT_ERR_USAGE (no model path, unknown language), TACIT_ERR_NOT_FOUND (no such file),
 * TACIT_ERR_MODEL (not a whisper model), TACIT_ERR_UNSUPPORTED (a language an
 * English-only model cannot do), TACIT_ERR_WORKER (the worker could not start, or died
 * loading). *out: close with tacit_asr_close(). One thread at a time may use a struct
 * tacit_asr; different ones are independent. */
TACIT_API enum tacit_status tacit_asr_open(const struct tacit_asr_params *params, struct tacit_asr **out);

/* Stops the worker (politely, then killed) and frees the handle. Accepts NULL. Streams
 * on it must be closed first. */
TACIT_API void tacit_asr_close(struct tacit_asr *asr);

/* Whether the loaded model is multilingual (can detect language and translate). A
 * remote engine counts as multilingual (the server decides). */
TACIT_API bool tacit_asr_multilingual(const struct tacit_asr *asr);

/* Where asr's work runs, for people: "this device" or "remote, HOST (NAME)" (NAME: the
 * model asked for, or "whisper-server"). Owned by asr, valid until it is closed. */
TACIT_API const char *tacit_asr_where(const struct tacit_asr *asr);

/* The language of the speech. whisper decodes each request in the language given
 * (struct tacit_asr_params.language) or, with "auto", in the one it detects from the
 * request's first 30 s (multilingual models only; an English-only model always decodes
 * English). The worker reports it with each request.
 *
 * tacit_asr_language() is the language code ("en", "de", ...) of what asr has transcribed so far: the language
 * given in its params when fixed; "en" for an English-only model; otherwise the one
 * whisper detected for most of the audio (by duration, over every tacit_asr_transcribe()
 * and live stream request of this handle); "" when nothing has been decoded yet (no call,
 * or no speech). Owned by asr, valid until its next call. Use from asr's thread. */
TACIT_API const char *tacit_asr_language(const struct tacit_asr *asr);

/* Transcribes n mono samples (16 kHz), calling fn (may be NULL) for each final segment
 * in order, with offset_ms added to its times and the given speaker. cancel (may be
 * NULL) is read atomically: set it non-zero from any thread to stop; the call then
 * fails with TACIT_ERR_CANCELLED soon after. Audio too short to transcribe (under
 * 100 ms) or without speech gives no segments and TACIT_OK. Errors: TACIT_ERR_ASR,
 * TACIT_ERR_CANCELLED, TACIT_ERR_NOMEM, TACIT_ERR_WORKER (the worker died; the next call
 * starts a new one). A worker that ignores a cancel for 2 s is killed. */
TACIT_API enum tacit_status tacit_asr_transcribe(struct tacit_asr *asr, const float *pcm, size_t n,
						 int64_t offset_ms, int speaker, const volatile int *cancel,
						 tacit_asr_segment_fn fn, void *user);

/* ---------------------------------------------------------------------------------
 * Live transcription: feed PCM as it arrives; partial segments show the current
 * utterance and may change; once an utterance ends (a pause the VAD hears, or 20 s of
 * speech), its final segments are emitted and never change.
 * Pushing never waits for the decoder: utterances queue for the worker, and segments
 * reach fn from inside a later push (or finish) as the worker produces them. Finals
 * come first: a partial is decoded only while the worker is idle (with a shortened
 * encoder context, so it is cheap), and a partial still running when a final is due is
 * cancelled and its output dropped.
 * The VAD (with a VAD model) runs in a worker of its own, started on the first push; if
 * it dies it is started once more, and if it dies again the stream goes on without it
 * (an utterance then ends every 10 s) with a warning in the log. Without a VAD model, an
 * utterance ends every 10 s.
 * On a remote engine (tacit_asr_params.engine) each final utterance is one request to
 * the server, made on a thread of the handle's own so that pushing still never waits;
 * there are no partials (partial_every_ms is ignored): a server would receive the same
 * audio over and over, and its decoder would make finals wait behind previews. The VAD
 * still runs on this device (it sends nothing). A failed request fails the push (or
 * finish) that takes its end, with the server's TACIT_ERR_NETWORK naming the host;
 * finals delivered before it stay delivered, that utterance's are lost, and a later
 * push goes on with the next one.
 * --------------------------------------------------------------------------------- */
struct tacit_asr_stream;

/* A stream on asr (which must outlive it). n_channels is 1 or 2 (two: channel 0 is
 * "Me", 1 is "Them", each transcribed on its own). partial_every_ms: how much new audio
 * triggers a new partial (0 = no partials; default 1000 is a good choice). fn receives
 * partial and final segments. Close with tacit_asr_stream_close() before asr. */
TACIT_API enum tacit_status tacit_asr_stream_open(struct tacit_asr *asr, int n_channels, int partial_every_ms,
						 tacit_asr_segment_fn fn, void *user, struct tacit_asr_stream **out);
TACIT_API void tacit_asr_stream_close(struct tacit_asr_stream *s);

/* Appends interleaved frames (n_frames * n_channels floats at 16 kHz) and does the
 * work they make due. Errors as tacit_asr_transcribe(). */
TACIT_API enum tacit_status tacit_asr_stream_push(struct tacit_asr_stream *s, const float *pcm, size_t n_frames,
						  const volatile int *cancel);

/* Ends the stream: whatever is pending becomes final, and the call returns once every
 * queued utterance has been transcribed and its segments delivered. */
TACIT_API enum tacit_status tacit_asr_stream_finish(struct tacit_asr_stream *s, const volatile int *cancel);

/* ---------------------------------------------------------------------------------
 * Transcripts: a list of final segments and its renderings.
 * --------------------------------------------------------------------------------- */
struct tacit_segments {
	struct tacit_asr_segment *segments; /* sorted by start; texts owned by the transcript */
	size_t n_segments;
	size_t alloc;      /* private to the library: room allocated in segments */
	char language[16]; /* the speech's language code ("en"), "" when unknown: set it from
			    * tacit_asr_language(); the JSON rendering carries it */
};

TACIT_API void tacit_segments_init(struct tacit_segments *t);
TACIT_API void tacit_segments_release(struct tacit_segments *t);
/* Copies seg (and its text) into t, keeping t sorted by start time. */
TACIT_API enum tacit_status tacit_segments_add(struct tacit_segments *t, const struct tacit_asr_segment *seg);
/* A tacit_asr_segment_fn that adds every final segment to the transcript passed as user. */
TACIT_API bool tacit_segments_collect(const struct tacit_asr_segment *seg, void *user);

/* Renders t in any enum tacit_format: text ("[00:00:01.500 --> 00:00:03.000] Me: text"),
 * JSON ({"language":"en","segments":[{"start":1.5,"end":3.0,"speaker":"Me","text":..}]},
 * "language" only when known), SubRip (00:00:01,500), WebVTT (00:00:01.500, <v Me>
 * voice tags) or Markdown (a "**Speaker** [mm:ss]" paragraph per speaker change).
 * *out: caller frees with tacit_free(). Speaker changes are marked in every
 * format (a "Speaker:" prefix, a JSON field, a VTT voice tag, a Markdown heading).
 * Errors: TACIT_ERR_USAGE, TACIT_ERR_NOMEM. */
TACIT_API enum tacit_status tacit_segments_render(const struct tacit_segments *t, enum tacit_format fmt,
						  char **out);

/* One segment as a JSON line (no newline) for live output:
 * {"type":"partial"|"final","start":1.5,"end":3.0,"speaker":"Me","text":"..."}.
 * Caller frees with tacit_free(); NULL when out of memory. */
TACIT_API char *tacit_asr_segment_json(const struct tacit_asr_segment *seg);

/* ---------------------------------------------------------------------------------
 * Audio capture (miniaudio): the microphone as 16 kHz float PCM, for the live pipeline.
 * The device's own rate and format are converted by miniaudio. Capture never falls
 * back to a fake device by itself: a machine without one gets TACIT_ERR_NOT_FOUND.
 * --------------------------------------------------------------------------------- */
struct tacit_capture;

/* Receives n_frames interleaved frames (n_frames * n_channels floats, 16 kHz). Runs on
 * the audio thread: copy the samples out and return quickly (no disk, no decoding,
 * no waiting on locks held for long), or audio is dropped. pcm is valid during the call. */
typedef void (*tacit_capture_fn)(const float *pcm, size_t n_frames, int n_channels, void *user);

struct tacit_capture_params {
	int channels;      /* 1 (default) or 2: channel 0 is "Me" in a two-channel stream */
	bool null_backend; /* tests: miniaudio's null device (silence, no hardware); also
			    * chosen by the environment variable TACIT_AUDIO_BACKEND=null */
	const char *device; /* the microphone: a capture device's name or id (exact, or a
			     * unique part of one, case-blind), or NULL = the default */
	bool system;        /* also capture the system's audio (the meeting) as a second
			     * source: the stream then has two channels, the microphone as 0
			     * ("Me") and the system audio as 1 ("Them"), whatever channels says */
	const char *system_device; /* with system: a device by name (any capture device, or on
				    * Windows an output recorded by loopback); NULL = the default
				    * output's monitor (PulseAudio/PipeWire) or loopback (WASAPI) */
};

TACIT_API struct tacit_capture_params tacit_capture_default_params(void);

/* Opens the capture device (and with system, the system audio); fn receives the audio
 * once started. With two sources, the devices' frames are paired as they arrive (one
 * device's clock runs against the other's): when one falls half a second behind, the gap
 * is filled with silence, so a stalled source never holds up the other, and fn is called
 * from one device's audio thread at a time. Errors: TACIT_ERR_USAGE (no fn, channels not
 * 1 or 2), TACIT_ERR_NOT_FOUND (no audio system, no such device or several matching the
 * name, or a device that will not open: the message says which), TACIT_ERR_UNSUPPORTED
 * (system audio asked for, but the audio system has no monitor or loopback device: the
 * message says what to do), TACIT_ERR_NOMEM. Close with tacit_capture_close(). A handle
 * is used from one thread (fn runs on another). */
TACIT_API enum tacit_status tacit_capture_open(const struct tacit_capture_params *params, tacit_capture_fn fn,
					       void *user, struct tacit_capture **out);
/* Starts and stops delivery. After stop returns, fn is not running and will not be
 * called again until the next start. TACIT_ERR_IO when the device refuses. */
TACIT_API enum tacit_status tacit_capture_start(struct tacit_capture *cap);
TACIT_API enum tacit_status tacit_capture_stop(struct tacit_capture *cap);
/* The name of the device in use (owned by the handle). */
TACIT_API const char *tacit_capture_device_name(const struct tacit_capture *cap);

/* The sources of a capture, as bits of tacit_capture_lost()'s answer. */
#define TACIT_CAPTURE_MIC 1u    /* the microphone (or the one device) */
#define TACIT_CAPTURE_SYSTEM 2u /* the system audio */
/* The sources whose device went away while capturing: unplugged, its output removed (a
 * monitor goes with its output), or the sound server gone. A lost source does not come
 * back (open the capture again); with two sources the other goes on and the lost one's
 * channel is silence from then on, so nothing stops by itself. 0 while all deliver (and
 * for NULL). Thread-safe, cheap: meant to be polled while capturing. */
TACIT_API unsigned tacit_capture_lost(const struct tacit_capture *cap);
/* Stops if needed and frees. Accepts NULL. */
TACIT_API void tacit_capture_close(struct tacit_capture *cap);

/* The devices `--mic DEVICE` and `--system DEVICE` can name. */
struct tacit_audio_device {
	char name[256];    /* what to pass as tacit_capture_params.device or system_device */
	char id[256];      /* the audio system's own name for it, unique where the name may
			    * not be (PulseAudio: "meet.monitor", as `pactl list sources`
			    * shows; ALSA: "hw:0,0"); also accepted as a device name. "" where
			    * the audio system has none */
	char backend[32];  /* the audio system ("PulseAudio", "WASAPI", "Core Audio", "Null") */
	bool is_default;   /* the default input (or, for a loopback entry, output) */
	bool system;       /* carries the system's audio: an output's monitor, or an output
			    * recorded by loopback */
	bool loopback;     /* an output (WASAPI), usable only as the system audio */
};

/* The capture devices (and on Windows the outputs recordable by loopback), in the audio
 * system's order; params: NULL, or null_backend for tests. *out: caller frees with
 * tacit_free() (never NULL on success, *n_out may be 0). Errors: TACIT_ERR_NOT_FOUND (no
 * audio system), TACIT_ERR_IO, TACIT_ERR_NOMEM. Thread-safe. */
TACIT_API enum tacit_status tacit_capture_devices(const struct tacit_capture_params *params,
						  struct tacit_audio_device **out, size_t *n_out);

/* =================================================================================
 * Part 5. Orchestration: meeting tasks, live meetings, import
 * ================================================================================= */

/* ---------------------------------------------------------------------------------
 * Meeting tasks on a transcript: summary, notes, answers, suggestions. Output is JSON
 * forced by a grammar, then checked: every item cites transcript segments by number
 * (1-based, as the prompt shows them: [S1], [S2], ...); cited numbers outside the
 * transcript are removed, and an item left citing nothing is dropped (counted in the
 * result's "dropped"); an answer citing nothing is kept but marked "grounded": false.
 *
 * Schemas (all objects also get "dropped": N):
 *  summary  {"title","overview","key_points":[{"text","cites"}],"decisions":[...],
 *            "action_items":[{"owner","task","due","cites"}],"open_questions":[...]}
 *  notes    {"sections":[{"topic","start","end","bullets":[{"text","cites"}]}]}
 *           start/end are the first and last segment numbers of the section
 *  answer   {"answer","cites","grounded"}
 *  suggest  {"suggestions":[{"kind":"question|follow_up|risk|idea","text","cites"}]}
 *
 * Meetings longer than the model's context are never truncated: the transcript is cut
 * into windows of whole segments that overlap, each window is processed (map) and the
 * partial results are merged (reduce), in as many rounds as needed. The plan is logged
 * at TACIT_LOG_INFO.
 * --------------------------------------------------------------------------------- */
struct tacit_transcript;

/* Reads a transcript file: a JSON array of segments {"id","start_ms","end_ms","speaker",
 * "text"} (all but text optional), `tacit transcribe --format json` output {"segments":
 * [{"start","end" (seconds),"speaker","text"}]}, a QMSum-style object
 * {"meeting_transcripts":[{"speaker","content"}]}, or plain text with one "Speaker: text"
 * turn per line (a line without "Name:" continues the previous speaker). {markers} are
 * dropped. Caller frees with tacit_transcript_free(). Errors: TACIT_ERR_NOT_FOUND,
 * TACIT_ERR_IO, TACIT_ERR_FORMAT (bad JSON, binary data, a turn without text, or no
 * segment with text). */
TACIT_API enum tacit_status tacit_transcript_load(const char *path, struct tacit_transcript **out);
TACIT_API void tacit_transcript_free(struct tacit_transcript *t);
TACIT_API size_t tacit_transcript_count(const struct tacit_transcript *t);
/* Total words in the transcript. */
TACIT_API size_t tacit_transcript_words(const struct tacit_transcript *t);
/* One final segment of a transcript (i < tacit_transcript_count()), without copying:
 * text and speaker are owned by t. Times are -1 where the file has none. False past the
 * end. For replaying a transcript as a live meeting. */
TACIT_API bool tacit_transcript_get(const struct tacit_transcript *t, size_t i, struct tacit_segment *out);


enum tacit_task {
	TACIT_TASK_SUMMARY = 0,
	TACIT_TASK_NOTES = 1,
	TACIT_TASK_ANSWER = 2,
	TACIT_TASK_SUGGEST = 3,
};

struct tacit_meeting_params {
	enum tacit_task task;
	const char *question;  /* TACIT_TASK_ANSWER: required */
	int max_tokens;        /* per model call; 0 = 1024 */
	tacit_token_fn on_token; /* streams the raw JSON of each model call; may be NULL */
	void *user;
	const volatile int *cancel; /* may be NULL; see the LLM engine */
	const char *language;  /* output language, a code ("fr") or a name; NULL, "" or "auto"
				* = the transcript's when known (whisper's detection, stored
				* with the session), else the one its words show (English,
				* French, Spanish or German, by their common words), else "the
				* language of the transcript". For French, Spanish and German
				* the instruction is also written in that language. The JSON
				* keys stay English; the values are in that language: an
				* answer whose text reads as another of the four is asked for
				* once more with a firmer instruction (logged at
				* TACIT_LOG_WARN), and the second answer is kept */
	const char *state_path; /* a one-pass run loads the transcript prefix's KV state from
				 * this file, or saves it there (see tacit_llm_request); a
				 * stored meeting's windows get theirs from tacit_session_task() */
	const char *template_name; /* the summary's template (see "Summary templates" below);
				    * NULL or "" = "general", the schema above. Notes get the
				    * template's notes hint, if it has one */
};

TACIT_API struct tacit_meeting_params tacit_meeting_default_params(void);

/* The prompt version recorded with every stored result: it changes whenever the
 * instructions or the transcript layout change, so saved states and artifacts say which
 * prompt made them. */
#define TACIT_PROMPT_VERSION "meeting-3"

/* Runs a task over the transcript with the model and returns the checked JSON in
 * *out_json (caller frees with tacit_free()). Not thread-safe on one llm handle. Errors:
 * those of tacit_llm_generate(), TACIT_ERR_USAGE (no question; max_tokens too small for
 * the task), TACIT_ERR_CONTEXT_FULL (the context cannot hold even one segment plus the
 * answer), TACIT_ERR_LLM (the model's output was cut by max_tokens: raise it). */
TACIT_API enum tacit_status tacit_meeting_run(struct tacit_llm *llm, const struct tacit_transcript *t,
					      const struct tacit_meeting_params *params, char **out_json);

/* Renders a task's checked JSON as Markdown, citations as [S3] with times when the
 * transcript has them. Caller frees with tacit_free(). NULL when json is malformed. */
TACIT_API char *tacit_meeting_markdown(enum tacit_task task, const char *json, const struct tacit_transcript *t);

/* --- asking across all meetings ------------------------------------------------- */
/* tacit_ask_all() answers a question from every stored meeting: the search index (BM25,
 * the question's uncommon words, stemmed) picks the top_k best segments of the whole
 * history, each with n_neighbours segments either side for context, grouped by meeting
 * (the meeting of the best hit first) and cut at a token budget; the model answers from
 * those excerpts alone, citing meeting and segment as [M12 S40] (segment numbers as the
 * meeting's transcript and summaries number them, from 1). */
struct tacit_ask_all_params {
	int top_k;              /* best-matching segments (at most 64); default 12 */
	int n_neighbours;       /* segments taken either side of each; default 1 */
	int max_context_tokens; /* budget for the excerpts; 0 = what the model's context leaves
				 * after the answer and the instructions (the default) */
	int max_tokens;         /* longest answer; 0 = 512, or a quarter of a smaller context */
	tacit_token_fn on_token; /* streams the raw answer; may be NULL */
	void *user;
	const volatile int *cancel; /* may be NULL */
	/* Filters. A question's own words filter too: a date phrase ("yesterday", "last
	 * week", "in March", "3 days ago", "since 2026-03-01"; French, Spanish and German
	 * basics such as "hier", "la semana pasada", "im März") limits the meetings by when
	 * they started, and a speaker of some meeting named as the one speaking ("what did
	 * Alice say", "Bob said", "according to Carol") limits the lines to theirs; those
	 * words are then left out of the search. The fields below win over the question. */
	int64_t since_ms;          /* only meetings started at or after (Unix ms); 0 = any */
	int64_t until_ms;          /* only meetings started before (Unix ms); 0 = any */
	const char *speaker;       /* only lines by this speaker (name or label, any case) */
	bool ignore_question_filters; /* true: the question's dates and names are only words */
	int64_t now_ms;            /* "now" for the question's dates; 0 = the clock */
	/* Search by meaning: a GGUF embedding model's path. When tacit_index() has given
	 * the meetings vectors of this model, the question is embedded too (its own small
	 * worker, a fraction of a second) and the passages are the best of both rankings,
	 * words (BM25) and meaning (cosine), fused by reciprocal rank: a line about "the
	 * vendor" answers a question about "the supplier". NULL, or no vectors yet (a
	 * warning says so), = words only. */
	const char *embed_model;
	int embed_threads; /* 0 = the cores */
};
TACIT_API struct tacit_ask_all_params tacit_ask_all_default_params(void);

/* Indexing the meetings for search by meaning. */
struct tacit_index_params {
	const char *embed_model; /* a GGUF embedding model's path (catalog kind "embed") */
	int n_threads;           /* 0 = the cores */
	/* called before the first batch (0, total) and after each: segments with a new vector
	 * so far, of those that had none of this model */
	void (*on_progress)(int64_t done, int64_t total, void *user);
	void *user;
	const volatile int *cancel; /* read between batches of 256 segments; may be NULL */
};
TACIT_API struct tacit_index_params tacit_index_default_params(void);

/* Gives every final segment of every meeting that has no vector of embed_model one: the
 * model runs in a worker of its own, 256 segments a batch, each batch stored in one
 * transaction, so a cancel, a crash or a kill keeps what was done and the next call does
 * only the rest (calling it after every new meeting costs that meeting's lines). Vectors
 * are kept per model (by its file name and size), int8 with a scale, 1 byte per dimension and 4
 * (388 bytes a segment for the catalog's granite-embedding-30m), deleted with their segment or when its text
 * changes. *out_indexed (may be NULL) gets how many were added.
 * Errors: TACIT_ERR_USAGE, TACIT_ERR_MODEL / TACIT_ERR_NOT_FOUND (the model), TACIT_ERR_WORKER,
 * TACIT_ERR_CANCELLED (what was done is kept), TACIT_ERR_DB. */
TACIT_API enum tacit_status tacit_index(struct tacit_store *store, const struct tacit_index_params *params,
					int64_t *out_indexed);

/* Reads text as a date the way questions and --since/--until are written: YYYY-MM-DD,
 * "today", "yesterday", "last week", "in March", "3 days ago" ... (see above) in the
 * local time zone, with now_ms as now (0 = the clock). The span is [*from_ms, *to_ms):
 * a day, a week, a month, or open at one end (0). TACIT_ERR_USAGE when text is no date. */
TACIT_API enum tacit_status tacit_date_parse(const char *text, int64_t now_ms, int64_t *from_ms, int64_t *to_ms);

/* Answers question with llm over every meeting in store (params NULL = defaults).
 * *out_json (caller frees with tacit_free()) is an object: "question", "answer" (the
 * text, keeping only citations that name a retrieved segment; others are removed),
 * "cites" ([{meeting, segment, start_ms, speaker, text}], distinct, in order of use),
 * "dropped" (citations removed), "grounded" (false when no citation is left) and
 * "meetings" ([{meeting, title, started_ms, segments: [n...]}], what the model read), and
 * when any filter applied, "filters" ({since_ms, until_ms, speaker, date_phrase,
 * described}: 0, null or "" where none; described reads "meetings from 2026-11-30 to
 * 2026-12-06, lines by Alice").
 * Errors: TACIT_ERR_NOT_FOUND (no segment of any meeting the filters allow matches the
 * question's words; the message names the filters),
 * TACIT_ERR_CONTEXT_FULL (the context leaves under 64 tokens for excerpts), those of
 * tacit_llm_generate(), TACIT_ERR_USAGE, TACIT_ERR_DB. Not thread-safe on one llm. */
TACIT_API enum tacit_status tacit_ask_all(struct tacit_store *store, struct tacit_llm *llm, const char *question,
					  const struct tacit_ask_all_params *params, char **out_json);

/* ---------------------------------------------------------------------------------
 * Summary templates (session types). A template names the sections of a summary, each
 * with a kind and an instruction for the model; the summary's prompt, grammar, checks
 * and Markdown are made from it. Kinds and their JSON:
 *   text         "key": "..."
 *   list         "key": [{"text","cites"}]
 *   per-speaker  "key": [{"speaker","text","cites"}]   (Markdown groups by speaker)
 *   actions      "key": [{"owner","task","due","cites"}]
 * Every summary also has "title"; a template other than "general" adds "template":
 * "NAME" to its JSON (tacit_meeting_markdown() renders by it). In templates other than
 * "general", owners and speakers are forced by the grammar to be speakers of the meeting
 * (when the transcript names them) or "unassigned".
 * Built in: general (the schema above), one-on-one, stand-up, sales, interview,
 * lecture, planning. Custom templates are files <config dir>/templates/NAME.tmpl in
 * the line format of docs/templates.md; a file that does not parse is reported as
 * "FILE:LINE: what is wrong" (TACIT_ERR_FORMAT) and never used. The per-device setting
 * "summary.template" names the default template of stored meetings' summaries.
 * --------------------------------------------------------------------------------- */
struct tacit_template_section {
	const char *key;         /* the JSON key */
	const char *heading;     /* the Markdown heading; "" = a text right under the title */
	const char *kind;        /* "text", "list", "per-speaker" or "actions" */
	const char *instruction; /* what the model is asked to put there */
};

struct tacit_template_info {
	const char *name;
	const char *description;
	const char *path;  /* the file of a custom template; NULL for a built-in one */
	const char *error; /* a custom file that does not load: why, "FILE:LINE: ..." (then
			    * it has no sections); NULL when it loads */
	size_t n_sections;
	const struct tacit_template_section *sections;
};

/* Receives one template; the pointers are valid during the call only. Return false to
 * stop the listing. */
typedef bool (*tacit_template_fn)(const struct tacit_template_info *t, void *user);

/* Lists the built-in templates, then the custom ones by name (each file checked: a bad
 * one comes with its error, and so does one named like a built-in, which the built-in
 * shadows). TACIT_ERR_IO when the configuration directory cannot be made. Thread-safe. */
TACIT_API enum tacit_status tacit_templates_list(tacit_template_fn fn, void *user);

/* TACIT_OK when a template of that name exists and loads (NULL or "" = "general");
 * TACIT_ERR_NOT_FOUND with the remedy, TACIT_ERR_FORMAT with FILE:LINE. Thread-safe. */
TACIT_API enum tacit_status tacit_template_check(const char *name);

/* ---------------------------------------------------------------------------------
 * Meeting intelligence on a stored meeting: the meeting tasks run on a session's
 * transcript (its final segments), and their results are stored with the session:
 *   summary, notes  an artifact of that kind (JSON and Markdown, model, prompt version)
 *   answer          two chat messages: the question (user) and the answer (assistant,
 *                   its Markdown, citations included)
 *   suggestions     one suggestion row each, at the time of its first cited segment
 *
 * Saved transcript states. The transcript part of the prompt (the instructions before
 * it and the numbered segments) is the same for every task, so its KV state is saved in
 * <cache dir>/kv/ and recorded in the store (tacit_store_add_model_state, deleted with
 * the session). A later task, even in a new process, loads it instead of reading the
 * transcript again. A meeting that fits the context has one state; a longer one is cut
 * into windows (see the meeting tasks above) and each window has its own, saved the
 * first time a task reads that window. The windows depend on the context size and
 * the transcript, not on the task (a fixed room is kept for the task's instructions and
 * question; only a question longer than that room makes other windows), so a summary's
 * window states serve the notes and the answers that follow. Each file name is keyed to
 * the model file (path, size, mtime), the prompt version and a hash of its window's
 * text, so a state made by another model, prompt or transcript is never loaded, and a
 * meeting that grows keeps the states of the windows that did not change. After each
 * task the session keeps exactly the states of the plan it ran with: the others
 * (another model, another context, an older transcript) are removed, rows and files.
 * A state file is about the window's tokens times the model's KV bytes per token
 * (32 KiB for a 1B Llama: 12,000 tokens take 384 MiB). What follows the state in an
 * answer's prompt is the question alone (the rule for answers is in the instructions
 * before the transcript): every token after a long transcript is computed against all
 * of it, so those tokens decide how soon a saved meeting starts answering.
 *
 * Questions about a meeting longer than the context. An answer does not read every
 * window: the question's words (common English words left out) are looked up in the
 * meeting's segments with the search index (FTS5, stemmed, BM25), each window scores
 * the sum of its matching segments, and the answer comes from the best window alone,
 * from its saved state; its citations are global segment numbers as always. So `tacit
 * ask` on a three-hour meeting costs one window, and nothing of the transcript is read
 * again once that window's state is saved. When no segment matches any of the
 * question's words, every window is read (map) and the partial answers are merged
 * (reduce), each window from its saved state. tacit_meeting_run() on a transcript file
 * has no index: its answers always map over every window.
 * --------------------------------------------------------------------------------- */

/* The session's final segments as a transcript (speakers by their given names when set,
 * else their labels). Caller frees with tacit_transcript_free(). Errors:
 * TACIT_ERR_NOT_FOUND (no such session, or a session without segments: the message says
 * to transcribe or import one), TACIT_ERR_DB, TACIT_ERR_NOMEM. */
TACIT_API enum tacit_status tacit_transcript_from_session(struct tacit_store *store, int64_t session_id,
							  struct tacit_transcript **out);

/* Tokens the transcript will take in a prompt, estimated from its words (about 1.35 per
 * word plus each line's "[S12 03:15] Speaker:" prefix): enough to size a context so the
 * whole meeting fits one pass. */
TACIT_API int tacit_transcript_estimate_tokens(const struct tacit_transcript *t);

/* A context (tokens) that holds the whole transcript in one pass plus max_tokens of
 * answer (0 = 1024), so the saved transcript state serves every task: the estimate above
 * with room for spoken text, rounded up to 1024, at least 8192 and at most 131072. Give
 * it to tacit_llm_params.n_ctx_cap (the model's training context still bounds it). */
TACIT_API int tacit_transcript_one_pass_context(const struct tacit_transcript *t, int max_tokens);

struct tacit_session_task_params {
	struct tacit_meeting_params meeting; /* task, question, language, limits, streaming,
					      * cancel (state_path is set by the call) */
	const char *model_name; /* recorded with the results; NULL = the model file's name */
	bool use_state;         /* default true: load or save the transcript states (and remove
				 * the session's superseded ones) */
	/* may be NULL: called once, on the calling thread with meeting.user, before the model
	 * reads anything: "using the meeting's saved transcript state" when the state of the
	 * plan's first window for this model is on disk (a restart loads it; the task answers
	 * without reading that part of the meeting again), else "reading the meeting's
	 * transcript" */
	void (*on_status)(const char *text, void *user);
};

TACIT_API struct tacit_session_task_params tacit_session_task_default_params(void);

struct tacit_session_task_result {
	char *json;     /* the checked JSON; caller frees with tacit_free() */
	char *markdown; /* its Markdown; caller frees with tacit_free() */
	int64_t id;     /* the stored artifact, assistant chat message or first suggestion */
	enum tacit_state_use state; /* what the transcript prefix state did; over several
				     * windows, SAVED when any window's state was saved, else
				     * LOADED when any was loaded */
	int n_reused;   /* prompt tokens of the last model call not decoded again */
	int n_windows;  /* transcript windows of the plan; 1 = the meeting fit one pass */
	int answer_window; /* an answer to a meeting of several windows: the window (1-based)
			    * it came from alone; 0 = every window was read */
	int states_loaded; /* window states loaded from disk instead of read again */
	int states_saved;  /* window states decoded and saved by this task */
};

/* Runs a meeting task on session_id's transcript with llm and stores the result (see
 * above). The language, when params give none, is the session's; the template of a
 * summary or notes, when params give none, the setting "summary.template", else
 * "general"; it is recorded with the artifact. *out is filled on
 * success; release it with tacit_session_task_result_release(). Not thread-safe on one
 * llm or store handle. Cancelling (meeting.cancel) stores no result, even when the flag
 * is set after the model finished but before the result was written: the call then
 * returns TACIT_ERR_CANCELLED. Transcript states saved before a failure or a cancel are
 * still recorded with the session (so the next task loads them, and deleting the session
 * deletes them). Errors: those of tacit_transcript_from_session(), tacit_meeting_run()
 * and the store's writes. A state file that cannot be written or read, recorded or
 * removed is a cache miss (logged at TACIT_LOG_WARN), never a failure. */
TACIT_API enum tacit_status tacit_session_task(struct tacit_store *store, int64_t session_id, struct tacit_llm *llm,
					       const struct tacit_session_task_params *params,
					       struct tacit_session_task_result *out);

/* Frees the result's strings; accepts an empty or zeroed result. */
TACIT_API void tacit_session_task_result_release(struct tacit_session_task_result *r);

/* ---------------------------------------------------------------------------------
 * Live meetings: capture → voice activity → streaming transcription → session store →
 * rolling analysis, with questions and automatic suggestions during the meeting. The
 * CLI's `tacit live` and the web app drive meetings through this one API.
 *
 * Threads. tacit_live_open() starts two threads. The transcription thread owns the
 * speech model and the recording; it takes audio from tacit_live_push(), writes it to
 * the session's recording (crash-safe, see tacit_recording_open()), transcribes it and
 * stores every final segment durably before announcing it. The analysis thread owns
 * the language model (in its worker process, at the normal CPU priority so that the
 * final summary is not starved by other programs; see "Transcription first" for how
 * speech keeps up): transcription never waits on it. Its jobs are coalesced: a newer suggestion request
 * replaces a queued one; segments that arrive while it is busy are taken together.
 *
 * Transcription first. While whisper has a final segment to decode (in flight or
 * queued), or more than live.asr_backlog_ms of audio waits for the transcription
 * thread, the language model's worker is paused (SIGSTOP; resumed with SIGCONT when
 * that work is done): model work never takes a core from the transcript. A nicer
 * priority alone is not enough: ggml's threads wait for each other by spinning, so two
 * engines sharing too few cores stall each other (on 2 cores the transcript fell a
 * minute behind with suggestions on). The model works in the gaps; under a heavy
 * transcription load suggestions come late or not at all, and a stop then has more of
 * the window to read. Partials (previews) do not pause the model. A paused worker keeps
 * its state; a cancel, an abort or a stop resumes it, and a worker whose parent dies
 * while it is paused is ended by the kernel (SIGHUP to its orphaned process group).
 * The live VAD runs on one thread beside it. Turn it off with live.asr_first "off".
 *
 * Rolling analysis. Final segments enter the language model's cache as they arrive
 * (the prompt is a stable prefix that only grows, so only new text is processed).
 * When the current window of segments reaches the window budget, the window is
 * summarized (map) and folded into the rolling state: decisions, action items, key
 * points and open questions append, the title and overview are rewritten. The state is
 * stored after each fold as the session's artifact "rolling_summary", so a resumed
 * session goes on from it. When the analysis has nothing else to do and the window
 * holds more than 2048 tokens, it folds all but the window's last 1024 tokens (kept
 * verbatim for questions), so a stop finds a short window. Stopping leaves one model
 * call when the analysis has kept up, however long the meeting was and wherever in a
 * window it ends: the last window,
 * already in the model's cache, is summarized and the whole meeting's title and
 * overview rewritten in the same call, with every core (transcription has finished).
 * The final summary ("summary" artifact) and notes ("notes": one section per window)
 * come from the rolling state.
 *
 * Segments are numbered from 1 over the whole session ([S1], [S2], ...); every summary
 * item, answer and suggestion cites them, checked as in tacit_meeting_run().
 *
 * Settings read from the store (per device; all optional):
 *   suggestions.auto                 "on"/"off": automatic suggestions (default off)
 *   suggestions.interval_s           seconds between automatic suggestions (default 60)
 *   suggestions.battery_factor       on battery the interval is multiplied by this (3)
 *   suggestions.battery_min_percent  on battery below this charge they pause (30)
 *   suggestions.max_load             load average per usable core above which a round
 *                                    is skipped and the interval doubles, up to 8x (1.5)
 *   suggestions.notice_shown         set once the one-time notice was handed out
 *   live.window_tokens               window budget in tokens (default: what the context
 *                                    holds after the instructions, the answer and room
 *                                    for a question, at most 6144)
 *   live.max_tokens                  output budget of each model call (default 320)
 *   live.asr_first                   "on"/"off": pause the model while whisper decodes a
 *                                    final segment (default on; see above)
 *   live.asr_backlog_ms              untranscribed audio (ms) beyond which the model
 *                                    also waits (default 1000)
 *   live.max_minutes                 the longest meeting, in minutes of audio (a resumed
 *                                    meeting's earlier audio counts): there it stops
 *                                    itself as tacit_live_stop() would, a STATUS event
 *                                    saying why (default 480; 0.1 to 1440)
 * Power and load are read when a suggestion falls due (params.sysroot for tests).
 *
 * Questions from other processes. While a live meeting is open (tacit_live_open() until
 * tacit_live_close()), it takes questions from other processes of the same user on this device, such as `tacit ask
 * --live ID "..."` beside a running `tacit live` or `tacit serve`. They are answered from
 * the meeting's live context, by its own analysis thread whose model already holds the
 * transcript (nothing is read again), queued with the meeting's other questions, and
 * stored in its chat like them. Their answers go to the asking process only: no
 * ANSWER_DELTA or ANSWER event is sent for them.
 *
 * The meeting listens on a Unix-domain socket, <store dir>/live/<store name>-<id>.sock
 * (for the default store: <data dir>/live/tacit-<id>.sock), in a directory of mode 0700;
 * the socket has mode 0600 and connections from another user are refused. It is removed
 * by tacit_live_close(); one left by a process that was killed is replaced by the next
 * meeting with that id. A path longer than a socket address holds (108 bytes) is reached
 * through /proc/self/fd. Only AF_UNIX is used: nothing leaves the machine. When the
 * socket cannot be made (a read-only directory, say) the meeting goes on without it and
 * says so in a TACIT_LIVE_WARNING event. Questions are refused while the meeting stops.
 * --------------------------------------------------------------------------------- */

/* The notice shown once when a user turns automatic suggestions on with local
 * processing (see tacit_suggestions_enable()). */
#define TACIT_SUGGESTIONS_NOTICE                                                                  \
	"Automatic Suggestions run the AI continuously during a session. With Local AI "           \
	"Processing, this can keep your CPU and GPU busy and slow down the rest of your computer. " \
	"You can turn them back on any time in Settings."

/* Turns automatic suggestions on or off for this device (setting "suggestions.auto").
 * When turning them on for the first time, *out_notice receives TACIT_SUGGESTIONS_NOTICE
 * (caller frees with tacit_free()) and the store remembers it was shown; otherwise
 * *out_notice is NULL. out_notice may be NULL. Errors: those of the store. */
TACIT_API enum tacit_status tacit_suggestions_enable(struct tacit_store *store, bool on, char **out_notice);

/* The notice alone: *out_notice receives it (caller frees) the first time, NULL after
 * that, for a client that turns suggestions on for one meeting without storing "on". */
TACIT_API enum tacit_status tacit_suggestions_notice(struct tacit_store *store, char **out_notice);

enum tacit_live_event_type {
	TACIT_LIVE_PARTIAL = 0,      /* text, times, speaker: the utterance so far; replaced
				      * by the next partial or final event */
	TACIT_LIVE_FINAL = 1,        /* a final segment, already durable in the store:
				      * segment_no, times, speaker, text */
	TACIT_LIVE_SUMMARY = 2,      /* json: the rolling state after a fold (summary fields,
				      * "sections", "next_segment") */
	TACIT_LIVE_SUGGESTION = 3,   /* json: {"suggestions":[{"kind","text","cites"}],...} */
	TACIT_LIVE_ANSWER_DELTA = 4, /* text: a piece of the answer being generated for
				      * request_id (raw JSON text as the model writes it) */
	TACIT_LIVE_ANSWER = 5,       /* json: the checked answer {"answer","cites","grounded"}
				      * for request_id; text: its Markdown */
	TACIT_LIVE_STATUS = 6,       /* text: a state change ("suggestions paused: on battery
				      * at 20 %"); json: NULL, or for the stop's last fold
				      * {"estimate_ms"}: how long it should take (this
				      * meeting's window summaries took that on average) */
	TACIT_LIVE_WARNING = 7,      /* text: something failed and the meeting goes on
				      * (a suggestion or a fold failed; a question failed) */
	TACIT_LIVE_STOPPED = 8,      /* json: {"session","segments","windows","stop_ms",
				      * "stop_read_tokens","stop_generated_tokens",
				      * "stop_model_calls","stop_folds","phases","summary",
				      * "notes"}: the stop's time and its model work (prompt
				      * tokens read, not reused from the cache; tokens
				      * written; calls; windows folded), which is what its
				      * time depends on; text: the summary's Markdown. The
				      * last event. "phases" (null without a language model)
				      * says where stop_ms went, each millisecond in one
				      * phase: {"wait_ms" (the job in flight when the stop
				      * came, named by "wait_job": "none", "ingest", "warm",
				      * "ask", "suggest", "idle_fold"), "pending_segments"
				      * (segments not yet analysed then), "catch_up_ms" (those
				      * segments' analysis and the transcription's end, model
				      * calls apart), "catch_up_folds" (windows folded before
				      * the final one: analysis had fallen behind),
				      * "state_ms" (saved model states loaded or saved),
				      * "prompt": {"tokens","cached","ms"} (prompt tokens
				      * read; those reused from the cache),
				      * "generation": {"tokens","ms","sample_ms",
				      * "grammar_rejections","full_vocab_filters",
				      * "first_char_filters"} (as in
				      * struct tacit_llm_stats, summed over the stop's calls),
				      * "fold_ms" (the rolling state's update and the final
				      * JSON from it), "store_ms" (artifacts written, the
				      * session ended), "other_ms" (stop_ms less the rest:
				      * the calls' round trips, events), "final_fold": {"ms",
				      * "estimate_ms"} (the last fold's time and the estimate
				      * the STATUS event gave, 0 when none)}. */
	TACIT_LIVE_METER = 9,        /* about once a second while audio comes (transcribing
				      * meetings only; none after the stop began): text: the
				      * model's state, "listening" (idle or no model),
				      * "analysing" (a model call runs) or "paused" (its worker
				      * waits for the transcription); end_ms: the audio
				      * received so far on the session's timeline; lag_ms,
				      * n_levels, rms_dbfs, peak_dbfs (below) */
	TACIT_LIVE_SPEAKER = 10,     /* a speaker label for final segment segment_no (with
				      * params.speaker_model): label "Speaker N", speaker
				      * TACIT_SPEAKER_DIARIZED + N - 1, text the label it
				      * replaces ("Them", "" or "Speaker M"); json
				      * {"revised","final_pass","latency_ms"}: revised is
				      * false for the segment's first label (then start_ms,
				      * end_ms are its times and latency_ms the time since its
				      * FINAL event; 0 otherwise), true for a revision, which
				      * changes the label only, never the text; final_pass:
				      * from the stop's recluster of the whole meeting, sent
				      * before STOPPED. The store holds the latest label. */
};

struct tacit_live_event {
	enum tacit_live_event_type type;
	int64_t session_id;
	int64_t segment_no;  /* TACIT_LIVE_FINAL: its number (1-based); else 0 */
	int64_t start_ms;    /* PARTIAL/FINAL: on the session's timeline */
	int64_t end_ms;
	int speaker;         /* enum tacit_speaker */
	const char *label;   /* PARTIAL/FINAL: the speaker's label ("Me", "Them", a name
			      * from a replayed transcript); never NULL, "" when unknown */
	uint64_t request_id; /* ANSWER_DELTA/ANSWER: the id tacit_live_ask() gave */
	const char *text;    /* never NULL ("" when none) */
	const char *json;    /* NULL when none */
	/* TACIT_LIVE_METER only (0 otherwise): how far the final transcript is behind the
	 * audio (from the start of the oldest speech not yet transcribed to the newest audio
	 * received; 0 when nothing waits), and each channel's level over the audio since the
	 * last meter in dB full scale (0 = the loudest a sample can be; -100 for digital
	 * silence); n_levels 0 when no audio came since the last meter. Channel 0 is "Me"
	 * with two channels. */
	int64_t lag_ms;
	int n_levels;
	float rms_dbfs[2];
	float peak_dbfs[2];
};

/* Receives events, one call at a time and in order, with no lock of the meeting held.
 * It runs on whichever thread finds events waiting and nobody delivering them: the
 * library's transcription or analysis thread, or a caller's thread inside
 * tacit_live_add_segment(), tacit_live_wait_idle(), tacit_live_stop() or
 * tacit_live_close() (never inside tacit_live_push()). It may call tacit_live_push(),
 * tacit_live_add_segment(), tacit_live_ask(), tacit_live_suggest() and
 * tacit_live_abort(); the events those cause are delivered after it returns. It must not
 * call tacit_live_stop(), tacit_live_close() or tacit_live_wait_idle(). Pointers are
 * valid during the call only; it should return quickly. tacit_live_stop() has delivered
 * the STOPPED event before it returns. */
typedef void (*tacit_live_event_fn)(const struct tacit_live_event *ev, void *user);

/* An event as one JSON line (no newline): {"type":"final","session":1,"segment":3,
 * "start":1.5,"end":3.0,"speaker":"Me","text":"..."} and so on, with "data" holding the
 * event's JSON. A meter: {"type":"meter","session":1,"text":"listening","audio":12.5,
 * "lag":0.8,"levels":[{"speaker":"Me","rms_dbfs":-31.2,"peak_dbfs":-12.0},...]} (seconds;
 * "speaker" "" with one channel; "levels" [] when no audio came). A speaker label:
 * {"type":"speaker","session":1,"segment":3,"start":1.5,"end":3.0,"speaker":"Speaker 2",
 * "text":"Them","data":{"revised":false,"final_pass":false,"latency_ms":420}}. Caller
 * frees with tacit_free(); NULL when out of memory. */
TACIT_API char *tacit_live_event_json(const struct tacit_live_event *ev);

struct tacit_live_params {
	int64_t resume_id;      /* 0: a new session; else an unfinished session to go on with */
	const char *title;      /* new sessions; NULL = "Meeting <date>" */
	const char *store_path; /* NULL = <data dir>/tacit.db */
	const char *llm_model;  /* names as tacit_model_resolve() takes them; NULL = the
				 * device's choice */
	const char *asr_model;
	const char *vad_model;
	bool transcribe;        /* true (default): load the speech models and accept audio;
				 * false: segments come from tacit_live_add_segment() only */
	bool analyze;           /* true (default): load the language model (rolling summary,
				 * questions, suggestions); false: transcript only */
	bool record_audio;      /* true (default): keep the audio in the session's recording */
	int n_channels;         /* 1 (default) or 2: channel 0 is "Me", 1 is "Them" */
	int asr_threads;        /* 0 = the usable cores */
	bool asr_fallback;      /* whisper's temperature fallback (default true) */
	int partial_every_ms;   /* new audio that triggers a partial transcript (default 1000;
				 * 0 = final segments only, which saves CPU on slow machines) */
	int llm_threads;        /* 0 = the usable cores less one (at least one) */
	int n_ctx;              /* language model context; 0 = 8192 */
	int max_tokens;         /* 0 = setting live.max_tokens, else 320 */
	int window_tokens;      /* 0 = setting live.window_tokens, else see above */
	int suggest;            /* -1 (default) = setting suggestions.auto; 0 = off; 1 = on */
	int suggest_interval_s; /* 0 = setting suggestions.interval_s, else 60 */
	const char *sysroot;    /* read power and load under this prefix; NULL = "/" */
	tacit_live_event_fn on_event; /* may be NULL */
	void *user;
	const struct tacit_engine *engine; /* where the language model runs; NULL = the
					    * setting engine.llm (see tacit_engine): a remote
					    * engine receives the transcript as it is written */
	const char *speaker_model; /* speaker-embedding ONNX model (a name or path as
				    * tacit_model_resolve(TACIT_MODEL_SPEAKER) takes it); NULL or
				    * "" (default): no speaker labels. With transcribe, each final
				    * segment of the meeting's channel ("Them" with two channels,
				    * the only one with one; "Me" stays "Me") is embedded in a
				    * worker of its own once stored and gets "Speaker N" from the
				    * nearest speaker's centroid, or a new speaker when none is
				    * within speaker_threshold; every few segments the meeting so
				    * far is clustered again (agglomerative, as tacit_diarize()),
				    * each voice keeping the number it was shown under, and
				    * earlier labels are revised; the stop reclusters the whole
				    * meeting once more, numbering voices in order of first
				    * speech. TACIT_LIVE_SPEAKER
				    * events tell each label. Labels never hold up or lose the
				    * transcript: a model that cannot be found, loaded or run is a
				    * TACIT_LIVE_WARNING and the meeting goes on without them. */
	float speaker_threshold;   /* cosine distance to a speaker's centroid above which a
				    * segment opens a new speaker; 0 = TACIT_DIAR_LIVE_THRESHOLD */
	const char *template_name; /* the summary's template (see "Summary templates"); NULL
				    * or "" = "general". Each fold asks the model for the
				    * template's sections, the rolling state keeps its lists,
				    * and the stop stores the summary in that template (the
				    * artifact names it) and notes whose bullets are its items:
				    * no second pass over the transcript. A template that does
				    * not exist or load fails the open (TACIT_ERR_NOT_FOUND,
				    * TACIT_ERR_FORMAT), and so does a custom one whose
				    * "overview" section is not text (TACIT_ERR_UNSUPPORTED);
				    * a resumed meeting folded with another template starts its
				    * rolling state over. */
	const char *output_language; /* the summary's and notes' language, a code ("fr") or
				      * a name; NULL, "" or "auto" = the meeting's (stored,
				      * else read from its words), as
				      * tacit_meeting_params.language. Every summary call is
				      * told it (a window's, the overview that joins it to the
				      * meeting so far, the stop's), and an answer that reads
				      * as another language is asked again once, more firmly
				      * (the first answer stands if that call fails) */
	const struct tacit_engine *asr_engine; /* where speech is transcribed; NULL = the
				    * setting engine.asr. A remote one (whisper-server or an
				    * OpenAI-style server) receives each final utterance's audio
				    * as the VAD on this device closes it, and nothing else: no
				    * partials are made and asr_model is not needed (engine->model
				    * names the server's). The recording is still kept here. A
				    * failed request (server gone, an HTTP error, a bad answer) is
				    * a TACIT_LIVE_WARNING "transcription stopped: ..." naming the
				    * host, never retried on this device; the audio pushed before
				    * the failure is in the recording, every final before it is
				    * stored, the next tacit_live_push() returns the error
				    * (TACIT_ERR_NETWORK) and the meeting stays unfinished (resume
				    * it, or stop it for its summary) */
};

TACIT_API struct tacit_live_params tacit_live_default_params(void);

struct tacit_live;

/* Opens a live session: creates the session (or checks that resume_id exists and has
 * not ended, and reloads its segments and rolling state), resolves and loads the models,
 * opens the recording and starts the threads. On a resume the new audio continues the
 * session's timeline after what was recorded before. Close with tacit_live_close().
 * Errors: TACIT_ERR_USAGE (bad parameters; a resumed session that has ended),
 * TACIT_ERR_NOT_FOUND (no such session; a model that is not there, with the remedy),
 * TACIT_ERR_MODEL, TACIT_ERR_WORKER, TACIT_ERR_NO_FIT, and the store's errors. */
TACIT_API enum tacit_status tacit_live_open(const struct tacit_live_params *params, struct tacit_live **out);

/* The session's id in the store. */
TACIT_API int64_t tacit_live_session_id(const struct tacit_live *live);

/* Queues n_frames frames of 16 kHz float PCM (n_frames * n_channels values,
 * interleaved) for transcription and returns at once (copies the samples). Any thread.
 * Once the meeting reaches live.max_minutes of audio, it takes no more: the rest is
 * dropped (TACIT_OK), and the meeting stops itself once that audio is transcribed (a
 * TACIT_LIVE_STATUS event, then the stop's events up to TACIT_LIVE_STOPPED; then
 * tacit_live_stop() returns that stop's result). Errors: TACIT_ERR_USAGE (not
 * transcribing, or stopping), TACIT_ERR_NOMEM, or the
 * transcription thread's failure, once, when it has stopped on one. */
TACIT_API enum tacit_status tacit_live_push(struct tacit_live *live, const float *pcm, size_t n_frames);

/* Adds a final segment from elsewhere (a replayed transcript, a client's own speech
 * recognition): stored durably, announced as TACIT_LIVE_FINAL, analysed as any other.
 * seg->speaker is the label; times on the session's timeline. Any thread. */
TACIT_API enum tacit_status tacit_live_add_segment(struct tacit_live *live, const struct tacit_segment *seg);

/* Asks for suggestions now; a request already queued is replaced (coalesced). They
 * arrive as a TACIT_LIVE_SUGGESTION event. TACIT_ERR_USAGE without a language model. */
TACIT_API enum tacit_status tacit_live_suggest(struct tacit_live *live);

/* Queues a question about the meeting so far; the answer streams as ANSWER_DELTA events
 * and ends with one ANSWER event (or a WARNING) carrying *out_request_id (may be NULL).
 * It is answered from the live context: the current window's transcript and the rolling
 * state. TACIT_ERR_USAGE without a language model or question. Any thread. */
TACIT_API enum tacit_status tacit_live_ask(struct tacit_live *live, const char *question, uint64_t *out_request_id);

/* Asks question of live meeting session_id running in another process (or this one)
 * and waits for the answer. on_token (may be NULL) receives the answer's raw JSON text
 * as the model writes it (as TACIT_LIVE_ANSWER_DELTA does); *out_answer_json (may be
 * NULL) receives the checked answer {"answer","cites","grounded"}, as in the
 * TACIT_LIVE_ANSWER event (caller frees with tacit_free()). store_path names the store
 * the meeting runs on, as in tacit_live_params (NULL: the default store). cancel (may be
 * NULL): non-zero gives up (TACIT_ERR_CANCELLED), and the meeting stops writing the
 * answer. Never hangs: the meeting signals at least once a second while the question
 * waits its turn or is answered, and 15 s without a word from it is an error.
 * Errors: TACIT_ERR_NOT_FOUND when no meeting with that id is open on this device ("no
 * live meeting '12' is running on this device; start one with 'tacit live' or ask after
 * it ends with 'tacit ask 12'"); TACIT_ERR_USAGE for an empty question or one over 4000
 * bytes, a meeting without a language model, or one that is stopping; TACIT_ERR_IO when
 * the meeting's process ends or stops answering mid-answer; TACIT_ERR_CANCELLED; and the
 * model's errors as the meeting reports them. Thread-safe. */
TACIT_API enum tacit_status tacit_live_ask_remote(const char *store_path, int64_t session_id, const char *question,
						  tacit_token_fn on_token, void *user, const volatile int *cancel,
						  char **out_answer_json);

/* ---------------------------------------------------------------------------------
 * Import: a transcript file (`tacit import TRANSCRIPT`) or a recording (`tacit import
 * RECORDING`, below) becomes a stored meeting.
 * --------------------------------------------------------------------------------- */

/* An import's new session, told as soon as it exists (on_session in the params below):
 * on the importing thread, before any segment is analysed, with the import's own store
 * handle. A write to store here joins the import's transaction when one is open (a
 * recording imported without analysis, or stereo or diarized: the session and its
 * segments land together), so what is recorded lands with the session or not at all.
 * Returning anything but TACIT_OK fails the import with that status (record it with
 * tacit_fail()), and the session is removed: nothing was transcribed or analysed yet.
 * `tacit batch` records its job's meeting here, so a run killed during the analysis
 * finds the half-made meeting and makes it again. */
typedef enum tacit_status (*tacit_session_created_fn)(struct tacit_store *store, int64_t session_id, void *user);

struct tacit_import_params {
	const char *title;     /* NULL = the file's name without its extension */
	int words_per_minute;  /* speaking rate for synthesized times; default 150 */
	/* Summary and notes with the transcript (`tacit import` with a language model), as a
	 * recording's (struct tacit_audio_import_params.analyze, where a recording's import
	 * passes these on): the segments are stored in a session left unfinished, then a
	 * live meeting's analysis (tacit_live_open() resuming it, transcribe false) folds
	 * them window by window and its stop stores the "summary" and "notes" artifacts (and
	 * the "rolling_summary" state) and ends the session: the same artifacts a live
	 * meeting or an analysed recording gets, in the template and language asked. A failure or a cancel of the analysis
	 * keeps the transcript: the session is ended, *out_id set, and the analysis's
	 * status returned. */
	bool analyze;
	const char *llm_model;   /* for tacit_model_resolve(TACIT_MODEL_LLM, ...); NULL = the
				  * device's choice */
	int llm_threads;         /* 0 = the usable cores (a recording: a quarter of them) */
	int window_tokens;       /* 0 = as tacit_live_params */
	int n_ctx;               /* 0 = as tacit_live_params */
	const char *template_name;   /* as struct tacit_audio_import_params */
	const char *output_language; /* as struct tacit_audio_import_params */
	tacit_live_event_fn on_event; /* the analysis's events (SUMMARY after each fold,
				       * WARNING, STOPPED); may be NULL */
	void *event_user;
	/* TACIT_PROGRESS_SUMMARIZE: once when the analysis starts (done 0), then after each
	 * fold: done of total segments summarized. May be NULL; its return value is not
	 * read (cancel with cancel). On the analysis's threads. */
	tacit_progress_fn progress;
	void *progress_user;
	const volatile int *cancel; /* may be NULL; non-zero stops the analysis (the
				     * transcript is kept, TACIT_ERR_CANCELLED) */
	tacit_session_created_fn on_session; /* may be NULL; see tacit_session_created_fn */
	void *session_user;
	/* the analysis's model, as tacit_live_params takes them: where it runs (NULL = the
	 * setting engine.llm) and each call's output budget (0 = setting live.max_tokens,
	 * else 320) */
	const struct tacit_engine *llm_engine;
	int max_tokens;
	/* A recording's speech settings (models, VAD, language, threads, diarization, speech
	 * engine, progress, on_segment); NULL = tacit_audio_import_default_params(). Its
	 * title, analysis fields and cancel are this struct's. Not read for a transcript. */
	const struct tacit_audio_import_params *audio;
};
TACIT_API struct tacit_import_params tacit_import_default_params(void);

/* Imports a transcript as a new session, in one transaction (all or nothing). The file
 * is read as tacit_transcript_load() reads it:
 *  - JSON segments: `tacit transcribe --format json` output {"segments": [{"start",
 *    "end" (seconds), "speaker", "text"}]}, or a list of {"start_ms","end_ms","speaker",
 *    "text"}; their times are kept;
 *  - QMSum-style JSON: {"meeting_transcripts": [{"speaker": ..., "content": ...}, ...]};
 *  - plain text: one "Speaker: text" turn per line (a line without "Name:" continues
 *    with the previous speaker; blank lines are skipped).
 * Markers such as {vocalsound} are dropped, and turns left empty are skipped. The last
 * two have no times, so they are synthesized at words_per_minute (each turn lasts
 * words * 60 s / rate, at least 1 s, back to back) and the session is marked
 * times_synthesized. A recording (see tacit_file_is_audio()) is transcribed instead:
 * tacit_store_import_audio() with params->audio (else its default params), this title
 * and the analysis's fields (analyze, llm_model, ..., cancel, on_session, ...). TACIT_ERR_FORMAT for
 * a file that is neither; TACIT_ERR_IO when it cannot be read. With analyze, also the
 * errors of tacit_live_open() and tacit_live_stop() (the language model's), with the
 * transcript kept (see analyze). */
TACIT_API enum tacit_status tacit_store_import(struct tacit_store *store, const char *path,
					       const struct tacit_import_params *params, int64_t *out_id);

/* Stops the meeting: takes no more audio, cancels the model work in flight at once (a
 * suggestion, a fold: the final call covers that fold's window; a question being
 * answered is finished), transcribes what audio is pending, folds what is beyond one
 * window if analysis fell behind, folds the last window, stores the "summary" and
 * "notes" artifacts (JSON and Markdown), marks the session ended and sends
 * TACIT_LIVE_STOPPED. Blocks until done, or until tacit_live_abort() from another thread
 * or a signal handler ends it early. *out_summary_json (may be NULL) receives the
 * summary (caller frees with tacit_free()). Without a language model only the session
 * is ended. Call once; then tacit_live_close(). On a meeting that stopped itself (it
 * reached live.max_minutes, or the disk is full) it waits for that stop and returns its
 * result. Errors: those of the model calls and of the store; the session's transcript is
 * durable either way. When transcription failed (a speech server gone, the worker dead)
 * and no tacit_live_push() has returned that failure yet, the stop returns it (e.g.
 * TACIT_ERR_NETWORK naming the host) before any summary: the session stays unfinished,
 * its recording and stored segments kept, to be resumed. With a remote language model
 * (tacit_live_params.engine), every call's answer is held to the task's JSON Schema as
 * summarize's are (see tacit_engine); when the stop's final summary call fails (the
 * server's error, or an answer that is not the expected JSON: TACIT_ERR_LLM naming the
 * host and the place), the stop returns that error and stores no summary or notes; the
 * session stays unfinished with its transcript ('tacit summarize ID' makes them later).
 * A rolling summary that fails during the meeting is a TACIT_LIVE_WARNING, and the
 * meeting goes on. */
TACIT_API enum tacit_status tacit_live_stop(struct tacit_live *live, char **out_summary_json);

/* Aborts the meeting's work: a tacit_live_stop() in progress returns TACIT_ERR_CANCELLED
 * promptly (the model call in flight is cancelled in the worker, which is killed if it
 * has not stopped within two seconds; pending transcription is cancelled) and the
 * session stays unfinished, so it can be resumed (tacit_live_params.resume_id). A stop
 * called after it returns TACIT_ERR_CANCELLED at once; questions in progress fail. Any
 * thread, and async-signal-safe (it only sets flags): a second Ctrl-C may call it. It
 * does not free anything: call tacit_live_close() as usual. Calling it after the stop
 * has finished changes nothing. Accepts NULL. */
TACIT_API void tacit_live_abort(struct tacit_live *live);

/* Ends the threads and frees everything. Work in progress is cancelled and the model
 * worker is stopped (politely, then killed): nothing keeps running after it returns.
 * Without tacit_live_stop() the session stays unfinished and can be resumed. Accepts
 * NULL. Not from the event callback. */
TACIT_API void tacit_live_close(struct tacit_live *live);

/* ---------------------------------------------------------------------------------
 * Recordings as meetings: `tacit import RECORDING`. The file is decoded (any format
 * tacit_audio_load() reads), transcribed (Silero VAD, then whisper in the model worker)
 * and stored as a new session: every final segment, the audio itself as the session's
 * recording (16 kHz 16-bit WAV, see tacit_recording_open()), the language (the one
 * given, else the one whisper detected in most of the audio; see tacit_asr_language())
 * and the models used. A two-channel file is transcribed channel by channel: channel 0
 * is "Me" (the microphone), channel 1 "Them"; a mono file (or two identical channels)
 * has no speaker labels and is kept as one channel.
 * Memory stays bounded whatever the length: the file is decoded piece by piece into a
 * temporary WAV in the store's audio folder, which is read back in transcription
 * requests of at most four minutes (split at quiet moments) and, once the session is
 * stored, renamed into place as its recording.
 * --------------------------------------------------------------------------------- */
struct tacit_audio_import_params {
	const char *title;       /* NULL or "" = the file's name without its extension */
	const char *asr_model;   /* for tacit_model_resolve(TACIT_MODEL_ASR, ...): a path, a
				  * catalog id, or NULL = setting "model.asr", else downloaded */
	const char *vad_model;   /* likewise for TACIT_MODEL_VAD ("model.vad") */
	bool no_vad;             /* decode everything, silence included (no VAD model needed) */
	const char *language;    /* "en", ...; NULL or "auto" = detect */
	int n_threads;           /* 0 = the probe's usable cores */
	bool temperature_fallback; /* default true; see struct tacit_asr_params */
	tacit_asr_segment_fn on_segment; /* sees each final segment as it is found; may be
					  * NULL; returning false cancels the import */
	void *user;
	const volatile int *cancel; /* may be NULL; non-zero stops the import */
	/* Speaker diarization (tacit_diarize()) of a mono file, or of a stereo file's "Them"
	 * channel ("Me" stays "Me"): each of its segments is labelled "Speaker 1" ...
	 * "Speaker N", the speaker who talks most during it (unlabelled when nobody does).
	 * A diarization failure (a wrong model, a crash) is a warning in the log: the
	 * transcript is stored without those labels. Cancellation stops the import. */
	const char *embedding_model;    /* speaker-embedding ONNX; NULL = no diarization */
	const char *segmentation_model; /* segmentation-3.0 ONNX; NULL = VAD windows */
	int n_speakers;                 /* > 0: exactly this many; 0: found */
	/* Where speech is transcribed: NULL = the store's setting engine.asr (see
	 * tacit_engine_from_settings(), kind "asr"); a local engine = the worker. With a
	 * remote one no whisper or VAD model is resolved: the audio goes to that server (see
	 * struct tacit_asr_params.engine), and the session's models record "NAME on HOST"
	 * and where it ran. Copied during the call. */
	const struct tacit_engine *asr_engine;
	/* Transcription progress (phase TACIT_PROGRESS_TRANSCRIBE): once when the file is
	 * decoded (done 0, total known), then after each request of at most four minutes;
	 * done and total are milliseconds of audio (a stereo file counts both channels).
	 * May be NULL; returning false cancels the import. On the importing thread. */
	tacit_progress_fn progress;
	void *progress_user;
	/* Analysis while transcribing (`tacit import` with a language model): the meeting is
	 * summarized by a live meeting's analysis (tacit_live_open() with transcribe false
	 * on the new session), so the summary and notes (in template_name's template and
	 * output_language, below) are stored seconds after the last segment instead of by a
	 * second pass over the whole transcript. A mono recording without diarization is folded
	 * window by window while whisper transcribes it: the session is created first and
	 * each final segment is stored as it is found, so a cancel or a failure keeps the
	 * transcript so far (the session is ended, holding it and the recording, and
	 * *out_id is set). A stereo or diarized one (its speakers are known only at the
	 * end) is stored as without analysis, then folded. The model's worker gets
	 * llm_threads threads and whisper the rest of the usable cores (unless n_threads is
	 * given), so transcription keeps most of the machine. */
	bool analyze;
	const char *llm_model;   /* for tacit_model_resolve(TACIT_MODEL_LLM, ...); NULL = the
				  * device's choice (remote engines as tacit_live_params) */
	int llm_threads;         /* 0 = a quarter of the usable cores, at least one */
	int window_tokens;       /* 0 = as tacit_live_params */
	int n_ctx;               /* 0 = as tacit_live_params */
	tacit_live_event_fn on_event; /* the analysis's events (SUMMARY after each fold, FINAL
				       * for each segment, WARNING, STOPPED); may be NULL */
	void *event_user;
	const char *template_name;   /* the summary's template, folded as it is transcribed
				      * (tacit_live_params.template_name); NULL or "" = the
				      * setting "summary.template", else "general" */
	const char *output_language; /* the summary's and notes' language
				      * (tacit_live_params.output_language); NULL = the
				      * meeting's */
	tacit_session_created_fn on_session; /* may be NULL; see tacit_session_created_fn */
	void *session_user;
	const struct tacit_engine *llm_engine; /* as struct tacit_import_params */
	int max_tokens;                        /* as struct tacit_import_params */
};

TACIT_API struct tacit_audio_import_params tacit_audio_import_default_params(void);

/* Whether tacit_store_import() treats the file as a recording: its name ends in a media
 * extension (.wav .mp3 .flac .ogg .opus .m4a .aac .webm .mp4 .mkv) or its first bytes
 * are a media container's. False when it cannot be read, and for a stream (FIFO, pipe,
 * terminal), which it never opens: pass a stream through tacit_import_spool() first.
 * Thread-safe. */
TACIT_API bool tacit_file_is_audio(const char *path);

/* A stream (a FIFO, a pipe, a terminal; "-" is standard input) can be read only once,
 * and an import looks at a file before it reads it. This reads the stream to its end,
 * once, into a private temporary file (0600, in tacit's cache directory) and sets
 * *out_path to that file's path: import it, then unlink() it and tacit_free() the path.
 * For a regular file, or a path that does not exist, *out_path stays NULL: import the
 * path as it is (the import reports it). TACIT_ERR_USAGE for a directory; TACIT_ERR_IO
 * or TACIT_ERR_NO_SPACE when the stream cannot be copied.
 * tacit_store_import() does this itself; tacit_store_import_audio() does not. */
TACIT_API enum tacit_status tacit_import_spool(const char *path, char **out_path);

/* Imports the recording at path as a new session; its id goes to *out_id (may be NULL).
 * Without params->analyze, all or nothing: the models are resolved and loaded and the audio decoded and
 * transcribed before the session is created; segments land in one transaction, and if
 * storing the audio fails the session is deleted again. So a failure leaves no session.
 * Errors: those of tacit_model_resolve() (no model downloaded: the message says what to
 * pull), tacit_audio_load() (TACIT_ERR_NOT_FOUND, TACIT_ERR_FORMAT for an empty,
 * corrupted or non-media file, TACIT_ERR_UNSUPPORTED), tacit_asr_open() and
 * tacit_asr_transcribe() (TACIT_ERR_WORKER when the worker crashed, TACIT_ERR_CANCELLED),
 * the temporary recording's (TACIT_ERR_NO_SPACE for a full disk, TACIT_ERR_IO;
 * TACIT_ERR_UNSUPPORTED for an in-memory store, which keeps no recordings), and the
 * store's. With params->analyze, also those of tacit_live_open() and tacit_live_stop()
 * (the language model's); a failure or a cancel once the session exists returns its
 * status with *out_id set to the kept session (see analyze above). Use the store from
 * one thread, as always; the call takes as long as transcription does (roughly the
 * audio's length on a small CPU with a base model), and analysed, seconds more. */
TACIT_API enum tacit_status tacit_store_import_audio(struct tacit_store *store, const char *path,
						     const struct tacit_audio_import_params *params,
						     int64_t *out_id);

/* =================================================================================
 * Part 6. Surfaces: the local web app
 * ================================================================================= */

/* ---------------------------------------------------------------------------------
 * The local web app (`tacit serve`): an HTTP server on the loopback interface only,
 * serving the pages in web/ (embedded in the library at build time) and a JSON API for
 * what the command does (system, models, pull, rm, add, forget, sessions, search,
 * export, settings, import of a transcript or of an uploaded recording transcribed with
 * progress, questions on a stored meeting or on all of them, action items; model work
 * is answered as an event stream that stops the model when the page goes away) and for
 * a live meeting (tacit_live_*: one at a time per server, audio as PCM
 * POSTs from the browser, events as Server-Sent Events). Meeting data never leaves the machine: the server refuses to bind anything
 * but 127.0.0.1 and ::1, and defends against other local pages and DNS rebinding:
 *  - a random per-launch token (256 bits from getrandom()) is required by every /api/
 *    request, as "Authorization: Bearer TOKEN" or the cookie the one-time URL sets
 *    (GET /?token=TOKEN answers 303 to "/" with an HttpOnly SameSite=Strict cookie);
 *  - Host must be exactly 127.0.0.1:PORT, localhost:PORT or [::1]:PORT (else 421);
 *  - POST, PUT and DELETE need an Origin of http:// and one of those hosts, and any
 *    request with a foreign Origin is refused (403); OPTIONS and other methods get 405;
 *    no CORS header is ever sent;
 *  - every answer carries a strict Content-Security-Policy (default-src 'self', no inline
 *    script, frame-ancestors 'none'), X-Content-Type-Options: nosniff, Referrer-Policy:
 *    no-referrer and Cache-Control: no-store;
 *  - request bodies are capped (64 KiB of JSON, 32 MiB for an imported transcript, 2 GiB
 *    for an uploaded recording, which is written to a private temporary file as it
 *    arrives, never held in memory, and only once its headers passed the checks above)
 *    and every field is validated (types, ranges, lengths, known setting keys) before use.
 * The API is described in docs/serve.md.
 * --------------------------------------------------------------------------------- */
struct tacit_server;

struct tacit_serve_params {
	const char *bind; /* "localhost" (default: 127.0.0.1 and ::1), "127.0.0.1" or "::1";
			   * anything else fails with TACIT_ERR_USAGE */
	int port;         /* 1..65535, or 0 (default) for a free port chosen by the system */
};

TACIT_API struct tacit_serve_params tacit_serve_default_params(void);

/* Starts serving on background threads (one per connection, at most 64 connections).
 * *out: free with tacit_serve_close(). Errors: TACIT_ERR_USAGE (a non-loopback bind
 * address, a port out of range), TACIT_ERR_IO (the port is taken, no loopback
 * interface), TACIT_ERR_FORMAT (the catalog is malformed), TACIT_ERR_NOMEM. When ::1 is
 * unavailable (IPv6 disabled) with the default bind, 127.0.0.1 alone is served.
 * The default store is opened here, with tacit_store_open()'s checks and repairs, and
 * requests reuse its connections (at most 8 kept open): a store that cannot be opened
 * is a warning in the log and an error in each request that reads it, not a failure to
 * start. A store file replaced while serving is opened afresh by the next request. */
TACIT_API enum tacit_status tacit_serve_start(const struct tacit_serve_params *params, struct tacit_server **out);

/* The one-time URL to open ("http://127.0.0.1:PORT/?token=..."): it holds the secret
 * token, so show it only to the user. Owned by the server, valid until tacit_serve_close(). */
TACIT_API const char *tacit_serve_url(const struct tacit_server *server);

/* The port the server listens on. */
TACIT_API int tacit_serve_port(const struct tacit_server *server);

/* Stops listening, ends open event streams, cancels downloads in progress (their
 * partial files stay, to resume) and closes a running live meeting (its work stops, the
 * meeting stays resumable; a stop already under way is waited for). Blocks until every
 * connection thread has finished (about a second). Frees nothing: the URL and port stay
 * readable until tacit_serve_close(). Calling it again does nothing. Accepts NULL. */
TACIT_API void tacit_serve_stop(struct tacit_server *server);

/* Stops the server if it still runs (as tacit_serve_stop()) and frees it. Accepts NULL.
 * Call from one thread, once. */
TACIT_API void tacit_serve_close(struct tacit_server *server);

/* =================================================================================
 * Low-level and testing interfaces. What the layers above are built from, exposed for
 * tacit's own tests, tools and benchmarks and for programs that need the pieces; a
 * program using the layers above needs none of it.
 * ================================================================================= */

/* --- the store's pieces ----------------------------------------------------------- */
/* The schema version this tacit writes (PRAGMA user_version of an up-to-date store). */
TACIT_API int tacit_store_schema_version(void);

/* Replaces the session's one partial (not yet final) segment, or clears it when seg is
 * NULL. Partial segments are stored so a crash shows the words last seen, but they are
 * never searched or exported. */
TACIT_API enum tacit_status tacit_store_set_partial(struct tacit_store *store, int64_t session_id,
						    const struct tacit_segment *seg);

/* Records a cached model state file (a saved KV cache) so that deleting the session
 * removes it; model is what the state depends on (tacit_session_task() writes a JSON
 * object: model file, prompt version, window hash). Recording a path again updates its
 * row. session_id 0 = not tied to a session. Its size and sha256 are computed now:
 * TACIT_ERR_IO when the file cannot be read. */
TACIT_API enum tacit_status tacit_store_add_model_state(struct tacit_store *store, int64_t session_id,
							const char *model, const char *path, int64_t *out_id);

/* --- audio recordings: what a live meeting and an import write ------------------- */
struct tacit_recording;

/* Starts the session's next audio chunk: a 16-bit little-endian PCM WAV file under
 * <data dir>/audio/<session id>/, recorded in the store. Samples are appended with
 * tacit_recording_write(); the file is fdatasync'ed whenever half a second of audio or
 * one second of wall time has accumulated, so a crash or power cut loses at most about
 * a second. The file is the durable record: its length in the store is a hint, updated
 * at a sync when no other process holds the store's write lock (audio never waits for
 * the database; a busy store neither fails nor blocks a write or a sync). The WAV header
 * is kept current at each sync; a recording left unfinished by a crash is repaired
 * (header fixed to the audio actually on disk, sha256 recorded) by the next
 * tacit_store_open() that sees it, unless its writer is still alive (a file lock says
 * so). The recording uses the store handle on each sync: keep both on one thread.
 * TACIT_ERR_UNSUPPORTED for an in-memory store. */
TACIT_API enum tacit_status tacit_recording_open(struct tacit_store *store, int64_t session_id,
						 int sample_rate, int channels,
						 struct tacit_recording **out);
/* Appends n_frames frames (n_frames * channels samples, interleaved). After a write or
 * sync failure (TACIT_ERR_NO_SPACE for a full disk, TACIT_ERR_IO) the recording accepts
 * no more audio: the file is cut back to the audio already durable, under a header that
 * says so (a valid WAV), and tacit_recording_close() closes it as that. Audio written
 * after the last successful sync never counts as durable, even if a later sync
 * succeeds. */
TACIT_API enum tacit_status tacit_recording_write(struct tacit_recording *rec, const int16_t *pcm,
						  size_t n_frames);
/* Makes everything written so far durable now. */
TACIT_API enum tacit_status tacit_recording_sync(struct tacit_recording *rec);
/* Bytes of PCM data known to be on disk (the store's row may lag behind them while
 * another process writes to the store). */
TACIT_API uint64_t tacit_recording_durable_bytes(const struct tacit_recording *rec);
/* Syncs, finalizes the header, records the file's sha256 and frees rec (also on
 * failure). Accepts NULL. When another process holds the store's write lock past the
 * busy timeout the file is complete and the row is finished by the next
 * tacit_store_open() (TACIT_OK). */
TACIT_API enum tacit_status tacit_recording_close(struct tacit_recording *rec);

struct tacit_audio_file {
	int64_t id;
	int64_t session_id;
	int chunk;              /* 0, 1, ... in recording order */
	int sample_rate;
	int channels;
	int64_t data_bytes;     /* PCM bytes durable (as last recorded) */
	char state[12];         /* "recording", "closed", "repaired" or "missing" */
	char sha256[65];        /* lowercase hex once closed or repaired, else "" */
	char path[1024];        /* absolute path */
};
/* The session's audio chunks in order, as one array (caller frees with tacit_free()). */
TACIT_API enum tacit_status tacit_store_audio_files(struct tacit_store *store, int64_t session_id,
						    struct tacit_audio_file **out, size_t *n_out);

/* --- engines ----------------------------------------------------------------------- */
/* Whether text is caught in a repeated-token loop ("the the the the ...", "thank you.
 * thank you. thank you. ..."): a phrase of 1 to 8 words repeated 4 or more times in a
 * row, or covering most of the text. Such segments are dropped. Thread-safe. */
TACIT_API bool tacit_text_is_loop(const char *text);

/* The environment variable TACIT_ASR_BENCH_TOKENS=N (benchmarks only): every 30 s window
 * of tacit_asr_transcribe() decodes exactly N text tokens and no timestamps, so that a
 * random-weight model does equal decoding work on both sides of a comparison; its
 * segments' times are meaningless. */

/* --- live meetings ---------------------------------------------------------------- */
/* Waits until all audio pushed so far is transcribed and all segments are analysed
 * (the caches hold them, folds are done) and no job is queued; for benchmarks and tests.
 * timeout_ms < 0 waits as long as it takes. TACIT_ERR_CANCELLED on timeout. */
TACIT_API enum tacit_status tacit_live_wait_idle(struct tacit_live *live, int timeout_ms);

/* ---------------------------------------------------------------------------------
 * Batch queue: `tacit batch`'s durable list of files to turn into meetings, kept in the
 * store (table batch_jobs) so that a process killed at any point resumes where it
 * stopped and no file is processed twice. A job is one file, known by its absolute path,
 * size and mtime: the same file queued again is the same job; a file changed since is a
 * new one. States move queued -> running -> done | failed, or back to queued for a retry
 * (not before a given time). The queue does not run anything: the caller claims a job,
 * does the work and finishes it. One process works a queue at a time (the CLI holds a
 * lock file for that); each thread uses its own store handle. All calls take a store
 * handle and fail with its errors (TACIT_ERR_DB, TACIT_ERR_NOMEM).
 * --------------------------------------------------------------------------------- */
enum tacit_batch_state {
	TACIT_BATCH_QUEUED = 0,
	TACIT_BATCH_RUNNING = 1,
	TACIT_BATCH_DONE = 2,
	TACIT_BATCH_FAILED = 3,
};

struct tacit_batch_job {
	int64_t id;
	char path[4096];     /* absolute */
	int64_t size;        /* bytes, when queued */
	int64_t mtime_ns;    /* when queued */
	enum tacit_batch_state state;
	int attempts;        /* claims so far (the one running included) */
	char error[512];     /* the last failure's message; "" when none */
	int64_t session_id;  /* the meeting made from the file; 0 = none yet */
	int64_t not_before_ms; /* a queued retry waits until then (Unix ms) */
	int pid;             /* the process that claimed it last */
	char speech_engine[256]; /* where its recording was transcribed: "local" (this
				  * device), a server's "HOST[:PORT]", or "" (a transcript, or
				  * not yet); see tacit_batch_set_engines() */
	char llm_engine[256];    /* where its summary and notes were made, the same way ("":
				  * none asked, or not yet) */
};

/* Queues a file (path absolute; size and mtime_ns as stat() gives them). *out_added (may
 * be NULL) is false when the same path, size and mtime were queued before, whatever the
 * state of that job. TACIT_ERR_USAGE for a relative path. */
TACIT_API enum tacit_status tacit_batch_enqueue(struct tacit_store *store, const char *path, int64_t size,
						int64_t mtime_ns, bool *out_added);

/* After a crash: every job left 'running' goes back to 'queued', and its half-made
 * meeting is removed (deleted with its audio, as tacit_store_session_delete() does) so
 * that the retry makes it again from the start: the one it recorded, or else a session
 * created after the job was claimed whose import source is the job's file name and that
 * no other job owns. Call only when no process is working the queue. *out_requeued and
 * *out_removed (may be NULL) count the jobs and the meetings. */
TACIT_API enum tacit_status tacit_batch_recover(struct tacit_store *store, int *out_requeued, int *out_removed);

/* Claims the oldest queued job whose time has come (state running, attempts + 1, pid
 * recorded) into *out. TACIT_ERR_NOT_FOUND when there is none: then *out_wait_ms (may be
 * NULL) is how long until a delayed retry is due, or 0 when no queued job is left. */
TACIT_API enum tacit_status tacit_batch_claim(struct tacit_store *store, int pid, struct tacit_batch_job *out,
					      int64_t *out_wait_ms);

/* Records the meeting a running job made, as soon as it exists (struct
 * tacit_import_params.on_session); 0: none (an import that failed removed it). */
TACIT_API enum tacit_status tacit_batch_set_session(struct tacit_store *store, int64_t job_id, int64_t session_id);

/* Records which engines did (or are doing) a job's work, as the job's speech_engine and
 * llm_engine: "local", a server's "HOST[:PORT]" (tacit_engine_host()), or "" for none.
 * NULL counts as "". */
TACIT_API enum tacit_status tacit_batch_set_engines(struct tacit_store *store, int64_t job_id, const char *speech,
						    const char *llm);

/* Ends a running job: TACIT_BATCH_DONE, TACIT_BATCH_FAILED with error (a message a user
 * can act on), or TACIT_BATCH_QUEUED to retry it no sooner than retry_in_ms from now
 * (error kept as the last failure). TACIT_ERR_USAGE for TACIT_BATCH_RUNNING. */
TACIT_API enum tacit_status tacit_batch_finish(struct tacit_store *store, int64_t job_id, enum tacit_batch_state state,
					       const char *error, int64_t retry_in_ms);

/* The jobs in one state (state < 0: all), oldest first. *out is never NULL on success;
 * caller frees with tacit_free(). counts (may be NULL) receives the number of jobs in
 * each state, indexed by enum tacit_batch_state. */
TACIT_API enum tacit_status tacit_batch_list(struct tacit_store *store, int state, struct tacit_batch_job **out,
					     size_t *n_out, int64_t counts[4]);

/* "queued", "running", "done", "failed". */
TACIT_API const char *tacit_batch_state_str(enum tacit_batch_state state);

/* ---------------------------------------------------------------------------------
 * Deprecated names, kept so that older callers still build (the compiler warns with
 * the new name). They will go in the next minor release.
 * --------------------------------------------------------------------------------- */
TACIT_DEPRECATED(static inline enum tacit_status tacit_asr_new(const struct tacit_asr_params *params,
							       struct tacit_asr **out),
		 "renamed tacit_asr_open");
static inline enum tacit_status tacit_asr_new(const struct tacit_asr_params *params, struct tacit_asr **out)
{
	return tacit_asr_open(params, out);
}
TACIT_DEPRECATED(static inline void tacit_asr_free(struct tacit_asr *asr), "renamed tacit_asr_close");
static inline void tacit_asr_free(struct tacit_asr *asr)
{
	tacit_asr_close(asr);
}
TACIT_DEPRECATED(static inline enum tacit_status tacit_asr_stream_new(struct tacit_asr *asr, int n_channels,
								      int partial_every_ms,
								      tacit_asr_segment_fn fn, void *user,
								      struct tacit_asr_stream **out),
		 "renamed tacit_asr_stream_open");
static inline enum tacit_status tacit_asr_stream_new(struct tacit_asr *asr, int n_channels, int partial_every_ms,
						     tacit_asr_segment_fn fn, void *user,
						     struct tacit_asr_stream **out)
{
	return tacit_asr_stream_open(asr, n_channels, partial_every_ms, fn, user, out);
}
TACIT_DEPRECATED(static inline void tacit_asr_stream_free(struct tacit_asr_stream *s), "renamed tacit_asr_stream_close");
static inline void tacit_asr_stream_free(struct tacit_asr_stream *s)
{
	tacit_asr_stream_close(s);
}

#ifdef __cplusplus
}
#endif

#endif /* TACIT_H */
