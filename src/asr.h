/* asr.h — what the live stream needs from the engine beyond the public API. */
#ifndef TACIT_ASR_H
#define TACIT_ASR_H

/* Speech regions in pcm through the engine's loaded VAD. Returns TACIT_UNSUPPORTED when
 * the engine has no VAD model. *out: free(). */
enum tacit_status asr_vad(struct tacit_asr *asr, const float *pcm, size_t n, struct tacit_span **out, size_t *n_out);

#endif
