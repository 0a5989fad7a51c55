/* History page: the meetings on this device, full-text search, one meeting's summary,
 * notes and transcript (a cited [S3] jumps to its segment), chat, export, rename, delete,
 * and importing a transcript file. */
"use strict";
(function () {
  const { el, api, t } = tacit;


  /* "we cut the [budget] ..." -> text with <mark> */
  function snippet(s) {
    return s.split(/\[([^\]]*)\]/).map((p, i) => (i % 2 ? el("mark", { text: p }) : p));
  }

  const PAGE = 20; /* meetings per request: History never reads every meeting at once */

  /* the open meeting's player and segments: a citation plays from its line */
  let player = null, segTimes = [];

  function jump(n, play) {
    const seg = document.getElementById("seg-" + n);
    if (!seg) return;
    if (play && player && segTimes[n - 1]) player.seek(segTimes[n - 1].start_ms);
    for (const h of document.querySelectorAll(".seg.hit")) h.classList.remove("hit");
    seg.classList.add("hit");
    seg.scrollIntoView({ block: "center" });
    seg.focus({ preventScroll: true });
  }

  /* Text with [S3] / [S3, S5] citations, times included as the Markdown of a stored answer
   * writes them ([S3 01:05, S5 1:02:03]), turned into buttons that jump to the segment. */
  function cited(text) {
    const out = [];
    const re = /\[S\d+(?:\s+\d{1,2}(?::\d{2}){1,2})?(?:\s*[,;-]\s*S?\d+(?:\s+\d{1,2}(?::\d{2}){1,2})?)*\]/g;
    let last = 0, m;
    while ((m = re.exec(text))) {
      out.push(text.slice(last, m.index));
      for (const n of m[0].matchAll(/(?:\[|[,;-])\s*S?(\d+)/g)) out.push(citeLink(Number(n[1])));
      last = re.lastIndex;
    }
    out.push(text.slice(last));
    return out;
  }
  /* a citation previews its line on hover and to screen readers */
  function citeLink(n) {
    const g = segTimes[n - 1];
    const preview = g ? `${tacit.clock(g.start_ms)} ${g.speaker_name || g.speaker || ""}: ${g.text}` : null;
    return el("a.cite", { href: "#seg-" + n, title: preview, "aria-label": preview ? `[S${n}] ` + t("history.line", { n: String(n), preview }) : null, /* the name starts with what is seen (WCAG 2.5.3) */
      onclick: (e) => { e.preventDefault(); jump(n, true); } }, `[S${n}]`);
  }
  function cites(arr) { return (arr || []).map(citeLink); }

  /* the server's stage (its fixed English text) as a status line; one this table does
   * not know yet is shown as sent */
  const STAGES = {
    "loading the model": "stage.loading",
    "waiting for another question to be answered": "stage.waiting",
    "using the meeting's saved transcript state": "stage.savedState",
    "reading the meeting's transcript": "stage.reading",
  };
  const stage = (text) => STAGES[text] ? t(STAGES[text]) : text[0].toUpperCase() + text.slice(1) + "…";

  function items(title, list, fmt) {
    if (!list || !list.length) return null;
    return [el("h3", { text: title }), el("ul", {}, list.map((x) => el("li", {}, fmt(x))))];
  }

  function artifact(a) {
    const j = a.json && typeof a.json === "object" ? a.json : null;
    if ((a.kind === "summary" || a.kind === "rolling_summary") && j)
      return el("section.card", {}, el("h2", { text: a.kind === "summary" ? t("history.summary") : t("history.summarySoFar") }), j.overview ? el("p", { text: j.overview }) : null,
        items(t("history.keyPoints"), j.key_points, (x) => [x.text, " ", cites(x.cites)]),
        items(t("history.decisions"), j.decisions, (x) => [x.text, " ", cites(x.cites)]),
        items(t("history.actionItems"), j.action_items, (x) => [x.owner ? el("strong", { text: x.owner + ": " }) : "", x.task,
          x.due ? " " + t("history.due", { due: x.due }) : "", " ", cites(x.cites)]),
        items(t("history.openQuestions"), j.open_questions, (x) => [x.text, " ", cites(x.cites)]),
        j.dropped > 0 ? el("p.muted", { text: t("history.summaryDropped", { n: j.dropped }) }) : null);
    if (a.kind === "notes" && j && j.sections)
      return el("section.card", {}, el("h2", { text: t("history.notes") }), j.sections.length ? j.sections.map((s) => [el("h3", { text: s.topic }),
        el("ul", {}, (s.bullets || []).map((b) => el("li", {}, b.text, " ", cites(b.cites))))])
        : el("p.muted.notes-empty", { text: j.dropped > 0 ? t("history.notesEmptyDropped", { n: j.dropped }) : t("history.notesEmpty") }));
    const md = a.markdown || (typeof a.json === "string" ? a.json : JSON.stringify(a.json, null, 1));
    return el("section.card", {}, el("h2", { text: tacit.has("artifact." + a.kind) ? t("artifact." + a.kind) : a.kind[0].toUpperCase() + a.kind.slice(1) }),
      md.split(/\n/).map((line) => el("div", {}, cited(line))));
  }

  /* Generate / Regenerate buttons for the summary and the notes, with progress and a
   * Cancel that closes the stream (the server then stops the model and stores nothing). */
  function generator(s, newest) {
    const status = el("p.gen-status", { role: "status", "aria-live": "polite" });
    const bar = el("progress", { max: 100, hidden: true, "aria-label": t("history.progress") });
    const detail = el("p.muted.gen-detail");
    const cancel = el("button", { type: "button", hidden: true }, t("history.cancel"));
    const buttons = ["summary", "notes"].map((kind) => el("button" + (newest[kind] ? "" : ".primary"), {
      type: "button", "data-task": kind, onclick: () => run(kind) }, t((newest[kind] ? "history.regenerate." : "history.generate.") + kind)));
    /* the summary template to write with: "" is the setting's (summary.template) */
    const template = el("select#gen-template", {}, el("option", { value: "" }, t("history.templateDefault")));
    api("GET", "/api/templates").then((list) => template.append(...list.map((x) =>
      el("option", { value: x.name, title: x.description }, x.name))), () => {});
    let ctrl = null;
    cancel.addEventListener("click", () => { if (ctrl) ctrl.abort(); });
    async function run(kind) {
      ctrl = new AbortController();
      for (const b of buttons) b.disabled = true;
      template.disabled = true;
      cancel.hidden = false; bar.hidden = false; bar.removeAttribute("value");
      status.textContent = "…"; detail.textContent = "";
      let finished = false;
      const show = (p) => {
        if (p.phase === "load") { bar.value = p.done; status.textContent = t("history.loading", { pct: p.done }); }
        else if (p.phase === "read" && p.done > 0) { bar.value = Math.min(100, (100 * p.done) / p.total); status.textContent = t("history.readingOf", { done: p.done, n: p.total }); }
        else if (p.phase === "read") { bar.removeAttribute("value"); status.textContent = t("history.reading", { n: p.total }); }
        else {
          bar.value = Math.min(100, (100 * p.done) / p.total);
          status.textContent = t("history.writing", { done: p.done, n: p.total });
          const parts = [];
          if (p.rate > 0) parts.push(t("history.rate", { rate: tacit.number(p.rate, 1) }),
            t("history.left", { time: tacit.clock(Math.ceil((p.total - p.done) / p.rate) * 1000) }));
          parts.push(t("history.elapsed", { time: tacit.clock(p.elapsed_ms) }));
          detail.textContent = parts.join(" · ");
          return;
        }
        detail.textContent = t("history.elapsed", { time: tacit.clock(p.elapsed_ms) });
      };
      try {
        await tacit.postStream(`/api/sessions/${s.id}/generate`, template.value ? { task: kind, template: template.value } : { task: kind }, {
          status: (d) => { if (d.text !== "writing") status.textContent = stage(d.text); },
          progress: show,
          done: () => { finished = true; },
          error: (e) => { finished = true; throw new Error(e.message); },
        }, ctrl);
        if (ctrl.signal.aborted) { status.textContent = t("history.cancelled"); }
        else if (finished) { tacit.route(); return; }
        else status.textContent = t("history.stopped");
      } catch (e) { status.replaceChildren(tacit.errorBox(e)); }
      for (const b of buttons) b.disabled = false;
      template.disabled = false;
      cancel.hidden = true; bar.hidden = true; detail.textContent = "";
      ctrl = null;
    }
    return el("section.card.generate", {}, el("div.row", {}, buttons,
      el("label", { for: "gen-template" }, t("history.template") + " ", template), cancel), bar, status, detail);
  }

  /* The meeting's speakers: talk time, a sample to play, and a rename that changes every
   * line of the meeting at once (the server stores the name once, for the label). */
  function speakersCard(s, rows) {
    const list = el("ul.list.speakers");
    const card = el("section.card", { id: "speakers" }, el("h2", { text: t("history.speakers") }), list);
    let voices = false; /* remembered voices on for this device (opt-in) */
    const draw = (speakers) => {
      list.replaceChildren(...speakers.map((p) => {
        const shown = p.name || p.label;
        const name = el("input", { type: "text", value: p.name || "", maxlength: 64, "aria-label": t("history.renameLabel", { who: shown }),
          placeholder: p.label });
        const msg = el("span.field-msg", { role: "status", "aria-live": "polite" });
        const form = el("form.row.rename", { hidden: true }, el("div.grow", {}, name),
          el("button.primary", { type: "submit" }, t("history.save")),
          p.name ? el("button", { type: "button", onclick: () => { name.value = ""; form.requestSubmit(); } }, t("history.reset")) : null, msg);
        form.addEventListener("submit", async (e) => {
          e.preventDefault();
          try {
            const r = await api("PUT", `/api/sessions/${s.id}/speakers`, { speaker: p.label, name: name.value.trim() || null });
            for (const row of rows) if (row.dataset.speaker === p.label) row.querySelector(".who").textContent = name.value.trim() || p.label;
            tacit.notice(name.value.trim() ? t("history.renamed", { who: shown, name: name.value.trim() }) : t("history.unnamed", { who: shown }));
            draw(r.speakers);
          } catch (err) { msg.replaceChildren(tacit.errorBox(err)); }
        });
        return el("li", { "data-label": p.label }, el("div.row", {},
          el("strong.grow", { text: shown + (p.name ? ` (${p.label})` : "") }),
          el("span.muted", { text: t("history.talk", { time: tacit.clock(p.talk_ms), n: p.n_segments }) }),
          player && p.sample ? el("button", { type: "button", onclick: () => player.seek(p.sample.start_ms) }, t("history.playSample")) : null,
          el("button", { type: "button", onclick: () => { form.hidden = !form.hidden; if (!form.hidden) name.focus(); } }, t("history.rename")),
          voices && p.voiceprint ? el("button.remember", { type: "button", title: t("history.rememberHint", { who: shown }), onclick: async () => {
            try {
              await api("PUT", `/api/sessions/${s.id}/speakers`, { speaker: p.label, remember: true });
              tacit.notice(t("history.voiceRemembered", { who: shown.replace(/ \(likely\)$/, "") }));
            } catch (err) { tacit.notice(err.message, true); }
          } }, t("history.rememberVoice")) : null),
          p.sample ? el("div.muted.sample", { text: `“${p.sample.text}”` }) : null, form);
      }));
      card.hidden = !speakers.length;
    };
    api("GET", `/api/sessions/${s.id}/speakers`).then((r) => { voices = !!r.voices; draw(r.speakers); }).catch((e) => list.replaceChildren(tacit.errorBox(e)));
    return card;
  }

  async function showMeeting(view, id, focusSeg, words) {
    const [s, audio] = await Promise.all([api("GET", `/api/sessions/${encodeURIComponent(id)}`),
      api("GET", `/api/sessions/${encodeURIComponent(id)}/audio`).catch(() => ({ chunks: [] }))]);
    const newest = {};
    for (const a of s.artifacts) if (!newest[a.kind] || a.created_ms >= newest[a.kind].created_ms) newest[a.kind] = a;
    const segs = s.segments.map((g, i) => el("div.seg", { id: "seg-" + (i + 1), tabindex: -1, "data-segment": g.id, "data-speaker": g.speaker || "" },
      el("span.t", { text: tacit.clock(g.start_ms) }),
      el("span", {}, el("span.who", { text: g.speaker_name || g.speaker || "" }), el("span.text", { text: g.text }))));
    segTimes = s.segments;
    player = tacit.player(audio.chunks, s.segments, segs);
    const finder = tacit.finder(segs);
    const fmt = el("select", { "aria-label": t("history.exportFormat") },
      ["md", "json", "txt", "srt", "vtt"].map((f) => el("option", { value: f, text: f.toUpperCase() })));
    const exportLink = el("a.button", { href: `/api/sessions/${s.id}/export?format=md`, download: `meeting-${s.id}.md` }, t("history.export"));
    fmt.addEventListener("change", () => {
      exportLink.href = `/api/sessions/${s.id}/export?format=${fmt.value}`;
      exportLink.download = `meeting-${s.id}.${fmt.value}`;
    });
    /* the note in the export folder now; which file, or why not, next to the button */
    const exported = el("span#export-msg", { role: "status", "aria-live": "polite" });
    const exportNow = el("button#export-now", { type: "button", onclick: async () => {
      exportNow.disabled = true;
      exported.className = "muted"; exported.textContent = t("history.exporting");
      try {
        const r = await api("POST", `/api/sessions/${s.id}/export`);
        exported.textContent = r.outcome === "sibling" ? t("history.exportSibling", { file: r.file, edited: r.edited_path.replace(/^.*\//, "") })
          : t(r.outcome === "updated" ? "history.exportUpdated" : r.outcome === "unchanged" ? "history.exportUnchanged" : "history.exportWritten", { file: r.file });
        exported.title = r.path;
      } catch (e) { exported.className = "error"; exported.textContent = e.message; }
      exportNow.disabled = false;
    } }, t("history.exportNow"));
    const title = el("h1", { text: s.title });
    const rename = el("button#rename-meeting", { type: "button", onclick: async () => {
      const name = prompt(t("history.newTitle"), s.title);
      if (!name || name === s.title) return;
      try { const r = await api("PUT", `/api/sessions/${s.id}`, { title: name }); title.textContent = s.title = r.title; }
      catch (e) { tacit.notice(e.message, true); }
    } }, t("history.rename"));
    const del = el("button.danger", { type: "button", onclick: async () => {
      if (!confirm(t("history.confirmDelete", { title: s.title }))) return;
      try { await api("DELETE", `/api/sessions/${s.id}`); tacit.notice(t("history.deleted")); location.hash = "#/history"; }
      catch (e) { tacit.notice(e.message, true); }
    } }, t("history.delete"));
    const chatLog = el("div.chat", {}, s.chat.length ? s.chat.map((c) => el("p", {}, el("span.user", {
      text: (c.role === "user" ? t("history.you") : "tacit") + ": " }), cited(c.text || ""))) : el("p.muted.none", { text: t("history.noQuestions") }));
    const q = el("input", { type: "text", "aria-label": t("history.askLabel"), maxlength: 2000,
      placeholder: t("history.askPlaceholder") });
    const ask = el("form.row", {}, el("div.grow", {}, q), el("button.primary", { type: "submit" }, t("history.ask")));
    /* the answer streams in token by token; leaving the page stops it on the server */
    ask.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const question = q.value.trim();
      if (!question) return;
      const button = ask.querySelector("button");
      button.disabled = true;
      const none = chatLog.querySelector(".none");
      if (none) none.remove();
      const text = el("span.answer-text.muted", { text: "…" });
      const reply = el("p.answer", { "aria-busy": "true" }, el("span.user", { text: "tacit: " }), text);
      chatLog.append(el("p", {}, el("span.user", { text: t("history.you") + ": " }), question), reply);
      q.value = "";
      let raw = "", ended = false;
      const fail = (msg) => { ended = true; reply.replaceWith(tacit.errorBox(new Error(msg))); };
      try {
        await tacit.postStream(`/api/sessions/${s.id}/chat`, { question }, {
          status: (d) => { if (!raw) text.textContent = stage(d.text); },
          answer_delta: (d) => {
            raw += d.text;
            text.classList.remove("muted");
            text.textContent = tacit.partialAnswer(raw) || "…";
          },
          answer: (r) => {
            ended = true;
            reply.replaceWith(el("p.answer", {}, el("span.user", { text: "tacit: " }), cited(r.answer || ""), " ",
              cites(r.cites), r.grounded === false ? el("span.muted", { text: " " + t("history.notGrounded") }) : null));
          },
          error: (e) => fail(e.message),
        });
        if (!ended && reply.isConnected) fail(t("history.answerStopped"));
      } catch (e) { fail(e.message); }
      button.disabled = false;
    });
    const left = [];
    for (const k of ["summary", "notes"]) if (newest[k]) left.push(artifact(newest[k]));
    /* the rolling summary is the live meeting's working state: shown only until the final one exists */
    for (const k of Object.keys(newest))
      if (k !== "summary" && k !== "notes" && !(k === "rolling_summary" && newest.summary)) left.push(artifact(newest[k]));
    left.unshift(generator(s, newest));
    if (left.length === 1) left.push(el("p.empty", { text: t("history.noArtifacts") }));
    left.push(el("section.card", {}, el("h2", { text: t("history.chat") }), chatLog, ask));
    view.replaceChildren(el("p", {}, el("a", { href: "#/history" }, "← " + t("history.all"))), title,
      el("div.row.muted", {}, tacit.date(s.started_ms), ` · ${tacit.clock(s.duration_ms)}`,
        " · " + t("history.segments", { n: s.segments.length }), s.times_synthesized ? " · " + t("history.timesEstimated") : ""),
      el("div.row", {}, fmt, exportLink, exportNow, rename, del), exported,
      el("div.cols", {}, el("div", {}, left),
        el("section", {}, player ? player.card : null, speakersCard(s, segs), el("h2", { text: t("history.transcript") }), segs.length ? finder.bar : null, el("div.transcript", { id: "transcript" },
          segs.length ? segs : el("p.empty", { text: t("history.noTranscript") })))));
    let i = -1;
    if (focusSeg) {
      /* "S40": the 40th line, as ask-all's [M12 S40] cites it; else a segment's id */
      i = /^S\d+$/.test(focusSeg) ? Number(focusSeg.slice(1)) - 1 : s.segments.findIndex((g) => String(g.id) === String(focusSeg));
      if (i >= 0) jump(i + 1);
    }
    /* opened from a History search: its words are marked, the current match in the hit's line */
    if (words) finder.find(words, Math.max(0, i));
  }

  /* History's badges: where a meeting stands (the server's status), and a meeting with no
   * lines (nothing was heard, or an import had none) */
  function badges(s) {
    return [s.status && s.status !== "ended" ? el(`span.badge.status.status-${s.status}`, { text: t("history.status." + s.status) }) : null,
      s.n_segments === 0 ? el("span.badge.status.status-empty", { text: t("history.noLines") }) : null];
  }

  function sessionItem(s) {
    return el("li", { "data-id": s.id, "data-status": s.status || "" },
      el("div.row", {}, el("a.grow", { href: `#/history/${s.id}` }, s.title), badges(s)),
      el("div.muted", { text: `${tacit.date(s.started_ms)} · ${tacit.clock(s.duration_ms)} · ${t("history.segments", { n: s.n_segments })}` +
        (s.speakers && s.speakers.length ? " · " + s.speakers.join(", ") : "") }),
      s.preview ? el("p.preview", { text: s.preview }) : null);
  }

  /* the words a hit's snippet marks ("we cut the [budget]"), once each, for the meeting's find bar */
  function marked(s) {
    return [...new Set([...s.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1].trim().toLowerCase()).filter(Boolean))]
      .map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(" ");
  }

  /* search hits grouped by meeting, in the order of each meeting's best hit */
  function groupedHits(hits) {
    const groups = new Map();
    for (const h of hits) {
      if (!groups.has(h.session_id)) groups.set(h.session_id, []);
      groups.get(h.session_id).push(h);
    }
    return el("div.hits", {}, [...groups.values()].map((g) => el("section.card.hit-group", { "data-session": g[0].session_id },
      el("h3", {}, el("a", { href: `#/history/${g[0].session_id}` }, g[0].session_title),
        el("span.muted", { text: " · " + (g[0].session_started_ms > 0 ? tacit.date(g[0].session_started_ms) + " · " : "") +
          t("history.hitCount", { n: g.length }) })),
      el("ul.list", {}, g.map((h) => el("li", {},
        el("a", { href: `#/history/${h.session_id}/${h.segment_id}/${encodeURIComponent(marked(h.snippet))}` }, tacit.clock(h.start_ms)),
        h.speaker ? el("span.muted", { text: " · " + h.speaker }) : null,
        el("div.snippet", {}, snippet(h.snippet))))))));
  }

  /* speaker and date filters of the list and of search: the query string they add, and
   * names(list) to offer more speakers' names (the server's list of every meeting's) */
  function filters(changed) {
    const who = el("input#filter-speaker", { type: "text", list: "speaker-names", maxlength: 128, autocomplete: "off" });
    const from = el("input#filter-from", { type: "date" }), to = el("input#filter-to", { type: "date" });
    const clear = el("button#filter-clear", { type: "button", onclick: () => { who.value = from.value = to.value = ""; changed(); } }, t("history.clearFilters"));
    for (const i of [who, from, to]) i.addEventListener("change", changed);
    const field = (input, key) => el("div", {}, el("label", { for: input.id, text: t(key) }), input);
    const day = (v, next) => { const [y, m, d] = v.split("-").map(Number); return new Date(y, m - 1, d + (next ? 1 : 0)).getTime(); };
    const known = new Set(), datalist = el("datalist#speaker-names");
    return {
      bar: el("div.row.filters", { role: "group", "aria-label": t("history.filters") }, field(who, "history.filterSpeaker"),
        datalist, field(from, "history.filterFrom"), field(to, "history.filterTo"), clear),
      query: () => (who.value.trim() ? "&speaker=" + encodeURIComponent(who.value.trim()) : "") +
        (from.value ? "&from=" + day(from.value, false) : "") + (to.value ? "&to=" + day(to.value, true) : ""),
      names: (list) => {
        const fresh = list.filter((n) => !known.has(n) && known.add(n));
        if (!fresh.length) return;
        datalist.replaceChildren(...[...known].sort().map((n) => el("option", { value: n })));
      },
    };
  }

  /* "/" anywhere but in a field focuses search (History) or find (a meeting), as in most web apps */
  document.addEventListener("keydown", (e) => {
    const search = document.getElementById("search") || document.getElementById("find");
    if (e.key !== "/" || !search || e.ctrlKey || e.metaKey || e.altKey || e.target.closest("input, textarea, select, [contenteditable]")) return;
    e.preventDefault();
    search.focus();
  });

  async function showList(view) {
    const search = el("input", { type: "search", id: "search", placeholder: t("history.searchPlaceholder"),
      "aria-label": t("history.searchLabel"), maxlength: 512, "aria-keyshortcuts": "/" });
    const results = el("div", { id: "results" });
    const file = el("input", { type: "file", id: "import", accept: ".json,.txt,audio/*,video/*,.mp3,.wav,.m4a,.ogg,.opus,.flac,.aac,.webm,.mp4,.mkv", "aria-label": t("import.label") });
    const list = el("div", { id: "sessions" });
    const importBox = el("div#import-progress");
    let timer = null;
    const runSearch = async () => {
      const q = search.value.trim();
      if (!q) { results.replaceChildren(); list.hidden = false; return; }
      try {
        const r = await api("GET", `/api/search?q=${encodeURIComponent(q)}&limit=50${filter.query()}`);
        list.hidden = true;
        results.replaceChildren(el("h2", { text: t("history.results", { q }) }), r.hits.length
          ? groupedHits(r.hits) : el("p.empty", { text: t("history.noHits") }));
      } catch (e) { results.replaceChildren(tacit.errorBox(e)); }
    };
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(runSearch, 250); });
    search.addEventListener("keydown", (e) => { if (e.key === "Enter") { clearTimeout(timer); runSearch(); } });
    file.addEventListener("change", async () => {
      const f = file.files[0];
      if (!f) return;
      /* a recording is transcribed, a transcript stored; both then summarized */
      await tacit.importRecording(f, importBox);
      file.value = "";
    });
    /* The meetings a page at a time (the server counts them all): "Show more" appends the
     * next page and moves the focus to its first meeting. A filter starts again from the
     * first page; an answer to an older request is dropped. */
    let shown = [], total = 0, asked = 0;
    const count = el("p.muted#sessions-count", { role: "status", "aria-live": "polite" });
    const more = el("button#sessions-more", { type: "button" });
    const load = async (again) => {
      const q = filter.query(), mine = ++asked;
      const r = await api("GET", `/api/sessions?offset=${again ? 0 : shown.length}&limit=${PAGE}${q}`);
      if (mine !== asked) return;
      if (again) shown = [];
      const first = shown.length;
      shown = shown.concat(r.sessions);
      total = r.total;
      filter.names(r.speaker_names || r.sessions.flatMap((s) => s.speakers || []));
      const ul = shown.length ? el("ul.list", {}, shown.map(sessionItem)) : null;
      list.replaceChildren(ul || el("p.empty", { text: q ? t("history.noneMatch") : t("history.noMeetings") }), count, more);
      count.hidden = !shown.length;
      count.textContent = t("history.shownOf", { shown: shown.length, n: total });
      const left = Math.max(0, total - shown.length);
      more.hidden = left === 0;
      more.textContent = t("history.showMore", { n: Math.min(PAGE, left) });
      if (!again && ul && ul.children[first]) ul.children[first].querySelector("a").focus();
    };
    more.addEventListener("click", () => load(false).catch((e) => list.replaceChildren(tacit.errorBox(e))));
    const filter = filters(async () => {
      try { await load(true); } catch (e) { list.replaceChildren(tacit.errorBox(e)); }
      if (search.value.trim()) runSearch();
    });
    await load(true);
    view.replaceChildren(el("h1", { text: t("nav.history") }), search, filter.bar, results, list,
      el("div.card", {}, el("label", { for: "import" }, el("strong", { text: t("import.title") + " " }),
        el("span.muted", { text: t("import.help") })), el("div", {}, file), importBox));
  }

  tacit.pages.history = (view, args) => (args[0] ? showMeeting(view, args[0], args[1], args[2]) : showList(view));
})();
