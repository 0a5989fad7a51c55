// The export folder in headless Chromium (run by tests/integration/serve_export_folder.sh):
// Settings sets, refuses and clears it; a meeting's "Export now" writes the note and says
// which file. argv: the one-time URL, the screenshot folder; env WORK (the test's folder,
// with vault/ and file.txt), RO (a folder no file can be created in). Exits 1 with the
// failures listed.
"use strict";
const fs = require("fs");
const path = require("path");
const [url, shots] = process.argv.slice(2);
const WORK = process.env.WORK, VAULT = path.join(WORK, "vault");
const harness = require("./harness.cjs");

(async () => {
  const { page, check, shot, run } = await harness.open(shots, /status of (400|404)/);
  const T = { timeout: 15000 };
  const folderSetting = () => page.evaluate(async () => (await (await fetch("/api/settings")).json())
    .settings.find((s) => s.key === "export.folder").value);
  const FIELD = "#set-export-folder", MSG = "#set-export-folder-msg";
  /* types a folder, saves, and returns what the page says next to the field ("" if nothing) */
  const saveFolder = async (value) => {
    await page.goto(new URL("/#/settings", url).href);
    await page.waitForSelector(FIELD, T);
    await page.fill(FIELD, value);
    await page.click("button[type=submit]");
    await page.waitForFunction(() => !/Saving/.test(document.querySelector("#save-msg").textContent), null, T);
    return (await page.textContent(MSG)).trim();
  };
  const exportNow = async () => {
    await page.click("#export-now");
    await page.waitForFunction(() => {
      const m = document.querySelector("#export-msg");
      return m && m.textContent && !/Writing/.test(m.textContent);
    }, null, T);
    return page.textContent("#export-msg");
  };

  await run("export-folder", async () => {
    await page.goto(url);
    await page.waitForSelector("nav", T);

    // ---- Settings: refused with the library's reason next to the field, nothing stored
    for (const [value, want] of [[path.join(WORK, "nowhere"), /cannot write to the export folder '.*nowhere': No such file or directory \(create it, or choose another in Settings\)/],
      [path.join(WORK, "file.txt"), /cannot write to the export folder '.*file\.txt': it is not a folder/],
      [process.env.RO, new RegExp(`cannot write to the export folder '${process.env.RO}': (Permission denied|Read-only file system)`)],
      ["notes", /must be an absolute path/]]) {
      const msg = await saveFolder(value);
      check(want.test(msg), `saving ${value}: next to the field: ${JSON.stringify(msg)}`);
      check(await page.getAttribute(FIELD, "aria-invalid") === "true", `saving ${value}: the field is not marked invalid`);
      check(/Not saved/.test(await page.textContent("#save-msg")), `saving ${value}: Save does not say not saved`);
      check(await folderSetting() === null, `saving ${value}: stored anyway`);
      if (value === path.join(WORK, "nowhere")) await shot("export-folder-refused");
    }

    // ---- set: stored as the absolute path (the page gave one through a "..")
    const msg = await saveFolder(path.join(VAULT, "..", "vault"));
    check(msg === "", "a writable folder is refused: " + msg);
    check(/Settings saved/.test(await page.textContent("#save-msg")), "no confirmation next to Save");
    check(await folderSetting() === fs.realpathSync(VAULT), "stored folder: " + await folderSetting());
    check(fs.readdirSync(VAULT).length === 0, "choosing the folder left a file in it: " + fs.readdirSync(VAULT));
    await shot("export-folder-set");

    // ---- Export now: the file's name; again: up to date; edited: the sibling
    await page.goto(new URL("/#/history/1", url).href);
    await page.waitForSelector("#export-now", T);
    const first = await exportNow();
    const files = fs.readdirSync(VAULT);
    check(files.length === 1 && /^\d{4}-\d\d-\d\d-launch-date-1\.md$/.test(files[0]), "the folder holds " + files);
    const name = files[0];
    check(first === `Written to ${name}`, "Export now says " + first);
    check(fs.readFileSync(path.join(VAULT, name), "utf8").includes("title: \"Launch date\""), "the note lacks its front matter");
    check(await exportNow() === `${name} is up to date`, "a second Export now");
    fs.appendFileSync(path.join(VAULT, name), "\nMy own line.\n");
    const edited = fs.readFileSync(path.join(VAULT, name), "utf8");
    const sib = name.replace(/\.md$/, " (tacit).md");
    const third = await exportNow();
    check(third === `${name} was edited, so it was left as it is: written to ${sib}`, "after an edit, Export now says " + third);
    check(fs.readFileSync(path.join(VAULT, name), "utf8") === edited, "the edited note was changed");
    check(fs.existsSync(path.join(VAULT, sib)), "no sibling written");
    await shot("export-now-sibling");

    // ---- cleared from Settings; Export now then says where to choose one
    await page.goto(new URL("/#/settings", url).href);
    await page.waitForSelector("#clear-folder", T);
    await page.click("#clear-folder");
    await page.waitForFunction(() => /Settings saved/.test(document.querySelector("#save-msg").textContent), null, T)
      .catch(() => check(false, "Clear does not save"));
    check(await folderSetting() === null, "Clear left " + await folderSetting());
    check(await page.inputValue(FIELD) === "", "the cleared field is not empty");
    await page.goto(new URL("/#/history/1", url).href);
    await page.waitForSelector("#export-now", T);
    const none = await exportNow();
    check(/no export folder is set \(choose one in Settings\)/.test(none) && !/'tacit /.test(none), "Export now without a folder: " + none);
    check(await page.$("#export-msg.error") !== null, "the refusal is not shown as an error");
    await shot("export-now-no-folder");
  });
})();
