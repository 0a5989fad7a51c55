/*
 * live_suggest.c — automatic suggestions: the one-time notice, the policy (interval,
 * battery, load; live_suggest_decide() is pure), and a round on the analysis thread.
 */
#include "internal.h"

#include "live_int.h"
#include "probe.h"
#include "store.h"

enum tacit_status tacit_suggestions_notice(struct tacit_store *store, char **out_notice)
{
	if (!store || !out_notice)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_suggestions_notice: store and out_notice are required");
	*out_notice = NULL;
	if (live_setting_on(store, "suggestions.notice_shown"))
		return TACIT_OK;
	enum tacit_status st = tacit_store_setting_set(store, "suggestions.notice_shown", "on");
	if (st != TACIT_OK)
		return st;
	if (!(*out_notice = strdup(TACIT_SUGGESTIONS_NOTICE)))
		return tacit_fail(TACIT_ERR_NOMEM, "out of memory");
	return TACIT_OK;
}

enum tacit_status tacit_suggestions_enable(struct tacit_store *store, bool on, char **out_notice)
{
	char *notice = NULL;
	if (out_notice)
		*out_notice = NULL;
	if (!store)
		return tacit_fail(TACIT_ERR_USAGE, "tacit_suggestions_enable: no store");
	enum tacit_status st = tacit_store_setting_set(store, "suggestions.auto", on ? "on" : "off");
	if (st == TACIT_OK && on)
		st = tacit_suggestions_notice(store, &notice);
	if (out_notice)
		*out_notice = notice;
	else
		free(notice);
	return st;
}
enum live_suggest_state live_suggest_decide(const struct live_policy *p, enum tacit_power power, int battery_percent,
					    double load1, int n_cores, int backoff, double *interval_s)
{
	double iv = p->interval_s > 1 ? p->interval_s : 1;
	if (power == TACIT_POWER_BATTERY)
		iv *= p->battery_factor >= 1 ? p->battery_factor : 1;
	if (backoff > 0)
		iv *= (double)(1 << (backoff > 3 ? 3 : backoff));
	*interval_s = iv;
	if (power == TACIT_POWER_BATTERY && battery_percent >= 0 && battery_percent < p->battery_min_percent)
		return LIVE_SUGGEST_PAUSED_BATTERY;
	if (load1 >= 0 && n_cores > 0 && p->max_load > 0 && load1 / n_cores > p->max_load)
		return LIVE_SUGGEST_BUSY;
	return LIVE_SUGGEST_RUN;
}

double live_loadavg(const char *sysroot)
{
	struct buf path, text;
	double load = -1;
	buf_init(&path);
	buf_init(&text);
	buf_addf(&path, "%s/proc/loadavg", sysroot && strcmp(sysroot, "/") ? sysroot : "");
	if (read_small_file(path.data, &text, 4096))
		load = strtod(text.data, NULL);
	buf_release(&path);
	buf_release(&text);
	return load;
}
void live_read_policy(struct tacit_live *l)
{
	struct tacit_store *s = l->llm_store;
	l->policy.interval_s = l->p.suggest_interval_s > 0 ? l->p.suggest_interval_s
							   : live_setting_num(s, "suggestions.interval_s", 60);
	l->policy.battery_factor = live_setting_num(s, "suggestions.battery_factor", 3);
	l->policy.battery_min_percent = (int)live_setting_num(s, "suggestions.battery_min_percent", 30);
	l->policy.max_load = live_setting_num(s, "suggestions.max_load", 1.5);
	l->suggest_on = l->p.suggest >= 0 ? l->p.suggest > 0 : live_setting_on(s, "suggestions.auto");
}

static const char *const state_text[] = { "suggestions running", "suggestions paused: on battery",
					  "suggestions backing off: the machine is busy" };

