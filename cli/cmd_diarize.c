/*
 * cmd_diarize.c — `tacit diarize FILE`: who speaks when in a recording, as RTTM (the
 * scoring tools' format), JSON or text. The models are ONNX files named by flag or
 * environment (TACIT_SEGMENTATION_MODEL, TACIT_EMBEDDING_MODEL); without a segmentation
 * model the VAD's speech is cut into short windows, and the output says so.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: tacit diarize [options] FILE\n"
	"  --speakers N|auto       exactly N speakers, or find how many (default auto)\n"
	"  --format F              rttm, json or txt (default txt)\n"
	"  --embedding-model NAME  speaker-embedding ONNX model, a path or a catalog id:\n"
	"                          WeSpeaker ResNet34, 3D-Speaker CAM++ (or\n"
	"                          TACIT_EMBEDDING_MODEL; default: setting model.speaker,\n"
	"                          else the downloaded one: 'tacit pull wespeaker-resnet34')\n"
	"  --segmentation-model PATH\n"
	"                          pyannote segmentation-3.0 ONNX (or\n"
	"                          TACIT_SEGMENTATION_MODEL); without it, the speech the\n"
	"                          VAD finds is cut into 3 s windows (no overlapped speech)\n"
	"  --vad-model NAME        Silero VAD model, without a segmentation model (or\n"
	"                          TACIT_VAD_MODEL; default: setting model.vad, else the\n"
	"                          downloaded one)\n"
	"  --threshold X           cosine distance under which clusters merge, with\n"
	"                          --speakers auto (default 0.3)\n"
	"  --threads N             onnxruntime threads (default: one per usable core, at\n"
	"                          most 4)\n";

static const char *clock_s(int64_t ms, char *buf, unsigned len)
{
	snprintf(buf, len, "%02lld:%02lld.%lld", (long long)(ms / 60000), (long long)(ms / 1000 % 60),
		 (long long)(ms / 100 % 10));
	return buf;
}

/* The file's name without directories and extension: RTTM's "uri". */
static void uri_of(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strcspn(b, ".");
	snprintf(out, len, "%.*s", (int)n, b);
	for (char *p = out; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
}

static void print(const struct tacit_diarization *d, const char *file, const char *fmt)
{
	char uri[256], a[32], b[32];
	uri_of(file, uri, sizeof(uri));
	if (!strcmp(fmt, "rttm")) {
		for (size_t i = 0; i < d->n_turns; i++)
			printf("SPEAKER %s 1 %.3f %.3f <NA> <NA> speaker%d <NA> <NA>\n", uri, d->turns[i].start_ms / 1000.0,
			       (d->turns[i].end_ms - d->turns[i].start_ms) / 1000.0, d->turns[i].speaker + 1);
		return;
	}
	if (!strcmp(fmt, "json")) {
		printf("{\"file\":\"%s\",\"method\":\"%s\",\"n_speakers\":%d,\"turns\":[", uri,
		       d->segmented ? "segmentation" : "vad-windows", d->n_speakers);
		for (size_t i = 0; i < d->n_turns; i++)
			printf("%s{\"start\":%.3f,\"end\":%.3f,\"speaker\":\"Speaker %d\"}", i ? "," : "",
			       d->turns[i].start_ms / 1000.0, d->turns[i].end_ms / 1000.0, d->turns[i].speaker + 1);
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < d->n_turns; i++)
		printf("[%s - %s] Speaker %d\n", clock_s(d->turns[i].start_ms, a, sizeof(a)),
		       clock_s(d->turns[i].end_ms, b, sizeof(b)), d->turns[i].speaker + 1);
}

/* One onnxruntime thread per core this process may use, at most 4: the command runs
 * alone, unlike an import's diarization beside whisper (one thread, the library's
 * default); a 10 s ResNet34 input has little more to share out. */
static int default_threads(void)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	pp.bandwidth = 0;
	pp.devices = false;
	int n = tacit_system_probe(&pp, &sys) == TACIT_OK ? sys.n_cores_usable : 1;
	return n < 1 ? 1 : n > 4 ? 4 : n;
}

int cmd_diarize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "speakers", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "embedding-model", required_argument, NULL, 'e' },
		{ "segmentation-model", required_argument, NULL, 'g' },
		{ "vad-model", required_argument, NULL, 'v' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct tacit_diar_params p = tacit_diar_default_params();
	struct tacit_diarization d = { 0 };
	const char *fmt = "txt", *vad = NULL, *file;
	char *end;
	int c, rc = 0;
	enum tacit_status st;

	p.embedding_model = getenv("TACIT_EMBEDDING_MODEL");
	p.segmentation_model = getenv("TACIT_SEGMENTATION_MODEL");
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "auto")) {
				p.n_speakers = 0;
				break;
			}
			p.n_speakers = (int)strtol(optarg, &end, 10);
			if (*end || p.n_speakers < 1 || p.n_speakers > 100)
				return cli_usage_error("diarize", "bad --speakers '%s' (a number from 1 to 100, or auto)",
						       optarg);
			break;
		case 'f':
			if (strcmp(optarg, "rttm") && strcmp(optarg, "json") && strcmp(optarg, "txt"))
				return cli_usage_error("diarize", "unknown format '%s' (rttm, json or txt)", optarg);
			fmt = optarg;
			break;
		case 'e':
			p.embedding_model = optarg;
			break;
		case 'g':
			p.segmentation_model = optarg;
			break;
		case 'v':
			vad = optarg;
			break;
		case 'T':
			p.threshold = strtof(optarg, &end);
			if (*end || !(p.threshold > 0.0f && p.threshold < 2.0f))
				return cli_usage_error("diarize", "bad --threshold '%s' (a distance between 0 and 2)", optarg);
			break;
		case 't':
			p.n_threads = (int)strtol(optarg, &end, 10);
			if (*end || p.n_threads < 1 || p.n_threads > 256)
				return cli_usage_error("diarize", "bad --threads '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_option_error("diarize", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("diarize", "no recording given");
	if (p.n_threads <= 0)
		p.n_threads = default_threads();
	file = argv[optind++];
	if (optind < argc)
		return cli_usage_error("diarize", "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_input_check(file)))
		return rc;
	if (p.segmentation_model && !*p.segmentation_model)
		p.segmentation_model = NULL;
	/* the embedding model: a path, a catalog id, or the downloaded one */
	struct cli_model need[] = {
		{ TACIT_MODEL_SPEAKER, p.embedding_model && *p.embedding_model ? p.embedding_model : NULL,
		  "--embedding-model", NULL, NULL },
		{ TACIT_MODEL_VAD, vad, "--vad-model", " (or --segmentation-model)", NULL },
	};
	if ((rc = cli_models_resolve("diarize", need, p.segmentation_model ? 1 : 2)))
		return rc;
	p.embedding_model = need[0].path;
	p.vad_model = need[1].path;
	/* decoded a piece at a time: a recording of hours is never in memory at once */
	if ((st = tacit_diarize_file(&p, file, &d)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (!p.segmentation_model)
		fprintf(stderr, "tacit: no segmentation model: speakers found in 3 s windows of the speech the VAD "
				"found; overlapped speech is not detected (--segmentation-model)\n");
	if (!d.n_turns)
		fprintf(stderr, "tacit: no speech found in '%s'\n", file);
	print(&d, file, fmt);
	if (fflush(stdout) != 0)
		rc = 1;
out:
	tacit_diarization_release(&d);
	tacit_free(need[0].path);
	tacit_free(need[1].path);
	return rc;
}
