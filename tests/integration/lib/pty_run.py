#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as from a user's terminal, for the tests that
check what a terminal shows (status lines redrawn with \\r, Ctrl-C through the tty).

usage: pty_run.py [--first REGEX] [--interrupt REGEX] -- PROGRAM ARG...
Prints one JSON object: "exit" (the exit code), "text" (all the terminal showed),
"first" (seconds from the start until --first matched, null when it never did) and
"sent" (true when --interrupt matched and Ctrl-C was typed then)."""
import json, os, pty, re, sys, time

args = sys.argv[1:]
first_re = interrupt_re = None
while args and args[0] != "--":
    opt, val, args = args[0], args[1], args[2:]
    if opt == "--first":
        first_re = re.compile(val.encode())
    elif opt == "--interrupt":
        interrupt_re = re.compile(val.encode())
    else:
        sys.exit("pty_run.py: unknown option " + opt)
argv = args[1:]
t0 = time.time()
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out, first, sent = b"", None, False
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        break
    if not b:
        break
    out += b
    if first_re and first is None and first_re.search(out):
        first = time.time() - t0
    if interrupt_re and not sent and interrupt_re.search(out):
        os.write(fd, b"\x03")
        sent = True
_, status = os.waitpid(pid, 0)
json.dump({"exit": os.waitstatus_to_exitcode(status), "text": out.decode("utf-8", "replace"),
           "first": first, "sent": sent}, sys.stdout)
