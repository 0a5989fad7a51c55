/*
 * cmd_templates.c — `tacit templates`: the summary templates, built-in and custom (each
 * with its sections; a custom file that does not load is shown with its FILE:LINE
 * error), and `--default NAME` to choose this device's default (setting
 * "summary.template"; `--default general` goes back to the built-in default).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <yyjson.h>

struct listing {
	bool json;
	const char *current; /* the device's default */
	int n_bad;
	yyjson_mut_doc *doc;
	yyjson_mut_val *arr;
};

static bool show(const struct tacit_template_info *t, void *user)
{
	struct listing *l = user;
	bool is_default = !strcmp(t->name, l->current);
	if (t->error)
		l->n_bad++;
	if (l->json) {
		yyjson_mut_doc *d = l->doc;
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(d, l->arr);
		yyjson_mut_obj_add_strcpy(d, o, "name", t->name);
		yyjson_mut_obj_add_strcpy(d, o, "description", t->description ? t->description : "");
		yyjson_mut_obj_add_bool(d, o, "builtin", t->path == NULL);
		yyjson_mut_obj_add_bool(d, o, "default", is_default);
		if (t->path)
			yyjson_mut_obj_add_strcpy(d, o, "path", t->path);
		if (t->error)
			yyjson_mut_obj_add_strcpy(d, o, "error", t->error);
		yyjson_mut_val *secs = yyjson_mut_obj_add_arr(d, o, "sections");
		for (size_t i = 0; i < t->n_sections; i++) {
			yyjson_mut_val *s = yyjson_mut_arr_add_obj(d, secs);
			yyjson_mut_obj_add_strcpy(d, s, "key", t->sections[i].key);
			yyjson_mut_obj_add_strcpy(d, s, "heading", t->sections[i].heading);
			yyjson_mut_obj_add_strcpy(d, s, "kind", t->sections[i].kind);
			yyjson_mut_obj_add_strcpy(d, s, "instruction", t->sections[i].instruction);
		}
		return true;
	}
	printf("%s%s (%s)%s\n", t->name, is_default ? " *" : "", t->path ? t->path : "built-in",
	       t->error ? ": DOES NOT LOAD" : "");
	if (t->error) {
		printf("    %s\n", t->error);
		return true;
	}
	if (t->description && *t->description)
		printf("    %s\n", t->description);
	for (size_t i = 0; i < t->n_sections; i++)
		printf("    %-16s %-12s %s\n", t->sections[i].key, t->sections[i].kind, t->sections[i].instruction);
	return true;
}

int cmd_templates(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "default", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct listing l = { 0 };
	const char *set_default = NULL;
	struct tacit_store *store = NULL;
	char *current = NULL;
	int c, rc = 0;
	enum tacit_status st;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			l.json = true;
			break;
		case 'd':
			set_default = optarg;
			break;
		case 'h':
			printf("usage: tacit templates [--json] [--default NAME]\n"
			       "  the summary templates: built-in ones, then custom ones from\n"
			       "  <config dir>/templates/NAME.tmpl (format: docs/templates.md); '*' marks\n"
			       "  this device's default\n"
			       "  --default NAME  make NAME the default template of summaries and notes\n"
			       "                  on this device (setting summary.template)\n"
			       "  --json          one JSON array\n"
			       "  use one with: tacit summarize|notes ID|FILE --template NAME,\n"
			       "  tacit live --template NAME\n");
			return 0;
		default:
			return cli_option_error("templates", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("templates", "unexpected argument '%s'", argv[optind]);
	if ((st = tacit_store_open(NULL, &store)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (set_default) {
		if ((st = tacit_template_check(set_default)) != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		st = tacit_store_setting_set(store, "summary.template", strcmp(set_default, "general") ? set_default : NULL);
		if (st != TACIT_OK) {
			rc = cli_fail(st);
			goto out;
		}
		fprintf(stderr, "tacit: summaries and notes now use the template '%s' by default\n", set_default);
		goto out;
	}
	if (tacit_store_setting_get(store, "summary.template", &current) != TACIT_OK)
		current = NULL;
	l.current = current ? current : "general";
	if (l.json) {
		l.doc = yyjson_mut_doc_new(NULL);
		l.arr = yyjson_mut_arr(l.doc);
		yyjson_mut_doc_set_root(l.doc, l.arr);
	}
	if ((st = tacit_templates_list(show, &l)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (l.json) {
		char *text = yyjson_mut_write(l.doc, 0, NULL);
		printf("%s\n", text ? text : "[]");
		free(text);
	}
out:
	yyjson_mut_doc_free(l.doc);
	tacit_free(current);
	tacit_store_close(store);
	return rc;
}
