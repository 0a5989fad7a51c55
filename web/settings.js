/* Settings page: the per-device choices in two groups — basic (models, suggestions,
 * output language) and advanced (the live meeting's thresholds, folded away). Each
 * setting's label comes from the catalogue by its key and says the value used when it
 * is unset; the raw key shows only in the advanced group, as a hint. The server knows the
 * keys and checks each value (a model that is not downloaded or won't fit is refused):
 * its message shows next to the field it names, the confirmation next to Save. */
"use strict";
(function () {
  const { el, api, t } = tacit;

  /* what an unset setting means, in words */
  function defaultText(s) {
    if (s.type === "model") return t("settings.defaultModel");
    if (s.type === "language") return t("settings.defaultLanguage");
    if (s.type === "folder") return t("settings.defaultNoFolder");
    if (!s.default) return t("settings.defaultFits");
    if (s.type === "onoff") return t("settings.defaultIs", { value: t("settings." + s.default) });
    return t("settings.defaultIs", { value: tacit.number(Number(s.default)) });
  }

  function control(s) {
    const id = "set-" + s.key.replace(/\./g, "-");
    let input;
    if (s.type === "model") {
      const option = (c) => el("option", { value: c.id, selected: s.value === c.id,
        text: c.problem ? t("settings.fileMissing", { name: c.name }) : c.downloaded === false ? t("settings.notDownloaded", { name: c.name }) : c.name });
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
      input = el("input", { id, type: "number", value: s.value || "", placeholder: s.default || t("settings.defaultPlaceholder"), min: s.min, max: s.max,
        step: "any", inputmode: "decimal" });
    } else if (s.type === "folder") {
      input = el("input", { id, type: "text", value: s.value || "", placeholder: t("settings.folderPlaceholder"), maxlength: 4096,
        autocomplete: "off", spellcheck: "false" });
    } else {
      input = el("input", { id, type: "text", value: s.value || "", placeholder: t("settings.autoPlaceholder"), maxlength: 3,
        pattern: "auto|[a-z]{2,3}", autocomplete: "off" });
    }
    input.dataset.key = s.key;
    const help = el("div.muted", { id: id + "-help" }, defaultText(s),
      s.group === "advanced" ? [" · ", el("code.key", { text: s.key })] : null);
    const msg = el("div.field-msg", { id: id + "-msg", role: "alert" });
    input.setAttribute("aria-describedby", help.id + " " + msg.id);
    /* the folder is cleared as it is set: the field emptied, then saved */
    const clear = s.type === "folder" ? el("button#clear-folder", { type: "button", "aria-label": t("settings.clearFolder"), onclick: () => {
      input.value = "";
      input.form.requestSubmit();
    } }, t("settings.clear")) : null;
    return el("div.card.setting", { "data-key": s.key },
      el("label", { for: id }, el("strong", { text: tacit.has("setting." + s.key) ? t("setting." + s.key) : s.label })),
      help, clear ? el("div.row", {}, el("div.grow", {}, input), clear) : el("div", {}, input), msg);
  }

  tacit.pages.settings = async function render(view) {
    const data = await api("GET", "/api/settings");
    const form = el("form", { novalidate: true });
    const basic = data.settings.filter((s) => s.group !== "advanced"), advanced = data.settings.filter((s) => s.group === "advanced");
    const saved = el("span.save-msg#save-msg", { role: "status", "aria-live": "polite" });
    const save = el("button.primary", { type: "submit" }, t("settings.save"));
    form.append(el("h2", { text: t("settings.basic") }), ...basic.map(control),
      advanced.length ? el("details.advanced#advanced", {}, el("summary", { text: t("settings.advanced") }),
        el("p.muted", { text: t("settings.advancedHelp") }), advanced.map(control)) : null,
      el("div.row.save-row", {}, save, saved), el("p.muted", { text: t("settings.local") }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const i of form.querySelectorAll("[data-key]:is(input, select)")) body[i.dataset.key] = i.value.trim() === "" ? null : i.value.trim();
      for (const m of form.querySelectorAll(".field-msg")) m.replaceChildren();
      for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
      saved.classList.remove("error"); saved.textContent = t("settings.saving");
      save.disabled = true;
      try {
        await api("PUT", "/api/settings", body);
        saved.textContent = t("settings.saved");
      } catch (e) {
        const input = e.field && form.querySelector(`[data-key="${CSS.escape(e.field)}"]:is(input, select)`);
        if (input) {
          const details = input.closest("details");
          if (details) details.open = true;
          input.setAttribute("aria-invalid", "true");
          document.getElementById(input.id + "-msg").replaceChildren(tacit.errorBox(e));
          saved.textContent = t("settings.notSaved");
          input.focus();
        } else {
          saved.classList.add("error");
          saved.textContent = e.message;
        }
      }
      save.disabled = false;
    });
    view.replaceChildren(el("h1", { text: t("nav.settings") }), form);
  };
})();
