// First run in headless Chromium (run by tests/integration/serve_first_run.sh): the
// Meeting page's first-run card offers what `tacit setup` picks, a failed download leaves
// an actionable message on it, and its one button then downloads everything with
// progress. argv: the one-time URL, the screenshot folder; env CONTROL (the test server's
// fault file), PLAN (`tacit setup --dry-run --json`). Exits 1 with the failures listed.
"use strict";
const fs = require("fs");
const [url, shots] = process.argv.slice(2);
const planned = JSON.parse(fs.readFileSync(process.env.PLAN, "utf8")).models.map((m) => m.id);
const fault = (f) => fs.writeFileSync(process.env.CONTROL, JSON.stringify(f));
const harness = require("./harness.cjs");

(async () => {
  const { page, check, shot, run } = await harness.open(shots, /status of 409/);
  const T = { timeout: 20000 };
  const get = (path) => page.evaluate(async (p) => (await fetch(p, { credentials: "same-origin" })).json(), path);
  /* the card's message after a failed try: an error, with what went wrong and what to do */
  const failedTry = async (what, want) => {
    await page.click("#setup-all");
    await page.waitForSelector("#setup-status.error", T).catch(() => {});
    const text = await page.textContent("#setup-status").catch(() => "");
    check(want.test(text), `${what}: the card says ${JSON.stringify(text)}`);
    check(!/'tacit /.test(text), `${what}: the card's message names a command: ${text}`);
    check(await page.isEnabled("#setup-all") && /Try again/.test(await page.textContent("#setup-all")),
      `${what}: the card offers no second try`);
  };

  await run("first-run", async () => {
    fault({});
    await page.goto(url);
    await page.goto(new URL("/#/meeting", url).href);
    await page.waitForSelector("#first-run li", T);
    const picks = await page.$$eval("#first-run li", (n) => n.map((x) => x.dataset.id));
    check(JSON.stringify(picks) === JSON.stringify(planned), `the card offers ${picks}, tacit setup ${planned}`);
    check(/^Download all \(/.test(await page.textContent("#setup-all")), "the card has no one-click download");
    await shot("first-run-before");

    // ---- the mirror answers 404, then sends a damaged file
    fault({ status: 404 });
    await failedTry("a 404", /Download of .* failed: .*HTTP 404.*mirror lacks this file/);
    await shot("first-run-failed");
    fault({ flip: 1000 });
    await failedTry("a damaged file", /does not match its sha256.*discarded/);
    check((await get("/api/setup")).picks.every((p) => !p.downloaded), "a failed try left a model marked downloaded");

    // ---- then a slow mirror: progress, and all three in
    fault({ rate: 120000 });
    await page.click("#setup-all");
    await page.waitForFunction(() => {
      const b = document.querySelector("#first-run progress");
      return b && !b.hidden && b.value > 0 && /Downloading 1 of 3/.test(document.querySelector("#setup-status").textContent);
    }, null, T).catch(() => check(false, "no progress shown while downloading"));
    check(!(await page.isEnabled("#setup-all")) && /^Download all/.test(await page.textContent("#setup-all")),
      "while downloading, the button is enabled or says " + await page.textContent("#setup-all"));
    await shot("first-run-during");
    await page.waitForFunction(() => /Downloading 3 of 3/.test((document.querySelector("#setup-status") || {}).textContent || ""),
      null, { timeout: 30000 }).catch(() => check(false, "the card never reached the third model"));
    await page.waitForFunction(() => !document.querySelector("#first-run"), null, { timeout: 30000 })
      .catch(() => check(false, "the card stays after the downloads"));
    const setup = await get("/api/setup");
    check(setup.ready && setup.picks.every((p) => p.downloaded), "GET /api/setup after the downloads: " + JSON.stringify(setup));
    const models = await get("/api/models");
    for (const id of planned) {
      const m = models.models.find((x) => x.id === id);
      check(m && m.downloaded && m.recommended, `GET /api/models: ${id} is not downloaded and Recommended: ${JSON.stringify(m)}`);
    }
    await page.waitForSelector("main h1", T);
    await shot("first-run-after");

    await page.goto(new URL("/#/models", url).href);
    await page.waitForSelector("ul.picker li", T);
    check(!(await page.$("#first-run")), "the Models page still shows the first-run card");
    for (const id of planned) {
      const badges = await page.$$eval(`li.card[data-id="${id}"] .badge`, (b) => b.map((x) => x.textContent)).catch(() => []);
      check(badges.includes("Recommended") && badges.includes("Downloaded"), `the Models page shows ${id} with ${badges}`);
    }
    await shot("first-run-models");
  });
})();
