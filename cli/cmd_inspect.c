/*
 * cmd_inspect.c — `tacit inspect FILE [--json]`: validates a GGUF file with tacit's own
 * strict parser and says what it holds: architecture, size, layers, context, the
 * quantization mix, tokenizer and chat template. A bad file gives one error line.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] = "usage: tacit inspect FILE [--json]\n"
				  "  --json  print every field, and the metadata, as JSON\n";

/* "260K", "1.5B": parameter counts as people say them. */
static const char *count_str(uint64_t n, char *buf, size_t len)
{
	if (n >= 1000000000ull)
		snprintf(buf, len, "%.2fB", (double)n / 1e9);
	else if (n >= 1000000ull)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else if (n >= 1000ull)
		snprintf(buf, len, "%.1fK", (double)n / 1e3);
	else
		snprintf(buf, len, "%" PRIu64, n);
	return buf;
}

static const char *tokenizer_kind(const char *model)
{
	if (!strcmp(model, "llama"))
		return " (SentencePiece)";
	if (!strcmp(model, "gpt2"))
		return " (byte-level BPE)";
	if (!strcmp(model, "bert"))
		return " (WordPiece)";
	if (!strcmp(model, "t5"))
		return " (Unigram)";
	if (!strcmp(model, "rwkv"))
		return " (RWKV)";
	return "";
}

static void print_info(const char *path, const struct tacit_gguf_info *in)
{
	char b1[32], b2[32], b3[32];
	printf("File          %s (%s, GGUF v%u)\n", path, cli_bytes(in->file_size, b1, sizeof(b1)), in->version);
	printf("Architecture  %s\n", *in->architecture ? in->architecture : "(not given)");
	if (*in->name)
		printf("Name          %s\n", in->name);
	printf("Parameters    %s (%" PRIu64 ")\n", count_str(in->n_params, b1, sizeof(b1)), in->n_params);
	printf("Layers        %" PRIu64, in->n_layers);
	if (in->n_embd)
		printf(", embedding %" PRIu64, in->n_embd);
	if (in->n_head)
		printf(", %" PRIu64 " heads (%" PRIu64 " KV) of %" PRIu64, in->n_head, in->n_head_kv, in->head_dim);
	if (in->n_ff)
		printf(", feed-forward %" PRIu64, in->n_ff);
	printf("\n");
	if (in->n_expert)
		printf("Experts       %" PRIu64 ", %" PRIu64 " used per token (%s of expert weights)\n", in->n_expert,
		       in->n_expert_used, cli_bytes(in->expert_bytes, b1, sizeof(b1)));
	printf("Context       %" PRIu64 " tokens (trained)", in->n_ctx_train);
	if (in->sliding_window)
		printf(", sliding window %" PRIu64, in->sliding_window);
	printf("\n");
	printf("Weights       %s: %s in %zu layers, %s outside them\n", cli_bytes(in->weight_bytes, b1, sizeof(b1)),
	       cli_bytes(in->layer_bytes_total, b2, sizeof(b2)), in->n_layer_bytes,
	       cli_bytes(in->other_bytes, b3, sizeof(b3)));
	printf("Quantization  %s", *in->file_type_name ? in->file_type_name : in->main_type_name);
	for (size_t i = 0; i < in->n_types; i++)
		printf("%s %s %.1f%% (%" PRIu64 " tensors)", i ? "," : ":", in->types[i].type_name,
		       in->weight_bytes ? 100.0 * (double)in->types[i].n_bytes / (double)in->weight_bytes : 0.0,
		       in->types[i].n_tensors);
	printf("\n");
	if (*in->tokenizer_model || in->n_vocab)
		printf("Tokenizer     %s%s, vocabulary %" PRIu64 "\n", *in->tokenizer_model ? in->tokenizer_model : "unknown",
		       tokenizer_kind(in->tokenizer_model), in->n_vocab);
	else
		printf("Tokenizer     none\n");
	printf("Chat template %s\n", in->has_chat_template ? "yes" : "no");
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_gguf_info *info = NULL;
	bool json = false;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("inspect", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("inspect", "no file given");
	if (optind + 1 < argc)
		return cli_usage_error("inspect", "unexpected argument '%s'", argv[optind + 1]);

	const char *path = argv[optind];
	enum tacit_status st = tacit_gguf_inspect(path, &info);
	if (st != TACIT_OK)
		return cli_fail(st);
	if (json) {
		char *text = tacit_gguf_info_json(info);
		tacit_gguf_info_free(info);
		if (!text)
			return cli_fail(TACIT_ERR_NOMEM);
		printf("%s\n", text);
		tacit_free(text);
		return 0;
	}
	print_info(path, info);
	tacit_gguf_info_free(info);
	return 0;
}
