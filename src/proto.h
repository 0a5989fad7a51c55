/*
 * proto.h — the framed protocol between libtacit and its model worker process, also spoken
 * between a live meeting and a client asking it a question (live_remote.c). A frame is
 * a 4-byte little-endian payload length, a 1-byte type, then the payload (JSON, or raw
 * UTF-8 for TOKEN). Frames never exceed PROTO_MAX_FRAME; the reader treats the peer as
 * untrusted: a bad length or type is an error, never a crash or an unbounded allocation.
 * A LOAD names its "engine" ("llm", "asr", "vad" or "diar"); a worker serves the engines it loaded.
 */
#ifndef TACIT_PROTO_H
#define TACIT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The protocol's version, in the worker's READY: a parent refuses a worker that speaks
 * another (one from an older or newer install). Raise it with any change to a frame's
 * meaning. A READY without one is version 1. */
#define PROTO_VERSION 6

#define PROTO_HEADER 5
#define PROTO_MAX_FRAME ((uint32_t)16 << 20)

enum proto_type {
	/* parent -> worker */
	PROTO_LOAD = 1,      /* {"engine","model","n_ctx","n_ctx_cap","n_threads","n_gpu_layers","n_batch"} */
	PROTO_GENERATE = 2,  /* {"id","prompt"|"messages","grammar","max_tokens","temperature",...,
			      *  "state_prefix","state_path"} */
	PROTO_CANCEL = 3,    /* {"id"}: stop request id (or the load in progress) */
	PROTO_TOKENIZE = 4,  /* {"id","text"} or {"id","texts":[...]}: count tokens */
	PROTO_CRASH = 5,     /* {"how"}: test-only, honoured with TACIT_WORKER_TEST=1 */
	PROTO_TRANSCRIBE = 6, /* {"id","offset_ms","speaker","quick","n"}, a NUL, then n float32
			       * samples (16 kHz mono, little-endian): engine "asr" */
	PROTO_ASK = 7,       /* client -> live meeting: {"question"} */
	PROTO_DEVICES = 8,   /* {"id"}: list ggml's backend devices (answered by DEVICE_LIST) */
	PROTO_VAD = 9,       /* {"id","n","more"}, a NUL, then n float32 samples as for TRANSCRIBE:
			      * engine "vad". With "more" the worker keeps the samples and answers
			      * DONE {"id"}; the last piece is answered by SPANS (over all of them) */
	PROTO_DIARIZE = 10,  /* {"id","n","offset_ms","spans":[[start_ms,end_ms],...]}, a NUL, then n
			      * float32 samples as for TRANSCRIBE: engine "diar", answered by LOCAL.
			      * spans (ms from the piece's start) are used without a segmentation model */
	PROTO_EMBED = 11,    /* {"id","texts":[...]} (1 to PROTO_EMBED_MAX_TEXTS): engine "embed",
			      * answered by VECTORS */
	/* worker -> parent */
	PROTO_READY = 16,    /* {"pid","proto"}: the worker is up and speaks PROTO_VERSION "proto" */
	PROTO_PROGRESS = 17, /* {"progress"}: 0..1 while loading; {"id","done","total"}: prompt
			      * tokens read while generating (protocol 4) */
	PROTO_LOADED = 18,   /* {"n_ctx","n_vocab","n_ctx_train","template","arch"} */
	PROTO_TOKEN = 19,    /* raw UTF-8 text of one or more tokens, complete code points */
	PROTO_DONE = 20,     /* {"id","n_prompt","n_reused","n_gen","prefill_ms","decode_ms","finish","state",
			      *  "n_eval","eval_ms","sample_ms","emit_ms","sampler"} */
	PROTO_ERROR = 21,    /* {"id","status","message"} */
	PROTO_COUNT = 22,    /* {"id","n_tokens"}, or {"id","counts":[...]} for "texts" */
	PROTO_SEGMENT = 23,  /* {"id","start_ms","end_ms","speaker","turn_next","confidence","text"} */
	/* live meeting -> client (besides TOKEN: the answer's raw text, and ERROR) */
	PROTO_ANSWER = 24,   /* the checked answer {"answer","cites","grounded"}: the last frame */
	PROTO_WAIT = 25,     /* {"state"}: still working (at least once a second) */
	/* worker -> parent, again */
	PROTO_DEVICE_LIST = 26, /* {"id","devices":[{"name","description","type","mem_free","mem_total"}]} */
	PROTO_SPANS = 27,    /* {"id","spans":[[start_ms,end_ms],...]}: the speech regions of a VAD request */
	PROTO_LOCAL = 28,    /* {"id","dim","groups","turns":[[start_ms,end_ms,group],...]}, a NUL, then
			      * groups * dim float32: a DIARIZE piece's local speakers and their embeddings */
	PROTO_VECTORS = 29,  /* {"id","dim","n"}, a NUL, then n * dim float32: an EMBED request's
			      * texts' vectors, in order, each of length 1 (protocol 6) */
};

#define PROTO_EMBED_MAX_TEXTS 256

bool proto_type_valid(unsigned type);

/* Appends one frame to out; false when payload is too large or out of memory. */
bool proto_encode(struct buf *out, enum proto_type type, const void *payload, size_t len);

/* An incremental reader: feed bytes as they arrive, take frames out one by one. */
struct proto_reader {
	struct buf in;
	size_t pos; /* start of the next unread frame in in.data */
	bool broken;
};

void proto_reader_init(struct proto_reader *r);
void proto_reader_release(struct proto_reader *r);
/* Appends received bytes; false when out of memory. */
bool proto_reader_feed(struct proto_reader *r, const void *data, size_t len);
/* 1: a frame (payload points into the reader, valid until the next feed/next call;
 * it is NUL-terminated), 0: need more bytes, -1: the stream is malformed (bad type or
 * length); after -1 the reader stays broken. */
int proto_reader_next(struct proto_reader *r, unsigned *type, const char **payload, size_t *len);

/* Writes the whole buffer to fd, retrying on EINTR; false with errno on failure.
 * A closed peer gives EPIPE, never SIGPIPE: the signal is blocked on the calling thread
 * for the write and a SIGPIPE it raised is consumed (the process disposition is untouched). */
bool proto_write_all(int fd, const void *data, size_t len);

/* Encodes and writes one frame. */
bool proto_send(int fd, enum proto_type type, const void *payload, size_t len);
/* Writes one frame whose payload is head then data, without copying data (audio). */
bool proto_send_parts(int fd, enum proto_type type, const void *head, size_t head_len, const void *data,
		      size_t data_len);

#endif
