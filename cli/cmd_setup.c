/*
 * cmd_setup.c — `tacit setup` and `tacit doctor`. setup picks for this machine the three
 * models a meeting needs (tacit_models_recommend(): language, speech that keeps up live,
 * voice activity), shows what it will download and the disk left, asks once, downloads
 * them with one progress line and says what to run next. doctor checks what setup set
 * up (model files by size and sha256, devices and sound servers, the data folder, the
 * fit): each problem is printed with its remedy, and the exit code says whether there was
 * one.
 */
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <yyjson.h>

static const enum tacit_model_kind kinds[3] = { TACIT_MODEL_LLM, TACIT_MODEL_ASR, TACIT_MODEL_VAD };
static const char *const kind_names[3] = { "language", "speech", "voice activity" };

struct pick {
	const struct tacit_model_info *m;
	bool downloaded;
};

/* Free bytes on the file system holding path; 0 when unknown. */
static unsigned long long free_bytes(const char *path)
{
	struct statvfs v;
	return path && statvfs(path, &v) == 0 ? (unsigned long long)v.f_bavail * v.f_frsize : 0;
}

/* The machine, the catalog and the three picks; the caller frees *cat and *dir. */
static int plan(struct tacit_system *sys, struct tacit_catalog **cat, char **dir, struct pick picks[3])
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	enum tacit_status st;

	if ((st = tacit_system_probe(&pp, sys)) != TACIT_OK || (st = tacit_catalog_load(cat)) != TACIT_OK ||
	    (st = tacit_models_dir(dir)) != TACIT_OK)
		return cli_fail(st);
	for (int k = 0; k < 3; k++) {
		picks[k].m = tacit_models_recommend(sys, *cat, kinds[k]);
		if (!picks[k].m) {
			fprintf(stderr, "tacit: the catalog offers no %s model for this machine ('tacit models --all' "
					"says why)\n",
				kind_names[k]);
			return tacit_status_exit_code(TACIT_ERR_NO_FIT);
		}
		picks[k].downloaded = tacit_model_downloaded(*dir, picks[k].m);
	}
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress {
	unsigned long long before, total; /* bytes of the earlier files, of all files */
	bool tty;
	bool shown;
};

/* One line for all the downloads together. */
static void on_progress(uint64_t done, uint64_t total, double rate, void *user)
{
	struct progress *p = user;
	char b1[32], b2[32], b3[32];
	(void)total;
	if (!p->tty)
		return;
	unsigned long long d = p->before + done;
	fprintf(stderr, "\r\033[Kdownloading  %3d%%  %s / %s  %s/s", p->total ? (int)(d * 100 / p->total) : 0,
		cli_bytes(d, b1, sizeof(b1)), cli_bytes(p->total, b2, sizeof(b2)),
		cli_bytes((unsigned long long)rate, b3, sizeof(b3)));
	p->shown = true;
}

static int download_all(const struct pick picks[3], const char *dir, unsigned long long need)
{
	struct progress pr = { .total = need, .tty = isatty(2) };
	struct sigaction sa, old_int, old_term;
	enum tacit_status st = TACIT_OK;
	int rc = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (int k = 0; k < 3 && st == TACIT_OK; k++) {
		struct tacit_download_params p = tacit_download_default_params();
		char *dest = NULL;
		if (picks[k].downloaded)
			continue;
		if (asprintf(&dest, "%s/%s", dir, picks[k].m->file_name) < 0) {
			st = TACIT_ERR_NOMEM;
			break;
		}
		p.url = picks[k].m->url;
		p.dest = dest;
		p.expected_bytes = picks[k].m->file_bytes;
		p.expected_sha256 = picks[k].m->sha256;
		p.progress = on_progress;
		p.progress_user = &pr;
		p.cancel = &interrupted;
		st = tacit_download(&p, NULL);
		pr.before += picks[k].m->file_bytes;
		free(dest);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (pr.shown)
		fputc('\n', stderr);
	if (st != TACIT_OK) {
		rc = cli_fail(st);
		if (st == TACIT_ERR_NETWORK)
			fprintf(stderr, "tacit: offline? set TACIT_MODEL_MIRROR=URL to a mirror of the catalog's files, or "
					"add a model file you have with 'tacit add PATH'; 'tacit setup' resumes\n");
	}
	return rc;
}

static void print_plan_json(const struct pick picks[3], unsigned long long need, unsigned long long avail,
			    const char *state)
{
	yyjson_mut_doc *doc = yyjson_mut_doc_new(NULL);
	yyjson_mut_val *root = yyjson_mut_obj(doc), *arr;
	yyjson_mut_doc_set_root(doc, root);
	arr = yyjson_mut_obj_add_arr(doc, root, "models");
	for (int k = 0; k < 3; k++) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(doc, arr);
		yyjson_mut_obj_add_str(doc, o, "kind", kind_names[k]);
		yyjson_mut_obj_add_str(doc, o, "id", picks[k].m->id);
		yyjson_mut_obj_add_str(doc, o, "name", picks[k].m->name);
		yyjson_mut_obj_add_uint(doc, o, "disk_bytes", picks[k].m->file_bytes);
		yyjson_mut_obj_add_bool(doc, o, "downloaded", picks[k].downloaded);
	}
	yyjson_mut_obj_add_uint(doc, root, "download_bytes", need);
	yyjson_mut_obj_add_uint(doc, root, "disk_free_bytes", avail);
	yyjson_mut_obj_add_str(doc, root, "state", state);
	char *text = yyjson_mut_write(doc, 0, NULL);
	if (text)
		printf("%s\n", text);
	free(text);
	yyjson_mut_doc_free(doc);
}

