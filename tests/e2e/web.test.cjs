// The meeting page in headless Chromium (run by tests/integration/serve_web.sh): playback
// in step with the transcript, speakers renamed, summary and notes generated and
// cancelled from the page. argv: the one-time URL, the screenshot folder. Screenshots at
// desktop (1280x900) and phone (390x844) sizes. Exits 1 with the failures listed.
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const [url, shots] = process.argv.slice(2);
const failures = [];
const check = (cond, what) => { if (!cond) failures.push(what); };
const DESKTOP = { width: 1280, height: 900 }, PHONE = { width: 390, height: 844 };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
  });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
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

  try {
    await page.goto(url);
    await page.waitForSelector("nav", T);

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
    await page.click(".generate button[data-task=notes]");
    await page.waitForFunction(() => /Reading|Writing/.test(document.querySelector(".gen-status").textContent), null, SLOW);
    await page.click(".generate button:has-text('Cancel')");
    await page.waitForFunction(() => /Cancelled/.test(document.querySelector(".gen-status").textContent), null, T)
      .catch(() => check(false, "Cancel does not say it cancelled"));
    await shot("generate-cancelled");
    const kinds = await page.evaluate(async () => (await (await fetch("/api/sessions/2")).json()).artifacts.map((a) => a.kind));
    check(kinds.includes("summary") && !kinds.includes("notes"), "stored after a cancel: " + kinds);
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
  console.log("ok: playback from a line, speed and keys; speakers renamed; summary generated, notes cancelled; screenshots in " + shots);
})();
