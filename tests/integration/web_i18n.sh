#!/usr/bin/env bash
# The web app's four message catalogues (web/i18n/) checked with node, no browser:
# the same keys and placeholders in English, French, Spanish and German, every key used,
# and no user-visible text left in web/*.js or web/index.html (tests/e2e/i18n.test.cjs).
set -eu
cd "$(dirname "$0")/../.."
command -v node >/dev/null || { echo "node is needed"; exit 77; }
node tests/e2e/i18n.test.cjs web