static const char setup_usage[] =
	"usage: tacit setup [--yes] [--json] [--dry-run]\n"
	"  picks the language, speech and voice-activity models for this machine, shows what\n"
	"  it will download and asks once, then downloads them\n"
	"  --yes      download without asking (needed without a terminal)\n"
	"  --json     the plan and the outcome as JSON on stdout\n"
	"  --dry-run  show the plan, download nothing\n"
	"  TACIT_MODEL_MIRROR=URL fetches from a mirror (see 'tacit pull --help')\n";

int cmd_setup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes", no_argument, NULL, 'y' },     { "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_system sys;
	struct tacit_catalog *cat = NULL;
	struct pick picks[3];
	char *dir = NULL, b1[32], b2[32];
	bool yes = false, json = false, dry = false;
	unsigned long long need = 0, avail;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			yes = true;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			dry = true;
			break;
		case 'h':
			fputs(setup_usage, stdout);
			return 0;
		default:
			return cli_option_error("setup", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("setup", "unexpected argument '%s'", argv[optind]);
	if ((rc = plan(&sys, &cat, &dir, picks)))
		goto out;
	for (int k = 0; k < 3; k++)
		need += picks[k].downloaded ? 0 : picks[k].m->file_bytes;
	avail = free_bytes(dir);
	if (!json) {
		printf("tacit setup for this machine (%s):\n", sys.cpu_model);
		for (int k = 0; k < 3; k++)
			printf("  %-15s %-28s %-22s %9s  %s\n", kind_names[k], picks[k].m->id, picks[k].m->name,
			       cli_bytes(picks[k].m->file_bytes, b1, sizeof(b1)),
			       picks[k].downloaded ? "already downloaded" : "to download");
		printf("download %s; %s free in %s\n", cli_bytes(need, b1, sizeof(b1)), cli_bytes(avail, b2, sizeof(b2)),
		       dir);
	}
	if (!need || dry) {
		if (json)
			print_plan_json(picks, need, avail, need ? "planned" : "ready");
		else if (!need)
			printf("everything is here.\n");
		goto next;
	}
	if (avail && need > avail) {
		fprintf(stderr, "tacit: not enough disk space: %s to download, %s free in '%s' (free some space)\n",
			cli_bytes(need, b1, sizeof(b1)), cli_bytes(avail, b2, sizeof(b2)), dir);
		rc = tacit_status_exit_code(TACIT_ERR_NO_SPACE);
		goto out;
	}
	if (!yes) {
		if (!isatty(0)) {
			if (json)
				print_plan_json(picks, need, avail, "planned");
			fprintf(stderr, "tacit setup: no terminal to ask on: run 'tacit setup --yes' to download\n");
			rc = EXIT_USAGE;
			goto out;
		}
		char line[16] = "";
		printf("Download them now? [Y/n] ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin) || (line[0] != '\n' && line[0] != 'y' && line[0] != 'Y')) {
			printf("nothing downloaded.\n");
			goto out;
		}
	}
	if ((rc = download_all(picks, dir, need)))
		goto out;
	for (int k = 0; k < 3; k++)
		picks[k].downloaded = true;
	if (json)
		print_plan_json(picks, need, free_bytes(dir), "ready");
next:
	if (!json && !dry)
		printf("ready. Next: 'tacit live --mic' for a meeting now, 'tacit transcribe FILE' or 'tacit import "
		       "FILE' for a recording, 'tacit serve' for the web app; 'tacit doctor' checks the setup.\n");
	else if (!json)
		printf("dry run: nothing downloaded ('tacit setup' downloads them)\n");
out:
	tacit_free(dir);
	tacit_catalog_free(cat);
	return rc;
}

