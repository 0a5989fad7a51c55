/* Meeting page: start (or resume) and stop a live meeting; the microphone ("Me") and,
 * optionally, the meeting's tab or system audio ("Them") resampled to 16 kHz in an
 * AudioWorklet (web/pcm-worklet.js) and sent as f32le PCM in small POSTs, one at a time
 * so they arrive in order; the live transcript, rolling summary, suggestions (toggle and
 * one-time notice) and chat with answers streamed token by token over the event stream.
 * The capture outlives page changes inside the app; leaving the app closes the meeting
 * (it stays resumable). */
"use strict";
(function () {
  const { el, api } = tacit;

  const t = tacit.t;
  /* seconds without a line before the warning (a test shortens it in localStorage) */
  const quietAfter = Number(localStorage.getItem("tacit.quiet_after_s")) || 30;
  let cap = null;
  let resumeAsked = 0; /* a Resume button outside the start page: resume this meeting when it shows */ /* the capture this tab runs: {session, channels, ctx, tracks, queue, ...} */

  function stopTracks(c) {
    for (const t of c.tracks) t.stop();
    if (c.ctx) c.ctx.close().catch(() => {});
    c.ctx = null;
  }

  /* Sends queued audio, one POST at a time. */
  async function pump(c) {
    if (c.sending || !c.queue.length) return;
    c.sending = true;
    try {
      while (c.queue.length) {
        const n = c.queue.reduce((a, b) => a + b.length, 0), body = new Float32Array(n);
        let at = 0;
        for (const q of c.queue.splice(0)) { body.set(q, at); at += q.length; }
        let peak = 0;
        for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(body[i]));
        c.peak = Math.max(peak, (c.peak || 0) * 0.9); /* decays: the last seconds' loudest sample */
        await api("POST", `/api/meeting/audio?channels=${c.channels}&format=f32le`, body.buffer, true);
      }
    } catch (e) {
      c.failed = e.message;
      if (c.onfail) c.onfail(e.message);
    } finally { c.sending = false; }
  }

  /* The microphone picked on the start page, kept on this device ("" is the browser's
   * default). An ideal, not an exact, constraint: a device unplugged since then falls
   * back to the default rather than refusing the meeting. */
  const MIC_KEY = "tacit.mic";

  /* The browser's audio inputs in a select; their names come once the page may use the
   * microphone (before that, numbered), so it fills again when the devices change. */
  function micPicker() {
    const pick = el("select#mic");
    const fill = async () => {
      let inputs = [];
      try {
        inputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "audioinput" && d.deviceId);
      } catch (e) { /* no device list: the default microphone only */ }
      const kept = localStorage.getItem(MIC_KEY) || "";
      pick.replaceChildren(el("option", { value: "" }, t("meeting.micDefault")),
        ...inputs.filter((d) => d.deviceId !== "default").map((d, i) =>
          el("option", { value: d.deviceId }, d.label || t("meeting.micN", { n: String(i + 1) }))));
      pick.value = [...pick.options].some((o) => o.value === kept) ? kept : "";
    };
    pick.addEventListener("change", () => localStorage.setItem(MIC_KEY, pick.value));
    if (navigator.mediaDevices) {
      navigator.mediaDevices.addEventListener("devicechange", () => { if (pick.isConnected) fill(); });
      fill();
    }
    return pick;
  }

  async function capture(channels) {
    const deviceId = localStorage.getItem(MIC_KEY) || undefined;
    const mic = await navigator.mediaDevices.getUserMedia({
      audio: { deviceId, channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    const tracks = mic.getTracks();
    let them = null;
    if (channels === 2) {
      try {
        them = await navigator.mediaDevices.getDisplayMedia({ audio: true, video: true });
      } catch (e) {
        for (const t of tracks) t.stop();
        throw new Error(t("meeting.notShared", { message: e.message }));
      }
      for (const t of them.getVideoTracks()) t.stop();
      tracks.push(...them.getTracks());
      if (!them.getAudioTracks().length) {
        for (const t of tracks) t.stop();
        throw new Error(t("meeting.noTabAudio"));
      }
    }
    const ctx = new AudioContext();
    await ctx.audioWorklet.addModule("/pcm-worklet.js");
    const node = new AudioWorkletNode(ctx, "tacit-pcm", { numberOfInputs: channels, numberOfOutputs: 1,
      outputChannelCount: [1], processorOptions: { channels } });
    ctx.createMediaStreamSource(mic).connect(node, 0, 0);
    if (them) ctx.createMediaStreamSource(new MediaStream(them.getAudioTracks())).connect(node, 0, 1);
    node.connect(ctx.destination); /* silent: pulls the graph */
    return { ctx, node, tracks };
  }

  function itemText(it) {
    if (typeof it === "string") return it;
    const t = it.text || it.task || it.item || it.question || it.decision || "";
    return it.owner ? `${t} (${it.owner})` : t;
  }

  function summaryView(s) {
    const box = el("div.card.live-summary");
    if (!s) return box.append(el("p.muted", { text: t("meeting.nothingYet") })), box;
    if (s.title) box.append(el("strong", { text: s.title }));
    if (s.overview) box.append(el("p", { text: s.overview }));
    for (const [key, label] of [["decisions", t("history.decisions")], ["action_items", t("history.actionItems")],
      ["key_points", t("history.keyPoints")], ["open_questions", t("history.openQuestions")]]) {
      const items = Array.isArray(s[key]) ? s[key].map(itemText).filter(Boolean) : [];
      if (items.length) box.append(el("h3", { text: label }), el("ul", {}, items.map((t) => el("li", { text: t }))));
    }
    if (!box.childNodes.length) box.append(el("p.muted", { text: t("meeting.nothingYet") }));
    return box;
  }

  /* The live view of a running meeting: transcript, summary, suggestions, chat. */
  function liveView(view, st, mine, title) {
    const id = st.meeting.session_id;
    const heading = el("h1", { text: title || t("nav.meeting") });
    if (!title) api("GET", `/api/sessions/${id}`).then((m) => { heading.textContent = m.title; }, () => {});
    /* stopEstimate: the stop's last fold, {at, ms} from its status event; stopCancelled:
     * this page cancelled the stop (the meeting closes, resumable, with no summary) */
    let lastHeard = Date.now(), quietTimer = null, stopTimer = null, stopDetail = "", stopEstimate = null, stopCancelled = false;
    const status = el("p.muted#live-status", { role: "status", text: mine ? t("meeting.listening") : "" });
    const transcript = el("div.transcript#transcript", { "aria-live": "polite" });
    const partial = el("div.seg.partial", {}, el("span.t", { text: "" }), el("span.muted", { text: "" }));
    const summary = el("div#summary-box", {}, summaryView(null));
    const suggestions = el("ul.list#suggestions");
    const toggle = el("input#suggest-toggle", { type: "checkbox", checked: st.suggestions });
    const suggestNow = el("button#suggest-now", { type: "button", disabled: !st.meeting.analysis }, t("meeting.suggestNow"));
    const chatLog = el("div.chat#chat-log");
    const q = el("input#chat-q", { type: "text", placeholder: t("meeting.askPlaceholder"), maxlength: 2000,
      disabled: !st.meeting.analysis, autocomplete: "off" });
    const chatForm = el("form.row#chat-form", {}, el("label.grow", { for: "chat-q" }, q),
      el("button", { type: "submit", disabled: !st.meeting.analysis }, t("meeting.ask")));
    const stop = el("button.danger#stop", { type: "button" }, mine ? t("meeting.stop") : t("meeting.stopOther"));
    const answers = new Map();
    let es = null;

    /* The meeting is over: every control that needs it goes, the summary shows once (in
     * its panel) with the notes under it, and the status line says so. */
    let ended = false;
    const finished = (title, summaryData, ...body) => {
      if (ended) return;
      ended = true;
      if (es) es.close();
      clearInterval(quietTimer); clearInterval(stopTimer);
      if (cap && cap.session === id) { stopTracks(cap); cap = null; }
      for (const c of [stop, q, toggle, suggestNow, chatForm.querySelector("button")]) c.disabled = true;
      status.classList.remove("quiet");
      status.textContent = summaryData !== undefined ? t("meeting.endedStatus") : "";
      if (!transcript.querySelector(".seg:not(.partial)")) { partial.remove(); transcript.append(el("p.muted", { text: t("meeting.noSpeechAtAll") })); }
      view.querySelector("#meeting-state").replaceChildren(el("div.card#meeting-ended", { role: "status" },
        el("strong", { text: title }), ...body,
        el("p", {}, el("a#open-history", { href: `#/history/${id}` }, t("meeting.openHistory")))));
      if (summaryData === undefined) return;
      summaryTitle.textContent = t("history.summary");
      summary.replaceChildren(summaryData ? summaryView(summaryData) : el("div.card.live-summary", {}, el("p.muted", { text: t("meeting.nothingSaid") })));
      api("GET", `/api/sessions/${id}`).then((m) => {
        let notes = null;
        for (const a of m.artifacts) if (a.kind === "notes" && (!notes || a.created_ms >= notes.created_ms)) notes = a;
        const j = notes && notes.json && typeof notes.json === "object" ? notes.json : null;
        summary.after(el("h2", { text: t("history.notes") }), el("div.card#live-notes", {}, j && j.sections && j.sections.length
          ? j.sections.map((sec) => [el("h3", { text: sec.topic }), el("ul", {}, (sec.bullets || []).map((b) => el("li", { text: b.text })))])
          : el("p.muted", { text: t("meeting.noNotes") })));
      }, () => {});
    };

    const resumeButton = (resumable) => resumable ? el("button.primary#resume-closed", { type: "button", onclick: () => {
      location.hash = "#/meeting"; resumeAsked = id; tacit.route(); } }, t("meeting.resume")) : null;
    /* a cancelled stop: what is kept, and the two ways on */
    const cancelledState = () => finished(t("meeting.stopCancelled"), undefined, el("p", { text: t("meeting.stopCancelledBody") }), resumeButton(true));

    toggle.addEventListener("change", async () => {
      try {
        const r = await api("POST", "/api/meeting/suggestions", { on: toggle.checked });
        if (r.notice) notice(r.notice);
      } catch (e) { toggle.checked = !toggle.checked; tacit.notice(e.message, true); }
    });
    suggestNow.addEventListener("click", () => api("POST", "/api/meeting/suggest", {}).then(
      () => { status.textContent = t("meeting.thinking"); }, (e) => tacit.notice(e.message, true)));
    chatForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const text = q.value.trim();
      if (!text) return;
      const ans = el("div.answer", { text: "…" });
      chatLog.append(el("div.user", { text: text }), ans);
      q.value = "";
      try {
        const r = await api("POST", "/api/meeting/chat", { question: text });
        const a = answers.get(r.request) || { raw: "" };
        a.el = ans; answers.set(r.request, a);
        if (a.done) ans.textContent = a.done; else if (a.raw) ans.textContent = tacit.partialAnswer(a.raw) || "…";
      } catch (e) { ans.textContent = e.message; ans.className = "error"; }
    });
    stop.addEventListener("click", async () => {
      stop.disabled = true;
      clearInterval(quietTimer);
      const t0 = Date.now();
      /* the elapsed time, and what the meeting last said it was doing */
      const tick = () => {
        let text = t("meeting.finishing", { time: tacit.clock(Date.now() - t0) }) + (stopDetail ? ` (${stopDetail})` : "");
        if (stopEstimate) {
          const left = Math.ceil((stopEstimate.ms - (Date.now() - stopEstimate.at)) / 1000);
          text += " · " + (left > 0 ? t("meeting.stopLeft", { time: tacit.clock(left * 1000) }) : t("meeting.stopLonger"));
        }
        status.textContent = text;
      };
      tick();
      stopTimer = setInterval(tick, 1000);
      /* the stop goes on in the server whatever this page does; only the tab's closing
       * (pagehide) would abort it, so the background mode lets go of the capture first */
      const bg = el("button#finish-background", { type: "button", onclick: () => {
        if (cap && cap.session === id) { stopTracks(cap); cap = null; }
        tacit.notice(t("meeting.backgroundNote"));
        location.hash = "#/history";
      } }, t("meeting.background"));
      /* Cancel: no summary now; the meeting closes with its transcript and audio kept,
       * resumable, and its summary can be generated from History */
      const cancel = el("button#stop-cancel", { type: "button", onclick: async () => {
        cancel.disabled = true;
        stopCancelled = true;
        try { await api("POST", "/api/meeting/close"); } catch (e) { stopCancelled = false; cancel.disabled = false; tacit.notice(e.message, true); }
      } }, t("meeting.stopCancel"));
      stop.after(bg, cancel);
      if (cap && cap.session === id) {
        /* a local name: "Finish in the background" may set cap to null while this waits */
        const c = cap;
        c.stopping = true; /* late worklet messages are dropped: the meeting takes no more audio */
        stopTracks(c);
        while (c.sending) await new Promise((r) => setTimeout(r, 50));
        await pump(c);
      }
      try {
        const r = await api("POST", "/api/meeting/stop");
        bg.remove(); cancel.remove();
        finished(t("meeting.ended"), r.summary || null);
      } catch (e) {
        clearInterval(stopTimer); bg.remove(); cancel.remove();
        if (stopCancelled) { cancelledState(); return; } /* the stop failed because it was cancelled: not an error */
        status.textContent = ""; tacit.notice(e.message, true); stop.disabled = false;
      }
    });
    if (mine && cap) cap.onfail = (msg) => tacit.notice(msg, true);

    /* what the microphone hears: a level per channel, the meeting's time and how far the
     * transcript is behind, from the server's "meter" events (about one a second) */
    const levels = el("span.row#live-levels");
    const elapsed = el("span#live-elapsed", { text: tacit.clock(0) });
    const lag = el("span.muted#live-lag");
    const meter = (s) => {
      elapsed.textContent = tacit.clock((s.audio || 0) * 1000);
      lag.textContent = t("meeting.lag", { s: tacit.number(s.lag || 0, 1) }) +
        (tacit.has("meeting.model." + s.text) ? " · " + t("meeting.model." + s.text) : "");
      const chans = s.levels || [];
      chans.forEach((lv, i) => {
        let m = levels.children[i] && levels.children[i].querySelector("meter");
        if (!m) {
          const who = i ? t("meeting.them") : t("meeting.me"); /* channel 0 is the microphone */
          m = el("meter", { min: -60, max: 0, low: -45, high: -6, optimum: -20, value: -60,
            "aria-label": t("meeting.level", { who }) });
          levels.append(el("label", {}, who + " ", m));
        }
        const db = Math.max(-60, Math.min(0, lv.rms_dbfs));
        m.value = db;
        m.setAttribute("aria-valuetext", `${tacit.number(lv.rms_dbfs, 0)} dBFS`);
      });
    };

    const heard = () => { lastHeard = Date.now(); if (status.classList.contains("quiet")) { status.classList.remove("quiet"); status.textContent = ""; } };
    if (mine) quietTimer = setInterval(() => {
      if (!view.isConnected || ended) { clearInterval(quietTimer); return; }
      const secs = Math.floor((Date.now() - lastHeard) / 1000);
      if (secs < quietAfter) return;
      status.classList.add("quiet");
      status.textContent = t("meeting.noSpeech", { s: secs }) + " " + (cap && cap.peak !== undefined && cap.peak < 0.002 ? t("meeting.silentMic") : t("meeting.quietMic"));
    }, 1000);
    /* a final line's speaker, by segment number: "speaker" events label it (and revise
     * it) seconds after it shows */
    const whoOf = new Map();
    const seg = (s) => {
      const who = el("span.who", { text: s.speaker || "" });
      if (s.segment) whoOf.set(s.segment, who);
      return el("div.seg", {}, el("span.t", { text: tacit.clock(s.start * 1000) }), el("span", {}, who, s.text));
    };
    es = tacit.stream("/api/meeting/events", {
      partial: (s) => { heard(); partial.firstChild.textContent = tacit.clock(s.start * 1000); partial.lastChild.textContent = s.text;
        transcript.append(partial); },
      final: (s) => { heard(); partial.remove(); transcript.append(seg(s)); transcript.scrollTop = transcript.scrollHeight; },
      speaker: (s) => {
        const who = whoOf.get(s.segment);
        if (!who) return;
        who.textContent = s.speaker;
        if (s.data && s.data.revised && s.text) who.title = t("meeting.speakerWas", { was: s.text });
      },
      summary: (s) => summary.replaceChildren(summaryView(s.data)),
      suggestion: (s) => {
        const list = (s.data && s.data.suggestions) || [];
        suggestions.prepend(...list.map((x) => el("li", {}, el("span.badge", { text: tacit.has("suggestion." + x.kind) ? t("suggestion." + x.kind) : x.kind || t("suggestion.idea") }), " ", x.text)));
        status.textContent = "";
      },
      answer_delta: (s) => {
        const a = answers.get(s.request) || { raw: "" };
        a.raw += s.text; answers.set(s.request, a);
        if (a.el) a.el.textContent = tacit.partialAnswer(a.raw) || "…";
      },
      answer: (s) => {
        const a = answers.get(s.request) || { raw: "" };
        a.done = (s.data && s.data.answer) || s.text || t("meeting.noAnswer"); answers.set(s.request, a);
        if (a.el) a.el.textContent = a.done;
      },
      status: (s) => {
        if (ended) return;
        if (!stopTimer) { status.textContent = tacit.webText(s.text); return; }
        stopDetail = tacit.webText(s.text).replace(/, about \d+ s$/, ""); /* the estimate is counted down instead */
        if (s.data && s.data.estimate_ms > 0) stopEstimate = { at: Date.now(), ms: s.data.estimate_ms };
      },
      meter: (s) => { if (!ended) meter(s); },
      warning: (s) => { status.textContent = t("meeting.warning", { text: tacit.webText(s.text) }); },
      stopped: (s) => finished(t("meeting.ended"), (s.data && s.data.summary) || null),
      closed: (s) => stopCancelled ? cancelledState() : finished(s.resumable ? t("meeting.closedResumable") : t("meeting.ended"), undefined,
        el("p", { text: tacit.webText(s.text) }), resumeButton(s.resumable)),
    });

    const summaryTitle = el("h2", { text: t("meeting.summarySoFar") });
    view.replaceChildren(heading,
      el("div#meeting-state", {}, el("div.row", {}, stop, el("span", { text: t("meeting.number", { id: String(id) }) }),
        mine ? el("span.badge.rec", { text: cap.channels === 2 ? t("meeting.recordingBoth") : t("meeting.recordingMe") })
          : el("span.muted", { text: t("meeting.elsewhere") }),
        st.meeting.analysis ? "" : el("span.muted", { text: t("meeting.transcriptOnly") }),
        st.meeting.engines ? el("span.muted#live-where", { text: tacit.whereText(st.meeting.analysis ? st.meeting.engines
          : { asr: st.meeting.engines.asr }) }) : null)),
      status,
      el("div.row#live-meter", {}, elapsed, levels, lag),
      el("div.cols", {},
        el("section", {}, el("h2", { text: t("history.transcript") }), transcript),
        el("section", {}, summaryTitle, summary,
          el("div.live-only", {}, el("h2", { text: t("meeting.suggestions") }),
            el("div.row", {}, el("label", { for: "suggest-toggle" }, toggle, " " + t("meeting.autoSuggestions")), suggestNow),
            suggestions,
            el("h2", { text: t("meeting.ask") }), chatLog, chatForm))));
  }

  /* The one-time guidance when automatic suggestions are turned on. */
  function notice(text) {
    const ok = el("button.primary", { type: "button" }, t("meeting.ok"));
    const d = el("dialog#suggest-notice", { "aria-labelledby": "suggest-notice-title" },
      el("h2#suggest-notice-title", { text: t("meeting.autoSuggestions") }), el("p", { text: text }), el("div.row", {}, ok));
    ok.addEventListener("click", () => d.close());
    d.addEventListener("close", () => d.remove());
    document.body.append(d);
    d.showModal();
  }

  /* A sentence with links: "Download them on the [models:Models] page" — the catalogue
   * places each link and words its text, the code gives its target. */
  function link(text, targets) {
    return text.split(/\[(\w+):([^\]]*)\]/).map((p, i, a) => i % 3 === 0 ? p
      : i % 3 === 1 ? el("a", { href: targets[p] }, a[i + 1]) : null).filter((p) => p !== null && p !== "");
  }

  async function missingModels(view, st) {
    const rows = [["asr", t("meeting.asrModel")], ["vad", t("meeting.vadModel")], ["llm", t("meeting.llmModel")]]
      .map(([k, label]) => el("li", {}, el("strong", { text: label + ": " }),
        st.models[k].missing ? el("span.v-none", { text: tacit.webText(st.models[k].missing) }) : el("span", { text: st.models[k].name })));
    view.replaceChildren(el("h1", { text: t("nav.meeting") }),
      el("div.blocking.unavailable", { role: "status" }, el("strong", { text: t("meeting.needsModels") }),
        el("ul", {}, rows),
        el("p", {}, link(t("meeting.downloadThem"), { models: "#/models", settings: "#/settings" }))),
      el("p", {}, link(t("meeting.meanwhile"), { history: "#/history" })));
    /* the first-run card: the same picks as the Models page's Recommended, in one click */
    const first = await tacit.setupCard(() => tacit.route()).catch(() => null);
    if (first && view.isConnected) view.querySelector("h1").after(first);
  }

  tacit.pages.meeting = async function render(view) {
    const st = await api("GET", "/api/meeting");
    if (st.meeting && st.meeting.phase === "running") return liveView(view, st, !!(cap && cap.session === st.meeting.session_id));
    if (st.meeting) {
      /* starting, stopping or closing: say so and look again until it settles */
      const id = st.meeting.session_id;
      const line = el("p.card#meeting-busy", { role: "status", text: st.meeting.phase === "stopping" ? t("meeting.stopping", { id: String(id) })
        : t(st.meeting.phase === "starting" ? "meeting.starting" : "meeting.closing", { id: String(id) }) });
      view.replaceChildren(el("h1", { text: t("nav.meeting") }), line);
      const poll = setInterval(async () => {
        if (!line.isConnected) { clearInterval(poll); return; }
        try {
          const now = await api("GET", "/api/meeting");
          if (!now.meeting || now.meeting.phase === "running") { clearInterval(poll); render(view); }
        } catch (e) { /* the server may be busy: look again */ }
      }, 2000);
      return;
    }
    if (cap) { stopTracks(cap); cap = null; }
    if (!st.available) return missingModels(view, st);

    const title = el("input#meeting-title", { type: "text", placeholder: t("meeting.titlePlaceholder"), maxlength: 200 });
    const both = el("input#both", { type: "checkbox" });
    const partials = el("input#partials", { type: "checkbox", checked: true });
    const start = el("button.primary#start", { type: "button" }, t("meeting.start"));
    /* the summary template the meeting is folded with, as `tacit live --template` ("": the device's default) */
    const template = el("select#live-template", {}, el("option", { value: "" }, t("history.templateDefault")));
    if (!st.models.llm.missing) api("GET", "/api/templates").then((list) => template.append(...list.filter((x) => !x.error).map((x) =>
      el("option", { value: x.name, title: x.description }, x.name))), () => {});
    const begin = async (resume) => {
      start.disabled = true;
      const channels = both.checked ? 2 : 1;
      let c = null;
      try {
        c = await capture(channels);
        const body = { channels, partials: partials.checked };
        if (resume) body.resume = resume; else if (title.value.trim()) body.title = title.value.trim();
        if (!resume && template.value) body.template = template.value;
        tacit.notice(t("meeting.loadingModels"));
        const r = await api("POST", "/api/meeting/start", body);
        cap = Object.assign(c, { session: r.session_id, channels, queue: [], sending: false });
        c.node.port.onmessage = (ev) => { if (cap === c && !c.stopping) { c.queue.push(ev.data); pump(c); } };
        tacit.notice("");
        liveView(view, { meeting: { session_id: r.session_id, analysis: r.analysis, engines: r.engines, phase: "running" },
          suggestions: st.suggestions }, true, resume ? null : title.value.trim() || null);
      } catch (e) {
        if (c) stopTracks(c);
        start.disabled = false;
        tacit.notice(e.name === "NotAllowedError" ? t("meeting.micRefused")
          : e.message, true);
      }
    };
    start.addEventListener("click", () => begin(0));
    if (resumeAsked) { const r = resumeAsked; resumeAsked = 0; if (st.resumable.some((m) => m.id === r)) begin(r); }
    const resumable = st.resumable.length ? el("section", {}, el("h2", { text: t("meeting.unfinished") }),
      el("ul.list", {}, st.resumable.map((s) => {
        const b = el("button", { type: "button" }, t("meeting.resume"));
        b.addEventListener("click", () => begin(s.id));
        return el("li.row", {}, el("span.grow", {}, el("a", { href: `#/history/${s.id}` }, s.title), " ",
          el("span.muted", { text: `${t("history.segments", { n: s.n_segments })}, ${tacit.date(s.started_ms)}` })), b);
      }))) : "";
    view.replaceChildren(el("h1", { text: t("nav.meeting") }),
      el("div.card", {}, el("div.row", {}, el("label.grow", { for: "meeting-title" }, title), start),
        el("div", {}, el("label", { for: "mic" }, t("meeting.mic") + " ", micPicker())),
        el("div", {}, el("label", { for: "both" }, both, " " + t("meeting.both"))),
        el("div", {}, el("label", { for: "partials" }, partials, " " + t("meeting.partials"))),
        st.models.llm.missing ? "" : el("div", {}, el("label", { for: "live-template" }, t("history.template") + " "), template),
        st.models.llm.missing ? el("p.muted", { text: t("meeting.noLlm") + " " + tacit.webText(st.models.llm.missing) }) : "",
        el("p.muted#meeting-privacy", { text: privacy(st) })),
      resumable);
  };

  /* Where the audio and the transcript of a meeting started now would go */
  function privacy(st) {
    const llm = st.language_model_runs && st.language_model_runs !== "this device";
    const asr = st.engines && st.engines.asr !== "local" ? st.engines.asr : null;
    if (asr) return llm ? t("meeting.remoteBoth", { host: asr, where: st.language_model_runs }) : t("meeting.remoteSpeech", { host: asr });
    return llm ? t("meeting.remote", { where: st.language_model_runs }) : t("meeting.local");
  }

  /* Leaving the app: the server closes the meeting for real (it stays resumable). */
  window.addEventListener("pagehide", () => { if (cap) navigator.sendBeacon("/api/meeting/close"); });
})();
