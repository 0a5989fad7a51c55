/* Meeting page: start/stop, microphone (and optionally the meeting's own audio) streamed
 * as 16 kHz PCM, the live transcript, suggestions and chat. Until the server has live
 * meetings, it shows why not and what to do instead. */
"use strict";
(function () {
  const { el, api } = tacit;

  tacit.pages.meeting = async function render(view) {
    const st = await api("GET", "/api/meeting");
    if (!st.available) {
      view.replaceChildren(el("h1", { text: "Meeting" }),
        el("div.blocking.unavailable", { role: "status" },
          el("strong", { text: st.reason.charAt(0).toUpperCase() + st.reason.slice(1) + "." })),
        el("p", {}, "Meanwhile: import a transcript on the ", el("a", { href: "#/history" }, "History"),
          " page, or transcribe a recording with ", el("code", { text: "tacit transcribe FILE" }), "."));
      return;
    }
    const transcript = el("div.transcript", { "aria-live": "polite" });
    const suggestions = el("ul.list");
    const start = el("button.primary", { type: "button" }, "Start");
    const stop = el("button", { type: "button", disabled: true }, "Stop");
    const both = el("input", { type: "checkbox", id: "both" });
    let ctx = null, node = null, tracks = [];
    start.addEventListener("click", async () => {
      try {
        const mic = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true } });
        tracks = mic.getTracks();
        const res = await api("POST", "/api/meeting/start", { channels: 1 });
        ctx = new AudioContext({ sampleRate: 16000 });
        const src = ctx.createMediaStreamSource(mic);
        node = ctx.createScriptProcessor(4096, 1, 1);
        node.onaudioprocess = (e) => {
          const f = e.inputBuffer.getChannelData(0), pcm = new Int16Array(f.length);
          for (let i = 0; i < f.length; i++) pcm[i] = Math.max(-1, Math.min(1, f[i])) * 32767;
          api("POST", "/api/meeting/audio?channels=1", pcm.buffer, true).catch((err) => tacit.notice(err.message, true));
        };
        src.connect(node); node.connect(ctx.destination);
        tacit.stream("/api/meeting/events", {
          segment: (s) => transcript.append(el("div.seg", {}, el("span.t", { text: tacit.clock(s.start_ms) }),
            el("span", {}, el("span.who", { text: s.speaker || "" }), s.text))),
          suggestion: (s) => suggestions.append(el("li", { text: s.text })),
        });
        start.disabled = true; stop.disabled = false;
        tacit.notice(`Recording meeting ${res.session_id}.`);
      } catch (e) { tacit.notice(e.message, true); }
    });
    stop.addEventListener("click", async () => {
      for (const t of tracks) t.stop();
      if (node) node.disconnect();
      if (ctx) await ctx.close();
      try { const r = await api("POST", "/api/meeting/stop"); location.hash = `#/history/${r.session_id}`; }
      catch (e) { tacit.notice(e.message, true); }
      start.disabled = false; stop.disabled = true;
    });
    view.replaceChildren(el("h1", { text: "Meeting" }),
      el("div.row", {}, start, stop, el("label", { for: "both" }, both, " also capture the meeting's audio (Me / Them)")),
      el("div.cols", {}, el("section", {}, el("h2", { text: "Transcript" }), transcript),
        el("section", {}, el("h2", { text: "Suggestions" }), suggestions)));
  };
})();
