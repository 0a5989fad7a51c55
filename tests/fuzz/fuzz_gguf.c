/*
 * fuzz_gguf.c — the GGUF pre-parser on arbitrary bytes, as a whole file and as the head of
 * a longer one (the front end's partial reads). Whatever the input, it must fail cleanly
 * or produce an info whose lookups and JSON are safe to use.
 */
#include "internal.h"

#include "gguf_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tacit_gguf_info *info = NULL;
	bool more = false;
	uint64_t v;
	double f;

	if (gguf_parse(data, size, size, "fuzz.gguf", &info, &more) == TACIT_OK) {
		char *json = tacit_gguf_info_json(info);
		tacit_free(json);
		tacit_gguf_info_get_u64(info, "general.alignment", &v);
		tacit_gguf_info_get_f64(info, "general.file_type", &f);
		tacit_gguf_info_get_str(info, "general.name");
		for (size_t i = 0; i < tacit_gguf_info_array_len(info, "tokenizer.ggml.token_type") && i < 4; i++)
			tacit_gguf_info_get_u64_at(info, "tokenizer.ggml.token_type", i, &v);
		for (size_t i = 0; i < info->n_layer_bytes; i++)
			v = info->layer_bytes[i];
		for (size_t i = 0; i < info->n_types; i++)
			v = info->types[i].n_bytes + strlen(info->types[i].type_name);
		v = strlen(info->architecture) + strlen(info->name) + strlen(info->tokenizer_model) +
		    strlen(info->tokenizer_pre) + strlen(info->file_type_name) + strlen(info->main_type_name);
		(void)v;
	}
	tacit_gguf_info_free(info);
	/* The same bytes as the first part of a file twice as long. */
	gguf_parse(data, size, (uint64_t)size * 2 + 1, "fuzz.gguf", &info, &more);
	tacit_gguf_info_free(info);
	return 0;
}
