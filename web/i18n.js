/* tacit web app: the interface language — English, French, Spanish or German, from the
 * switcher's choice kept on this device, else the browser's languages, else English.
 * Strings live in the catalogues web/i18n/*.js (keys with {name} placeholders; a plural
 * is {one, other}, picked by the param n); dates, times and numbers go through Intl in
 * the chosen locale. Summaries follow the meeting's language, not this one. */
"use strict";
(function () {
  const LANG_KEY = "tacit.lang";
  const catalogues = window.tacitMessages || {};
  const supported = Object.keys(catalogues);

  /* the locale for Intl: the browser's own variant of the chosen language (fr-CA) when
   * it has one, else the bare language */
  function pick() {
    const browser = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
    const kept = localStorage.getItem(LANG_KEY);
    const lang = supported.includes(kept) ? kept
      : (browser.map((l) => String(l).toLowerCase().split("-")[0]).find((l) => supported.includes(l)) || "en");
    const locale = browser.find((l) => String(l).toLowerCase().split("-")[0] === lang) || lang;
    return { lang, locale };
  }

  let lang = "en", locale = "en", plural = null, number = null;
  function use(choice) {
    lang = choice.lang;
    locale = choice.locale;
    try { plural = new Intl.PluralRules(locale); number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }); }
    catch (e) { locale = lang; plural = new Intl.PluralRules(lang); number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }); }
    document.documentElement.lang = lang;
  }
  use(pick());

  const fill = (text, params) => text.replace(/\{(\w+)\}/g, (all, name) => {
    if (!params || !(name in params)) return all;
    const v = params[name];
    return typeof v === "number" ? number.format(v) : String(v);
  });

  /* t("models.inUse"), t("history.talk", { time, n }): the text in the chosen language,
   * falling back to English (the test keeps the catalogues complete) and then the key. */
  tacit.t = function (key, params) {
    let m = (catalogues[lang] || {})[key];
    if (m === undefined) m = (catalogues.en || {})[key];
    if (m === undefined) return key;
    if (typeof m === "object") {
      const n = params && typeof params.n === "number" ? params.n : 0;
      m = m[plural.select(n)] || m.other;
    }
    return fill(m, params);
  };
  tacit.has = (key) => (catalogues.en || {})[key] !== undefined;
  tacit.lang = () => lang;
  tacit.locale = () => locale;
  tacit.number = (x, digits) => new Intl.NumberFormat(locale, digits === undefined ? { maximumFractionDigits: 1 }
    : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
  tacit.date = (ms) => new Date(ms).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });

  /* index.html's own text: data-i18n sets the text, data-i18n-title the title */
  function translateStatic() {
    for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = tacit.t(e.dataset.i18n);
    for (const e of document.querySelectorAll("[data-i18n-title]")) e.title = tacit.t(e.dataset.i18nTitle);
    for (const e of document.querySelectorAll("[data-i18n-label]")) e.setAttribute("aria-label", tacit.t(e.dataset.i18nLabel));
  }

  /* The switcher: each language named in itself; a choice is kept on this device and the
   * page is drawn again in it (a meeting's capture goes on: only the view is redrawn). */
  window.addEventListener("DOMContentLoaded", () => {
    translateStatic();
    const sel = tacit.el("select.lang#lang", { "aria-label": tacit.t("app.language"), onchange: () => {
      localStorage.setItem(LANG_KEY, sel.value);
      use(pick());
      sel.setAttribute("aria-label", tacit.t("app.language"));
      translateStatic();
      if (tacit.onLanguage) tacit.onLanguage();
      tacit.route();
    } }, supported.map((code) => tacit.el("option", { value: code, lang: code, text: catalogues[code]["lang.name"],
      selected: code === lang })));
    document.querySelector(".top").append(sel);
  });
})();
