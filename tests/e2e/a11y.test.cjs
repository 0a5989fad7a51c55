// History, Settings and Models in headless Chromium, and axe-core on every page in
// light and dark (run by tests/integration/serve_a11y.sh). argv: the one-time URL, the
// screenshot folder. Exits 1 with the failures listed.
"use strict";
const fs = require("fs");
const [url, shots] = process.argv.slice(2);
const AXE = fs.readFileSync(process.env.AXE, "utf8");
const failures = [];
const check = (cond, what) => { if (!cond) failures.push(what); };
const harness = require("./harness.cjs");

(async () => {
  const { browser, page } = await harness.launch();
  const problems = [];
  let refusalExpected = null; // Chromium logs the HTTP error a step provokes on purpose
  page.on("console", (m) => {
    if (m.type() === "error" && !(refusalExpected && refusalExpected.test(m.text()))) problems.push("console: " + m.text());
  });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  const T = { timeout: 15000 };
  const go = async (hash, sel) => {
    await page.goto(new URL("/" + hash, url).href);
    await page.waitForSelector(sel, T);
  };
  /* both sizes; a phone-sized page must not scroll sideways */
  const shot = harness.shooter(page, shots, check);
  /* axe-core's WCAG 2 A and AA rules and its best practices; evaluated through the
   * debugger protocol, which the page's Content-Security-Policy does not apply to */
  const axe = async (where) => {
    if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(AXE);
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length}× ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    });
    check(found.length === 0, `axe, ${where}: ${found.length} violations: ${found.join("; ")}`);
  };

  try {
    await page.goto(url);
    await page.waitForSelector("#sessions li", T);

    // ---- History: badges, preview, a meeting with no lines
    const summarized = await page.textContent("#sessions li[data-status=summarized]").catch(() => "");
    check(/Summarized/.test(summarized) && summarized.includes("The launch moves to May"),
      "History shows no Summarized badge or summary preview: " + summarized);
    const cut = await page.textContent("#sessions li[data-status=unfinished]").catch(() => "");
    check(/Unfinished/.test(cut) && /No lines/.test(cut), "a meeting that never ended, with no lines, is not marked: " + cut);

    // "/" focuses search; hits are grouped by meeting, the matched words marked
    await page.focus("h1").catch(() => {});
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press("/");
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === "search"), "\"/\" does not focus search");
    await page.keyboard.type("budget");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".hit-group", T);
    const groups = await page.$$eval(".hit-group", (g) => g.map((x) => x.querySelector("h3").textContent));
    check(groups.length === 2 && groups.some((g) => g.includes("Launch date")) && groups.some((g) => g.includes("Budget review")),
      "search hits are not grouped by meeting: " + groups.join(" | "));
    check(await page.$$eval(".hit-group mark", (m) => m.length) >= 2, "search marks no matched words");
    await shot("a11y-history-search");

    // filters: a speaker keeps their meetings (search and list); a date range with none
    await page.fill("#filter-speaker", "Carol");
    await page.dispatchEvent("#filter-speaker", "change");
    await page.waitForFunction(() => document.querySelectorAll(".hit-group").length === 1, null, T)
      .catch(() => check(false, "the speaker filter does not narrow search"));
    await page.fill("#search", "");
    await page.dispatchEvent("#search", "input");
    await page.waitForFunction(() => !document.getElementById("sessions").hidden &&
      document.querySelectorAll("#sessions li").length === 1, null, T)
      .catch(() => check(false, "the speaker filter does not narrow the list"));
    check((await page.textContent("#sessions")).includes("Budget review"), "the speaker filter keeps the wrong meeting");
    await page.click("#filter-clear");
    await page.fill("#filter-from", "2031-01-01");
    await page.dispatchEvent("#filter-from", "change");
    await page.waitForSelector("#sessions .empty", T).catch(() => check(false, "a date range with no meeting still lists some"));
    await page.click("#filter-clear");
    await page.waitForFunction(() => document.querySelectorAll("#sessions li").length === 3, null, T)
      .catch(() => check(false, "clearing the filters does not list every meeting again"));
    await shot("a11y-history");

    // ---- Settings: groups, plain labels with defaults, refusals next to the field
    await go("#/settings", "#set-model-llm");
    const basicText = await page.evaluate(() => document.querySelector("form").innerText);
    check(!basicText.includes("live.asr_backlog_ms") && !basicText.includes("suggestions.interval_s"),
      "the basic view shows raw setting keys");
    check(/Default: the best downloaded model/.test(basicText), "Settings shows no defaults");
    check(await page.$("details#advanced:not([open])"), "advanced settings are not folded away");
    await page.click("details#advanced > summary");
    const adv = await page.textContent("details#advanced");
    check(adv.includes("Default: 1,000 ·") && adv.includes("Default: 1.5 ·") && adv.includes("live.asr_backlog_ms"), "advanced settings lack their default or key hint: " + adv.slice(0, 200));
    const missing = await page.$$eval("#set-model-llm option", (o) => (o.find((x) => /not downloaded/.test(x.textContent)) || {}).value);
    check(missing, "Settings does not mark models that are not downloaded");
    if (missing) {
      await page.selectOption("#set-model-llm", missing);
      refusalExpected = /status of 400/;
      await page.click("form button[type=submit]");
      await page.waitForSelector("#set-model-llm-msg .error", T).catch(() => {});
      refusalExpected = null;
      const msg = await page.textContent("#set-model-llm-msg");
      check(/not downloaded/.test(msg), "a model that is not downloaded is not refused next to its field: " + msg);
      check(await page.getAttribute("#set-model-llm", "aria-invalid") === "true", "the refused field is not marked invalid");
      await shot("a11y-settings-refused");
      await page.selectOption("#set-model-llm", "");
    }
    // a number out of its range: the server's message by that field, in the advanced group
    await page.fill("#set-live-asr_backlog_ms", "9999999");
    refusalExpected = /status of 400/;
    await page.click("form button[type=submit]");
    await page.waitForSelector("#set-live-asr_backlog_ms-msg .error", T).catch(() => {});
    refusalExpected = null;
    check(/from 0 to 600000/.test(await page.textContent("#set-live-asr_backlog_ms-msg")),
      "an out-of-range number is not refused next to its field");
    check(/Not saved/.test(await page.textContent("#save-msg")), "Save does not say the settings were not saved");
    await page.fill("#set-live-asr_backlog_ms", "");
    await page.fill("#set-output-language", "en");
    await page.click("form button[type=submit]");
    await page.waitForFunction(() => /saved/.test(document.getElementById("save-msg").textContent), null, T)
      .catch(() => check(false, "no confirmation next to Save"));
    check(!(await page.textContent("#set-model-llm-msg")), "a field's error stayed after a good save");
    await shot("a11y-settings");

    // ---- Models: speech models' languages and verdicts, Recommended at the top,
    // tok/s, and a warning before downloading a model that won't fit
    await go("#/models", "li.speech");
    const speech = await page.textContent("li.speech");
    check(/English only|Many languages/.test(speech) && /Keeps up live|Recordings only|Too slow here/.test(speech),
      "a speech model shows no language or live verdict: " + speech);
    check(await page.isVisible("#recommended"), "Recommended is not named at the top of Models");
    check(/tok\/s/.test(await page.textContent("main")), "speed is not in tok/s");
    await page.click("text=Show all");
    await page.waitForSelector("li.model .v-none", T).catch(() => {});
    // a locator, not an element handle: the list may redraw between finding and clicking
    const big = page.locator("li.model:has(.v-none) button.primary").first();
    if (await big.count()) {
      let asked = "";
      page.once("dialog", (d) => { asked = d.message(); d.dismiss(); });
      await big.click();
      await page.waitForTimeout(300);
      check(/will not run well/.test(asked), "no warning before downloading a model that won't fit: " + asked);
    } else console.log("no model is a Won't fit here: the download warning is not exercised");
    await shot("a11y-models");

    // ---- axe on every page, light then dark; screenshots of each in both
    for (const theme of ["light", "dark"]) {
      await page.selectOption("#theme", theme);
      for (const [name, hash, sel] of [["history", "#/history", "#sessions li"], ["meeting", "#/history/1", "#transcript .seg"],
        ["meeting-empty", "#/history/3", "h1"], ["models", "#/models", "li.speech"], ["settings", "#/settings", "form"],
        ["live", "#/meeting", "h1"]]) {
        await go(hash, sel);
        await page.waitForTimeout(300);
        await axe(`${theme} ${name}`);
        if (name === "settings") {
          await page.click("details#advanced > summary");
          await axe(`${theme} ${name} (advanced open)`);
        }
        await shot(`a11y-${name}-${theme}`);
      }
    }
    await page.selectOption("#theme", "auto");
  } catch (e) {
    failures.push("step failed: " + e.message.split("\n")[0]);
    await page.screenshot({ path: `${shots}/a11y-failure.png`, fullPage: true }).catch(() => {});
  }
  await browser.close();
  for (const p of problems) failures.push(p);
  if (failures.length) {
    console.log("FAIL:\n  " + failures.join("\n  "));
    process.exit(1);
  }
  console.log("ok: History badges, preview, grouped search, filters and \"/\"; Settings groups, defaults and refusals; " +
    "Models' speech verdicts and warnings; axe-core: no violation on any page in light or dark; screenshots in " + shots);
})();