/* ---- doctor ------------------------------------------------------------------------ */

struct report {
	yyjson_mut_doc *doc;
	yyjson_mut_val *problems, *checks, *warnings;
	int n_problems;
	bool quick; /* --quick: sizes only, no sha256 */
};

static void check(struct report *r, const char *what, const char *detail)
{
	if (r->doc) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(r->doc, r->checks);
		yyjson_mut_obj_add_strcpy(r->doc, o, "check", what);
		yyjson_mut_obj_add_strcpy(r->doc, o, "detail", detail);
	} else {
		printf("ok       %-16s %s\n", what, detail);
	}
}

static void problem(struct report *r, const char *what, const char *detail, const char *remedy)
{
	r->n_problems++;
	if (r->doc) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(r->doc, r->problems);
		yyjson_mut_obj_add_strcpy(r->doc, o, "check", what);
		yyjson_mut_obj_add_strcpy(r->doc, o, "problem", detail);
		yyjson_mut_obj_add_strcpy(r->doc, o, "remedy", remedy);
	} else {
		printf("PROBLEM  %-16s %s\n         remedy: %s\n", what, detail, remedy);
	}
}

/* Something to know that does not make the setup unhealthy (exit 0 still). */
static void warning(struct report *r, const char *what, const char *detail, const char *remedy)
{
	if (r->doc) {
		yyjson_mut_val *o = yyjson_mut_arr_add_obj(r->doc, r->warnings);
		yyjson_mut_obj_add_strcpy(r->doc, o, "check", what);
		yyjson_mut_obj_add_strcpy(r->doc, o, "warning", detail);
		yyjson_mut_obj_add_strcpy(r->doc, o, "remedy", remedy);
	} else {
		printf("WARNING  %-16s %s\n         remedy: %s\n", what, detail, remedy);
	}
}

/* The line while a model file is hashed (on a terminal, not with --json). */
struct hashing {
	const char *id;
	int width;
};

static void on_hash_progress(uint64_t done, uint64_t total, double rate, void *user)
{
	struct hashing *h = user;
	char b1[32], b2[32], b3[32];
	int n = fprintf(stderr, "\rchecking %s: %s of %s (%s/s)", h->id, cli_bytes(done, b1, sizeof(b1)),
			cli_bytes(total, b2, sizeof(b2)), cli_bytes((unsigned long long)rate, b3, sizeof(b3)));
	if (n > 0 && n < h->width)
		fprintf(stderr, "%*s", h->width - n, "");
	h->width = n > h->width ? n : h->width;
	fflush(stderr);
}

/* Every downloaded catalog model against the catalog's exact size, then its sha256
 * (skipped with --quick: gigabytes take a while to hash), and one usable model of each
 * kind. */
