/* tacit web app: the shell — API calls, safe DOM building (no innerHTML with data),
 * hash routing between the pages registered in tacit.pages, and shared formatting. */
"use strict";
const tacit = (window.tacit = { pages: {} });

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/* A library message as web text: the remedies it names as commands ('tacit pull X')
 * become the page that does the same, so no page tells the user to open a terminal.
 * The library writes English; the remedies are in the interface language. */
tacit.webText = function (msg) {
  return String(msg)
    .replace(/run 'tacit setup', or 'tacit pull [^']*'/g, tacit.t("web.downloadOne"))
    .replace(/run 'tacit (?:pull|setup)[^']*'/g, tacit.t("web.downloadIt"))
    .replace(/\(?'tacit pull [^']*'\)?/g, "(" + tacit.t("web.downloadIt") + ")")
    .replace(/\(go on with 'tacit live --resume \d+'\)/g, "(" + tacit.t("web.resumeIt") + ")")
    .replace(/(?:ask|go on) with 'tacit ask \d+'/g, tacit.t("web.askInHistory"))
    .replace(/start one with 'tacit live'/g, tacit.t("web.startOne"))
    .replace(/with 'tacit export --set-folder DIR'/g, tacit.t("web.inSettings"))
    .replace(/\s*\((?:see|run) 'tacit [^']*'\)/g, "")
    .replace(/'tacit models' lists/g, tacit.t("web.modelsLists"));
};

/* The ApiError for a refused request, with the server's message. */
async function refusal(r) {
  const type = r.headers.get("Content-Type") || "";
  const data = type.startsWith("application/json") ? await r.json() : await r.text();
  let msg = data && data.error ? data.error.message : tacit.t("app.requestFailed", { status: r.status });
  if (r.status === 401) msg = tacit.t("app.noToken");
  const e = new ApiError(r.status, tacit.webText(msg));
  if (data && data.error && data.error.field) e.field = data.error.field; /* Settings shows it by that field */
  return e;
}

/* JSON API call; throws ApiError with the server's message. */
tacit.api = async function (method, path, body, raw) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    if (raw) init.body = body;
    else { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  }
  let r;
  try { r = await fetch(path, init); }
  catch (e) { throw new ApiError(0, tacit.t("app.unreachable")); }
  if (!r.ok) throw await refusal(r);
  const type = r.headers.get("Content-Type") || "";
  return type.startsWith("application/json") ? r.json() : r.text();
};

/* A JSON POST answered with an event stream (History's chat): handlers[name](data) runs
 * for each event as it arrives. Changing page aborts the request, as closing the tab
 * does, and the server then stops the work for real. Throws ApiError when the server
 * refuses the request or the stream breaks off; an aborted stream just returns (ctrl, when
 * given, is the caller's Cancel). */
tacit.postStream = async function (path, body, handlers, ctrl = new AbortController()) {
  const handle = { close: () => ctrl.abort() };
  streams.push(handle);
  try {
    let r;
    try {
      r = await fetch(path, { method: "POST", credentials: "same-origin", signal: ctrl.signal,
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" }, body: JSON.stringify(body) });
    } catch (e) {
      if (ctrl.signal.aborted) return;
      throw new ApiError(0, tacit.t("app.unreachable"));
    }
    if (!r.ok) throw await refusal(r);
    const reader = r.body.getReader(), dec = new TextDecoder();
    let pending = "";
    for (;;) {
      let chunk;
      try { chunk = await reader.read(); } catch (e) {
        if (ctrl.signal.aborted) return;
        throw new ApiError(0, tacit.t("app.brokeOff"));
      }
      if (chunk.done) return;
      pending = tacit.sseFrames(pending + dec.decode(chunk.value, { stream: true }), handlers);
    }
  } finally { streams = streams.filter((s) => s !== handle); }
};

/* Runs handlers[name](data) for each whole event-stream frame in text; returns the
 * unfinished rest (postStream's fetch and the recording upload's XHR both read this way). */
tacit.sseFrames = function (text, handlers) {
  for (let i; (i = text.indexOf("\n\n")) >= 0;) {
    const frame = text.slice(0, i);
    text = text.slice(i + 2);
    let name = "message", data = "";
    for (const line of frame.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trimStart();
    }
    if (data && handlers[name]) handlers[name](JSON.parse(data));
  }
  return text;
};

/* The "answer" text so far in a model's partial JSON ({"answer": "The bud...), for
 * showing an answer token by token. */
tacit.partialAnswer = function (raw) {
  const m = /"answer"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(raw);
  if (!m) return "";
  try { return JSON.parse('"' + m[1].replace(/\\$/, "") + '"'); } catch (e) { return m[1]; }
};

/* el("div.card#id", {attrs}, children...) — text is always set as text. */
tacit.el = function (spec, attrs, ...kids) {
  const m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/.exec(spec);
  const e = document.createElement(m[1]);
  const cls = [];
  for (const [, k, v] of m[2].matchAll(/([.#])([\w-]+)/g)) if (k === "#") e.id = v; else cls.push(v);
  if (cls.length) e.className = cls.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat(Infinity)) if (k !== null && k !== undefined && k !== false)
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};
const el = tacit.el;

/* sizes keep their units and take the locale's digits: 1.5 GB, 1,5 GB */
tacit.bytes = function (n) {
  if (n >= 2 ** 30) return tacit.number(n / 2 ** 30, 1) + " GB";
  if (n >= 2 ** 20) return tacit.number(Math.round(n / 2 ** 20), 0) + " MB";
  return tacit.number(Math.max(1, Math.round(n / 1024)), 0) + " KB";
};
tacit.clock = function (ms) {
  const s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  const pad = (x) => String(x).padStart(2, "0");
  return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
};

tacit.notice = function (msg, isError) {
  const n = document.getElementById("notice");
  n.replaceChildren(msg ? el(isError ? "div.error" : "div.card", { text: msg }) : "");
};
tacit.errorBox = (e) => el("div.error", { role: "alert", text: e.message || String(e) });

/* Event streams close when the page changes. */
let streams = [];
tacit.stream = function (url, handlers) {
  const es = new EventSource(url);
  for (const [name, fn] of Object.entries(handlers)) es.addEventListener(name, (ev) => fn(JSON.parse(ev.data || "{}")));
  streams.push(es);
  return es;
};

/* The theme: auto (the system's), light or dark, kept on this device. Set before the
 * first page renders. */
const THEME_KEY = "tacit.theme";
function applyTheme(t) {
  if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
}
applyTheme(localStorage.getItem(THEME_KEY));
window.addEventListener("DOMContentLoaded", () => {
  const labels = { auto: "app.themeAuto", light: "app.themeLight", dark: "app.themeDark" };
  const pick = el("select.theme#theme", { "aria-label": tacit.t("app.theme"), onchange: () => {
    if (pick.value === "auto") localStorage.removeItem(THEME_KEY); else localStorage.setItem(THEME_KEY, pick.value);
    applyTheme(pick.value);
  } }, Object.entries(labels).map(([v, key]) => el("option", { value: v, text: tacit.t(key), selected: (localStorage.getItem(THEME_KEY) || "auto") === v })));
  document.querySelector(".top").append(pick);
  tacit.onLanguage = () => {
    pick.setAttribute("aria-label", tacit.t("app.theme"));
    for (const o of pick.options) o.textContent = tacit.t(labels[o.value]);
  };
});

/* Where work runs, from /api/meeting's engines {asr, llm} ("local" or HOST[:PORT]; a kind
 * left out is not said): "on this device only", or "speech on HOST · summaries on this
 * device", "speech and summaries on HOST"... */
tacit.whereText = function (e) {
  const asr = e.asr && e.asr !== "local" ? e.asr : null, llm = e.llm && e.llm !== "local" ? e.llm : null;
  if (!asr && !llm) return tacit.t("app.local");
  if (asr && asr === llm) return tacit.t("app.bothOn", { host: asr });
  const parts = [];
  if (e.asr) parts.push(asr ? tacit.t("app.speechOn", { host: asr }) : tacit.t("app.speechHere"));
  if (e.llm) parts.push(llm ? tacit.t("app.summariesOn", { host: llm }) : tacit.t("app.summariesHere"));
  return parts.join(" · ");
};

/* The header's promise: "on this device only", or where speech and summaries go when a
 * remote engine is set (engine.asr: the recordings; engine.llm: the transcript). */
async function showWhere() {
  let st;
  try { st = await tacit.api("GET", "/api/meeting"); } catch (e) { return; }
  const host = st && st.remote_hosts;
  const span = document.querySelector("span.local");
  if (!host || !span || !st.engines) return;
  delete span.dataset.i18n;
  delete span.dataset.i18nTitle;
  span.id = "where";
  const draw = () => {
    span.textContent = tacit.whereText(st.engines);
    span.title = tacit.t("app.remoteTitle", { host });
  };
  draw();
  const before = tacit.onLanguage;
  tacit.onLanguage = () => { if (before) before(); draw(); };
}
window.addEventListener("DOMContentLoaded", showWhere);

async function route() {
  const parts = (location.hash.replace(/^#\/?/, "") || "history").split("/").map(decodeURIComponent);
  const name = tacit.pages[parts[0]] ? parts[0] : "history";
  for (const s of streams) s.close();
  streams = [];
  tacit.notice("");
  for (const a of document.querySelectorAll("nav a"))
    a.toggleAttribute("aria-current", a.dataset.page === name) && a.setAttribute("aria-current", "page");
  /* each visit renders into its own container: a page still loading when the user moves
   * on writes into a detached one, never over the page that replaced it */
  const view = el("div.page", {}, el("p.empty", { text: tacit.t("app.loading") }));
  document.getElementById("view").replaceChildren(view);
  try { await tacit.pages[name](view, parts.slice(1)); }
  catch (e) { view.replaceChildren(tacit.errorBox(e)); }
  if (view.isConnected) document.title = "tacit · " + tacit.t("nav." + name);
}
tacit.route = route;
window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
