// The web app's message catalogues (web/i18n/*.js), checked with node alone (run by
// tests/integration/web_i18n.sh): every language has exactly English's keys, each key
// the same {placeholders}, [link:…] targets and plural shape; every key the code names
// exists and every key is used; and no user-visible text is left in web/*.js or
// web/index.html (a heuristic: string literals that read as words, outside keys,
// selectors, URLs and object keys). Prints one line per problem; exits 1 on any.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const web = process.argv[2] || path.join(__dirname, "../../web");
const failures = [];
const fail = (what) => failures.push(what);

/* ---- the catalogues --------------------------------------------------------------- */
const window = {};
const langs = fs.readdirSync(path.join(web, "i18n")).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3)).sort();
for (const l of langs) vm.runInNewContext(fs.readFileSync(path.join(web, "i18n", l + ".js"), "utf8"), { window });
const cats = window.tacitMessages || {};
for (const need of ["en", "fr", "es", "de"]) if (!cats[need]) fail(`web/i18n/${need}.js does not define tacitMessages.${need}`);
for (const l of langs) if (!cats[l]) fail(`web/i18n/${l}.js does not define tacitMessages.${l}`);
const en = cats.en || {};

/* what a message must keep in every language: its {placeholders} and its link targets */
function shape(m) {
  const forms = typeof m === "string" ? [m] : Object.values(m);
  const set = new Set();
  for (const f of forms) {
    for (const [, p] of f.matchAll(/\{(\w+)\}/g)) set.add("{" + p + "}");
    for (const [, p] of f.matchAll(/\[(\w+):[^\]]*\]/g)) set.add("[" + p + ":]");
  }
  return [...set].sort().join(" ");
}
const PLURAL_FORMS = ["zero", "one", "two", "few", "many", "other"];
function checkMessage(l, key, m) {
  if (typeof m === "string") { if (!m.trim()) fail(`${l}: "${key}" is empty`); return; }
  if (!m || typeof m !== "object" || typeof m.other !== "string") { fail(`${l}: "${key}" is neither a string nor a plural with "other"`); return; }
  for (const [form, v] of Object.entries(m)) {
    if (!PLURAL_FORMS.includes(form)) fail(`${l}: "${key}" has an unknown plural form "${form}"`);
    if (typeof v !== "string" || !v.trim()) fail(`${l}: "${key}".${form} is empty`);
  }
}
for (const l of Object.keys(cats)) {
  const c = cats[l];
  if (typeof c["lang.name"] !== "string") fail(`${l}: no "lang.name" (the switcher's name of the language)`);
  for (const key of Object.keys(en)) {
    if (!(key in c)) { fail(`${l}: missing "${key}"`); continue; }
    checkMessage(l, key, c[key]);
    if (shape(c[key]) !== shape(en[key])) fail(`${l}: "${key}" has placeholders ${shape(c[key]) || "(none)"}, English has ${shape(en[key]) || "(none)"}`);
    if ((typeof c[key] === "string") !== (typeof en[key] === "string")) fail(`${l}: "${key}" is ${typeof c[key] === "string" ? "not " : ""}a plural, unlike English`);
    if (typeof en[key] === "object" && !/\{n\}/.test(shape(en[key]))) fail(`en: plural "${key}" has no {n} to choose its form`);
  }
  for (const key of Object.keys(c)) if (!(key in en)) fail(`${l}: extra key "${key}" (not in English)`);
}

/* ---- the code: keys it names, text it holds ---------------------------------------- */
const jsFiles = fs.readdirSync(web).filter((f) => f.endsWith(".js")).sort();
const html = fs.readFileSync(path.join(web, "index.html"), "utf8");

/* the code without comments and regular-expression literals, so only its strings remain */
function strip(src) {
  let out = "", i = 0;
  const prevSignificant = () => { const m = /(\S)\s*$/.exec(out); return m ? m[1] : ""; };
  while (i < src.length) {
    const c = src[i], d = src[i + 1];
    if (c === "/" && d === "*") { const e = src.indexOf("*/", i + 2); out += " "; i = e < 0 ? src.length : e + 2; continue; }
    if (c === "/" && d === "/") { const e = src.indexOf("\n", i); i = e < 0 ? src.length : e; continue; }
    if (c === "/" && /[(,=:!&|?;{}[]|^$/.test(prevSignificant())) { /* a regex literal */
      let j = i + 1, cls = false;
      for (; j < src.length && src[j] !== "\n"; j++) {
        if (src[j] === "\\") { j++; continue; }
        if (src[j] === "[") cls = true; else if (src[j] === "]") cls = false;
        else if (src[j] === "/" && !cls) break;
      }
      out += " /re/ "; i = j + 1; continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      for (; j < src.length && src[j] !== c; j++) if (src[j] === "\\") j++;
      out += src.slice(i, j + 1); i = j + 1; continue;
    }
    out += c; i++;
  }
  return out;
}

/* string literals with what comes just before and after each */
function literals(code) {
  const out = [];
  const re = /"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g;
  for (let m; (m = re.exec(code));) {
    const text = m[1] !== undefined ? m[1] : m[2] !== undefined ? m[2] : m[3].replace(/\$\{[^}]*\}/g, "").replace(/\s+/g, " ");
    out.push({ text, before: code.slice(Math.max(0, m.index - 40), m.index), after: code.slice(re.lastIndex, re.lastIndex + 3) });
    if (m[3] !== undefined) for (const [, expr] of m[3].matchAll(/\$\{([^}]*)\}/g)) out.push(...literals(expr));
  }
  return out;
}

