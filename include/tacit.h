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

/* Load progress, 0..1. Return false to cancel the load (open fails with
 * TACIT_ERR_CANCELLED). Called on the thread that called tacit_llm_open(). */
typedef bool (*tacit_progress_fn)(float progress, void *user);

struct tacit_llm_params {
	const char *model_path; /* a GGUF file; required */
	int n_ctx;              /* context in tokens; 0 = the model's training context, capped at 8192 */
	int n_threads;          /* 0 = the usable cores */
	int n_gpu_layers;       /* layers on the GPU; -1 = all, 0 = CPU only (from the fit plan) */
	int n_batch;            /* prompt tokens per decode call; 0 = 512 */
	tacit_progress_fn progress; /* may be NULL */
	void *progress_user;
};

TACIT_API struct tacit_llm_params tacit_llm_default_params(void);

/* Starts a worker and loads the model. *out is set on success; close it with
 * tacit_llm_close(). Errors: TACIT_ERR_NOT_FOUND (no such file), TACIT_ERR_MODEL (not a
 * loadable GGUF), TACIT_ERR_NO_FIT (the context cannot be allocated), TACIT_ERR_CANCELLED
 * (the progress callback said stop), TACIT_ERR_WORKER (the worker could not be started,
 * or died while loading). */
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
};

TACIT_API struct tacit_llm_request tacit_llm_default_request(void);

enum tacit_finish {
	TACIT_FINISH_STOP = 0,    /* the model ended its answer (end of generation token) */
	TACIT_FINISH_LENGTH = 1,  /* max_tokens reached */
	TACIT_FINISH_CONTEXT = 2, /* the context filled up */
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
};

/* Receives the generated text as it is sampled, in pieces of whole UTF-8 characters. The
 * piece is not NUL-terminated and valid only during the call. Runs on the calling thread. */
typedef void (*tacit_token_fn)(const char *piece, size_t len, void *user);

/* Generates a completion. on_token (may be NULL) streams it; *out_text (may be NULL)
 * receives all of it, caller frees with tacit_free(); *out_stats may be NULL. cancel may
 * be NULL. Errors: TACIT_ERR_USAGE (bad request, invalid grammar), TACIT_ERR_CONTEXT_FULL
 * (the prompt alone does not fit the context), TACIT_ERR_CANCELLED, TACIT_ERR_LLM (a
 * decode error), TACIT_ERR_WORKER (the worker died; the next call respawns it). */
TACIT_API enum tacit_status tacit_llm_generate(struct tacit_llm *llm, const struct tacit_llm_request *req,
					       tacit_token_fn on_token, void *user, const volatile int *cancel,
					       char **out_text, struct tacit_llm_stats *out_stats);

/* Counts the tokens of text with the model's vocabulary (no BOS). */
TACIT_API enum tacit_status tacit_llm_count_tokens(struct tacit_llm *llm, const char *text, int *out_n);

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
 * "text"} (all but text optional), a QMSum-style object {"meeting_transcripts":[{"speaker",
 * "content"}]}, or plain text with one "Speaker: text" turn per line. Caller frees with
 * tacit_transcript_free(). Errors: TACIT_ERR_NOT_FOUND, TACIT_ERR_IO, TACIT_ERR_FORMAT
 * (bad JSON, or no segment with text). */
TACIT_API enum tacit_status tacit_transcript_load(const char *path, struct tacit_transcript **out);
TACIT_API void tacit_transcript_free(struct tacit_transcript *t);
TACIT_API size_t tacit_transcript_count(const struct tacit_transcript *t);
/* Total words in the transcript. */
TACIT_API size_t tacit_transcript_words(const struct tacit_transcript *t);

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
};

TACIT_API struct tacit_meeting_params tacit_meeting_default_params(void);

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

#ifdef __cplusplus
}
#endif

#endif /* TACIT_H */
