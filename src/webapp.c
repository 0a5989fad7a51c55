/*
 * webapp.c — the web app's files (web/, its message catalogues web/i18n/ included),
 * embedded in the library at build time with .incbin as catalog.c embeds the catalog,
 * so `tacit serve` needs nothing on disk and nothing from a CDN. Each file is served
 * with its MIME type; nothing else is served.
 */
#include "api.h"

#define EMBED(sym, file)                                                                            \
	__asm__(".section .rodata\n.globl " #sym "\n.hidden " #sym "\n.balign 16\n" #sym ":\n.incbin \"" \
		file "\"\n.globl " #sym "_end\n.hidden " #sym "_end\n" #sym "_end:\n.previous\n");     \
	extern const char sym[] __attribute__((visibility("hidden")));                              \
	extern const char sym##_end[] __attribute__((visibility("hidden")))

EMBED(web_index_html, "web/index.html");
EMBED(web_app_css, "web/app.css");
EMBED(web_app_js, "web/app.js");
EMBED(web_models_js, "web/models.js");
EMBED(web_history_js, "web/history.js");
EMBED(web_importer_js, "web/importer.js");
EMBED(web_across_js, "web/across.js");
EMBED(web_player_js, "web/player.js");
EMBED(web_find_js, "web/find.js");
EMBED(web_settings_js, "web/settings.js");
EMBED(web_meeting_js, "web/meeting.js");
EMBED(web_pcm_worklet_js, "web/pcm-worklet.js");
EMBED(web_icon_svg, "web/icon.svg");
EMBED(web_i18n_js, "web/i18n.js");
EMBED(web_i18n_en_js, "web/i18n/en.js");
EMBED(web_i18n_fr_js, "web/i18n/fr.js");
EMBED(web_i18n_es_js, "web/i18n/es.js");
EMBED(web_i18n_de_js, "web/i18n/de.js");

static const struct file {
	const char *path;
	const char *data, *end;
	const char *mime;
} files[] = {
	{ "/index.html", web_index_html, web_index_html_end, "text/html; charset=utf-8" },
	{ "/app.css", web_app_css, web_app_css_end, "text/css; charset=utf-8" },
	{ "/app.js", web_app_js, web_app_js_end, "text/javascript; charset=utf-8" },
	{ "/models.js", web_models_js, web_models_js_end, "text/javascript; charset=utf-8" },
	{ "/history.js", web_history_js, web_history_js_end, "text/javascript; charset=utf-8" },
	{ "/importer.js", web_importer_js, web_importer_js_end, "text/javascript; charset=utf-8" },
	{ "/across.js", web_across_js, web_across_js_end, "text/javascript; charset=utf-8" },
	{ "/player.js", web_player_js, web_player_js_end, "text/javascript; charset=utf-8" },
	{ "/find.js", web_find_js, web_find_js_end, "text/javascript; charset=utf-8" },
	{ "/settings.js", web_settings_js, web_settings_js_end, "text/javascript; charset=utf-8" },
	{ "/meeting.js", web_meeting_js, web_meeting_js_end, "text/javascript; charset=utf-8" },
	{ "/pcm-worklet.js", web_pcm_worklet_js, web_pcm_worklet_js_end, "text/javascript; charset=utf-8" },
	{ "/icon.svg", web_icon_svg, web_icon_svg_end, "image/svg+xml" },
	{ "/i18n.js", web_i18n_js, web_i18n_js_end, "text/javascript; charset=utf-8" },
	{ "/i18n/en.js", web_i18n_en_js, web_i18n_en_js_end, "text/javascript; charset=utf-8" },
	{ "/i18n/fr.js", web_i18n_fr_js, web_i18n_fr_js_end, "text/javascript; charset=utf-8" },
	{ "/i18n/es.js", web_i18n_es_js, web_i18n_es_js_end, "text/javascript; charset=utf-8" },
	{ "/i18n/de.js", web_i18n_de_js, web_i18n_de_js_end, "text/javascript; charset=utf-8" },
};

bool webapp_file(const char *path, const char **data, size_t *len, const char **mime)
{
	if (!strcmp(path, "/"))
		path = "/index.html";
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (!strcmp(files[i].path, path)) {
			*data = files[i].data;
			*len = (size_t)(files[i].end - files[i].data);
			*mime = files[i].mime;
			return true;
		}
	}
	return false;
}
