// bench/web.cjs — the measurements of bench/web.sh: page loads in headless Chromium and
// GET latencies over one keep-alive connection. argv: tacit serve's one-time URL; env
// MACHINE, MEETINGS, COPIES, BENCH_WEB_LOADS, BENCH_WEB_REQUESTS. JSON lines on stdout.
"use strict";
const http = require("http");
const harness = require("../tests/e2e/harness.cjs");
const url = new URL(process.argv[2]);
const token = url.searchParams.get("token");
const LOADS = Number(process.env.BENCH_WEB_LOADS || 15), REQUESTS = Number(process.env.BENCH_WEB_REQUESTS || 50);
const note0 = `${process.env.MEETINGS} meetings (the QMSum sample imported ${process.env.COPIES} times)`;

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1)]; };
function emit(name, value, unit, reference, refValue, note) {
  console.log(JSON.stringify({ name, value: Number(value.toFixed(2)), unit, reference, reference_value: refValue,
    ratio: refValue > 0 ? Number((value / refValue).toFixed(4)) : 0, higher_is_better: false, machine: process.env.MACHINE, note }));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(path) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const r = http.request({ host: url.hostname, port: url.port, path, agent, headers: {
      Host: url.host, Origin: url.origin, Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
        : reject(new Error(`${path}: HTTP ${res.statusCode}`)));
    });
    r.on("error", reject);
    r.end();
  });
}

(async () => {
  const sessions = JSON.parse(await new Promise((resolve, reject) => {
    http.get({ host: url.hostname, port: url.port, path: "/api/sessions", agent, headers: { Host: url.host, Origin: url.origin,
      Authorization: `Bearer ${token}` } }, (res) => { let b = ""; res.on("data", (c) => b += c); res.on("end", () => resolve(b)); }).on("error", reject);
  })).sessions;
  const bySize = [...sessions].sort((a, b) => a.n_segments - b.n_segments);
  const small = bySize[0], large = bySize[bySize.length - 1];

  // ---- API latency: each endpoint REQUESTS times, in turn
  const endpoints = ["/api/sessions", `/api/sessions/${small.id}`, `/api/sessions/${large.id}`, "/api/search?q=budget",
    "/api/actions", "/api/models", "/api/settings", "/api/setup", "/api/meeting", "/api/templates"];
  const labels = Object.fromEntries(endpoints.map((p) => [p, p]));
  labels[`/api/sessions/${small.id}`] = `/api/sessions/ID (${small.n_segments} lines)`;
  labels[`/api/sessions/${large.id}`] = `/api/sessions/ID (${large.n_segments} lines)`;
  for (const p of endpoints) await get(p); // warm
  const times = Object.fromEntries(endpoints.map((p) => [p, []]));
  for (let i = 0; i < REQUESTS; i++) for (const p of endpoints) times[p].push(await get(p));
  for (const p of endpoints) {
    emit(`web_api_p50_ms[GET ${labels[p]}]`, pct(times[p], 50), "ms", "", 0,
      `p95 ${pct(times[p], 95).toFixed(1)} ms, max ${Math.max(...times[p]).toFixed(1)} ms; ${REQUESTS} requests on one keep-alive connection; ${note0}`);
  }

  // ---- page loads: a fresh document each time, until the page's content is drawn
  const { browser, page } = await harness.launch();
  await page.goto(url.href); // the token becomes the session cookie
  await page.waitForSelector("nav");
  const pages = [["Meeting", "#/meeting", "main h1 ~ *"], ["History", "#/history", "#sessions li"],
    [`meeting page (${small.n_segments} lines)`, `#/history/${small.id}`, ".transcript .seg"],
    [`meeting page (${large.n_segments} lines)`, `#/history/${large.id}`, ".transcript .seg"],
    ["Models", "#/models", "ul.picker li"], ["Settings", "#/settings", "form .setting"], ["Actions", "#/actions", "#actions > *"]];
  for (const [name, hash, sel] of pages) {
    const ms = [];
    for (let i = 0; i < LOADS + 1; i++) {
      await page.goto("about:blank");
      const t0 = Date.now();
      await page.goto(new URL("/" + hash, url.origin).href);
      await page.waitForSelector(sel, { timeout: 30000 });
      if (i > 0) ms.push(Date.now() - t0); // the first warms the caches
    }
    emit(`web_page_load_p50_ms[${name}]`, pct(ms, 50), "ms", "issue #20 slowest page", 480,
      `p95 ${pct(ms, 95)} ms over ${LOADS} loads (navigation to '${sel}' drawn); headless Chromium; ${note0}`);
  }
  await browser.close();
  agent.destroy();
})().catch((e) => { console.error("bench web: " + e.message); process.exit(1); });
