/* The meeting's recording, played in step with its transcript: the chunks the server
 * lists (/api/sessions/ID/audio, consecutive on the meeting's timeline) are played one
 * after another with byte-range requests, a line or a citation plays from its time, the
 * line being heard is highlighted, with playback speed, keyboard control (space, ←/→
 * five seconds, Shift+←/→ a line) and, for a two-channel meeting, both channels or one. */
"use strict";
(function () {
  const { el } = tacit;

  const t = tacit.t;

  /* chunks: the server's list; segs: the transcript's {start_ms, end_ms} in order; rows:
   * their elements. Returns null when there is nothing to play, else {card, seek(ms)}. */
  tacit.player = function (chunks, segs, rows) {
    chunks = (chunks || []).filter((c) => c.duration_ms > 0);
    if (!chunks.length) return null;
    const audio = el("audio", { controls: true, preload: "metadata", "aria-label": t("player.title") });
    let cur = -1, pending = null, playing = -1;
    const load = (i) => { if (i !== cur) { cur = i; audio.src = chunks[i].url; } };
    load(0);
    /* the meeting time now, in ms */
    const now = () => chunks[cur].start_ms + audio.currentTime * 1000;
    function seek(ms, play = true) {
      let i = chunks.findIndex((c) => ms < c.start_ms + c.duration_ms);
      if (i < 0) i = chunks.length - 1;
      const at = Math.max(0, (ms - chunks[i].start_ms) / 1000);
      if (i !== cur) {
        load(i);
        pending = at; /* set once the new chunk's metadata is in */
      } else audio.currentTime = at;
      if (play) audio.play().catch(() => {});
    }
    audio.addEventListener("loadedmetadata", () => {
      if (pending !== null) { audio.currentTime = pending; pending = null; }
    });
    audio.addEventListener("ended", () => { if (cur + 1 < chunks.length) { load(cur + 1); audio.play().catch(() => {}); } });
    audio.addEventListener("error", () => tacit.notice(t("player.missing"), true));
    audio.addEventListener("timeupdate", () => {
      const t = now();
      let k = -1;
      for (let i = 0; i < segs.length && segs[i].start_ms <= t; i++) k = i;
      if (k === playing) return;
      if (playing >= 0) rows[playing].classList.remove("playing");
      playing = k;
      if (k >= 0) {
        rows[k].classList.add("playing");
        if (!audio.paused) rows[k].scrollIntoView({ block: "nearest" });
      }
    });
    const speed = el("select", { "aria-label": t("player.speed"), onchange: () => { audio.playbackRate = Number(speed.value); } },
      [0.75, 1, 1.25, 1.5, 2].map((r) => el("option", { value: r, selected: r === 1, text: tacit.number(r) + "×" })));
    const controls = [el("label.row", {}, el("span.muted", { text: t("player.speed") }), speed)];
    if (chunks.some((c) => c.channels === 2)) {
      /* both channels as recorded (Me left, Them right), or one of them in both ears */
      let gains = null;
      const pick = el("select", { "aria-label": t("player.channels"), onchange: () => {
        if (!gains) {
          const ctx = new AudioContext(), src = ctx.createMediaElementSource(audio);
          const split = ctx.createChannelSplitter(2), merge = ctx.createChannelMerger(2);
          src.connect(split);
          gains = [0, 1, 2, 3].map(() => ctx.createGain());
          /* gains[0..1]: channel 0 to left, right; gains[2..3]: channel 1 to left, right */
          split.connect(gains[0], 0); split.connect(gains[1], 0); split.connect(gains[2], 1); split.connect(gains[3], 1);
          gains[0].connect(merge, 0, 0); gains[1].connect(merge, 0, 1); gains[2].connect(merge, 0, 0); gains[3].connect(merge, 0, 1);
          merge.connect(ctx.destination);
        }
        const g = { both: [1, 0, 0, 1], me: [1, 1, 0, 0], them: [0, 0, 1, 1] }[pick.value];
        gains.forEach((n, i) => { n.gain.value = g[i]; });
      } }, ["both", "me", "them"].map((v) => el("option", { value: v, text: t("player." + v) })));
      controls.push(el("label.row", {}, el("span.muted", { text: t("player.channels") }), pick));
    }
    rows.forEach((row, i) => {
      const time = row.querySelector(".t");
      const b = el("button.t.play", { type: "button", "aria-label": t("player.playFrom", { time: time.textContent }),
        onclick: (e) => { e.stopPropagation(); seek(segs[i].start_ms); } }, time.textContent);
      time.replaceWith(b);
      row.classList.add("playable");
      row.addEventListener("click", (e) => { if (!e.target.closest("a, button")) seek(segs[i].start_ms); });
    });
    const card = el("section.card.player", { id: "player" }, el("h2", { text: t("player.title") }), audio,
      el("div.row", {}, controls), el("p.muted.keys", { text: t("player.keys") }));
    /* keys anywhere on the page but in a field or on a control that takes them itself */
    function onKey(e) {
      if (!card.isConnected) { document.removeEventListener("keydown", onKey); return; }
      if (e.target.closest("input, textarea, select, button, audio, a, [contenteditable]") || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === " ") { e.preventDefault(); audio.paused ? audio.play().catch(() => {}) : audio.pause(); }
      else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        const fwd = e.key === "ArrowRight";
        if (e.shiftKey) {
          const k = Math.min(segs.length - 1, Math.max(0, playing + (fwd ? 1 : -1)));
          if (segs[k]) seek(segs[k].start_ms, !audio.paused);
        } else seek(Math.max(0, now() + (fwd ? 5000 : -5000)), !audio.paused);
      }
    }
    document.addEventListener("keydown", onKey);
    return { card, seek, audio };
  };
})();
