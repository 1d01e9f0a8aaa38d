"""An independent line tracer for Forager's tests: records every event of the traced code with
its full locals (repr, " at 0x..." removed, cut to LIMIT characters + "…"), no diffing.
  reference_tracer.py program OUT LIMIT PROG [ARGS...]
      every event of PROG's own code (comprehensions aside)
  reference_tracer.py pytest OUT LIMIT ROOT SRC FILE CODE_LINE NAME ORDINAL NODEID
      runs one test; from the ORDINAL-th call event of the function NAME (first line CODE_LINE)
      of ROOT/FILE until that call returns, every event of code under ROOT/SRC (tests aside)"""
import json
import os
import re
import sys

mode, out, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
events = []
SKIP = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")


def show(v):
    try:
        text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(v))
    except Exception as e:
        text = "<repr raised %s: %s>" % (type(e).__name__, type(v).__name__)
    return text if len(text) <= limit else text[:limit] + "\u2026"


def entry_of(frame, event, arg):
    entry = {"event": event, "line": frame.f_lineno, "function": frame.f_code.co_name}
    if event in ("call", "line"):
        names = [k for k in frame.f_locals if not (k.startswith("__") and k.endswith("__"))]
        entry["locals"] = {k: show(frame.f_locals[k]) for k in names}
        entry["localNames"] = names
    elif event == "return":
        entry["value"] = show(arg)
    elif event == "exception":
        entry["value"] = show(arg[1])
    return entry


def run_program(prog, args):
    def record(frame, event, arg):
        if frame.f_code.co_filename != prog or frame.f_code.co_name in SKIP:
            return None
        events.append(entry_of(frame, event, arg))
        return record

    code = compile(open(prog, "rb").read(), prog, "exec")
    sys.argv = [prog] + args
    g = {"__name__": "__main__", "__file__": prog}
    sys.settrace(record)
    try:
        exec(code, g)
    except BaseException:
        pass
    finally:
        sys.settrace(None)


def run_test(root, src, file, code_line, name, ordinal, nodeid):
    import pytest
    root = os.path.realpath(root)
    prefix = os.path.join(root, src) + os.sep
    entry_path = os.path.join(root, file)
    state = {"calls": 0, "entry": None, "done": False}

    def in_source(code):
        path = os.path.realpath(code.co_filename)
        rel = os.path.relpath(path, root)
        parts = rel.split("/")
        test = any(p in ("test", "tests", "testing") for p in parts[:-1]) or parts[-1].startswith("test_") \
            or parts[-1].endswith("_test.py") or parts[-1] == "conftest.py"
        return path.startswith(prefix) and not test and code.co_name not in SKIP

    def local(frame, event, arg):
        if state["done"]:
            return None
        events.append(entry_of(frame, event, arg))
        if event == "return" and frame is state["entry"]:
            state["done"] = True
        return local

    def on_call(frame, event, arg):
        code = frame.f_code
        if state["done"] or not in_source(code):
            return None
        if state["entry"] is None:
            if os.path.realpath(code.co_filename) == os.path.realpath(entry_path) and code.co_firstlineno == code_line \
                    and code.co_name == name:
                state["calls"] += 1
                if state["calls"] == ordinal:
                    state["entry"] = frame
                    return local(frame, event, arg)
            return None
        return local(frame, event, arg)

    class Plugin:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(self, item, nextitem):
            sys.settrace(on_call)
            try:
                yield
            finally:
                sys.settrace(None)

    os.chdir(root)
    pytest.main(["-q", "-p", "no:cacheprovider", nodeid], plugins=[Plugin()])


if mode == "program":
    run_program(sys.argv[4], sys.argv[5:])
else:
    a = sys.argv[4:]
    run_test(a[0], a[1], a[2], int(a[3]), a[4], int(a[5]), a[6])
with open(out, "w") as fh:
    json.dump(events, fh)
