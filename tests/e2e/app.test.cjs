// tacit serve end to end in headless Chromium (run by tests/integration/serve_e2e.sh).
// argv: the one-time URL, the screenshot folder. Exits 1 with the failures listed.
"use strict";
const fs = require("fs");
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const [url, shots] = process.argv.slice(2);
// the live part: models for the server and the spoken meeting Chromium's fake microphone plays
const live = process.env.LIVE_WAV && process.env.LIVE_ASR && process.env.LIVE_VAD && process.env.LIVE_LLM;
const failures = [];
const check = (cond, what) => { if (!cond) failures.push(what); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required",
      ...(live ? [`--use-file-for-fake-audio-capture=${process.env.LIVE_WAV}`] : [])],
  });
  /* English, whatever the machine's language: the checks read English text */
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: "en-US" });
  const problems = [];
  let refusalExpected = null; // a regexp: Chromium logs an HTTP error a step provokes on purpose
  page.on("console", (m) => {
    if (m.type() === "error" && !(refusalExpected && refusalExpected.test(m.text()))) problems.push("console: " + m.text());
  });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  const T = { timeout: 15000 };
  const SLOW = { timeout: 300000 }; // random-weight whisper on a loaded 2-core machine

  // Start a meeting with the fake microphone, see segments arrive live, turn suggestions
  // on (the one-time notice) and off, ask a question, stop, find the meeting in History.
  async function liveMeeting() {
    const status = await page.evaluate(async (s) => {
      const r = await fetch("/api/settings", { method: "PUT", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(s) });
      return r.status + " " + (await r.text()).slice(0, 300);
    }, { "model.asr": process.env.LIVE_ASR, "model.vad": process.env.LIVE_VAD, "model.llm": process.env.LIVE_LLM,
      "live.max_tokens": "320", "live.window_tokens": "200",
      "asr.fallback": "off" });
    check(status.startsWith("200"), "the live models could not be set: " + status);
    await page.reload();
    await page.waitForSelector("#start", T);
    await page.fill("#meeting-title", "Browser standup");
    // the microphone picker lists the browser's inputs (Chromium's fake device) and keeps the pick
    await page.waitForFunction(() => document.querySelectorAll("#mic option").length >= 2, null, T).catch(() => {});
    const mics = await page.$$eval("#mic option", (o) => o.map((x) => x.value));
    check(mics.length >= 2, "the microphone picker lists no input: " + JSON.stringify(mics));
    if (mics.length >= 2) {
      await page.selectOption("#mic", mics[1]);
      check(await page.evaluate(() => localStorage.getItem("tacit.mic")) === mics[1], "the picked microphone is not kept");
    }
    await page.uncheck("#partials");
    await shot("meeting-start");
    await page.click("#start");
    await page.waitForSelector("#stop", T);
    // the "meter" events: the microphone's level bar moves and the meeting's time advances
    await page.waitForSelector("#live-levels meter", T);
    const m0 = await page.evaluate(() => ({ v: document.querySelector("#live-levels meter").value,
      t: document.querySelector("#live-elapsed").textContent }));
    check(await page.$eval("#live-levels meter", (m) => (m.getAttribute("aria-label") || "").includes("input level")),
      "the level meter has no accessible name");
    await page.waitForFunction((m0) => document.querySelector("#live-levels meter").value !== m0.v &&
      document.querySelector("#live-elapsed").textContent !== m0.t, m0, T).catch(() => {});
    const m1 = await page.evaluate(() => ({ v: document.querySelector("#live-levels meter").value,
      t: document.querySelector("#live-elapsed").textContent, lag: document.querySelector("#live-lag").textContent }));
    check(m1.v !== m0.v, `the microphone's level bar does not move (${m0.v} dBFS, then ${m1.v})`);
    check(m1.t !== m0.t, `the meeting's elapsed time does not advance (${m0.t}, then ${m1.t})`);
    check(/^lag \d/.test(m1.lag), "the live page does not show the transcription lag: " + m1.lag);
    // axe-core on the running meeting (serve_a11y.sh sees no live meeting), light and dark
    if (process.env.AXE && fs.existsSync(process.env.AXE)) {
      await page.evaluate(fs.readFileSync(process.env.AXE, "utf8"));
      for (const theme of ["light", "dark"]) {
        const found = await page.evaluate(async (th) => {
          document.documentElement.dataset.theme = th;
          const r = await window.axe.run(document);
          return { passed: r.passes.length, violations: r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`) };
        }, theme);
        check(found.passed > 0 && found.violations.length === 0, `axe, the live meeting (${theme}): ${found.passed} rules passed; ${found.violations.join("; ")}`);
      }
      await page.evaluate(() => { delete document.documentElement.dataset.theme; });
    }
    // Chromium loops the file: stop soon after the first segment, or the random-weight
    // whisper has minutes of backlog to transcribe on a slow machine
    await page.waitForSelector("#transcript .seg:not(.partial)", SLOW);
    await page.fill("#chat-q", "What was decided?");
    await page.press("#chat-q", "Enter");
    await page.waitForSelector("#chat-log .answer", T);
    await shot("meeting-live");
    await page.check("#suggest-toggle");
    await page.waitForSelector("dialog#suggest-notice[open]", T);
    check((await page.textContent("dialog#suggest-notice")).includes("Automatic Suggestions run the AI continuously"),
      "the suggestions notice does not say what it costs");
    await shot("meeting-suggestions-notice");
    await page.click("dialog#suggest-notice button");
    await page.uncheck("#suggest-toggle");
    await page.click("#stop");
    await page.waitForSelector("#meeting-ended", SLOW);
    const ended = (await page.textContent("#summary-box .live-summary")) || ""; // shown once, in its panel
    check(await page.$$eval(".live-summary", (n) => n.length) === 1, "the ended meeting shows its summary twice");
    check(await page.isDisabled("#suggest-now").catch(() => true) && await page.isDisabled("#chat-q").catch(() => true), "Suggest or Ask stay enabled after the end");
    check(ended && !ended.includes("Nothing to summarise"), "stopping showed no summary: " + ended);
    const answer = await page.textContent("#chat-log .answer");
    check(answer && answer !== "…", "the question got no answer: " + answer);
    await shot("meeting-stopped");
    await page.click("#open-history");
    // the Meeting page has the same heading and a #transcript too: wait for History's own
    // Generate card (only the History page has one), then for its heading
    const shown = await page.waitForSelector("section.card.generate", T).then(() => page.waitForFunction(
      () => /Browser standup/.test((document.querySelector("h1") || {}).textContent), null, T)).then(() => true, () => false);
    check(shown, "History does not show the live meeting");
    await page.waitForSelector("#transcript .seg", T);
    const detail = await page.textContent("main");
    check(!detail.includes("[object") && detail.includes("Notes"), "the meeting's notes do not render");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 1200, `a long model answer makes the page scroll sideways (${width} px)`);
    await shot("meeting-in-history");
    // renaming asks for the title in a prompt and shows the new one at once
    page.once("dialog", (d) => d.accept("Browser standup (renamed)"));
    await page.click("#rename-meeting");
    const renamed = await page.waitForFunction(() => /\(renamed\)/.test((document.querySelector("h1") || {}).textContent),
      null, T).then(() => true, () => false);
    check(renamed, "renaming the meeting in History does not change its title");
    await page.goto(new URL("/#/history", url).href);
    await page.waitForSelector("#sessions li a", T);
    check((await page.textContent("#sessions")).includes("Browser standup"), "the History list lacks the live meeting");
  }
  // Across meetings, with the live models set: an mp3 uploaded on History shows its
  // upload and transcription progress and opens as a meeting; "Ask all meetings" answers
  // (streamed) with links that open a meeting at its line; an action item is marked done
  // on the Actions page, survives a reload, and is opened again.
  async function acrossMeetings() {
    await page.goto(new URL("/#/history", url).href);
    await page.waitForSelector("#import", T);
    await page.evaluate(() => {
      window.importSeen = [];
      const box = document.querySelector("#import-progress");
      new MutationObserver(() => window.importSeen.push(box.textContent)).observe(box, { childList: true, subtree: true, characterData: true });
    });
    await page.setInputFiles("#import", process.env.UPLOAD_MP3);
    await page.waitForSelector("#import-progress progress", T);
    await shot("history-import-progress");
    const opened = await page.waitForFunction(() => /JFK speech/.test((document.querySelector("h1") || {}).textContent), null, SLOW)
      .then(() => true, () => false);
    const seen = await page.evaluate(() => (window.importSeen || []).join(" | "));
    check(opened, "the uploaded mp3 did not open as a meeting: " + (await page.textContent("main")).slice(0, 300));
    check(/Uploading/.test(seen) && /Transcri/.test(seen), "the import showed no upload or transcription progress: " + seen.slice(0, 300));
    await shot("history-imported-recording");

    await page.goto(new URL("/#/history", url).href);
    await page.waitForSelector("#ask-all-q", T);
    await page.fill("#ask-all-q", "What did they say about the remote control design?");
    await page.press("#ask-all-q", "Enter");
    await page.waitForSelector("#ask-all-answer .answer:not([aria-busy]), #ask-all-answer .error", SLOW);
    const answer = await page.textContent("#ask-all-answer");
    check(!(await page.$("#ask-all-answer .error")), "ask all meetings failed: " + answer);
    await shot("history-ask-all");
    const link = await page.$("#ask-all-answer a[href^='#/history/1/S']");
    check(link, "the ask-all answer has no link into the meeting it read: " + answer);
    if (link) {
      await link.click();
      await page.waitForSelector("#transcript .seg.hit", T);
      check((await page.textContent("h1")).includes("ES2002a"), "the ask-all link did not open ES2002a");
      await shot("history-ask-all-opened");
    }

    await page.goto(new URL("/#/actions", url).href);
    // the live meeting's summary may hold items of its own: find ours by its text
    const ours = page.locator("#actions li[data-action]", { hasText: "Send the user requirements" });
    await ours.waitFor(T);
    const text = await ours.textContent();
    check(text.includes("Marketing") && text.includes("Friday") && text.includes("ES2002a"),
      "the action item lacks its owner, due date or meeting: " + text);
    check(await ours.locator("a[href^='#/history/1/S40']").count() === 1, "the action item does not link its meeting's line");
    await ours.locator("input[type=checkbox]").check();
    await page.waitForFunction(() => /Marked done/.test(document.querySelector("#actions").textContent), null, T);
    await shot("actions-done");
    await page.reload();
    await page.waitForSelector("#actions li, #actions p.empty", T);
    check(!(await page.textContent("#actions")).includes("Send the user requirements"), "a done item is still listed as open");
    await page.selectOption("#actions-filter", "0");
    await ours.locator("input:checked").waitFor(T);
    check(await ours.evaluate((li) => li.classList.contains("done")), "a done item is not shown as done");
    await ours.locator("input").uncheck();
    await page.waitForFunction(() => /Open again/.test(document.querySelector("#actions").textContent), null, T);
    await shot("actions-all");
  }
  // Custom models on the Models page: the empty state, a broken file's message shown as
  // the server wrote it, a GGUF added by its path with the keyboard (progress text while
  // it is checked), chosen in Settings, asked about a meeting in History with the answer
  // streamed token by token, then forgotten.
  async function customModels() {
    await page.goto(new URL("/#/models", url).href);
    await page.waitForSelector("#custom-empty", T);
    check((await page.textContent("#custom-empty")).includes("No custom models. Add a GGUF file you already have by its path."),
      "custom models: no clear empty state");
    await page.focus("#custom-path");
    await page.keyboard.type(process.env.CUSTOM_BAD);
    refusalExpected = /status of 422/;
    await page.keyboard.press("Enter");
    await page.waitForSelector("#custom-error .error", T);
    refusalExpected = null;
    const refused = await page.textContent("#custom-error");
    check(refused.includes("broken.gguf") && /GGUF/.test(refused), "a broken file's message is not shown: " + refused);
    await page.evaluate(() => {
      const s = document.querySelector("#custom-status");
      window.seenStatus = [];
      new MutationObserver(() => window.seenStatus.push(s.textContent)).observe(s, { childList: true, subtree: true, characterData: true });
    });
    await page.fill("#custom-path", process.env.CUSTOM_GGUF);
    await page.focus("#custom-name");
    await page.keyboard.type("tiny-stories");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#custom-models li[data-name="tiny-stories"]', SLOW);
    const seen = await page.evaluate(() => window.seenStatus.join(" | "));
    check(seen.includes("Checking the file"), "no progress text while the file was checked: " + seen);
    const card = await page.textContent('#custom-models li[data-name="tiny-stories"]');
    check(card.includes(process.env.CUSTOM_GGUF) && /Great fit|Tight fit|Won't fit/.test(card),
      "the custom model shows no path or verdict: " + card);
    check(!(await page.textContent("#custom-error")), "an error stayed after a good add");
    await page.locator("#custom").scrollIntoViewIfNeeded();
    await shot("models-custom");

    await page.goto(new URL("/#/settings", url).href);
    await page.waitForSelector("#set-model-llm", T);
    await page.selectOption("#set-model-llm", "tiny-stories");
    await page.click("form button[type=submit]");
    await page.waitForFunction(() => /saved/.test(document.getElementById("save-msg").textContent), null, T)
      .catch(() => check(false, "choosing the custom model was not saved (no confirmation next to Save)"));

    // a short meeting imported through the page, then a question answered as a stream
    await page.goto(new URL("/#/history", url).href);
    await page.waitForSelector("#import", T);
    await page.setInputFiles("#import", { name: "Launch review.txt", mimeType: "text/plain",
      buffer: Buffer.from("Alice: we ship the remote control in May\nBob: the budget is ten thousand euros\n") });
    await page.waitForFunction(() => /Launch review/.test((document.querySelector("h1") || {}).textContent), null, T);
    await page.evaluate(() => {
      window.chatUpdates = 0;
      new MutationObserver((l) => { window.chatUpdates += l.length; })
        .observe(document.querySelector(".chat"), { childList: true, subtree: true, characterData: true });
    });
    await page.fill("input[aria-label='Ask about this meeting']", "When do we ship?");
    await page.press("input[aria-label='Ask about this meeting']", "Enter");
    await page.waitForSelector(".chat p.answer:not([aria-busy]), .chat .error", SLOW);
    const chat = await page.textContent(".chat");
    check(!(await page.$(".chat .error")), "the streamed answer failed: " + chat);
    check(!chat.includes("#seg-") && !/null$/.test(chat.trim()), "the answer's citations render as text: " + chat);
    const updates = await page.evaluate(() => window.chatUpdates);
    check(updates > 3, `the answer did not arrive token by token (${updates} updates)`);
    await shot("history-chat-streamed");

    await page.goto(new URL("/#/models", url).href);
    await page.waitForSelector('#custom-models li[data-name="tiny-stories"]', T);
    // the model chosen in Settings is marked in use
    check((await page.textContent('#custom-models li[data-name="tiny-stories"] .badge.in-use').catch(() => "")) === "In use",
      "the custom model chosen in Settings is not marked in use");
    await shot("models-custom-in-use");
    await page.click("button[aria-label='Forget tiny-stories']");
    await page.waitForSelector("#custom-empty", T);
    check((await page.textContent("#custom-status")).includes("untouched"), "forget does not say the file stays");
  }

  try {
    // the one-time link: a cookie, then the token leaves the address bar
    await page.goto(url);
    await page.waitForSelector("#sessions li a", T);
    check(!page.url().includes("token="), "the token stayed in the address bar: " + page.url());
    check((await page.textContent("#sessions")).includes("ES2002a"), "History does not list the imported meeting");
    await shot("history");

    // search finds the meeting, and its hit opens the transcript at that segment
    await page.fill("#search", "remote control");
    await page.press("#search", "Enter");
    await page.waitForSelector(".hits li a", T);
    check((await page.textContent(".hits")).includes("ES2002a"), "search did not find the meeting");
    check(await page.$(".hits mark"), "search snippets mark no words");
    await shot("search");
    await page.click(".hits li a");
    await page.waitForSelector("#transcript .seg", T);
    const n = await page.$$eval("#transcript .seg", (s) => s.length);
    check(n > 100, `the transcript shows ${n} segments`);
    check(await page.$("#transcript .seg.hit"), "the search hit's segment is not highlighted");
    // the searched words are marked in the transcript, the current one in the hit's line
    check(/\bremote\b/.test(await page.inputValue("#find")) && /\bcontrol\b/.test(await page.inputValue("#find")),
      "find is not filled with the searched words: " + await page.inputValue("#find"));
    check(await page.$("#transcript .seg.hit mark.found.current"), "the hit's line has not the current match");
    check(/^\d+ of \d+$/.test(await page.textContent("#find-count")), "find's count: " + await page.textContent("#find-count"));
    check((await page.textContent("h1")).includes("ES2002a"), "the meeting page has no title");
    // Generate offers the summary templates (GET /api/templates)
    await page.waitForSelector("#gen-template option[value='lecture']", { ...T, state: "attached" })
      .catch(() => check(false, "the template select beside Generate lists no template"));
    await shot("meeting-detail");
    await page.setViewportSize({ width: 375, height: 800 });
    await shot("meeting-detail-narrow");
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 380, `at 375 px the page scrolls sideways (${wide} px wide)`);
    await page.setViewportSize({ width: 1200, height: 900 });

    // the picker renders verdicts (or, on a machine where nothing fits, the reason)
    await page.goto(new URL("/#/models", url).href);
    await page.waitForSelector(".picker .model, .blocking", T);
    const models = await page.textContent("main");
    check(/Great fit|Tight fit|Won't fit|No language model can run well/.test(models), "no fit verdict on Models");
    check(/RAM at load/.test(models) || (await page.$(".blocking")), "no RAM figures on Models");
    await shot("models");

    // settings save through the API and come back
    await page.goto(new URL("/#/settings", url).href);
    await page.waitForSelector("#set-output-language", T);
    await page.fill("#set-output-language", "en");
    await page.click("form button[type=submit]");
    await page.waitForFunction(() => /saved/.test(document.getElementById("save-msg").textContent), null, T)
      .catch(() => check(false, "settings were not saved (no confirmation next to Save)"));
    await page.reload();
    await page.waitForSelector("#set-output-language", T);
    check((await page.inputValue("#set-output-language")) === "en", "the saved setting did not come back");
    await shot("settings");

    if (process.env.CUSTOM_GGUF) await customModels();
    else console.log("custom models part skipped: ../shared/models/stories260K.gguf is absent");

    // the Meeting page without models says which are missing and where to get them
    await page.goto(new URL("/#/meeting", url).href);
    await page.waitForSelector(".unavailable", T);
    check(/speech model/i.test(await page.textContent(".unavailable")), "Meeting does not say which model is missing");
    await shot("meeting-no-models");

    if (live) await liveMeeting();
    else console.log("live meeting part skipped: " + (process.env.LIVE_SKIP || "no models"));
    if (live && process.env.UPLOAD_MP3) await acrossMeetings();
    else console.log("upload, ask-all and actions part skipped: no live models or no mp3 of ../shared/audio/jfk.wav");

    // keyboard: the nav links are reachable with Tab, from the top of a fresh page (the
    // steps before leave focus where they clicked)
    await page.goto(new URL("/#/history", url).href);
    await page.reload();
    await page.waitForSelector("#sessions", T);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    check(await page.evaluate(() => document.activeElement && document.activeElement.tagName === "A"),
      "Tab does not reach the navigation");
  } catch (e) {
    failures.push("step failed: " + e.message.split("\n")[0]);
    await shot("failure").catch(() => {});
  }
  await browser.close();
  for (const p of problems) failures.push(p);
  if (failures.length) {
    console.log("FAIL:\n  " + failures.join("\n  "));
    process.exit(1);
  }
  console.log("ok: history, search, transcript, models, settings and meeting pages" +
    (process.env.CUSTOM_GGUF ? ", a custom model added, chosen, asked (streamed) and forgotten" : "") +
    (live ? ", a live meeting from the fake microphone" : "") +
    (live && process.env.UPLOAD_MP3 ? ", an mp3 uploaded and transcribed, all meetings asked, an action item done" : "") +
    "; screenshots in " + shots);
})();
