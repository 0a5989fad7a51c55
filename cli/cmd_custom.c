/*
 * cmd_custom.c — `tacit add PATH [--name N] [--json]` and `tacit forget NAME`: custom
 * models. add checks the file (strict GGUF check, then a load probe in a child process
 * that only it can crash) and records a reference to it; nothing is copied. forget
 * drops the reference and never touches the file.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yyjson.h>

static const char add_usage[] =
	"usage: tacit add [--name NAME] [--json] PATH\n"
	"  checks the GGUF model at PATH and adds it as a custom model (the file stays where it is)\n"
	"  --name NAME  the name to use it by (default: from the file name)\n"
	"  --json       the result as JSON\n";

static void print_added(const char *name, bool json)
{
	struct tacit_custom_models *list = NULL;
	const struct tacit_custom_model *m = NULL;
	char b1[32];
	if (tacit_custom_list(&list) == TACIT_OK)
		m = tacit_custom_find(list, name);
	if (json) {
		yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
		yyjson_mut_val *o = yyjson_mut_obj(doc);
		yyjson_mut_doc_set_root(doc, o);
		yyjson_mut_obj_add_str(doc, o, "event", "added");
		yyjson_mut_obj_add_str(doc, o, "name", name);
		if (m) {
			yyjson_mut_obj_add_str(doc, o, "path", m->path);
			yyjson_mut_obj_add_str(doc, o, "arch", m->arch);
			yyjson_mut_obj_add_str(doc, o, "quant", m->quant);
			yyjson_mut_obj_add_uint(doc, o, "file_bytes", m->file_bytes);
			yyjson_mut_obj_add_int(doc, o, "n_layers", m->layout.n_layers);
		}
		char *text = yyjson_mut_write(doc, 0, NULL);
		if (text)
			printf("%s\n", text);
		free(text);
		yyjson_mut_doc_free(doc);
	} else if (m) {
		printf("added %s: %s (%s%s%s, %d layers, %s); 'tacit models' scores it, --model %s uses it\n", name,
		       m->path, m->arch, *m->quant ? " " : "", m->quant, m->layout.n_layers,
		       cli_bytes(m->file_bytes, b1, sizeof(b1)), name);
	} else {
		printf("added %s\n", name);
	}
	tacit_custom_list_free(list);
}

int cmd_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_custom_params p = tacit_custom_default_params();
	bool json = false;
	char *name = NULL;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			p.name = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(add_usage, stdout);
			return 0;
		default:
			return cli_option_error("add", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("add", optind < argc ? "one file at a time" : "which file? (a GGUF model's path)");
	enum tacit_status st = tacit_custom_add(argv[optind], &p, &name);
	if (st != TACIT_OK)
		return cli_fail(st);
	print_added(name, json);
	tacit_free(name);
	return 0;
}

static const char forget_usage[] = "usage: tacit forget NAME\n"
				   "  forgets custom model NAME; its file is left alone\n";

int cmd_forget(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(forget_usage, stdout);
		return 0;
	}
	if (argc != 2)
		return cli_usage_error("forget", argc < 2 ? "which custom model? (a name from 'tacit models')"
							  : "one model at a time");
	if (argv[1][0] == '-')
		return cli_usage_error("forget", "unknown option '%s'", argv[1]);
	enum tacit_status st = tacit_custom_forget(argv[1]);
	if (st != TACIT_OK)
		return cli_fail(st);
	printf("forgot %s (the file itself is untouched)\n", argv[1]);
	return 0;
}
