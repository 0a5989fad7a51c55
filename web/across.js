/* Across meetings: "Ask all meetings" on the History list (the answer streams in; its
 * citations [M12 S40] open meeting 12 at its line 40) and the Actions page (every action
 * item with its owner, due date and meeting; open or all; marked done or open again). */
"use strict";
(function () {
  const { el, api, t } = tacit;

  /* Text with [M12 S40] / [M12 S40, S41] citations as links to the meeting's line. */
  function citedAll(text, titles) {
    const out = [];
    const re = /\[M(\d+)\s+S\d+(?:\s*[,;]\s*(?:M\d+\s+)?S\d+)*\]/g;
    let last = 0, m;
    while ((m = re.exec(text))) {
      out.push(text.slice(last, m.index));
      let meeting = m[1];
      for (const c of m[0].matchAll(/(?:M(\d+)\s+)?S(\d+)/g)) {
        if (c[1]) meeting = c[1];
        const title = titles[meeting] || t("across.meeting", { id: meeting });
        out.push(el("a.cite", { href: `#/history/${meeting}/S${c[2]}`, title: t("across.citeTitle", { title, n: c[2] }) },
          `[M${meeting} S${c[2]}]`));
      }
      last = re.lastIndex;
    }
    out.push(text.slice(last));
    return out;
  }

  function askAllCard() {
    const q = el("input#ask-all-q", { type: "text", maxlength: 2000, "aria-label": t("across.askLabel"), placeholder: t("across.askPlaceholder") });
    const button = el("button.primary", { type: "submit" }, t("across.ask"));
    const cancel = el("button", { type: "button", hidden: true }, t("history.cancel"));
    const answer = el("div#ask-all-answer", { "aria-live": "polite" });
    const form = el("form.row", {}, el("div.grow", {}, q), button, cancel);
    let ctrl = null;
    cancel.addEventListener("click", () => { if (ctrl) ctrl.abort(); });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const question = q.value.trim();
      if (!question) return;
      ctrl = new AbortController();
      button.disabled = true; cancel.hidden = false;
      const text = el("span.muted", { text: "…" });
      answer.replaceChildren(el("p.answer", { "aria-busy": "true" }, text));
      let raw = "", ended = false;
      const fail = (msg) => { ended = true; answer.replaceChildren(tacit.errorBox(new Error(msg))); };
      try {
        await tacit.postStream("/api/ask", { question }, {
          status: (d) => {
            if (raw) return;
            const ix = /^indexing for search by meaning: (\d+) of (\d+) new lines$/.exec(d.text);
            text.textContent = ix ? t("across.indexing", { done: ix[1], total: ix[2] }) : STAGES[d.text] ? t(STAGES[d.text]) : d.text;
          },
          answer_delta: (d) => { raw += d.text; text.classList.remove("muted"); text.textContent = tacit.partialAnswer(raw) || "…"; },
          answer: (r) => {
            ended = true;
            const titles = {};
            for (const m of r.meetings || []) titles[m.meeting] = m.title;
            const sources = (r.cites || []).map((c) => el("li", {}, el("a", { href: `#/history/${c.meeting}/S${c.segment}` },
              `${titles[c.meeting] || t("across.meeting", { id: c.meeting })} · ${tacit.clock(c.start_ms)}`),
              el("span.muted", { text: ` ${c.speaker ? c.speaker + ": " : ""}${c.text}` })));
            /* what the model read, so an answer that cites nothing still leads somewhere */
            const read = (r.meetings || []).map((m) => el("li", {}, el("a", { href: `#/history/${m.meeting}/S${(m.segments || [1])[0]}` },
              m.title || t("across.meeting", { id: m.meeting })), el("span.muted", { text: " · " + tacit.date(m.started_ms) })));
            answer.replaceChildren(el("div", {}, el("p.answer", {}, citedAll(r.answer || "", titles)),
              r.grounded === false ? el("p.muted", { text: t("across.notGrounded") }) : null,
              sources.length ? [el("h3", { text: t("across.sources") }), el("ul.list.sources", {}, sources)] : null,
              read.length ? [el("h3", { text: t("across.read") }), el("ul.list.read", {}, read)] : null));
          },
          error: (e) => fail(tacit.webText(e.message)),
        }, ctrl);
        if (ctrl.signal.aborted) answer.replaceChildren(el("p.muted", { text: t("history.cancelled") }));
        else if (!ended) fail(t("history.answerStopped"));
      } catch (e) { fail(e.message); }
      button.disabled = false; cancel.hidden = true; ctrl = null;
    });
    return el("section.card#ask-all", {}, el("h2", { text: t("across.title") }), el("p.muted", { text: t("across.help") }), form, answer);
  }

  const STAGES = {
    "loading the model": "stage.loading",
    "waiting for another question to be answered": "stage.waiting",
    "reading the meetings that match": "across.reading",
  };

  /* History's list gets the card under its heading; history.js renders the rest (a
   * wrapper rather than a change there, which the list's own work keeps changing). */
  const history = tacit.pages.history;
  tacit.pages.history = async (view, args) => {
    await history(view, args);
    const h1 = view.querySelector("h1");
    if (!args[0] && h1) h1.after(askAllCard());
  };

  async function showActions(view) {
    const which = el("select#actions-filter", { "aria-label": t("actions.filter") },
      el("option", { value: "1", text: t("actions.open") }), el("option", { value: "0", text: t("actions.all") }));
    const list = el("div#actions");
    const draw = async () => {
      let r;
      try { r = await api("GET", `/api/actions?open=${which.value}`); }
      catch (e) { list.replaceChildren(tacit.errorBox(e)); return; }
      list.replaceChildren(r.actions.length ? el("ul.list.actions", {}, r.actions.map(item))
        : el("p.empty", { text: which.value === "1" ? t("actions.noneOpen") : t("actions.none") }));
    };
    const item = (a) => {
      const box = el("input", { type: "checkbox", checked: a.done, "aria-label": t("actions.doneLabel", { task: a.task }) });
      const msg = el("span.field-msg", { role: "status", "aria-live": "polite" });
      const row = el("li", { "data-action": a.id, class: a.done ? "done" : null }, el("div.row", {}, box,
        el("div.grow", {}, a.owner ? el("strong", { text: a.owner + ": " }) : null, el("span.task", { text: a.task }),
          a.due ? el("span.muted", { text: " " + t("history.due", { due: a.due }) }) : null),
        el("a", { href: `#/history/${a.session_id}${a.cites && a.cites.length ? "/S" + a.cites[0] : ""}` },
          `${a.session_title} · ${tacit.date(a.session_started_ms)}`)), msg);
      box.addEventListener("change", async () => {
        box.disabled = true;
        try {
          const r = await api("PUT", `/api/actions/${a.id}`, { done: box.checked });
          row.classList.toggle("done", r.action.done);
          msg.textContent = r.action.done ? t("actions.markedDone") : t("actions.markedOpen");
        } catch (e) { box.checked = !box.checked; msg.replaceChildren(tacit.errorBox(e)); }
        box.disabled = false;
      });
      return row;
    };
    which.addEventListener("change", draw);
    view.replaceChildren(el("h1", { text: t("nav.actions") }), el("p.muted", { text: t("actions.help") }),
      el("div.row", {}, which), list);
    await draw();
  }
  tacit.pages.actions = showActions;
})();
