// The meeting page in headless Chromium (run by tests/integration/serve_web.sh): playback
// in step with the transcript, speakers renamed, summary generated (then again with the
// stand-up template, both kept) and notes cancelled from the page, with no model worker
// left under tacit serve (env SERVE_PID). argv: the one-time URL, the screenshot folder. Screenshots at
// desktop (1280x900) and phone (390x844) sizes. Exits 1 with the failures listed.
"use strict";
const fs = require("fs");
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const [url, shots] = process.argv.slice(2);
const failures = [];
/* the children of pid named tacit-worker (0 when /proc cannot say) */
function workersOf(pid) {
  let n = 0;
  for (const d of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid && comm.startsWith("tacit-worker")) n++;
    } catch (e) { /* gone meanwhile */ }
  }
  return n;
}
const check = (cond, what) => { if (!cond) failures.push(what); };
const DESKTOP = { width: 1280, height: 900 }, PHONE = { width: 390, height: 844 };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${process.env.LIVE_WAV}`],
  });
  /* English, whatever the machine's language: the checks read English text */
  const page = await browser.newPage({ viewport: DESKTOP, locale: "en-US" });
  const problems = [];
  let expect409 = false; /* a cancelled stop: its held-back request then finds no meeting (409), on purpose */
  page.on("console", (m) => { if (m.type() === "error" && !(expect409 && /\b409\b/.test(m.text()))) problems.push("console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  /* each screenshot at both sizes */
  const shot = async (name) => {
    await page.screenshot({ path: `${shots}/${name}-desktop.png`, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: `${shots}/${name}-phone.png`, fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= PHONE.width, `${name}: the phone-sized page scrolls sideways (${width} px)`);
    await page.setViewportSize(DESKTOP);
  };
  const T = { timeout: 15000 };
  const SLOW = { timeout: 240000 };
  const noCli = async (where) => {
    const text = await page.textContent("main");
    check(!/'tacit [a-z]/.test(text) && !/run tacit /.test(text), `${where} tells the user to run a command: ${text.slice(0, 200)}`);
  };

  /* WCAG AA contrast of every visible text on the page (4.5:1, 3:1 for large text):
   * colours as computed, translucent backgrounds blended over what is under them;
   * disabled controls are exempt, as in WCAG. axe-core's colour-contrast rule does the
   * same; the tests install no axe-core, so this is its core, small enough to read. */
  const contrast = () => page.evaluate(() => {
    const parse = (c) => {
      let m = /^rgba?\(([^)]+)\)/.exec(c);
      if (m) { const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
      m = /^color\(srgb ([^)]+)\)/.exec(c);
      if (m) { const p = m[1].split(/[\s/]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1]; }
      return null;
    };
    const blend = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
    const bgOf = (e) => {
      const layers = [];
      for (let n = e; n; n = n.parentElement) {
        const c = parse(getComputedStyle(n).backgroundColor);
        if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      }
      let col = [255, 255, 255, 1];
      for (let i = layers.length - 1; i >= 0; i--) col = blend(layers[i], col);
      return col;
    };
    const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const bad = [];
    for (const e of document.querySelectorAll("body *")) {
      const text = e.tagName === "SELECT" || [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!text || e.tagName === "OPTION" || !e.getClientRects().length) continue;
      const cs = getComputedStyle(e);
      if (cs.visibility === "hidden" || e.closest(":disabled, [aria-disabled=true]")) continue;
      const bg = bgOf(e), fg = parse(cs.color);
      if (!fg) continue;
      const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5, r = ratio(blend(fg, bg), bg);
      if (r < need) bad.push(`${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${[...e.classList].map((c) => "." + c).join("")} ` +
        `"${e.textContent.trim().slice(0, 24)}" ${r.toFixed(2)}:1`);
    }
    return bad;
  });
  async function contrastEverywhere(theme) {
    await page.selectOption("#theme", theme);
    for (const [name, hash, sel] of [["history", "#/history", "#sessions"], ["meeting-1", "#/history/1", "#speakers li"],
      ["meeting-2", "#/history/2", ".generate"], ["models", "#/models", "ul.picker"], ["settings", "#/settings", "form"],
      ["meeting", "#/meeting", "h1"]]) {
      await page.goto(new URL("/" + hash, url).href);
      await page.waitForSelector(sel, T);
      await page.waitForTimeout(300);
      const bad = await contrast();
      check(bad.length === 0, `${theme} ${name}: ${bad.length} texts below AA contrast: ${bad.slice(0, 6).join("; ")}`);
      if (theme === "dark") await shot(`${name}-dark`);
    }
  }

  try {
    await page.goto(url);
    await page.waitForSelector("nav", T);

    // ---- first run: the Meeting page offers what `tacit setup` would download, the
    // same picks as the Models page's Recommended; the Models page says tok/s, names each
    // model once, and puts Recommended first
    await page.goto(new URL("/#/meeting", url).href);
    await page.waitForSelector("#first-run li", T);
    const picks = await page.$$eval("#first-run li", (n) => n.map((x) => x.dataset.id));
    check(picks.length === 3, "the first-run card does not list three models: " + picks);
    check(/^Download all \(/.test(await page.textContent("#setup-all")), "the first-run card has no one-click download");
    await noCli("the Meeting page without models");
    await shot("first-run");
    await page.goto(new URL("/#/models", url).href);
    await page.waitForSelector("#first-run li", T);
    const recs = await page.$$eval("li.card:has(.badge.rec)", (n) => n.map((x) => x.dataset.id));
    check(picks.every((p) => recs.includes(p)) && recs.length === 3, `Meeting recommends ${picks}, Models ${recs}`);
    check(await page.$eval("ul.picker li", (li) => !!li.querySelector(".badge.rec")), "Recommended is not at the top");
    await page.click("button:has-text('Show all')");
    await page.waitForSelector("button:has-text('Hide models')", T);
    const models = await page.textContent("main");
    check(models.includes("tok/s") && !models.includes("words/s"), "speed is not labelled tok/s");
    check(!/\bHQ HQ\b/.test(models), "a name says HQ twice");
    await shot("models");

    // ---- playback: a clicked line plays from its time, highlighted; speed; keys
    await page.goto(new URL("/#/history/1", url).href);
    await page.waitForSelector("#player audio", T);
    await page.waitForFunction(() => document.querySelector("#player audio").readyState >= 1, null, T);
    await page.click("#seg-4 .who");
    await page.waitForFunction(() => {
      const a = document.querySelector("#player audio");
      return !a.paused && a.currentTime >= 12.4 && document.querySelector("#seg-4.playing");
    }, null, T).catch(() => check(false, "clicking line 4 did not play from 0:12 with the line highlighted"));
    await page.selectOption("#player select[aria-label=Speed]", "1.5");
    check(await page.evaluate(() => document.querySelector("#player audio").playbackRate) === 1.5, "speed 1.5× is not applied");
    await page.focus("h1").catch(() => {});
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press("Space");
    check(await page.evaluate(() => document.querySelector("#player audio").paused), "Space does not pause");
    const before = await page.evaluate(() => document.querySelector("#player audio").currentTime);
    await page.keyboard.press("ArrowLeft");
    const after = await page.evaluate(() => document.querySelector("#player audio").currentTime);
    check(after < before - 4, `← does not go back five seconds (${before} → ${after})`);
    check(await page.$("#player select[aria-label='Listen to']") !== null, "a two-channel meeting offers no channel choice");
    // a time button is a real button with a name
    check(await page.getAttribute("#seg-2 button.play", "aria-label") === "Play from 0:03", "line 2's play button has no name");
    const whos = await page.$$eval("#transcript .seg .who", (n) => n.map((x) => x.textContent));
    check(whos.length === 5 && whos.every((w) => w.length > 0) && whos[0] === "Me", "not every line is labelled: " + whos);

    // ---- find in the transcript: words marked, "1 of 2", Enter / Shift+Enter step, Escape clears
    const found = () => page.$$eval("#transcript mark.found", (m) => m.map((x) => x.closest(".seg").id + ":" + x.textContent));
    const current = () => page.$eval("#transcript mark.found.current", (m) => m.closest(".seg").id).catch(() => null);
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement.id) === "find", "/ does not focus find on a meeting");
    await page.keyboard.type("EUROS");
    await page.waitForFunction(() => document.querySelectorAll("#transcript mark.found").length === 2, null, T)
      .catch(() => check(false, "find EUROS did not mark lines 2 and 3"));
    check(JSON.stringify(await found()) === JSON.stringify(["seg-2:euros", "seg-3:euros"]), "find marks: " + JSON.stringify(await found()));
    check((await page.textContent("#find-count")) === "1 of 2" && await current() === "seg-2", "the first match is not current: " + await page.textContent("#find-count"));
    await page.keyboard.press("Enter");
    check((await page.textContent("#find-count")) === "2 of 2" && await current() === "seg-3", "Enter does not go to the next match");
    await page.keyboard.press("Enter");
    check((await page.textContent("#find-count")) === "1 of 2" && await current() === "seg-2", "Enter does not wrap to the first match");
    await page.keyboard.press("Shift+Enter");
    check(await current() === "seg-3", "Shift+Enter does not go back");
    await shot("meeting-find");
    await page.fill("#find", '"rubber buttons" budget');
    await page.keyboard.press("Enter");
    check(JSON.stringify(await found()) === JSON.stringify(["seg-1:budget", "seg-4:rubber buttons"]), "a phrase and a word: " + JSON.stringify(await found()));
    await page.fill("#find", "zebra");
    await page.keyboard.press("Enter");
    check((await page.textContent("#find-count")) === "No match" && (await found()).length === 0, "no match is not said");
    await page.fill("#find", "<b>x</b>");
    await page.keyboard.press("Enter");
    check(await page.$("#transcript b") === null, "find put HTML into the transcript");
    await page.keyboard.press("Escape");
    check((await page.inputValue("#find")) === "" && (await found()).length === 0, "Escape does not clear find");
    check((await page.textContent("#seg-2 .text")) === "Yes: the remote control costs twelve euros fifty to make.", "find changed a line's text");

    // ---- citations: a preview of the cited line on hover and to screen readers; a click plays it
    const cite4 = "section.card:has(h2:text-is('Summary')) a.cite:text-is('[S4]')";
    await page.waitForSelector(cite4, T);
    check((await page.getAttribute(cite4, "title")) === "0:12 Me: Then we drop the LCD screen and keep the rubber buttons.",
      "[S4]'s preview: " + await page.getAttribute(cite4, "title"));
    check(/^\[S4\] Line 4, 0:12 Me: Then we drop/.test(await page.getAttribute(cite4, "aria-label")), "[S4]'s name for screen readers: " + await page.getAttribute(cite4, "aria-label"));
    await page.evaluate(() => { const a = document.querySelector("#player audio"); a.pause(); a.currentTime = 0; });
    await page.click(cite4);
    await page.waitForFunction(() => {
      const a = document.querySelector("#player audio");
      return !a.paused && a.currentTime >= 12.4 && document.querySelector("#seg-4.playing") && document.querySelector("#seg-4.hit");
    }, null, T).catch(() => check(false, "clicking [S4] did not play line 4 from 0:12 with the line highlighted"));
    await page.evaluate(() => document.querySelector("#player audio").pause());
    // ---- a Notes card whose items were all dropped says so, never empty
    check(/No notes: 3 items were dropped because they cited no line/.test(await page.textContent(".notes-empty").catch(() => "")),
      "the empty Notes card does not say why");

    // ---- speakers: talk time, a sample, renamed in every line at once
    await page.waitForSelector("#speakers li[data-label='Speaker 1']", T);
    const sp = await page.textContent("#speakers li[data-label='Speaker 1']");
    check(sp.includes("0:10 talk · 2 lines") && sp.includes("Agreed, I will send"), "Speaker 1's talk time or sample: " + sp);
    await shot("meeting-player");
    await page.click("#speakers li[data-label='Speaker 1'] button:has-text('Rename')");
    await page.fill("#speakers li[data-label='Speaker 1'] input", "Alice");
    await page.click("#speakers li[data-label='Speaker 1'] button:has-text('Save')");
    await page.waitForFunction(() => [...document.querySelectorAll("#transcript .seg[data-speaker='Speaker 1'] .who")]
      .every((w) => w.textContent === "Alice"), null, T).catch(() => check(false, "the rename did not reach every line"));
    await page.reload();
    await page.waitForSelector("#seg-2", T);
    check((await page.textContent("#seg-2 .who")) === "Alice", "the name is not kept after a reload");
    await page.click("#speakers li[data-label='Speaker 2'] button:has-text('Play a sample')");
    await page.waitForFunction(() => document.querySelector("#seg-3.playing"), null, T)
      .catch(() => check(false, "Play a sample does not play Speaker 2's line"));
    await shot("meeting-speakers");

    // ---- summary and notes from the page, with progress and Cancel
    const status = await page.evaluate(async (llm) => {
      const r = await fetch("/api/settings", { method: "PUT", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ "model.llm": llm }) });
      return r.status;
    }, process.env.LLM);
    check(status === 200, "the language model could not be chosen: " + status);
    await page.goto(new URL("/#/history/2", url).href);
    await page.waitForSelector(".generate button[data-task=summary]", T);
    await noCli("the meeting without a summary");
    check((await page.textContent("main")).includes("No summary or notes yet"), "the empty state is missing");
    await page.click(".generate button[data-task=summary]");
    await page.waitForSelector(".generate progress:not([hidden])", T);
    await page.waitForFunction(() => /Loading|Reading|Writing/.test(document.querySelector(".gen-status").textContent), null, T)
      .catch(() => check(false, "no progress text while generating"));
    await shot("generate-progress");
    await page.waitForFunction(() => [...document.querySelectorAll("h2")].some((h) => h.textContent === "Summary"), null, SLOW)
      .catch(() => check(false, "the generated summary is not shown"));
    check(await page.textContent(".generate button[data-task=summary]") === "Regenerate summary", "no Regenerate after a summary");
    // ---- the same again with a chosen template: its summary stored beside the general one
    const summaries = async () => (await page.evaluate(async () => (await (await fetch("/api/sessions/2")).json()).artifacts))
      .filter((a) => a.kind === "summary").map((a) => a.template);
    await page.selectOption("#gen-template", "stand-up");
    await page.click(".generate button[data-task=summary]");
    let both = [];
    for (const t0 = Date.now(); !both.includes("stand-up") && Date.now() - t0 < SLOW.timeout;) {
      await page.waitForTimeout(500);
      both = await summaries();
    }
    check(both.includes("general") && both.includes("stand-up"), "summaries stored after a stand-up one: " + both);
    await page.waitForSelector(".generate button[data-task=notes]:not([disabled])", SLOW);
    await shot("generate-template");
    await page.click(".generate button[data-task=notes]");
    await page.waitForFunction(() => /Reading|Writing/.test(document.querySelector(".gen-status").textContent), null, SLOW);
    check(workersOf(Number(process.env.SERVE_PID)) >= 1, "no model worker seen while the notes are written");
    await page.click(".generate button:has-text('Cancel')");
    await page.waitForFunction(() => /Cancelled/.test(document.querySelector(".gen-status").textContent), null, T)
      .catch(() => check(false, "Cancel does not say it cancelled"));
    await shot("generate-cancelled");
    const kinds = await page.evaluate(async () => (await (await fetch("/api/sessions/2")).json()).artifacts.map((a) => a.kind));
    check(kinds.includes("summary") && !kinds.includes("notes"), "stored after a cancel: " + kinds);
    /* the work stopped for real: no model worker left under tacit serve */
    let workers = -1;
    for (let i = 0; i < 50 && workers !== 0; i++) {
      workers = workersOf(Number(process.env.SERVE_PID));
      if (workers) await page.waitForTimeout(200);
    }
    check(workers === 0, `${workers} model workers still run 10 s after Cancel`);

    // ---- the live page: the typed title, a warning when nothing is heard, Stop with
    // progress, then an ended meeting whose controls say so; and a stop finished in the
    // background
    const set = await page.evaluate(async (s) => {
      const r = await fetch("/api/settings", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(s) });
      return r.status + " " + (await r.text()).slice(0, 200);
    }, { "model.asr": process.env.LIVE_ASR, "model.vad": process.env.LIVE_VAD, "live.max_tokens": "320",
      "live.window_tokens": "200", "asr.fallback": "off" });
    check(set.startsWith("200"), "the live models could not be set: " + set);
    await page.evaluate(() => localStorage.setItem("tacit.quiet_after_s", "3"));
    await page.goto(new URL("/#/meeting", url).href);
    await page.reload();
    await page.waitForSelector("#start", T);
    await page.fill("#meeting-title", "Weekly sync");
    await page.uncheck("#partials");
    /* the template the meeting is folded with, chosen on the start card, goes with the start */
    await page.waitForSelector("#live-template option[value='stand-up']", { ...T, state: "attached" })
      .catch(() => check(false, "the start card offers no template"));
    await page.selectOption("#live-template", "stand-up");
    const started = page.waitForRequest((r) => r.url().endsWith("/api/meeting/start"), T);
    await page.click("#start");
    check(JSON.parse((await started).postData() || "{}").template === "stand-up", "the chosen template is not sent with the start");
    await page.waitForSelector("#stop", SLOW);
    check((await page.textContent("h1")) === "Weekly sync", "the live page's header is not the typed title");
    await page.waitForFunction(() => /No speech heard for \d+ s/.test(document.querySelector("#live-status").textContent), null, T)
      .catch(() => check(false, "no warning while nothing is heard"));
    await shot("live-no-speech");
    /* every text the status line shows, however short-lived */
    await page.evaluate(() => {
      window.statusTexts = [];
      const st = document.querySelector("#live-status");
      new MutationObserver(() => window.statusTexts.push(st.textContent)).observe(st, { childList: true, characterData: true, subtree: true });
      window.bgOffered = false;
      new MutationObserver(() => { if (document.querySelector("#finish-background")) window.bgOffered = true; })
        .observe(document.querySelector("main"), { childList: true, subtree: true });
    });
    await page.click("#stop");
    await page.waitForSelector("#meeting-ended", SLOW);
    check(await page.evaluate(() => window.bgOffered), "Stop offers no 'Finish in the background'");
    check(await page.evaluate(() => window.statusTexts.some((t) => /^Finishing \(0:\d\d\)/.test(t))), "Stop shows no progress");
    await page.waitForSelector("#live-notes", T).catch(() => check(false, "the ended meeting shows no notes panel"));
    check(await page.$$eval(".live-summary", (n) => n.length) === 1, "the ended meeting shows its summary twice");
    for (const sel of ["#suggest-now", "#chat-q", "#suggest-toggle"])
      check(await page.isDisabled(sel), sel + " stays enabled after the end");
    await noCli("the ended live meeting");
    await shot("live-ended");
    await page.goto(new URL("/#/history", url).href);
    await page.goto(new URL("/#/meeting", url).href);
    await page.waitForSelector("#start", T);
    await page.fill("#meeting-title", "Background finish");
    await page.click("#start");
    await page.waitForSelector("#stop", SLOW);
    /* an empty meeting stops at once: hold the stop request back so the page is caught
     * finishing, as a long meeting's page would be */
    const stopAnswers = [];
    page.on("response", async (r) => { if (r.url().endsWith("/api/meeting/stop")) stopAnswers.push(r.status() + " " + (await r.text().catch(() => "?"))); });
    page.on("requestfailed", (r) => { if (r.url().endsWith("/api/meeting/stop")) stopAnswers.push("failed " + r.failure().errorText); });
    await page.route("**/api/meeting/stop", async (r) => { await new Promise((ok) => setTimeout(ok, 4000)); await r.continue(); });
    /* and the audio in flight too, so "Finish in the background" comes while the stop
     * still waits for it (the page once lost its capture there and never sent the stop) */
    await page.route("**/api/meeting/audio*", async (r) => { await new Promise((ok) => setTimeout(ok, 1500)); await r.continue(); });
    await page.waitForTimeout(300);
    await page.click("#stop");
    await page.click("#finish-background", T);
    await page.waitForSelector("#sessions", T);
    let done = false;
    for (let i = 0; i < 240 && !done; i++) {
      done = await page.evaluate(async () => !(await (await fetch("/api/meeting")).json()).meeting);
      if (!done) await new Promise((ok) => setTimeout(ok, 1000));
    }
    check(done, "the meeting finished in the background never ended");
    const bg = await page.evaluate(async () => (await (await fetch("/api/sessions")).json()).sessions.find((m) => m.title === "Background finish"));
    check(bg && bg.ended_ms > 0, "the background meeting is not ended: " + JSON.stringify(bg) + " " + stopAnswers.join(", "));

    // ---- Stop, then Cancel: no summary, the meeting closed with its transcript kept and
    // resumable (the stop request is still held back, so the page is caught finishing)
    await page.unroute("**/api/meeting/audio*");
    expect409 = true;
    await page.goto(new URL("/#/meeting", url).href);
    await page.waitForSelector("#start", T);
    await page.fill("#meeting-title", "Cancelled stop");
    await page.click("#start");
    await page.waitForSelector("#stop", SLOW);
    await page.click("#stop");
    await page.click("#stop-cancel", T);
    await page.waitForFunction(() => /Summary cancelled\./.test((document.querySelector("#meeting-ended") || {}).textContent || ""), null, T)
      .catch(() => check(false, "Cancel during Stop does not say the summary was cancelled"));
    check(await page.$("#meeting-ended #resume-closed") !== null, "a cancelled stop offers no Resume");
    check(await page.$("#stop-cancel") === null && await page.$("#finish-background") === null, "Cancel and Finish in the background stay after the cancel");
    await shot("live-stop-cancelled");
    await page.waitForTimeout(4500); /* the held stop request ends (409) without an error shown */
    check(await page.$("#notice .error") === null, "the cancelled stop's late answer shows an error: " + await page.textContent("#notice").catch(() => ""));
    const cancelled = await page.evaluate(async () => (await (await fetch("/api/sessions")).json()).sessions.find((m) => m.title === "Cancelled stop"));
    check(cancelled && cancelled.status === "unfinished", "the cancelled meeting is not kept unfinished: " + JSON.stringify(cancelled));
    expect409 = false;
    await page.unroute("**/api/meeting/stop");

    // ---- four languages: the browser's choice, the switcher (kept on this device),
    // <html lang>, a page's strings, dates and plurals in the chosen one; screenshots
    // of each (the phone size checks that none scrolls sideways)
    const fr = await browser.newPage({ viewport: DESKTOP, locale: "fr-FR" });
    await fr.context().addCookies(await page.context().cookies());
    await fr.goto(new URL("/#/history", url).href);
    await fr.waitForSelector("#sessions", T);
    check(await fr.textContent("nav a[data-page=history]") === "Historique" && await fr.inputValue("#lang") === "fr",
      "a French browser does not get the French interface");
    await fr.close();
    const words = { fr: ["Historique", "générer"], es: ["Historial", "generar"], de: ["Verlauf", "erstellen"] };
    await page.goto(new URL("/#/history/1", url).href);
    await page.waitForSelector("#lang", T);
    for (const [lang, [nav, gen]] of Object.entries(words)) {
      await page.selectOption("#lang", lang);
      await page.waitForFunction((w) => document.querySelector("nav a[data-page=history]").textContent === w, nav, T)
        .catch(() => check(false, `${lang}: the header is not translated`));
      await page.waitForSelector(".generate button", T);
      check(await page.evaluate(() => document.documentElement.lang) === lang, `${lang}: <html lang> is not ${lang}`);
      check((await page.textContent(".generate")).toLowerCase().includes(gen), `${lang}: the meeting's buttons are not translated`);
      await noCli(`the meeting page in ${lang}`);
      await shot(`lang-${lang}`);
    }
    await page.goto(new URL("/#/history", url).href);
    await page.reload();
    await page.waitForSelector("#sessions li", T);
    check(await page.inputValue("#lang") === "de", "the chosen language is not kept after a reload");
    const when = await page.evaluate(async () => {
      const s = (await (await fetch("/api/sessions")).json()).sessions[0];
      return [new Date(s.started_ms).toLocaleString("de", { dateStyle: "medium", timeStyle: "short" }), s.n_segments];
    });
    const listed = await page.textContent("#sessions");
    check(listed.includes(when[0]) && listed.includes(`${when[1]} Abschnitt`), `dates or counts are not German: ${listed.slice(0, 120)}`);
    await shot("lang-de-history");
    await page.selectOption("#lang", "en");
    await page.waitForFunction(() => document.querySelector("nav a[data-page=history]").textContent === "History", null, T)
      .catch(() => check(false, "switching back to English did not"));

    // ---- the theme toggle, and contrast in both themes on every page
    await contrastEverywhere("dark");
    check(await page.evaluate(() => document.documentElement.dataset.theme) === "dark", "the theme toggle sets no dark theme");
    await page.reload();
    await page.waitForSelector("#theme", T);
    check(await page.inputValue("#theme") === "dark", "the chosen theme is not kept after a reload");
    await contrastEverywhere("light");
    await page.selectOption("#theme", "auto");
  } catch (e) {
    failures.push("step failed: " + e.message.split("\n")[0]);
    await page.screenshot({ path: `${shots}/failure.png`, fullPage: true }).catch(() => {});
  }
  await browser.close();
  for (const p of problems) failures.push(p);
  if (failures.length) {
    console.log("FAIL:\n  " + failures.join("\n  "));
    process.exit(1);
  }
  console.log("ok: playback from a line, speed and keys; speakers renamed; summary generated, again with a template, notes cancelled with no worker left; " +
    "a live meeting with its title, the no-speech warning, Stop's progress, the ended state, a background finish and a cancelled stop; " +
    "first run and models; four languages; AA contrast on every page in light and dark; screenshots in " + shots);
})();
