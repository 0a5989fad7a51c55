/* Settings page: the per-device choices (model per task, custom models included,
 * suggestions, output language). Each setting's label comes from the catalogue by its
 * key; one the catalogue does not know yet shows the server's English label.
 * The server knows the keys and checks each value; this page only offers them. */
"use strict";
(function () {
  const { el, api, t } = tacit;

  function control(s) {
    const id = "set-" + s.key.replace(/\./g, "-");
    let input;
    if (s.type === "model") {
      const option = (c) => el("option", { value: c.id, text: c.problem ? t("settings.fileMissing", { name: c.name }) : c.name,
        selected: s.value === c.id });
      const custom = s.choices.filter((c) => c.custom);
      input = el("select", { id }, el("option", { value: "", text: t("settings.automatic") }),
        s.choices.filter((c) => !c.custom).map(option),
        custom.length ? el("optgroup", { label: t("settings.customModels") }, custom.map(option)) : null);
      if (s.value && !s.choices.some((c) => c.id === s.value))
        input.append(el("option", { value: s.value, text: s.value, selected: true }));
    } else if (s.type === "onoff") {
      input = el("select", { id }, el("option", { value: "", text: t("settings.default") }),
        el("option", { value: "on", text: t("settings.on"), selected: s.value === "on" }),
        el("option", { value: "off", text: t("settings.off"), selected: s.value === "off" }));
    } else if (s.type === "number") {
      input = el("input", { id, type: "number", value: s.value || "", placeholder: t("settings.defaultPlaceholder"), min: s.min, max: s.max,
        step: "any", inputmode: "decimal" });
    } else {
      input = el("input", { id, type: "text", value: s.value || "", placeholder: t("settings.autoPlaceholder"), maxlength: 3,
        pattern: "auto|[a-z]{2,3}", autocomplete: "off" });
    }
    input.dataset.key = s.key;
    return el("div.card", {}, el("label", { for: id }, el("strong", { text: tacit.has("setting." + s.key) ? t("setting." + s.key) : s.label })),
      el("div.muted", { text: s.key }), el("div", {}, input));
  }

  tacit.pages.settings = async function render(view) {
    const data = await api("GET", "/api/settings");
    const form = el("form", { novalidate: true });
    form.append(...data.settings.map(control),
      el("div.row", {}, el("button.primary", { type: "submit" }, t("settings.save")), el("span.muted", {
        text: t("settings.local") })));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const i of form.querySelectorAll("[data-key]")) body[i.dataset.key] = i.value.trim() === "" ? null : i.value.trim();
      try { await api("PUT", "/api/settings", body); tacit.notice(t("settings.saved")); }
      catch (e) { tacit.notice(e.message, true); }
    });
    view.replaceChildren(el("h1", { text: t("nav.settings") }), form);
  };
})();
