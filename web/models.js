/* Models page: the picker — fit verdicts, "+ Slow", Recommended, RAM, disk, stars;
 * download with live progress and cancel; delete; a blocking reason when nothing fits;
 * custom models: GGUF files already on this device, added by path and forgotten. */
"use strict";
(function () {
  const { el, api } = tacit;
  let showAll = false;

  function stars(n) {
    return el("span.stars", { title: `${n} of 3 stars`, "aria-label": `${n} of 3 stars` }, "★".repeat(n) + "☆".repeat(3 - n));
  }

  function progressRow(m, d, refresh) {
    const bar = el("progress", { max: 1, value: 0, "aria-label": `Downloading ${m.name}` });
    const text = el("span.muted", { text: "starting…" });
    const cancel = el("button", { type: "button", onclick: async () => {
      cancel.disabled = true;
      try { await api("POST", `/api/models/${encodeURIComponent(m.id)}/cancel`); }
      catch (e) { tacit.notice(e.message, true); }
    } }, "Cancel");
    const show = (j) => {
      const total = j.bytes_total || m.disk_bytes;
      bar.max = total; bar.value = j.bytes_done;
      text.textContent = `${tacit.bytes(j.bytes_done)} of ${tacit.bytes(total)}` +
        (j.bytes_per_s ? ` · ${tacit.bytes(j.bytes_per_s)}/s` : "");
    };
    show(d);
    const end = (j) => {
      if (j.state === "failed") tacit.notice(`Download of ${m.name} failed: ${j.message}`, true);
      else if (j.state === "cancelled") tacit.notice(`Download of ${m.name} cancelled; it resumes where it stopped.`);
      else tacit.notice(`${m.name} is downloaded and verified.`);
      es.close();
      refresh();
    };
    const es = tacit.stream(`/api/models/${encodeURIComponent(m.id)}/events`,
      { progress: show, done: end, failed: end, cancelled: end, error: () => {} });
    return el("div.row", {}, el("div.grow", {}, bar, text), cancel);
  }

  function actions(m, refresh) {
    if (m.download && m.download.state === "running") return progressRow(m, m.download, refresh);
    if (m.downloaded)
      return el("div.row", {}, el("span.badge.v-great", { text: "Downloaded" }),
        el("button.danger", { type: "button", onclick: async () => {
          if (!confirm(`Delete ${m.name} (${tacit.bytes(m.disk_bytes)}) from this device?`)) return;
          try { await api("DELETE", `/api/models/${encodeURIComponent(m.id)}`); tacit.notice(`${m.name} deleted.`); }
          catch (e) { tacit.notice(e.message, true); }
          refresh();
        } }, "Delete"));
    if (m.archived) return el("span.muted", { text: "archived" });
    return el("button.primary", { type: "button", onclick: async (ev) => {
      ev.target.disabled = true;
      try { await api("POST", `/api/models/${encodeURIComponent(m.id)}/pull`); }
      catch (e) { tacit.notice(e.message, true); }
      refresh();
    } }, `Download ${tacit.bytes(m.disk_bytes)}`);
  }

  function llmCard(m, refresh) {
    const verdict = el(`span.badge.v-${m.verdict}`, { text: m.verdict_text + (m.slow ? " + Slow" : "") });
    return el("li.card.model", { "data-id": m.id },
      el("div.row", {},
        el("strong.grow", {}, m.name, " ", m.quant_label ? el("span.muted", { text: m.quant_label }) : null),
        stars(m.stars), verdict, m.recommended ? el("span.badge.rec", { text: "Recommended" }) : null),
      el("div.facts", {},
        el("span", { text: `RAM at load ${tacit.bytes(m.ram_at_load_bytes)}` }),
        el("span", { text: `disk ${tacit.bytes(m.disk_bytes)}` }),
        el("span", { text: `about ${Math.round(m.tokens_per_s)} words/s` })),
      !m.listed ? el("p.muted", { text: m.reason }) : null,
      actions(m, refresh));
  }

  /* One custom model: its file's state, its fit here, Forget (the file stays). */
  function customCard(m, forget) {
    const badge = m.status !== "ok" ? el("span.badge.v-none", { text: m.status === "missing" ? "File missing" : "File changed" })
      : m.verdict ? el(`span.badge.v-${m.verdict}`, { text: m.verdict_text + (m.slow ? " + Slow" : "") })
        : el("span.badge", { text: "Fit unknown" });
    const button = el("button", { type: "button", "aria-label": `Forget ${m.name}`, onclick: () => forget(m, button) }, "Forget");
    return el("li.card.model.custom", { "data-name": m.name },
      el("div.row", {}, el("strong.grow", {}, m.name, " ", el("span.muted", { text: [m.arch, m.quant].filter(Boolean).join(" · ") })),
        m.stars ? stars(m.stars) : null, badge),
      el("div.facts", {},
        el("span.path", { text: m.path }),
        el("span", { text: `disk ${tacit.bytes(m.disk_bytes)}` }),
        m.ram_at_load_bytes ? el("span", { text: `RAM at load ${tacit.bytes(m.ram_at_load_bytes)}` }) : null,
        m.tokens_per_s ? el("span", { text: `about ${Math.round(m.tokens_per_s)} words/s` }) : null),
      m.problem ? el("p.error", { text: m.problem }) : m.verdict && !m.listed ? el("p.muted", { text: m.reason }) : null,
      el("div.row", {}, button));
  }

  /* The custom models section: the list, and a form that adds a GGUF by its path (the
   * server checks the file, which can take seconds, and its message is shown as is). */
  function customSection() {
    const list = el("div#custom-list", {}, el("p.muted", { text: "Loading…" }));
    const path = el("input#custom-path", { type: "text", required: true, maxlength: 4096, autocomplete: "off",
      spellcheck: "false", placeholder: "/home/you/models/model.Q4_K_M.gguf" });
    const name = el("input#custom-name", { type: "text", maxlength: 64, autocomplete: "off", spellcheck: "false",
      pattern: "[a-z0-9_][a-z0-9._\\-]*", placeholder: "from the file name" });
    const add = el("button.primary#custom-add", { type: "submit" }, "Add");
    const status = el("p.muted#custom-status", { role: "status", "aria-live": "polite" });
    const error = el("div#custom-error", { role: "alert" });
    const form = el("form.card#custom-form", { novalidate: true },
      el("h3", { text: "Add a GGUF by path" }),
      el("label", { for: "custom-path" }, el("strong", { text: "File " }),
        el("span.muted", { text: "(the absolute path of a .gguf language model on this device; it is used where it is, never copied)" })),
      el("div", {}, path),
      el("label", { for: "custom-name" }, el("strong", { text: "Name " }), el("span.muted", { text: "(optional: a-z, 0-9, . - _)" })),
      el("div.row", {}, el("div.grow", {}, name), add),
      status, error);

    const forget = async (m, button) => {
      button.disabled = true;
      error.replaceChildren();
      try {
        await api("DELETE", `/api/custom/${encodeURIComponent(m.name)}`);
        status.textContent = `Forgot ${m.name}; the file itself is untouched.`;
      } catch (e) { error.replaceChildren(tacit.errorBox(e)); }
      await load();
      path.focus();
    };
    const load = async () => {
      try {
        const data = await api("GET", "/api/custom");
        list.replaceChildren(data.custom.length
          ? el("ul.list.picker#custom-models", { "aria-label": "Custom models" }, data.custom.map((m) => customCard(m, forget)))
          : el("p.empty#custom-empty", { text: "No custom models. Add a GGUF file you already have by its path." }));
      } catch (e) { list.replaceChildren(tacit.errorBox(e)); }
    };
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const p = path.value.trim(), n = name.value.trim();
      error.replaceChildren();
      if (!p.startsWith("/")) {
        error.replaceChildren(tacit.errorBox(new Error("Give the file's absolute path, starting with /.")));
        path.focus();
        return;
      }
      add.disabled = true;
      form.setAttribute("aria-busy", "true");
      status.textContent = "Checking the file… (the strict GGUF check, then a trial load in a separate process)";
      try {
        const m = await api("POST", "/api/custom", n ? { path: p, name: n } : { path: p });
        status.textContent = `Added ${m.name}: choose it in Settings, or use it with --model ${m.name}.`;
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
      el("h2#custom-h", { text: "Custom models" }),
      el("p.muted", { text: "GGUF language models you already have, scored for this machine like the catalog." }),
      list, form);
  }

  tacit.pages.models = async function render(view) {
    const refresh = () => { if (location.hash.startsWith("#/models")) render(view); };
    const data = await api("GET", "/api/models");
    const llms = data.models.filter((m) => m.kind === "llm");
    const listed = llms.filter((m) => m.listed || m.downloaded);
    const shown = (showAll ? llms : listed).sort((a, b) => a.ram_at_load_bytes - b.ram_at_load_bytes || a.stars - b.stars);
    const other = data.models.filter((m) => m.kind !== "llm");
    const out = [el("h1", { text: "Models" }),
      el("p.muted", { text: `Scored for ${data.machine} at a ${data.n_ctx}-token context. Models run on this device only.` })];
    if (data.blocking_reason && listed.length === 0) {
      out.push(el("div.blocking", { role: "alert" }, el("strong", { text: "No language model can run well here. " }),
        data.blocking_reason));
    } else {
      out.push(el("ul.list.picker", { "aria-label": "Language models" }, shown.map((m) => llmCard(m, refresh))));
    }
    const toggle = el("button", { type: "button", onclick: () => { showAll = !showAll; render(view); } },
      showAll ? "Hide models that won't run well" : `Show all ${llms.length} language models`);
    out.push(el("div.row", {}, toggle));
    out.push(el("h2", { text: "Speech and voice models" }),
      el("ul.list", {}, other.map((m) => el("li.card", { "data-id": m.id },
        el("div.row", {}, el("strong.grow", { text: m.name }), el("span.muted", { text: tacit.bytes(m.disk_bytes) })),
        actions(m, refresh)))));
    out.push(customSection());
    view.replaceChildren(...out);
  };
})();