static void check_models(struct report *r, const struct tacit_catalog *cat, const char *dir)
{
	bool have[TACIT_MODEL_EMBED + 1] = { false }; /* indexed by every kind; the three setup picks are checked */
	bool tty = !r->doc && isatty(STDERR_FILENO);
	char msg[512], fix[256], b1[32], b2[32];
	for (size_t i = 0; i < tacit_catalog_count(cat); i++) {
		const struct tacit_model_info *m = tacit_catalog_get(cat, i);
		char *path = NULL;
		struct stat s;
		if (asprintf(&path, "%s/%s", dir, m->file_name) < 0)
			continue;
		snprintf(fix, sizeof(fix), "tacit rm %s && tacit pull %s", m->id, m->id);
		if (stat(path, &s) != 0) {
			/* not downloaded: nothing to check */
		} else if (m->file_bytes_exact && (unsigned long long)s.st_size != m->file_bytes) {
			snprintf(msg, sizeof(msg), "model '%s' is damaged: '%s' holds %s, the catalog says %s", m->id,
				 path, cli_bytes((unsigned long long)s.st_size, b1, sizeof(b1)),
				 cli_bytes(m->file_bytes, b2, sizeof(b2)));
			problem(r, "model", msg, fix);
		} else if (r->quick || !m->sha256) {
			snprintf(msg, sizeof(msg), "%s (%s): size verified%s", m->id,
				 cli_bytes(m->file_bytes, b1, sizeof(b1)),
				 m->sha256 ? " (--quick: sha256 not checked)" : " (the catalog has no sha256)");
			check(r, "model", msg);
			have[m->kind] = true;
		} else {
			struct hashing h = { m->id, 0 };
			enum tacit_status st =
				tacit_file_verify_sha256(path, m->sha256, tty ? on_hash_progress : NULL, &h, NULL);
			if (h.width)
				fprintf(stderr, "\r%*s\r", h.width, "");
			if (st == TACIT_ERR_INTEGRITY) {
				snprintf(msg, sizeof(msg), "model '%s' is damaged: %s", m->id, tacit_errmsg());
				problem(r, "model", msg, fix);
			} else if (st != TACIT_OK) {
				snprintf(msg, sizeof(msg), "model '%s' cannot be checked: %s", m->id, tacit_errmsg());
				problem(r, "model", msg,
					"fix the file's mode or owner, or tacit rm and tacit pull it again");
			} else {
				snprintf(msg, sizeof(msg), "%s (%s): size and sha256 verified", m->id,
					 cli_bytes(m->file_bytes, b1, sizeof(b1)));
				check(r, "model", msg);
				have[m->kind] = true;
			}
		}
		free(path);
	}
	for (int k = 0; k < 3; k++)
		if (!have[kinds[k]]) {
			snprintf(msg, sizeof(msg), "no %s model is downloaded", kind_names[k]);
			problem(r, "model", msg, "tacit setup");
		}
}

static void check_audio(struct report *r)
{
	struct tacit_audio_device *devs = NULL;
	size_t n = 0;
	char msg[512];
	enum tacit_status st = tacit_capture_devices(NULL, &devs, &n);
	if (st != TACIT_OK) {
		snprintf(msg, sizeof(msg), "no audio system: %s", tacit_errmsg());
		problem(r, "audio", msg, "start PulseAudio or PipeWire, or transcribe recordings instead ('tacit transcribe FILE')");
	} else if (!n) {
		problem(r, "audio", "no capture device is seen", "plug in a microphone, or transcribe recordings instead");
	} else {
		snprintf(msg, sizeof(msg), "%zu capture device%s (%s: '%s'%s)", n, n == 1 ? "" : "s", devs[0].backend,
			 devs[0].name, n > 1 ? ", ..." : "");
		check(r, "audio", msg);
	}
	tacit_free(devs);
}

/* A Unix socket at dir/name. */
static bool socket_at(const char *dir, const char *name, char *path, size_t len)
{
	struct stat s;
	return dir && *dir && (size_t)snprintf(path, len, "%s/%s", dir, name) < len && stat(path, &s) == 0 &&
	       S_ISSOCK(s.st_mode);
}

/* ALSA's capture devices, from /proc/asound/pcm ("00-00: ... : capture 1"). */
static int alsa_captures(void)
{
	FILE *f = fopen("/proc/asound/pcm", "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, "capture ") != NULL;
	if (f)
		fclose(f);
	return n;
}

/* The sound servers a capture goes through: PipeWire's and PulseAudio's sockets (a
 * PipeWire desktop has both: pipewire-pulse speaks PulseAudio's protocol), ALSA's
 * devices. None is a warning: recordings still work, a live meeting does not. */
static void check_sound_servers(struct report *r)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *pulse_env = getenv("PULSE_SERVER");
	char pw[4096], pa[4096], msg[1024] = "";
	size_t n = 0;
	if (socket_at(run, "pipewire-0", pw, sizeof(pw)))
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "PipeWire ('%s')", pw);
	if (n < sizeof(msg) && socket_at(run, "pulse/native", pa, sizeof(pa)))
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%sPulseAudio ('%s')", n ? ", " : "", pa);
	else if (n < sizeof(msg) && pulse_env && *pulse_env)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%sPulseAudio (PULSE_SERVER=%s)", n ? ", " : "",
				      pulse_env);
	int alsa = alsa_captures();
	if (n < sizeof(msg) && alsa)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%sALSA (%d capture device%s)", n ? ", " : "", alsa,
				      alsa == 1 ? "" : "s");
	if (n)
		check(r, "sound server", msg);
	else
		warning(r, "sound server",
			"no PipeWire or PulseAudio socket under $XDG_RUNTIME_DIR and no ALSA capture device",
			"start PipeWire or PulseAudio ('systemctl --user start pipewire pipewire-pulse', or "
			"'pulseaudio --start'); recordings work without one ('tacit transcribe FILE')");
}

