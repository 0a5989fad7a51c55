/* Find in a meeting's transcript, as a browser's find bar works but on the lines alone:
 * each word of the query (or a "quoted phrase") is marked wherever it occurs in a line's
 * text, case-insensitively; "3 of 7" says where the current match is; Enter and the ↓
 * button go to the next, Shift+Enter and ↑ to the previous (wrapping), Escape clears.
 * Only the lines marked before are redrawn, so a 3-hour meeting's 2,300 lines stay quick.
 * The text is set as text nodes and <mark> elements, never as HTML. */
"use strict";
(function () {
  const { el, t } = tacit;

  /* "budget 'rubber buttons'" -> a RegExp for budget|rubber buttons, or null */
  function pattern(q) {
    const terms = [];
    for (const m of q.matchAll(/"([^"]+)"|'([^']+)'|(\S+)/g)) {
      const term = (m[1] || m[2] || m[3]).trim().replace(/\s+/g, " ");
      if (term) terms.push(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s+"));
    }
    if (!terms.length) return null;
    terms.sort((a, b) => b.length - a.length); /* the longest first: "rubber buttons" before "rubber" */
    return new RegExp(terms.join("|"), "giu");
  }

  /* rows: the transcript's line elements, each with a span.text holding its words.
   * Returns {bar, find(q)}: the bar goes above the transcript; find(q) fills and runs it
   * (a History search opened at a hit passes its words). */
  tacit.finder = function (rows) {
    const input = el("input#find", { type: "search", maxlength: 256, autocomplete: "off",
      "aria-label": t("find.label"), placeholder: t("find.placeholder"), "aria-keyshortcuts": "/" });
    const count = el("span.muted#find-count", { role: "status", "aria-live": "polite" });
    const prev = el("button#find-prev", { type: "button", title: t("find.prev"), "aria-label": t("find.prev"), disabled: true }, "↑");
    const next = el("button#find-next", { type: "button", title: t("find.next"), "aria-label": t("find.next"), disabled: true }, "↓");
    const texts = rows.map((r) => r.querySelector(".text"));
    const words = texts.map((x) => (x ? x.textContent : ""));
    let marked = [], marks = [], rowOf = [], at = -1, timer = null;

    function clear() {
      for (const i of marked) texts[i].replaceChildren(words[i]);
      marked = []; marks = []; rowOf = []; at = -1;
    }
    function show(i) {
      if (!marks.length) return;
      if (at >= 0) marks[at].classList.remove("current");
      at = (i + marks.length) % marks.length;
      marks[at].classList.add("current");
      marks[at].scrollIntoView({ block: "center" });
      count.textContent = t("find.count", { i: at + 1, n: marks.length });
    }
    /* from: the row whose first match (or the next one's) becomes the current one */
    function run(from = 0) {
      clearTimeout(timer);
      timer = null;
      clear();
      const re = pattern(input.value);
      if (re) {
        words.forEach((w, i) => {
          if (!texts[i]) return;
          const parts = [];
          let last = 0;
          for (const m of w.matchAll(re)) {
            if (!m[0].length) continue;
            parts.push(w.slice(last, m.index));
            const mk = el("mark.found", { text: m[0] });
            parts.push(mk);
            marks.push(mk);
            rowOf.push(i);
            last = m.index + m[0].length;
          }
          if (!parts.length) return;
          parts.push(w.slice(last));
          texts[i].replaceChildren(...parts);
          marked.push(i);
        });
      }
      count.textContent = !re ? "" : marks.length ? "" : t("find.none");
      prev.disabled = next.disabled = marks.length === 0;
      if (marks.length) show(Math.max(0, rowOf.findIndex((r) => r >= from)));
    }
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 150); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        if (timer || !marked.length) { run(); return; }
        show(at + (e.shiftKey ? -1 : 1));
      } else if (e.key === "Escape" && input.value) {
        e.preventDefault();
        input.value = "";
        run();
      }
    });
    prev.addEventListener("click", () => show(at - 1));
    next.addEventListener("click", () => show(at + 1));
    const bar = el("div.row.find", { role: "search" }, el("div.grow", {}, input), prev, next, count);
    return { bar, find: (q, row) => { input.value = q; run(row || 0); } };
  };
})();