/* words a user would read: two words side by side, or one capitalised word alone */
const TECHNICAL = new Set(["use strict", "Enter", "Content-Type"]);
function readsAsText(lit) {
  const s = lit.text.replace(/\\./g, " ");
  if (TECHNICAL.has(s)) return false;
  if (/[{,]\s*$/.test(lit.before) && /^\s*:/.test(lit.after)) return false; /* an object key */
  if (/\b(?:t|tacit\.t|has)\(\s*$/.test(lit.before)) return false; /* a catalogue key */
  if (/[!=]==?\s*$/.test(lit.before)) return false; /* a value the server sends, compared */
  /* any word where the page shows text: a text node, a placeholder, a label */
  if (/(?:\btext:|textContent\s*=|placeholder:|"aria-label":|\btitle:|\blabel:)\s*$/.test(lit.before) &&
    /[A-Za-z]{2,}/.test(s) && s.replace(/[\s:]/g, "") !== "tacit" && !s.startsWith("/")) return true; /* the product, a path */
  return /[A-Za-zÀ-ÿ]{2,} [A-Za-zÀ-ÿ]{2,}/.test(s) || /^\s*[A-Z][a-zà-ÿ]+[.!?…:]?\s*$/.test(s);
}

/* the heuristic's own check: it must see text where it is, and nothing where it is not */
for (const [src, want] of [['el("p", { text: "Hello there" })', true], ['b.textContent = "Saved";', true],
  ['confirm(`Delete ${x} now?`)', true], ['t("history.cancel")', false], ['el("div.row#x", {}, y)', false],
  ['{ "loading the model": "stage.loading" }', false], ['s.replace(/run \'tacit x\'/g, "")', false],
  ['h.get("Content-Type")', false], ['a ? "Yes" : "No"', true], ['{ text: "archived" }', true],
  ['{ placeholder: "auto" }', true], ['{ type: "text" }', false], ['x !== "this device" ? a : b', false]])
  if (literals(strip(src)).some(readsAsText) !== want) fail(`the text heuristic gets ${src} wrong`);

const used = new Set(), prefixes = new Set();
for (const f of jsFiles) {
  const code = strip(fs.readFileSync(path.join(web, f), "utf8"));
  for (const lit of literals(code)) {
    if (/^[a-z]+(?:\.[\w]+)+$/.test(lit.text)) used.add(lit.text);
    if (/^[a-z]+(?:\.[\w]+)*\.$/.test(lit.text)) prefixes.add(lit.text); /* "nav." + name */
    if (readsAsText(lit)) fail(`web/${f}: text in the code, not in the catalogues: "${lit.text.slice(0, 60)}"`);
  }
}
for (const [, k] of html.matchAll(/data-i18n(?:-title|-label)?="([^"]+)"/g)) used.add(k);
for (const k of used) if (/^(?:app|nav|web|stage|meeting|history|player|models|settings|setting|verdict|kind|artifact|suggestion)\./.test(k) && !(k in en))
  fail(`the code names "${k}", which web/i18n/en.js lacks`);
for (const k of Object.keys(en))
  if (k !== "lang.name" && !used.has(k) && ![...prefixes].some((p) => k.startsWith(p))) fail(`en: "${k}" is never used`);

/* index.html: text and titles carry their key; only the product name and the no-script
 * line (shown when no script runs, so nothing could translate it) are left as they are */
const body = html.replace(/<noscript>[\s\S]*?<\/noscript>/, "").replace(/<title>tacit<\/title>/, "");
for (const [, , attrs, text] of body.matchAll(/<(\w+)([^>]*)>([^<]*[A-Za-z][^<]*)</g))
  if (text.trim() !== "tacit" && !/data-i18n="/.test(attrs)) fail(`web/index.html: text without data-i18n: "${text.trim()}"`);
for (const [tag] of body.matchAll(/<[^>]*\btitle="[^"]*"[^>]*>/g)) if (!/data-i18n-title=/.test(tag)) fail(`web/index.html: title without data-i18n-title: ${tag}`);
for (const [tag] of body.matchAll(/<[^>]*\baria-label="[^"]*"[^>]*>/g)) if (!/data-i18n-label=/.test(tag)) fail(`web/index.html: aria-label without data-i18n-label: ${tag}`);

for (const f of failures) console.log("FAIL " + f);
console.log(`${Object.keys(en).length} keys in ${Object.keys(cats).length} languages, ${jsFiles.length} scripts scanned: ${failures.length} problems`);
process.exit(failures.length ? 1 : 0);