static void check_data(struct report *r)
{
	char *data = NULL, msg[512], b1[32];
	if (tacit_dir_path(TACIT_DIR_DATA, &data) != TACIT_OK) {
		problem(r, "data folder", tacit_errmsg(), "set TACIT_HOME or XDG_DATA_HOME to a folder you can write");
		return;
	}
	unsigned long long avail = free_bytes(data);
	if (access(data, W_OK) != 0) {
		snprintf(msg, sizeof(msg), "'%s' is not writable", data);
		problem(r, "data folder", msg, "fix its owner or mode, or set TACIT_HOME to a folder you can write");
	} else if (avail && avail < (1ull << 30)) {
		snprintf(msg, sizeof(msg), "'%s' has only %s free (a meeting's audio is about 115 MiB an hour)", data,
			 cli_bytes(avail, b1, sizeof(b1)));
		problem(r, "data folder", msg, "free some disk space");
	} else {
		snprintf(msg, sizeof(msg), "'%s' writable, %s free", data, cli_bytes(avail, b1, sizeof(b1)));
		check(r, "data folder", msg);
	}
	tacit_free(data);
}

/* Where the language model runs: nothing to check on this device (the models are
 * checked above); a remote engine is asked what it runs, as a task would. */
static void check_engine(struct report *r)
{
	struct tacit_store *store = NULL;
	struct tacit_engine e;
	struct tacit_llm *llm = NULL;
	char msg[1024];
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st == TACIT_OK)
		st = tacit_engine_from_settings(store, "llm", &e);
	tacit_store_close(store);
	if (st != TACIT_OK) {
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
		problem(r, "language model", msg, "fix setting engine.llm: 'local', or the http(s):// URL of a server");
		return;
	}
	if (!tacit_engine_is_remote(&e)) {
		check(r, "language model", "on this device (setting engine.llm: local)");
		return;
	}
	struct tacit_llm_params lp = tacit_llm_default_params();
	lp.engine = &e;
	if ((st = tacit_llm_open(&lp, &llm)) != TACIT_OK) {
		tacit_engine_describe(&e, msg, sizeof(msg));
		size_t k = strlen(msg);
		snprintf(msg + k, sizeof(msg) - k, ": %s", tacit_errmsg());
		problem(r, "language model", msg,
			"start the server, fix settings engine.llm.* (key_file, ca_file), or set engine.llm to 'local'");
		return;
	}
	snprintf(msg, sizeof(msg), "%s, context %d: answered", tacit_llm_where(llm), tacit_llm_info(llm).n_ctx);
	check(r, "language model", msg);
	tacit_llm_close(llm);
}

/* Where recordings are transcribed: a remote speech engine is asked, as an import would. */
static void check_asr_engine(struct report *r)
{
	struct tacit_store *store = NULL;
	struct tacit_engine e;
	struct tacit_asr *asr = NULL;
	char msg[1024];
	enum tacit_status st = tacit_store_open(NULL, &store);
	if (st == TACIT_OK)
		st = tacit_engine_from_settings(store, "asr", &e);
	tacit_store_close(store);
	if (st != TACIT_OK) {
		snprintf(msg, sizeof(msg), "%s", tacit_errmsg());
		problem(r, "speech", msg, "fix setting engine.asr: 'local', or the http(s):// URL of a server");
		return;
	}
	if (!tacit_engine_is_remote(&e)) {
		check(r, "speech", "on this device (setting engine.asr: local)");
		return;
	}
	struct tacit_asr_params ap = tacit_asr_default_params();
	ap.engine = &e;
	if ((st = tacit_asr_open(&ap, &asr)) != TACIT_OK) {
		tacit_engine_describe(&e, msg, sizeof(msg));
		size_t k = strlen(msg);
		snprintf(msg + k, sizeof(msg) - k, ": %s", tacit_errmsg());
		problem(r, "speech", msg,
			"start the server, fix settings engine.asr.* (key_file, ca_file), or set engine.asr to 'local'");
		return;
	}
	snprintf(msg, sizeof(msg), "%s: answered (recordings; live meetings on this device)", tacit_asr_where(asr));
	check(r, "speech", msg);
	tacit_asr_close(asr);
}

