# lib/e2e_npm.sh — sourced by the browser tests (serve_e2e.sh, serve_web.sh,
# serve_a11y.sh): installs playwright-core and axe-core from tests/e2e/package-lock.json
# into $NPM_DIR (${TACIT_NPM_CACHE:-~/.cache/tacit/npm}), again only when the lock
# changed; exits 77 (skip) when npm cannot. Run from the repository root.
NPM_DIR=${TACIT_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tacit/npm}
if ! cmp -s tests/e2e/package-lock.json "$NPM_DIR/package-lock.json" || [ ! -d "$NPM_DIR/node_modules/playwright-core" ] ||
	[ ! -r "$NPM_DIR/node_modules/axe-core/axe.min.js" ]; then
	mkdir -p "$NPM_DIR"
	cp tests/e2e/package.json tests/e2e/package-lock.json "$NPM_DIR/"
	if ! (cd "$NPM_DIR" && timeout 180 npm ci --no-audit --no-fund >npm.log 2>&1); then
		rm -f "$NPM_DIR/package-lock.json"
		echo "npm could not install playwright-core and axe-core into $NPM_DIR (see $NPM_DIR/npm.log)"
		exit 77
	fi
fi
