// History a page at a time in headless Chromium (run by
// tests/integration/serve_history_pages.sh, which imported 45 meetings titled "Weekly
// review K", K = 1..45, each with a speaker PersonK). argv: the one-time URL, the
// screenshot folder. Exits 1 with the failures listed.
"use strict";
const [url, shots] = process.argv.slice(2);
const harness = require("./harness.cjs");

(async () => {
  const { page, check, shot, run } = await harness.open(shots);
  const T = { timeout: 15000 };
  const asked = [];
  page.on("request", (r) => { const u = new URL(r.url()); if (u.pathname === "/api/sessions") asked.push(u.search); });
  const titles = () => page.$$eval("#sessions li a", (as) => as.map((a) => a.textContent));
  const items = async (n) => page.waitForFunction((k) => document.querySelectorAll("#sessions li").length === k, n, T);

  await run("history-pages", async () => {
    await page.goto(url);
    await page.waitForSelector("nav", T);
    await items(20); // the first page shown is History
    asked.length = 0;
    await page.goto(new URL("/#/history", url).href);
    await items(20);
    check(asked.length === 1 && /limit=20\b/.test(asked[0]) && /offset=0\b/.test(asked[0]),
      "History did not ask for one page of 20: " + JSON.stringify(asked));
    let t = await titles();
    check(t[0] === "Weekly review 45" && t[19] === "Weekly review 26", "not newest first: " + t[0] + " … " + t[19]);
    check((await page.textContent("#sessions-count")).trim() === "20 of 45 meetings shown", "count: " + await page.textContent("#sessions-count"));
    check((await page.textContent("#sessions-more")).trim() === "Show 20 more meetings", "button: " + await page.textContent("#sessions-more"));
    await shot("history-pages-first");
    // the speaker filter suggests every meeting's speakers from the first page on
    check(await page.$$eval("#speaker-names option", (os) => os.some((o) => o.value === "Person3")),
      "Person3 (of the third page) is not offered with the first page");

    // ---- the keyboard: Tab reaches "Show more" after the last meeting; Enter loads the next page
    await page.focus("#sessions li:last-child a");
    await page.keyboard.press("Tab");
    check(await page.evaluate(() => document.activeElement.id) === "sessions-more", "Tab after the last meeting does not reach Show more");
    await page.keyboard.press("Enter");
    await items(40);
    check(await page.evaluate(() => document.activeElement.textContent) === "Weekly review 25",
      "the focus is not on the new page's first meeting: " + await page.evaluate(() => document.activeElement.textContent));
    check(/offset=20\b/.test(asked[asked.length - 1]), "the second page was not asked from offset 20: " + asked[asked.length - 1]);
    check((await page.textContent("#sessions-more")).trim() === "Show 5 more meetings", "second button: " + await page.textContent("#sessions-more"));
    await page.focus("#sessions-more");
    await page.keyboard.press("Enter");
    await items(45);
    t = await titles();
    check(new Set(t).size === 45 && t[44] === "Weekly review 1", "the 45 meetings are not all there once: " + t.length + ", last " + t[44]);
    check(await page.isHidden("#sessions-more"), "Show more is still offered with every meeting shown");
    check((await page.textContent("#sessions-count")).trim() === "45 of 45 meetings shown", "final count: " + await page.textContent("#sessions-count"));
    await shot("history-pages-all");

    // ---- a speaker filter starts again from its first page
    await page.fill("#filter-speaker", "Person3");
    await page.dispatchEvent("#filter-speaker", "change");
    await items(1);
    check((await titles())[0] === "Weekly review 3", "filtered: " + (await titles()).join(", "));
    check((await page.textContent("#sessions-count")).trim() === "1 of 1 meeting shown", "filtered count: " + await page.textContent("#sessions-count"));
    check(await page.isHidden("#sessions-more"), "Show more offered for a filter with one meeting");
    await page.click("#filter-clear");
    await items(20);
    check(asked.every((q) => /limit=20\b/.test(q)), "a request without the page size: " + JSON.stringify(asked));
  });
})();
