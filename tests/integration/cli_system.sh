#!/usr/bin/env bash
# tacit system --json is valid JSON with every field; bad commands and flags exit 2.
set -eu
T=${TACIT:?}
export TACIT_HOME=$(mktemp -d); trap 'rm -rf "$TACIT_HOME"' EXIT

"$T" --version | grep -q '^tacit [0-9]'
"$T" --version | grep -q '^llama.cpp '
"$T" --version | grep -q '^whisper.cpp '
"$T" --version | grep -q '^ggml '

"$T" system --json --no-bandwidth >"$TACIT_HOME/sys.json"
python3 - "$TACIT_HOME/sys.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("model", "cores_physical", "cores_logical", "cores_usable", "simd"):
    assert k in d["cpu"], k
for k in ("ram_total", "ram_available", "cgroup_limit", "swap_total", "swap_free", "unified", "cpu_bandwidth_gbs"):
    assert k in d["memory"], k
assert d["memory"]["ram_total"] > 0 and d["cpu"]["cores_logical"] >= 1
assert isinstance(d["devices"], list) and d["devices"][0]["type"] == "cpu"
for k in ("name", "description", "type", "mem_total", "mem_free", "bandwidth_gbs"):
    assert k in d["devices"][0], k
assert d["power"]["source"] in ("ac", "battery", "unknown")
assert len(d["machine_id"]) == 16
PY
"$T" system >/dev/null --no-bandwidth

expect_usage() { if "$@" >/dev/null 2>&1; then echo "expected failure: $*"; exit 1; else rc=$?; fi
	[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc: $*"; exit 1; }; }
expect_usage "$T"
expect_usage "$T" frobnicate
expect_usage "$T" --bogus
expect_usage "$T" system --bogus
expect_usage "$T" system extra-arg
"$T" frobnicate 2>&1 | grep -q "not a tacit command"

# a sysroot without /proc/meminfo: a clear error and the i/o exit code
if "$T" system --sysroot /nonexistent --no-bandwidth 2>"$TACIT_HOME/err"; then exit 1; else rc=$?; fi
[ "$rc" -eq 13 ] || { echo "exit $rc"; exit 1; }
grep -q "cannot read '/nonexistent/proc/meminfo'" "$TACIT_HOME/err"
echo ok
