/* Models page: the picker — fit verdicts, "+ Slow", Recommended, RAM, disk, stars;
 * download with live progress and cancel; delete; a blocking reason when nothing fits;
 * custom models: GGUF files already on this device, added by path and forgotten. */
"use strict";
(function () {
  const { el, api, t } = tacit;
  let showAll = false;

  const S = {
    speed: (n) => t("models.speed", { n }),
    wontFit: (m) => t("models.wontFit", { name: m.name, reason: m.reason || m.verdict_text }),
    noDisk: (m, free) => t("models.noDisk", { name: m.name, size: tacit.bytes(m.disk_bytes), free: tacit.bytes(free) }),
    setupFailed: (name, message) => t("models.failed", { name, message }),
    setupOf: (i, n, name) => t("models.setupOf", { i, n, name }),
    /* the catalogue's verdicts ("Runs great") come in English from the server */
    verdict: (m) => (tacit.has("verdict." + m.verdict) ? t("verdict." + m.verdict) : m.verdict_text) + (m.slow ? " + " + t("models.slow") : ""),
  };

  /* "Qwen 3.5 9B HQ" with the quant label "HQ" is shown once */
  const displayName = (m) => m.quant_label && m.name.endsWith(" " + m.quant_label) ? m.name.slice(0, -m.quant_label.length - 1) : m.name;

  /* Downloads the models not yet here one after another (the server runs one download at
   * a time), following each one's events; resolves true when all are in. */
  async function downloadAll(picks, show, fail) {
    const todo = picks.filter((p) => !p.downloaded);
    for (let i = 0; i < todo.length; i++) {
      const p = todo[i];
      show(S.setupOf(i + 1, todo.length, p.name), 0, p.disk_bytes);
      try { await api("POST", `/api/models/${encodeURIComponent(p.id)}/pull`); }
      catch (e) { if (e.status !== 409) { fail(S.setupFailed(p.name, e.message)); return false; } }
      const ok = await new Promise((resolve) => {
        const es = tacit.stream(`/api/models/${encodeURIComponent(p.id)}/events`, {
          progress: (j) => show(S.setupOf(i + 1, todo.length, p.name), j.bytes_done, j.bytes_total || p.disk_bytes),
          done: () => { es.close(); resolve(true); },
          failed: (j) => { es.close(); fail(S.setupFailed(p.name, tacit.webText(j.message))); resolve(false); },
          cancelled: () => { es.close(); resolve(false); },
        });
      });
      if (!ok) return false;
    }
    show(t("models.setupDone"));
    return true;
  }

  /* The first-run card: what `tacit setup` would download here, in one click. Shown on
   * the Meeting page while a model is missing and at the top of the Models page. */
  tacit.setupCard = async function (onReady) {
    const plan = await api("GET", "/api/setup");
    if (plan.ready) return null;
    const status = el("p.muted#setup-status", { role: "status", "aria-live": "polite" });
    const bar = el("progress", { max: 1, value: 0, hidden: true, "aria-label": t("models.setupTitle") });
    const label = t("models.setupButton", { size: tacit.bytes(plan.needed_bytes) });
    const button = el("button.primary#setup-all", { type: "button" }, label);
    /* a failed try keeps its message (what failed and what to do) until the next one */
    button.addEventListener("click", async () => {
      button.disabled = true; bar.hidden = false; button.textContent = label;
      status.className = "muted"; status.setAttribute("role", "status");
      const ok = await downloadAll(plan.picks, (text, done, total) => {
        status.textContent = text + (total ? " · " + t("models.of", { done: tacit.bytes(done), total: tacit.bytes(total) }) : "");
        if (total) { bar.max = total; bar.value = done; }
      }, (text) => {
        status.className = "error"; status.setAttribute("role", "alert");
        status.textContent = text;
        button.textContent = t("models.setupRetry");
      });
      bar.hidden = true;
      if (ok && onReady) onReady(); else button.disabled = false;
    });
    return el("section.card.first-run#first-run", {}, el("h2", { text: t("models.setupTitle") }), el("p", { text: t("models.setupText") }),
      el("ul", {}, plan.picks.map((p) => el("li", { "data-id": p.id }, el("strong", { text: p.name }),
        " (" + (tacit.has("kind." + p.kind) ? t("kind." + p.kind) : p.kind_name) + ", " + tacit.bytes(p.disk_bytes) + ")", p.downloaded ? el("span.muted", { text: " · " + t("models.downloaded") }) : null))),
      el("div.row", {}, button), bar, status);
  };

  function stars(n) {
    return el("span.stars", { title: t("models.stars", { n }), "aria-label": t("models.stars", { n }) }, "★".repeat(n) + "☆".repeat(3 - n));
  }

  function progressRow(m, d, refresh) {
    const bar = el("progress", { max: 1, value: 0, "aria-label": t("models.downloading", { name: m.name }) });
    const text = el("span.muted", { text: t("models.starting") });
    const cancel = el("button", { type: "button", onclick: async () => {
      cancel.disabled = true;
      try { await api("POST", `/api/models/${encodeURIComponent(m.id)}/cancel`); }
      catch (e) { tacit.notice(e.message, true); }
    } }, t("models.cancel"));
    const show = (j) => {
      const total = j.bytes_total || m.disk_bytes;
      bar.max = total; bar.value = j.bytes_done;
      text.textContent = t("models.of", { done: tacit.bytes(j.bytes_done), total: tacit.bytes(total) }) +
        (j.bytes_per_s ? ` · ${tacit.bytes(j.bytes_per_s)}/s` : "");
    };
    show(d);
    const end = (j) => {
      if (j.state === "failed") tacit.notice(S.setupFailed(m.name, j.message), true);
      else if (j.state === "cancelled") tacit.notice(t("models.cancelled", { name: m.name }));
      else tacit.notice(t("models.verified", { name: m.name }));
      es.close();
      refresh();
    };
    const es = tacit.stream(`/api/models/${encodeURIComponent(m.id)}/events`,
      { progress: show, done: end, failed: end, cancelled: end, error: () => {} });
    return el("div.row", {}, el("div.grow", {}, bar, text), cancel);
  }

  function actions(m, refresh, data) {
    if (m.download && m.download.state === "running") return progressRow(m, m.download, refresh);
    if (m.downloaded)
      return el("div.row", {}, el("span.badge.v-great", { text: t("models.downloadedBadge") }),
        el("button.danger", { type: "button", onclick: async () => {
          if (!confirm(t("models.confirmDelete", { name: m.name, size: tacit.bytes(m.disk_bytes) }))) return;
          try { await api("DELETE", `/api/models/${encodeURIComponent(m.id)}`); tacit.notice(t("models.deleted", { name: m.name })); }
          catch (e) { tacit.notice(e.message, true); }
          refresh();
        } }, t("models.delete")));
    if (m.archived) return el("span.muted", { text: t("models.archived") });
    return el("button.primary", { type: "button", onclick: async (ev) => {
      if ((m.verdict === "none" || m.speech_verdict === "too_slow") && !confirm(S.wontFit(m))) return;
      if (data && data.free_bytes && m.disk_bytes > data.free_bytes && !confirm(S.noDisk(m, data.free_bytes))) return;
      ev.target.disabled = true;
      try { await api("POST", `/api/models/${encodeURIComponent(m.id)}/pull`); }
      catch (e) { tacit.notice(e.message, true); }
      refresh();
    } }, t("models.download", { size: tacit.bytes(m.disk_bytes) }));
  }

  function llmCard(m, refresh, data) {
    const verdict = el(`span.badge.v-${m.verdict}`, { text: S.verdict(m) });
    return el("li.card.model", { "data-id": m.id },
      el("div.row", {},
        el("strong.grow", {}, displayName(m), " ", m.quant_label ? el("span.muted", { text: m.quant_label }) : null),
        stars(m.stars), verdict, m.recommended ? el("span.badge.rec", { text: t("models.recommended") }) : null,
        m.in_use ? el("span.badge.in-use", { text: t("models.inUse") }) : null),
      el("div.facts", {},
        el("span", { text: t("models.ram", { size: tacit.bytes(m.ram_at_load_bytes) }) }),
        el("span", { text: t("models.disk", { size: tacit.bytes(m.disk_bytes) }) }),
        el("span", { text: S.speed(Math.round(m.tokens_per_s)) })),
      !m.listed ? el("p.muted", { text: m.reason }) : null,
      actions(m, refresh, data));
  }

  /* A speech (or voice activity) model: its languages and, for speech, whether it keeps
   * up with a live meeting here (the speech scorer's verdict, its reason on hover). */
  const SPEECH_CLASS = { live: "v-great", recordings: "v-tight", too_slow: "v-none" };
  function speechCard(m, refresh, data) {
    return el("li.card.model.speech", { "data-id": m.id },
      el("div.row", {}, el("strong.grow", { text: m.name }),
        m.speech_verdict ? el(`span.badge.${SPEECH_CLASS[m.speech_verdict]}.live-verdict`, { title: m.reason,
          text: t("models.speechVerdict." + m.speech_verdict) }) : null,
        m.recommended ? el("span.badge.rec", { text: t("models.recommended") }) : null,
        m.in_use ? el("span.badge.in-use", { text: t("models.inUse") }) : null),
      el("div.facts", {},
        m.languages ? el("span.languages", { text: m.languages === "en" ? t("models.englishOnly") : t("models.multilingual") }) : null,
        el("span", { text: t("models.disk", { size: tacit.bytes(m.disk_bytes) }) }),
        m.rtf > 0 ? el("span", { text: t("models.rtf", { x: tacit.number(m.rtf, 2) }) }) : null),
      m.speech_verdict && m.speech_verdict !== "live" && m.reason ? el("p.muted", { text: m.reason }) : null,
      actions(m, refresh, data));
  }

  /* One custom model: its file's state, its fit here, Forget (the file stays). */
  function customCard(m, forget) {
    const badge = m.status !== "ok" ? el("span.badge.v-none", { text: m.status === "missing" ? t("models.fileMissing") : t("models.fileChanged") })
      : m.verdict ? el(`span.badge.v-${m.verdict}`, { text: S.verdict(m) })
        : el("span.badge", { text: t("models.fitUnknown") });
    const button = el("button", { type: "button", "aria-label": t("models.forgetName", { name: m.name }), onclick: () => forget(m, button) }, t("models.forget"));
    return el("li.card.model.custom", { "data-name": m.name },
      el("div.row", {}, el("strong.grow", {}, m.name, " ", el("span.muted", { text: [m.arch, m.quant].filter(Boolean).join(" · ") })),
        m.stars ? stars(m.stars) : null, badge, m.in_use ? el("span.badge.in-use", { text: t("models.inUse") }) : null),
      el("div.facts", {},
        el("span.path", { text: m.path }),
        el("span", { text: t("models.disk", { size: tacit.bytes(m.disk_bytes) }) }),
        m.ram_at_load_bytes ? el("span", { text: t("models.ram", { size: tacit.bytes(m.ram_at_load_bytes) }) }) : null,
        m.tokens_per_s ? el("span", { text: S.speed(Math.round(m.tokens_per_s)) }) : null),
      m.problem ? el("p.error", { text: m.problem }) : m.verdict && !m.listed ? el("p.muted", { text: m.reason }) : null,
      el("div.row", {}, button));
  }

  /* The custom models section: the list, and a form that adds a GGUF by its path (the
   * server checks the file, which can take seconds, and its message is shown as is). */
  function customSection() {
    const list = el("div#custom-list", {}, el("p.muted", { text: t("app.loading") }));
    const path = el("input#custom-path", { type: "text", required: true, maxlength: 4096, autocomplete: "off",
      spellcheck: "false", placeholder: "/home/you/models/model.Q4_K_M.gguf" });
    const name = el("input#custom-name", { type: "text", maxlength: 64, autocomplete: "off", spellcheck: "false",
      pattern: "[a-z0-9_][a-z0-9._\\-]*", placeholder: t("models.namePlaceholder") });
    const add = el("button.primary#custom-add", { type: "submit" }, t("models.add"));
    const status = el("p.muted#custom-status", { role: "status", "aria-live": "polite" });
    const error = el("div#custom-error", { role: "alert" });
    const form = el("form.card#custom-form", { novalidate: true },
      el("h3", { text: t("models.addTitle") }),
      el("label", { for: "custom-path" }, el("strong", { text: t("models.file") + " " }),
        el("span.muted", { text: t("models.fileHelp") })),
      el("div", {}, path),
      el("label", { for: "custom-name" }, el("strong", { text: t("models.name") + " " }), el("span.muted", { text: t("models.nameHelp") })),
      el("div.row", {}, el("div.grow", {}, name), add),
      status, error);

    const forget = async (m, button) => {
      button.disabled = true;
      error.replaceChildren();
      try {
        await api("DELETE", `/api/custom/${encodeURIComponent(m.name)}`);
        status.textContent = t("models.forgot", { name: m.name });
      } catch (e) { error.replaceChildren(tacit.errorBox(e)); }
      await load();
      path.focus();
    };
    const load = async () => {
      try {
        const data = await api("GET", "/api/custom");
        list.replaceChildren(data.custom.length
          ? el("ul.list.picker#custom-models", { "aria-label": t("models.custom") }, data.custom.map((m) => customCard(m, forget)))
          : el("p.empty#custom-empty", { text: t("models.noCustom") }));
      } catch (e) { list.replaceChildren(tacit.errorBox(e)); }
    };
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const p = path.value.trim(), n = name.value.trim();
      error.replaceChildren();
      if (!p.startsWith("/")) {
        error.replaceChildren(tacit.errorBox(new Error(t("models.absolute"))));
        path.focus();
        return;
      }
      add.disabled = true;
      form.setAttribute("aria-busy", "true");
      status.textContent = t("models.checking");
      try {
        const m = await api("POST", "/api/custom", n ? { path: p, name: n } : { path: p });
        status.textContent = t("models.added", { name: m.name });
        path.value = ""; name.value = "";
        await load();
      } catch (e) {
        status.textContent = "";
        error.replaceChildren(tacit.errorBox(e));
      }
      form.removeAttribute("aria-busy");
      add.disabled = false;
      path.focus();
    });
    load();
    return el("section#custom", { "aria-labelledby": "custom-h" },
      el("h2#custom-h", { text: t("models.custom") }),
      el("p.muted", { text: t("models.customText") }),
      list, form);
  }

  tacit.pages.models = async function render(view) {
    const refresh = () => { if (location.hash.startsWith("#/models")) render(view); };
    const data = await api("GET", "/api/models");
    const llms = data.models.filter((m) => m.kind === "llm");
    const listed = llms.filter((m) => m.listed || m.downloaded);
    /* Recommended first, then the one in use, then by memory */
    const shown = (showAll ? llms : listed).sort((a, b) => b.recommended - a.recommended || b.in_use - a.in_use ||
      a.ram_at_load_bytes - b.ram_at_load_bytes || a.stars - b.stars);
    const other = data.models.filter((m) => m.kind !== "llm");
    const out = [el("h1", { text: t("nav.models") }),
      el("p.muted", { text: t("models.scored", { machine: data.machine, n: data.n_ctx }) })];
    /* Recommended picks named at the top, whatever the list below shows first */
    const recs = ["llm", "asr"].map((k) => data.models.find((m) => m.id === (data.recommended_ids || {})[k])).filter(Boolean);
    if (recs.length) out.push(el("p.recommended-here#recommended", {}, el("span.badge.rec", { text: t("models.recommended") }), " ",
      recs.map((m, i) => [i ? ", " : "", el("a", { href: "#/models", onclick: (e) => { e.preventDefault();
        const card = view.querySelector(`li[data-id="${CSS.escape(m.id)}"]`); if (card) card.scrollIntoView({ block: "center" }); } }, displayName(m)),
        " (" + (tacit.has("kind." + m.kind) ? t("kind." + m.kind) : m.kind) + ")"])));
    const first = await tacit.setupCard(refresh).catch(() => null);
    if (first) out.push(first);
    if (data.blocking_reason && listed.length === 0) {
      out.push(el("div.blocking", { role: "alert" }, el("strong", { text: t("models.noneFits") + " " }),
        data.blocking_reason));
    } else {
      out.push(el("ul.list.picker", { "aria-label": t("models.llms") }, shown.map((m) => llmCard(m, refresh, data))));
    }
    const toggle = el("button", { type: "button", onclick: () => { showAll = !showAll; render(view); } },
      showAll ? t("models.hide") : t("models.showAll", { n: llms.length }));
    out.push(el("div.row", {}, toggle));
    out.push(el("h2", { text: t("models.speech") }),
      el("ul.list", {}, other.sort((a, b) => b.recommended - a.recommended || b.in_use - a.in_use).map((m) => speechCard(m, refresh, data))));
    out.push(customSection());
    view.replaceChildren(...out);
  };
})();
