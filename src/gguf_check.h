/*
 * gguf_check.h — tacit's own strict GGUF pre-parser. It validates a file's header (counts,
 * lengths, types, alignment, every tensor's extent) before llama.cpp ever sees the file,
 * and sums what the fit scorer needs. The limits below are the contract: anything past
 * them is rejected as malformed, whatever a library might accept.
 */
#ifndef TACIT_GGUF_H
#define TACIT_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include <tacit.h>

#define GGUF_MAX_KV 65536u                          /* metadata entries */
#define GGUF_MAX_TENSORS (1u << 20)                 /* tensor infos */
#define GGUF_MAX_KEY_LEN 1024u                      /* metadata key bytes */
#define GGUF_MAX_NAME_LEN 63u                       /* tensor name bytes (ggml keeps 64 with NUL) */
#define GGUF_MAX_STRING ((uint64_t)16 << 20)        /* one string value */
#define GGUF_MAX_ARRAY ((uint64_t)1 << 22)          /* elements in one array */
#define GGUF_MAX_DIMS 4u                            /* tensor dimensions */
#define GGUF_MAX_ALIGNMENT (1u << 20)               /* general.alignment */
#define GGUF_DEFAULT_ALIGNMENT 32u
#define GGUF_MAX_HEADER_BYTES ((uint64_t)256 << 20) /* metadata + tensor infos */
#define GGUF_MAX_LAYERS 65536u                      /* highest blk.N index + 1 */
#define GGUF_KEPT_ARRAY 65536u /* numeric arrays up to this many elements stay readable */

/* The number of ggml types tacit knows (one past the highest id). */
#define GGUF_N_TYPES 43

/*
 * Parses and validates a GGUF header held in data[0..len). file_size is the size of the
 * whole file: tensor extents are checked against it, and len may be smaller than it when
 * only the head of the file is in memory. name appears in error messages.
 * On success *out is a new info (free with tacit_gguf_info_free()). On failure returns
 * TACIT_ERR_FORMAT (malformed), TACIT_ERR_UNSUPPORTED (version 1, big-endian, newer
 * versions) or TACIT_ERR_NOMEM, with the message recorded; when *need_more is set the
 * header runs past len but not past file_size: call again with more of the file.
 */
enum tacit_status gguf_parse(const uint8_t *data, size_t len, uint64_t file_size, const char *name,
			     struct tacit_gguf_info **out, bool *need_more);

#endif
