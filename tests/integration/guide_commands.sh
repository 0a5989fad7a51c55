#!/usr/bin/env bash
# Every `tacit ...` command in docs/guide.md and the README's "Using tacit" section is a
# real one: its command is in 'tacit --help' (or is help/version) and each of its long
# options appears in 'tacit COMMAND --help'. Command lines come from code blocks and from
# inline code; an environment assignment before the command (TACIT_MODEL_MIRROR=...) is
# skipped, the line ends at a comment, a pipe or '&&'.
set -eu
T=${TACIT:?}
cd "$(dirname "$0")/../.."
python3 - "$T" docs/guide.md README.md <<'PY'
import re, shlex, subprocess, sys
tacit, guide, readme = sys.argv[1:]

def helptext(*args):
    p = subprocess.run([tacit, *args], capture_output=True, text=True)
    assert p.returncode == 0, (args, p.returncode, p.stderr)
    return p.stdout

def using_section(text):
    m = re.search(r"^## Using tacit\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, "README.md has no '## Using tacit' section"
    return m.group(1)

def command_lines(text):
    """Lines of code blocks, and inline code spans, that hold 'tacit '."""
    out, prose, block = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            block = not block
            continue
        (out if block else prose).append(line.strip())
    # inline code may wrap onto the next line
    out += [" ".join(c.split()) for c in re.findall(r"`([^`]*)`", "\n".join(prose))]
    return [l for l in out if re.search(r"(^|\s)tacit\s", l)]

top = helptext("--help")
commands = set(re.findall(r"^  ([a-z]+) ", top, re.M)) | {"help", "version"}
assert {"setup", "live", "summarize"} <= commands, commands
checked, helps = 0, {}
for name, text in ((guide, open(guide).read()), (readme, using_section(open(readme).read()))):
    for line in command_lines(text):
        words = shlex.split(line.replace("…", ""), comments=True)
        while words and re.match(r"^[A-Z_]+=", words[0]):
            words.pop(0)  # VAR=value before the command
        if not words or words[0] not in ("tacit", "build/tacit"):
            continue
        for i, w in enumerate(words):
            if w in ("|", "&&", ";", ">", "||"):
                words = words[:i]
                break
        assert len(words) >= 2, (name, line)
        cmd = words[1]
        assert cmd in commands, "%s: '%s' is not a tacit command: %s" % (name, cmd, line)
        if cmd not in helps:
            helps[cmd] = helptext(cmd, "--help") if cmd not in ("help", "version") else ""
        for w in words[2:]:
            if w.startswith("--"):
                flag = w.split("=", 1)[0]
                assert re.search(re.escape(flag) + r"(?![\w-])", helps[cmd]), \
                    "%s: 'tacit %s' has no option %s: %s" % (name, cmd, flag, line)
        checked += 1
assert checked >= 30, checked  # the guide shows the commands of every step
print("%d command lines checked" % checked)
PY
echo ok