/* A suggestion round fell due: decide from power and load; returns true to run it. */
bool live_suggestion_due(struct tacit_live *l)
{
	struct tacit_probe_params pp = tacit_probe_default_params();
	struct tacit_system sys;
	double iv = 0;
	pp.sysroot = l->sysroot;
	pp.bandwidth = 0;
	pp.devices = false;
	live_read_policy(l);
	if (!l->suggest_on) {
		l->next_suggest = clock_now_s() + 5;
		return false;
	}
	if (tacit_system_probe(&pp, &sys) != TACIT_OK) {
		sys.power = TACIT_POWER_UNKNOWN;
		sys.battery_percent = -1;
		sys.n_cores_usable = 1;
	}
	double load = live_loadavg(l->sysroot);
	enum live_suggest_state s = live_suggest_decide(&l->policy, sys.power, sys.battery_percent, load,
							sys.n_cores_usable, l->backoff, &iv);
	if ((int)s != l->suggest_state) {
		if (s == LIVE_SUGGEST_PAUSED_BATTERY)
			live_emit_text(l, TACIT_LIVE_STATUS, "%s at %d %% (below %d %%)", state_text[s], sys.battery_percent,
				  l->policy.battery_min_percent);
		else if (s == LIVE_SUGGEST_BUSY)
			live_emit_text(l, TACIT_LIVE_STATUS, "%s (load %.1f on %d cores)", state_text[s], load,
				  sys.n_cores_usable);
		else
			live_emit_text(l, TACIT_LIVE_STATUS, "%s every %.0f s%s", state_text[s], iv,
				  sys.power == TACIT_POWER_BATTERY ? " (on battery)" : "");
		l->suggest_state = (int)s;
	}
	if (s == LIVE_SUGGEST_BUSY && l->backoff < 3)
		l->backoff++;
	else if (s == LIVE_SUGGEST_RUN)
		l->backoff = 0;
	l->next_suggest = clock_now_s() + iv;
	return s == LIVE_SUGGEST_RUN;
}

void live_suggest_run(struct tacit_live *l)
{
	size_t first = l->win_first, end = l->t.n;
	struct buf user, out;
	if (end == 0)
		return;
	if (first >= end) /* just folded: look at the end of the last window */
		first = end > 8 ? end - 8 : 0;
	live_emit_text(l, TACIT_LIVE_STATUS, "suggestions: thinking");
	buf_init(&user);
	buf_init(&out);
	live_window_body(l, first, end, &user);
	buf_adds(&user, "\nSuggest what to ask or do next: questions, follow-ups, risks and ideas.");
	struct cite_map map = { first, end - first, NULL, 0 };
	enum tacit_status st = live_task_call(l, TACIT_TASK_SUGGEST, false, user.data, &map, NULL, NULL, &out, "suggestions");
	if (st == TACIT_OK) {
		yyjson_doc *doc = yyjson_read(out.data, out.len, 0);
		yyjson_val *arr = yyjson_obj_get(yyjson_doc_get_root(doc), "suggestions"), *item;
		size_t i, max;
		yyjson_arr_foreach(arr, i, max, item)
		{
			struct tacit_suggestion sg = { l->t.segs[end - 1].end_ms,
						       yyjson_get_str(yyjson_obj_get(item, "kind")),
						       yyjson_get_str(yyjson_obj_get(item, "text")), l->model_name, 0 };
			if (sg.kind && sg.text && tacit_store_add_suggestion(l->llm_store, l->session_id, &sg, NULL) != TACIT_OK)
				live_emit_text(l, TACIT_LIVE_WARNING, "cannot store a suggestion: %s", tacit_errmsg());
		}
		yyjson_doc_free(doc);
		char *md = tacit_meeting_markdown(TACIT_TASK_SUGGEST, out.data, &l->t);
		struct tacit_live_event ev = { .type = TACIT_LIVE_SUGGESTION, .json = out.data, .text = md };
		live_emit(l, &ev);
		free(md);
	} else if (st == TACIT_ERR_CANCELLED) {
		live_emit_text(l, TACIT_LIVE_STATUS, "suggestions cancelled");
	} else {
		live_emit_text(l, TACIT_LIVE_WARNING, "suggestions failed: %s", tacit_errmsg());
	}
	buf_release(&out);
	buf_release(&user);
}

