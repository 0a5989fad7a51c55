/*
 * chat.c — fallback chat formats. Gemma has no system role: the system text is folded into
 * the first user turn, as its own template does. The plain format is for base models: the
 * messages' contents separated by blank lines, so the model simply continues the text.
 */
#include "internal.h"

#include "chat.h"

const char *chat_format_name(enum chat_format f)
{
	static const char *const names[] = { "model", "chatml", "gemma", "llama3", "plain" };
	return (unsigned)f < ARRAY_SIZE(names) ? names[f] : "plain";
}

enum chat_format chat_fallback(const char *tmpl, const char *arch)
{
	if (tmpl && strstr(tmpl, "<|im_start|>"))
		return CHAT_CHATML;
	if (tmpl && strstr(tmpl, "<start_of_turn>"))
		return CHAT_GEMMA;
	if (tmpl && strstr(tmpl, "<|start_header_id|>"))
		return CHAT_LLAMA3;
	if (arch && !strncmp(arch, "qwen", 4))
		return CHAT_CHATML;
	if (arch && !strncmp(arch, "gemma", 5))
		return CHAT_GEMMA;
	return CHAT_PLAIN;
}

static bool is_role(const struct tacit_chat_message *m, const char *role)
{
	return m->role && !strcmp(m->role, role);
}

static void render_chatml(const struct tacit_chat_message *msgs, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "<|im_start|>%s\n%s<|im_end|>\n", msgs[i].role ? msgs[i].role : "user",
			 msgs[i].content ? msgs[i].content : "");
	buf_adds(out, "<|im_start|>assistant\n");
}

static void render_gemma(const struct tacit_chat_message *msgs, size_t n, struct buf *out)
{
	const char *system = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *text = msgs[i].content ? msgs[i].content : "";
		if (is_role(&msgs[i], "system")) {
			system = text;
			continue;
		}
		buf_addf(out, "<start_of_turn>%s\n", is_role(&msgs[i], "assistant") ? "model" : "user");
		if (system && !is_role(&msgs[i], "assistant")) {
			buf_addf(out, "%s\n\n", system);
			system = NULL;
		}
		buf_addf(out, "%s<end_of_turn>\n", text);
	}
	if (system) /* only a system message: still give it to the model */
		buf_addf(out, "<start_of_turn>user\n%s<end_of_turn>\n", system);
	buf_adds(out, "<start_of_turn>model\n");
}

static void render_llama3(const struct tacit_chat_message *msgs, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "<|start_header_id|>%s<|end_header_id|>\n\n%s<|eot_id|>",
			 msgs[i].role ? msgs[i].role : "user", msgs[i].content ? msgs[i].content : "");
	buf_adds(out, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

static void render_plain(const struct tacit_chat_message *msgs, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "%s\n\n", msgs[i].content ? msgs[i].content : "");
}

bool chat_render(enum chat_format f, const struct tacit_chat_message *msgs, size_t n_msgs, struct buf *out)
{
	switch (f) {
	case CHAT_CHATML:
		render_chatml(msgs, n_msgs, out);
		break;
	case CHAT_GEMMA:
		render_gemma(msgs, n_msgs, out);
		break;
	case CHAT_LLAMA3:
		render_llama3(msgs, n_msgs, out);
		break;
	case CHAT_PLAIN:
		render_plain(msgs, n_msgs, out);
		break;
	default:
		return false;
	}
	return !out->failed;
}
