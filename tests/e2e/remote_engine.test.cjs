// Where work runs, in headless Chromium (run by tests/integration/serve_remote_engine.sh).
// argv: the one-time URL, the screenshot folder; env PHASE (speech: engine.asr is the
// speech server on 127.0.0.1:PORT; both: engine.llm too; local: neither), VAD (Silero),
// JFK (the fake microphone's WAV). Exits 1 with the failures listed.
"use strict";
const [url, shots] = process.argv.slice(2);
const harness = require("./harness.cjs");
const HOST = "127.0.0.1:" + process.env.PORT, PHASE = process.env.PHASE;

(async () => {
  const { page, check, shot, run } = await harness.open(shots, null, ["--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${process.env.JFK}`]);
  const T = { timeout: 15000 };
  const header = async () => (await page.textContent("header span.local")).trim();

  await run("remote-engine-" + PHASE, async () => {
    await page.goto(url);
    await page.waitForSelector("nav", T);
    if (PHASE === "local") {
      await page.waitForTimeout(500); // the header asks /api/meeting after the page is drawn
      check(await header() === "on this device only", "header with local engines: " + await header());
      return;
    }
    const want = PHASE === "both" ? `speech and summaries on ${HOST}` : `speech on ${HOST} · summaries on this device`;
    await page.waitForFunction((w) => document.querySelector("header span.local").textContent.trim() === w, want, T)
      .catch(() => {});
    check(await header() === want, `header: ${JSON.stringify(await header())}, wanted ${JSON.stringify(want)}`);
    check((await page.getAttribute("header span.local", "title")).includes(HOST), "the header's title does not name the host");
    if (PHASE === "both") { await shot("where-both-remote"); return; }

    // ---- the Meeting page: the audio goes to the speech server; Start needs no whisper model
    const put = await page.evaluate(async (vad) => {
      const r = await fetch("/api/settings", { method: "PUT", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ "model.vad": vad }) });
      return r.status + " " + (await r.text()).slice(0, 300);
    }, process.env.VAD);
    check(put.startsWith("200"), "the VAD model could not be set: " + put);
    await page.goto(new URL("/#/meeting", url).href);
    await page.waitForSelector("#start", T);
    const privacy = (await page.textContent("#meeting-privacy")).trim();
    check(privacy === `Audio goes to the speech server ${HOST} to be transcribed; the transcript stays on this device.`,
      "Meeting page: " + privacy);
    await page.uncheck("#partials");
    await shot("where-meeting-start");

    // ---- a live meeting: the page says where its speech goes, and the lines come from there
    await page.click("#start");
    await page.waitForSelector("#live-where", T);
    check((await page.textContent("#live-where")).trim() === `speech on ${HOST}`, "live page: " + await page.textContent("#live-where"));
    await page.waitForFunction(() => /Hello from the server\./.test(document.querySelector("#transcript").textContent), null,
      { timeout: 120000 });
    await shot("where-live-remote-speech");
    await page.click("#stop");
    await page.waitForFunction(() => !document.querySelector("#live-where") || document.querySelector("#stop").disabled, null,
      { timeout: 60000 }).catch(() => {});
  });
})();
