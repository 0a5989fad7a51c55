#!/usr/bin/env bash
# The export folder from the web app, in headless Chromium: Settings sets it (stored as
# the absolute path, as `tacit export --set-folder` stores it), refuses a folder that
# cannot be written with the library's reason next to the field, and clears it; a
# meeting's "Export now" writes its note there and names the file, leaves a note the
# user edited alone and names the sibling "NAME (tacit).md" instead, and without a folder
# says where to choose one. Screenshots at 1200x900 and 390x844 go to build/e2e-artifacts/.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
ROOT=$PWD
. tests/integration/lib/e2e_serve.sh

W=$(mktemp -d)
export TACIT_HOME=$W/home
mkdir -p "$TACIT_HOME" "$W/vault" "$W/ro"
cleanup() { serve_stop; wait 2>/dev/null || true; chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

# a folder no file can be created in: read-only for a user; root writes anywhere, so
# there sysfs (no file can be created in it, whoever asks)
if [ "$(id -u)" = 0 ]; then RO=/sys; else chmod a-w "$W/ro"; RO=$W/ro; fi

printf '%s\n' "Alice: The launch moves to May because the supplier is late." \
	"Bob: Then marketing needs the new date by Monday." "Alice: I will tell them today." >"$W/launch.txt"
"$T" import --title "Launch date" "$W/launch.txt" >/dev/null
echo "not a folder" >"$W/file.txt"

serve_start "$W"

mkdir -p build/e2e-artifacts
WORK=$W RO=$RO PLAYWRIGHT_CORE=$NPM_DIR/node_modules/playwright-core CHROMIUM=$CHROMIUM \
	timeout 300 node tests/e2e/export_folder.test.cjs "$(head -n 1 "$W/url")" "$ROOT/build/e2e-artifacts" ||
	{ tail -n 20 "$W/serve.log"; exit 1; }
# the command line reads the setting the page wrote: cleared, so `export --all` refuses
rc=0
"$T" export --all >/dev/null 2>"$W/err" || rc=$?
[ "$rc" -ne 0 ] && grep -q "no export folder is set" "$W/err" || { cat "$W/err"; echo "FAIL: the page did not clear export.folder"; exit 1; }
echo "ok: the export folder from the web app"
