/*
 * chat.h — how chat messages become a prompt: the model's own template when it has one
 * (applied by llama.cpp in the worker), else a fallback picked from the template's markers
 * or the architecture (ChatML for Qwen, Gemma turns, Llama 3 headers), else a plain prompt
 * for base models. Dependency-free so the choice and the renderings are unit-tested.
 */
#ifndef TACIT_CHAT_H
#define TACIT_CHAT_H

#include "internal.h"

enum chat_format {
	CHAT_MODEL = 0, /* the GGUF's tokenizer.chat_template through llama_chat_apply_template */
	CHAT_CHATML = 1,
	CHAT_GEMMA = 2,
	CHAT_LLAMA3 = 3,
	CHAT_PLAIN = 4,
};

const char *chat_format_name(enum chat_format f);

/* The fallback format for a model whose template is tmpl (NULL when it has none) and whose
 * general.architecture is arch: markers in the template win, then the architecture; a
 * model with neither known markers nor a known chat architecture gets CHAT_PLAIN. */
enum chat_format chat_fallback(const char *tmpl, const char *arch);

/* Renders messages in format f (not CHAT_MODEL), ending with the assistant's turn opened.
 * BOS is not written: the tokenizer adds it. False when out of memory or f is CHAT_MODEL. */
bool chat_render(enum chat_format f, const struct tacit_chat_message *msgs, size_t n_msgs, struct buf *out);

#endif
