/* Settings page: the per-device choices (model per task, custom models included,
 * suggestions, output language).
 * The server knows the keys and checks each value; this page only offers them. */
"use strict";
(function () {
  const { el, api } = tacit;

  function control(s) {
    const id = "set-" + s.key.replace(/\./g, "-");
    let input;
    if (s.type === "model") {
      const option = (c) => el("option", { value: c.id, text: c.name + (c.problem ? " (file missing)" : ""),
        selected: s.value === c.id });
      const custom = s.choices.filter((c) => c.custom);
      input = el("select", { id }, el("option", { value: "", text: "Automatic (best downloaded)" }),
        s.choices.filter((c) => !c.custom).map(option),
        custom.length ? el("optgroup", { label: "Custom models" }, custom.map(option)) : null);
      if (s.value && !s.choices.some((c) => c.id === s.value))
        input.append(el("option", { value: s.value, text: s.value, selected: true }));
    } else if (s.type === "onoff") {
      input = el("select", { id }, el("option", { value: "", text: "Default" }),
        el("option", { value: "on", text: "On", selected: s.value === "on" }),
        el("option", { value: "off", text: "Off", selected: s.value === "off" }));
    } else if (s.type === "number") {
      input = el("input", { id, type: "number", value: s.value || "", placeholder: "default", min: s.min, max: s.max,
        step: "any", inputmode: "decimal" });
    } else {
      input = el("input", { id, type: "text", value: s.value || "", placeholder: "auto", maxlength: 3,
        pattern: "auto|[a-z]{2,3}", autocomplete: "off" });
    }
    input.dataset.key = s.key;
    return el("div.card", {}, el("label", { for: id }, el("strong", { text: s.label })),
      el("div.muted", { text: s.key }), el("div", {}, input));
  }

  tacit.pages.settings = async function render(view) {
    const data = await api("GET", "/api/settings");
    const form = el("form", { novalidate: true });
    form.append(...data.settings.map(control),
      el("div.row", {}, el("button.primary", { type: "submit" }, "Save"), el("span.muted", {
        text: "Settings stay on this device and are never synchronised." })));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const i of form.querySelectorAll("[data-key]")) body[i.dataset.key] = i.value.trim() === "" ? null : i.value.trim();
      try { await api("PUT", "/api/settings", body); tacit.notice("Settings saved."); }
      catch (e) { tacit.notice(e.message, true); }
    });
    view.replaceChildren(el("h1", { text: "Settings" }), form);
  };
})();