static void check_fit(struct report *r, const struct tacit_system *sys, const struct tacit_catalog *cat)
{
	const struct tacit_model_info *llm = tacit_models_recommend(sys, cat, TACIT_MODEL_LLM);
	const struct tacit_model_info *asr = tacit_models_recommend(sys, cat, TACIT_MODEL_ASR);
	struct tacit_speech_fit sf;
	char msg[512];
	if (!llm) {
		problem(r, "fit", "no language model in the catalog fits this machine", "tacit models --all says why");
		return;
	}
	if (!asr || tacit_speech_score(sys, asr, &sf) != TACIT_OK) {
		problem(r, "fit", "no speech model can be scored for this machine", "tacit models --speech");
		return;
	}
	snprintf(msg, sizeof(msg), "%d cores, %.1f GiB RAM available: recommended '%s' and '%s' (%s, RTF %.2f)",
		 sys->n_cores_usable, (double)sys->ram_available / (1 << 30), llm->id, asr->id,
		 tacit_speech_verdict_str(sf.verdict), sf.est_rtf);
	check(r, "fit", msg);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	struct tacit_catalog *cat = NULL;
	struct report r = { 0 };
	char *dir = NULL;
	enum tacit_status st;
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!(r.doc = yyjson_mut_doc_new(NULL)))
				return cli_fail(TACIT_ERR_NOMEM);
			break;
		case 'q':
			r.quick = true;
			break;
		case 'h':
			fputs("usage: tacit doctor [--json] [--quick]\n"
			      "  checks the models (present, size and sha256 against the catalog), the capture\n"
			      "  devices and sound servers, the data folder and the machine's fit; each problem\n"
			      "  with its remedy. Exit 0 healthy (warnings allowed), 1 not\n"
			      "  --json   the report as JSON (ok, warnings, problems, healthy)\n"
			      "  --quick  sizes only: no sha256 of the model files (hashing GiBs takes a while)\n",
			      stdout);
			return 0;
		default:
			return cli_option_error("doctor", c, argv);
		}
	}
	if (optind < argc) {
		yyjson_mut_doc_free(r.doc);
		return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	}
	if ((st = tacit_system_probe(&pp, &sys)) != TACIT_OK || (st = tacit_catalog_load(&cat)) != TACIT_OK ||
	    (st = tacit_models_dir(&dir)) != TACIT_OK) {
		rc = cli_fail(st);
		goto out;
	}
	if (r.doc) {
		yyjson_mut_val *root = yyjson_mut_obj(r.doc);
		yyjson_mut_doc_set_root(r.doc, root);
		r.checks = yyjson_mut_obj_add_arr(r.doc, root, "ok");
		r.warnings = yyjson_mut_obj_add_arr(r.doc, root, "warnings");
		r.problems = yyjson_mut_obj_add_arr(r.doc, root, "problems");
	}
	check_data(&r);
	check_models(&r, cat, dir);
	check_engine(&r);
	check_asr_engine(&r);
	check_audio(&r);
	check_sound_servers(&r);
	check_fit(&r, &sys, cat);
	rc = r.n_problems ? 1 : 0;
	if (r.doc) {
		yyjson_mut_obj_add_bool(r.doc, yyjson_mut_doc_get_root(r.doc), "healthy", !r.n_problems);
		char *text = yyjson_mut_write(r.doc, YYJSON_WRITE_PRETTY, NULL);
		if (text)
			printf("%s\n", text);
		free(text);
	} else {
		printf(r.n_problems ? "%d problem%s found.\n" : "healthy.\n", r.n_problems, r.n_problems == 1 ? "" : "s");
	}
out:
	yyjson_mut_doc_free(r.doc);
	tacit_free(dir);
	tacit_catalog_free(cat);
	return rc;
}
