// What the browser tests share: headless Chromium with one English page (a11y uses that
// much), and for first_run and export_folder the failures list, console and page errors
// collected (except the refusals a test provokes on purpose), screenshots at desktop and
// phone sizes (a phone-sized page must not scroll sideways), and the exit: 1 with the
// failures listed.
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const DESKTOP = { width: 1200, height: 900 }, PHONE = { width: 390, height: 844 };

/* Chromium, headless, quiet, and one desktop-sized page in English (whatever the
 * machine's language: the checks read English text); more: Chromium flags to add (a fake
 * microphone). */
exports.launch = async function (more = []) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", ...more],
  });
  return { browser, page: await browser.newPage({ viewport: DESKTOP, locale: "en-US" }) };
};

/* shot(name): the page at both sizes into shots/NAME-desktop.png and -phone.png; a
 * phone-sized page that scrolls sideways is a failure given to check */
exports.shooter = (page, shots, check) => async (name) => {
  await page.screenshot({ path: `${shots}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(100);
  await page.screenshot({ path: `${shots}/${name}-phone.png`, fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= PHONE.width, `${name}: the phone-sized page scrolls sideways (${width} px)`);
  await page.setViewportSize(DESKTOP);
};

/* expected: a RegExp of console errors the test provokes (failed loads it asks for);
 * more: Chromium flags, as launch() takes them */
exports.open = async function (shots, expected, more) {
  const { browser, page } = await exports.launch(more);
  const failures = [], problems = [];
  const check = (cond, what) => { if (!cond) failures.push(what); };
  page.on("console", (m) => { if (m.type() === "error" && !(expected && expected.test(m.text()))) problems.push("console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("response", async (r) => { if (r.status() >= 500) problems.push(`HTTP ${r.status()} ${r.url()}: ${await r.text().catch(() => "")}`); });
  const shot = exports.shooter(page, shots, check);
  /* runs the steps; a thrown error is one more failure, with a screenshot of where */
  const run = async (name, steps) => {
    try { await steps(); } catch (e) {
      failures.push("stopped: " + e.message);
      await page.screenshot({ path: `${shots}/${name}-failure.png`, fullPage: true }).catch(() => {});
    }
    failures.push(...problems);
    await browser.close();
    if (failures.length) {
      for (const f of failures) console.log("FAIL " + f);
      process.exit(1);
    }
    console.log(`${name}: all checks passed`);
  };
  return { browser, page, check, shot, run };
};
