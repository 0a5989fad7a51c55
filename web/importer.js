/* Importing a recording or a transcript from History: the file is uploaded with its
 * progress (XHR: fetch reports no upload progress), and the same request's answer is the
 * import's event stream (status, progress of the transcription or, for a transcript, of
 * its summary, segment, then done or error). Cancel aborts the request at any point: the
 * server then drops the upload, or stops the import (a recording stores nothing, a
 * transcript keeps its transcript). On success the meeting opens. */
"use strict";
(function () {
  const { el, t } = tacit;

  /* the server's fixed stage texts, as the page says them */
  const STAGES = {
    "decoding the recording": "import.decoding",
    "transcribing": "import.transcribing",
    "waiting for another answer to finish": "import.waiting",
    "summarizing": "import.summarizing",
    "reading the transcript": "import.reading",
  };

  /* Uploads file and follows its import inside box (emptied, then filled with a progress
   * bar, a status line and Cancel). Resolves when it has ended, however it ended. */
  tacit.importRecording = function (file, box) {
    const bar = el("progress.import-bar", { max: 100, value: 0, "aria-label": t("import.progress") });
    const status = el("p.import-status", { role: "status", "aria-live": "polite", text: t("import.uploading", { name: file.name }) });
    const detail = el("p.muted.import-detail");
    const cancel = el("button#import-cancel", { type: "button" }, t("history.cancel"));
    box.replaceChildren(el("div.row", {}, el("div.grow", {}, bar), cancel), status, detail);
    const t0 = Date.now();
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      let seen = 0, pending = "", ended = false;
      const finish = (msg, isError) => {
        if (ended) return;
        ended = true;
        cancel.disabled = true;
        if (isError) status.replaceChildren(tacit.errorBox(new Error(msg)));
        else status.textContent = msg;
        bar.hidden = true;
        detail.textContent = "";
        resolve();
      };
      const handlers = {
        status: (d) => { bar.removeAttribute("value"); status.textContent = STAGES[d.text] ? t(STAGES[d.text]) : d.text; },
        progress: (p) => {
          if (p.phase === "summarize") { /* a transcript's summary: segments folded so far */
            bar.value = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : 0;
            status.textContent = t("import.summarized", { done: tacit.number(p.done, 0), total: tacit.number(p.total, 0) });
            detail.textContent = t("history.elapsed", { time: tacit.clock(p.elapsed_ms) });
            return;
          }
          if (p.total_ms > 0) bar.value = Math.min(100, (100 * p.done_ms) / p.total_ms);
          else bar.removeAttribute("value");
          status.textContent = t("import.transcribed", { done: tacit.clock(p.done_ms), total: tacit.clock(p.total_ms),
            pct: tacit.number(p.total_ms > 0 ? Math.floor((100 * p.done_ms) / p.total_ms) : 0, 0) });
          detail.textContent = [t("import.segments", { n: p.segments }), t("history.elapsed", { time: tacit.clock(p.elapsed_ms) })].join(" · ");
        },
        segment: (g) => { detail.textContent = [t("import.segments", { n: g.segments }), t("import.heard", { time: tacit.clock(g.heard_ms) })].join(" · "); },
        done: (r) => {
          finish(t("history.imported", { title: r.title, n: r.n_segments }));
          tacit.notice(t("history.imported", { title: r.title, n: r.n_segments }));
          if (box.isConnected) location.hash = `#/history/${r.id}`; /* the user may have moved on */
        },
        error: (e) => finish(tacit.webText(e.message), true),
      };
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) return;
        bar.value = (100 * e.loaded) / e.total;
        status.textContent = t("import.uploadingOf", { done: tacit.bytes(e.loaded), total: tacit.bytes(e.total),
          pct: tacit.number(Math.floor((100 * e.loaded) / e.total), 0) });
        const s = (Date.now() - t0) / 1000;
        detail.textContent = s > 0.5 && e.loaded < e.total
          ? t("history.left", { time: tacit.clock(Math.ceil(((e.total - e.loaded) * s) / e.loaded) * 1000) }) : "";
      });
      xhr.upload.addEventListener("load", () => { bar.removeAttribute("value"); status.textContent = t("import.uploaded"); detail.textContent = ""; });
      /* the answer: an event stream when accepted, a JSON refusal otherwise */
      xhr.addEventListener("progress", () => {
        if (xhr.status !== 200) return;
        pending = tacit.sseFrames(pending + xhr.responseText.slice(seen), handlers);
        seen = xhr.responseText.length;
      });
      xhr.addEventListener("load", () => {
        if (xhr.status === 200) {
          pending = tacit.sseFrames(pending + xhr.responseText.slice(seen), handlers);
          finish(t("import.stopped"), true); /* no "done": the stream broke off */
          return;
        }
        let msg = t("app.requestFailed", { status: xhr.status });
        try { const r = JSON.parse(xhr.responseText); if (r.error) msg = tacit.webText(r.error.message); } catch (e) { /* not JSON */ }
        if (xhr.status === 401) msg = t("app.noToken");
        finish(msg, true);
      });
      xhr.addEventListener("error", () => finish(t("app.unreachable"), true));
      xhr.addEventListener("abort", () => finish(t("history.cancelled")));
      cancel.addEventListener("click", () => xhr.abort());
      xhr.open("POST", `/api/sessions/import-audio?name=${encodeURIComponent(file.name)}`);
      xhr.send(file);
    });
  };
})();
