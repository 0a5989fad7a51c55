/*
 * loadcheck.c — the llama.cpp side of the custom-model probe, run only inside a
 * tacit-worker child that the parent limits in memory and time (custom.c). It never
 * reads tensor data: a vocabulary-only load, then llama.cpp's no_alloc dry run, which
 * builds the model's hyper-parameters and every tensor from the header alone.
 */
#include "internal.h"

#include "custom.h"
#include "deplog.h"

#include <llama.h>

/* One load without weights; NULL with the message recorded when llama.cpp refuses. */
static struct llama_model *load(const char *path, bool vocab_only, const char *stage)
{
	struct llama_model_params mp = llama_model_default_params();
	mp.n_gpu_layers = 0; /* a dry run on the CPU: no device memory, no driver */
	mp.load_mode = LLAMA_LOAD_MODE_NONE;
	mp.vocab_only = vocab_only;
	mp.no_alloc = !vocab_only;
	mp.use_extra_bufts = false;
	struct llama_model *m = llama_model_load_from_file(path, mp);
	if (!m)
		tacit_fail(TACIT_ERR_MODEL,
			   "llama.cpp cannot load '%s' (%s): an architecture it does not support, or missing or "
			   "misshapen tensors ('tacit --verbose add' shows why)",
			   path, stage);
	return m;
}

enum tacit_status model_load_check(const char *path, struct buf *out)
{
	struct llama_model *m;
	char desc[128] = "", arch[64] = "";

	deplog_init();
	llama_backend_init();
	if (!(m = load(path, true, "vocabulary")))
		return TACIT_ERR_MODEL;
	int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(m));
	llama_model_free(m);
	if (n_vocab <= 0)
		return tacit_fail(TACIT_ERR_MODEL, "model '%s' has an empty vocabulary", path);
	if (!(m = load(path, false, "dry run")))
		return TACIT_ERR_MODEL;
	llama_model_desc(m, desc, sizeof(desc));
	llama_model_meta_val_str(m, "general.architecture", arch, sizeof(arch));
	buf_addf(out, "{\"ok\":true,\"n_vocab\":%d,\"n_layer\":%d,\"n_params\":%llu,\"size\":%llu", n_vocab,
		 llama_model_n_layer(m), (unsigned long long)llama_model_n_params(m),
		 (unsigned long long)llama_model_size(m));
	llama_model_free(m);
	/* desc and arch come from the file: keep them printable and JSON-safe */
	for (char *p = desc; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\' || (unsigned char)*p >= 0x7f)
			*p = '?';
	for (char *p = arch; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\' || (unsigned char)*p >= 0x7f)
			*p = '?';
	buf_addf(out, ",\"arch\":\"%s\",\"desc\":\"%s\"}", arch, desc);
	return out->failed ? tacit_fail(TACIT_ERR_NOMEM, "out of memory") : TACIT_OK;
}
