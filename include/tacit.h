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
	int n_threads;           /* 0 = the probe's usable cores */
};

TACIT_API struct tacit_vad_params tacit_vad_default_params(void);

/* Speech regions in pcm (16 kHz mono, n samples), in order, on the input's timeline.
 * *out_spans: caller frees with tacit_free() (NULL when none, *n_out = 0). Errors:
 * TACIT_ERR_MODEL (the VAD model cannot be loaded), TACIT_ERR_ASR, TACIT_ERR_NOMEM.
 * Loads the model on every call (it is under 1 MB). Thread-safe. */
TACIT_API enum tacit_status tacit_vad_detect(const char *model_path, const struct tacit_vad_params *params,
					     const float *pcm, size_t n, struct tacit_span **out_spans,
					     size_t *n_out);

/* ---------------------------------------------------------------------------------
 * Transcription with whisper.cpp: 16 kHz PCM in, timestamped segments out. The engine
 * has no process assumptions: it is meant to run inside tacit's worker process, which
 * hosts it; the segment callback and the cancel flag are its only ties to the caller.
 * Guards against invented text: no-context decoding, log-prob, entropy and no-speech
 * thresholds, Silero VAD (when a VAD model is given) so silence is never decoded, and a
 * filter that drops segments caught in a repeated-token loop.
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
};

TACIT_API struct tacit_asr_params tacit_asr_default_params(void);

/* Who spoke. Channel speakers come from two-channel capture (channel 0 = microphone). */
enum tacit_speaker {
	TACIT_SPEAKER_UNKNOWN = -1,
	TACIT_SPEAKER_ME = 0,   /* "Me": the microphone channel */
	TACIT_SPEAKER_THEM = 1, /* "Them": the meeting audio channel */
};

/* A display name for a speaker ("Me", "Them", "" for unknown). Static string. */
TACIT_API const char *tacit_speaker_name(int speaker);

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

/* Loads the model. Errors: TACIT_ERR_USAGE (no model path), TACIT_ERR_NOT_FOUND (no
 * such file), TACIT_ERR_MODEL (not a whisper model). *out: free with tacit_asr_free().
 * One thread at a time may use a struct tacit_asr; different ones are independent. */
TACIT_API enum tacit_status tacit_asr_new(const struct tacit_asr_params *params, struct tacit_asr **out);
TACIT_API void tacit_asr_free(struct tacit_asr *asr);

/* Whether the loaded model is multilingual (can detect language and translate). */
TACIT_API bool tacit_asr_multilingual(const struct tacit_asr *asr);

/* Transcribes n mono samples (16 kHz), calling fn (may be NULL) for each final segment
 * in order, with offset_ms added to its times and the given speaker. cancel (may be
 * NULL) is read atomically: set it non-zero from any thread to stop; the call then
 * fails with TACIT_ERR_CANCELLED soon after. Audio too short to transcribe (under
 * 100 ms) or without speech gives no segments and TACIT_OK. Errors: TACIT_ERR_ASR,
 * TACIT_ERR_CANCELLED, TACIT_ERR_NOMEM. */
TACIT_API enum tacit_status tacit_asr_transcribe(struct tacit_asr *asr, const float *pcm, size_t n,
						 int64_t offset_ms, int speaker, const volatile int *cancel,
						 tacit_asr_segment_fn fn, void *user);

/* Whether text is caught in a repeated-token loop ("the the the the ...", "thank you.
 * thank you. thank you. ..."): a phrase of 1 to 8 words repeated 4 or more times in a
 * row, or covering most of the text. Such segments are dropped. Thread-safe. */
TACIT_API bool tacit_text_is_loop(const char *text);

/* ---------------------------------------------------------------------------------
 * Live transcription: feed PCM as it arrives; partial segments show the current
 * utterance and may change; once an utterance ends (a pause the VAD hears, or 20 s of
 * speech), its final segments are emitted and never change.
 * --------------------------------------------------------------------------------- */
struct tacit_asr_stream;

/* A stream on asr (which must outlive it). n_channels is 1 or 2 (two: channel 0 is
 * "Me", 1 is "Them", each transcribed on its own). partial_every_ms: how much new audio
 * triggers a new partial (0 = no partials; default 1000 is a good choice). fn receives
 * partial and final segments. Free with tacit_asr_stream_free(). */
TACIT_API enum tacit_status tacit_asr_stream_new(struct tacit_asr *asr, int n_channels, int partial_every_ms,
						 tacit_asr_segment_fn fn, void *user, struct tacit_asr_stream **out);
TACIT_API void tacit_asr_stream_free(struct tacit_asr_stream *s);

/* Appends interleaved frames (n_frames * n_channels floats at 16 kHz) and does the
 * work they make due. Errors as tacit_asr_transcribe(). */
TACIT_API enum tacit_status tacit_asr_stream_push(struct tacit_asr_stream *s, const float *pcm, size_t n_frames,
						  const volatile int *cancel);

/* Ends the stream: whatever is pending becomes final. */
TACIT_API enum tacit_status tacit_asr_stream_finish(struct tacit_asr_stream *s, const volatile int *cancel);

/* ---------------------------------------------------------------------------------
 * Transcripts: a list of final segments and its renderings.
 * --------------------------------------------------------------------------------- */
struct tacit_segments {
	struct tacit_asr_segment *segments; /* sorted by start; texts owned by the transcript */
	size_t n_segments;
	size_t alloc;
};

enum tacit_transcript_format {
	TACIT_FORMAT_TXT = 0,  /* "[00:00:01.500 --> 00:00:03.000] Me: text" */
	TACIT_FORMAT_JSON = 1, /* {"segments":[{"start":1.5,"end":3.0,"speaker":"Me","text":..}]} */
	TACIT_FORMAT_SRT = 2,  /* SubRip, 00:00:01,500 */
	TACIT_FORMAT_VTT = 3,  /* WebVTT, 00:00:01.500, <v Me> voice tags */
	TACIT_FORMAT_MD = 4,   /* Markdown: a "**Speaker** [mm:ss]" paragraph per speaker change */
};

/* Parses "txt", "json", "srt", "vtt", "md"; false for anything else. */
TACIT_API bool tacit_transcript_format_parse(const char *name, enum tacit_transcript_format *out);

TACIT_API void tacit_segments_init(struct tacit_segments *t);
TACIT_API void tacit_segments_release(struct tacit_segments *t);
/* Copies seg (and its text) into t, keeping t sorted by start time. */
TACIT_API enum tacit_status tacit_segments_add(struct tacit_segments *t, const struct tacit_asr_segment *seg);
/* A tacit_asr_segment_fn that adds every final segment to the transcript passed as user. */
TACIT_API bool tacit_segments_collect(const struct tacit_asr_segment *seg, void *user);

/* Renders t. *out: caller frees with tacit_free(). Speaker changes are marked in every
 * format (a "Speaker:" prefix, a JSON field, a VTT voice tag, a Markdown heading).
 * Errors: TACIT_ERR_USAGE, TACIT_ERR_NOMEM. */
TACIT_API enum tacit_status tacit_segments_render(const struct tacit_segments *t,
						    enum tacit_transcript_format fmt, char **out);

/* One segment as a JSON line (no newline) for live output:
 * {"type":"partial"|"final","start":1.5,"end":3.0,"speaker":"Me","text":"..."}.
 * Caller frees with tacit_free(); NULL when out of memory. */
TACIT_API char *tacit_asr_segment_json(const struct tacit_asr_segment *seg);

#ifdef __cplusplus
}
#endif

#endif /* TACIT_H */
