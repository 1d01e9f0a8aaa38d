"""Forager's execution tracer: line-by-line traces of Python code in CWM's frame format.

Runs inside a sandbox container (or on the host in tests) with nothing but the standard library
(sys.settrace). Two modes:

  program --file PROG --out TRACE.json [limits] [-- ARGS...]
      Runs PROG as `python PROG ARGS` would (as __main__, same argv, sys.path[0], stdin, stdout,
      stderr, exit status and traceback) and traces its module scope: the entry is the module,
      every call into PROG's own code is a nested frame.
  pytest --root R --source DIR|FILE.py... --out TRACE.json [--per-function K] [--keep-failing 1]
         [limits] -- PYTEST ARGS...
      Runs pytest in-process (each trace names its test, and `ordinal`: which call event of the
      function's code in that test it starts at). Each call of a function under the source folders
      or in the source files (test files excluded) made while no trace is open starts a trace, at
      most one per (function, test) and K per function; traces of tests that did not pass are
      dropped unless --keep-failing 1 (each trace says whether its test passed). With
      --changed FILE:A-B (repeatable), only functions whose lines reach into one of those line
      ranges of FILE start a trace (what a fix changes).

Frames (CWM's four kinds, locals as [name, value] pairs in the frame's order; `depth` is the call depth below the entry, `call` numbers the call):
  call       the `def` line; locals = the arguments. A resumed generator/coroutine is a call frame
             at the line it resumes from, with all its locals.
  line       the locals before the line runs, then the line.
  return     the line and the returned (or yielded) value; a call left by an exception ends with
             its exception frame and a return frame of value None, as sys.settrace reports it.
  exception  the line and the exception (raised here or passing through).
Locals: every local of the frame (names of the form __x__ left out), each rendered as a string;
".." for one whose rendering is unchanged since the previous frame of the same call.

Rendering: repr(value) with " at 0x..." addresses removed, cut to --value-chars characters
followed by "…" (containers and strings are rendered in bounded time, never in full); a repr
that raises is "<repr raised E: Type>"; one that runs longer than --repr-seconds (when SIGALRM
is free) is "<repr timed out: Type>". Limits per trace: --max-events frames, --max-bytes of
frames, --max-seconds, --max-depth nested calls; a trace that reaches one stops there with
`cut` naming it, and the program runs on untraced.
"""
import json
import os
import re
import signal
import sys
import threading
import time

GENERATOR_FLAGS = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async generator
SKIPPED_CODE = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
CUT_MARK = "\u2026"


class Limits:
    def __init__(self, args):
        self.events = args.get("max-events", 10000)
        self.bytes = args.get("max-bytes", 1000000)
        self.seconds = args.get("max-seconds", 10.0)
        self.depth = args.get("max-depth", 64)
        self.value_chars = args.get("value-chars", 512)
        self.repr_seconds = args.get("repr-seconds", 0.2)


# ---------------------------------------------------------------- values

class ReprTimeout(BaseException):
    pass


class Renderer:
    """repr in bounded time and size: `render(v)` is repr(v) (addresses removed) when that has at
    most `limit` characters, else its first `limit` characters and "…"."""

    def __init__(self, limit, repr_seconds):
        self.limit = limit
        self.repr_seconds = repr_seconds
        self.alarm = False
        self.in_repr = False
        if repr_seconds > 0 and threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGALRM, self._on_alarm)
            self.alarm = True

    def _on_alarm(self, signum, frame):
        if self.in_repr:
            raise ReprTimeout()

    def render(self, value):
        out = []
        self._write(value, out, [0], set())
        text = "".join(out)
        text = ADDRESS.sub("", text)
        if len(text) > self.limit:
            text = text[:self.limit] + CUT_MARK
        return text

    def _full(self, out, used):
        return used[0] > self.limit + 64

    def _emit(self, out, used, s):
        out.append(s)
        used[0] += len(s)

    def _write(self, v, out, used, active):
        t = type(v)
        if t is str or t is bytes or t is bytearray:
            cap = 4 * self.limit + 8
            self._emit(out, used, repr(v if len(v) <= cap else v[:cap]))
        elif t is list or t is tuple or t is set or t is frozenset or t is dict:
            self._container(v, t, out, used, active)
        elif t is int or t is float or t is bool or v is None:
            self._emit(out, used, self._guarded(v))
        else:
            self._emit(out, used, self._guarded(v))

    def _container(self, v, t, out, used, active):
        if id(v) in active:
            self._emit(out, used, {list: "[...]", dict: "{...}"}.get(t, "(...)"))
            return
        if len(v) == 0:
            self._emit(out, used, {list: "[]", tuple: "()", set: "set()", frozenset: "frozenset()", dict: "{}"}[t])
            return
        active.add(id(v))
        try:
            opener, closer = {list: ("[", "]"), tuple: ("(", ")"), set: ("{", "}"),
                              frozenset: ("frozenset({", "})"), dict: ("{", "}")}[t]
            self._emit(out, used, opener)
            first = True
            items = v.items() if t is dict else v
            for item in items:
                if self._full(out, used):
                    return
                if not first:
                    self._emit(out, used, ", ")
                first = False
                if t is dict:
                    self._write(item[0], out, used, active)
                    self._emit(out, used, ": ")
                    self._write(item[1], out, used, active)
                else:
                    self._write(item, out, used, active)
            if t is tuple and len(v) == 1:
                self._emit(out, used, ",")
            self._emit(out, used, closer)
        finally:
            active.discard(id(v))

    def _guarded(self, v):
        name = type(v).__name__
        timed = self.alarm and signal.getsignal(signal.SIGALRM) == self._on_alarm \
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0
        self.in_repr = True
        mask = None
        try:
            if timed:
                # A SIGALRM blocked by the parent process is let through for the repr alone.
                if signal.SIGALRM in signal.pthread_sigmask(signal.SIG_BLOCK, []):
                    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGALRM])
                signal.setitimer(signal.ITIMER_REAL, self.repr_seconds)
            try:
                return repr(v)
            finally:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    if mask is not None:
                        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        except ReprTimeout:
            return "<repr timed out: %s>" % name
        except BaseException as e:  # a repr that raises must not disturb the program
            return "<repr raised %s: %s>" % (type(e).__name__, name)
        finally:
            self.in_repr = False


# ---------------------------------------------------------------- sources

class Sources:
    """Source lines by file (decoded as Python decodes them; latin-1 when that fails)."""

    def __init__(self):
        self.lines = {}
        self.texts = {}

    def text(self, path):
        if path not in self.texts:
            try:
                import tokenize
                with tokenize.open(path) as fh:
                    text = fh.read()
            except Exception:
                try:
                    with open(path, "rb") as fh:
                        text = fh.read().decode("latin-1")
                except OSError:
                    text = ""
            self.texts[path] = text
            self.lines[path] = re.split(r"\r\n|\r|\n", text)
        return self.texts[path]

    def line(self, path, number):
        self.text(path)
        lines = self.lines[path]
        return lines[number - 1] if 1 <= number <= len(lines) else ""

    def def_line(self, path, code):
        """The `def` line of a function (past its decorators); the first line otherwise."""
        first = max(1, code.co_firstlineno)
        if self.line(path, first).lstrip().startswith("@"):
            for n in range(first, first + 60):
                if re.match(r"\s*(async\s+)?def\b", self.line(path, n)):
                    return n
        return first


# ---------------------------------------------------------------- tracing

class CallState:
    __slots__ = ("index", "depth", "previous", "lasti")

    def __init__(self, index, depth):
        self.index = index
        self.depth = depth
        self.previous = {}
        self.lasti = -1


class Trace:
    def __init__(self, tracer, frame, relpath, started):
        self.key, test = started
        self.ordinal = tracer.call_counts.get(frame.f_code, 0)
        self.file = relpath
        self.function = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
        self.line = tracer.sources.def_line(frame.f_code.co_filename, frame.f_code) if frame.f_code.co_name != "<module>" else 1
        self.test = test
        self.frames = []
        self.bytes = 0
        self.cut = None
        self.started = time.monotonic()
        self.seconds = 0.0
        self.stack = []        # frames being traced, innermost last
        self.states = {}       # id(frame) -> CallState
        self.calls = 0
        self.done = False
        self.passed = None

    def to_json(self):
        return {"file": self.file, "function": self.function, "line": self.line, "test": self.test,
                "code_line": self.key[1] if self.key else 1, "ordinal": self.ordinal,
                "cut": self.cut, "events": len(self.frames), "bytes": self.bytes,
                "seconds": round(self.seconds, 6), "passed": self.passed, "frames": self.frames}


class Tracer:
    def __init__(self, limits, is_traced_file, relpath):
        self.limits = limits
        self.is_traced_file = is_traced_file
        self.relpath = relpath
        self.renderer = Renderer(limits.value_chars, limits.repr_seconds)
        self.sources = Sources()
        self.code_cache = {}
        self.trace = None
        self.finished = []
        self.start_filter = None   # code, frame -> (start?, test) for a new trace
        self.errors = 0
        self.call_counts = {}      # code -> call events so far (in pytest mode: in the current test)

    def traced(self, code):
        k = self.code_cache.get(code)
        if k is None:
            k = code.co_name not in SKIPPED_CODE and self.is_traced_file(code.co_filename)
            self.code_cache[code] = k
        return k

    # The global trace function: called at every call event of the thread.
    def on_call(self, frame, event, arg):
        if event != "call":
            return None
        try:
            code = frame.f_code
            if not self.traced(code):
                return None
            self.call_counts[code] = self.call_counts.get(code, 0) + 1
            trace = self.trace
            if trace is None:
                if self.start_filter is None:
                    return None
                started = self.start_filter(code, frame)
                if started is False:
                    return None
                trace = self.trace = Trace(self, frame, self.relpath(code.co_filename), started)
            elif len(trace.stack) >= self.limits.depth:
                self.stop(trace, "depth")
                return None
            self.enter(trace, frame)
            return self.on_local if self.trace is trace else None
        except Exception as e:
            self.fail(e)
            return None

    def on_local(self, frame, event, arg):
        trace = self.trace
        if trace is None or trace.done or id(frame) not in trace.states:
            return None
        try:
            if event == "line":
                self.emit(trace, frame, "line", locals_=True)
            elif event == "return":
                self.emit(trace, frame, "return", value=self.renderer.render(arg))
                self.leave(trace, frame)
            elif event == "exception":
                self.emit(trace, frame, "exception", value=self.renderer.render(arg[1]))
        except Exception as e:
            self.fail(e)
            return None
        return self.on_local if self.trace is trace else None

    def enter(self, trace, frame):
        code = frame.f_code
        key = id(frame)
        state = trace.states.get(key)
        resumed = state is not None and code.co_flags & GENERATOR_FLAGS and frame.f_lasti >= state.lasti >= 0
        if not resumed:
            state = CallState(trace.calls, len(trace.stack))
            trace.calls += 1
            trace.states[key] = state
        state.depth = len(trace.stack)
        trace.stack.append(frame)
        line = frame.f_lineno if resumed else (
            trace.line if not trace.frames else self.sources.def_line(code.co_filename, code))
        self.emit(trace, frame, "call", locals_=True, line=line)

    def leave(self, trace, frame):
        state = trace.states.get(id(frame))
        if trace.stack and trace.stack[-1] is frame:
            trace.stack.pop()
        if state is not None:
            if frame.f_code.co_flags & GENERATOR_FLAGS:
                state.lasti = frame.f_lasti
            else:
                del trace.states[id(frame)]
        if not trace.stack and not trace.done:
            self.finish(trace)

    def emit(self, trace, frame, event, locals_=False, value=None, line=None):
        state = trace.states.get(id(frame))
        if state is None:
            return
        code = frame.f_code
        number = line if line is not None else frame.f_lineno
        if number is None or number < 1:
            number = max(1, code.co_firstlineno)
        source = self.sources.line(code.co_filename, number)
        record = {"event": event, "file": self.relpath(code.co_filename), "line": number, "source": source,
                  "depth": state.depth, "call": state.index}
        size = len(source) + 48
        if locals_:
            rendered = {}
            shown = []
            for name, v in list(frame.f_locals.items()):
                if name.startswith("__") and name.endswith("__"):
                    continue
                text = self.renderer.render(v)
                rendered[name] = text
                shown.append([name, ".." if state.previous.get(name) == text else text])
                size += len(name) + len(shown[-1][1]) + 8
            state.previous = rendered
            record["locals"] = shown
        if value is not None:
            record["value"] = value
            size += len(value) + 8
        trace.frames.append(record)
        trace.bytes += size
        limits = self.limits
        if len(trace.frames) >= limits.events and event != "return":
            self.stop(trace, "events")
        elif trace.bytes >= limits.bytes:
            self.stop(trace, "bytes")
        elif time.monotonic() - trace.started >= limits.seconds:
            self.stop(trace, "time")

    def stop(self, trace, reason):
        """Cuts a trace: its frames stop being traced, the program runs on."""
        trace.cut = reason
        for f in trace.stack:
            try:
                f.f_trace = None
            except Exception:
                pass
        self.finish(trace)

    def finish(self, trace):
        trace.done = True
        trace.seconds = time.monotonic() - trace.started
        trace.stack = []
        trace.states = {}
        self.finished.append(trace)
        if self.trace is trace:
            self.trace = None

    def fail(self, error):
        self.errors += 1
        trace = self.trace
        if trace is not None and not trace.done:
            self.stop(trace, "tracer error: %s" % type(error).__name__)

    def close(self):
        if self.trace is not None and not self.trace.done:
            self.stop(self.trace, "unfinished")


def write_json(path, data):
    text = json.dumps(data, ensure_ascii=False)
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8", "backslashreplace"))


# ---------------------------------------------------------------- program mode

def run_program(path, out, limits, argv):
    import builtins
    import types
    shown = os.path.abspath(path)  # what Python names a script's code and __file__
    real = os.path.realpath(path)
    with open(path, "rb") as fh:
        data = fh.read()
    code = compile(data, shown, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": shown, "__builtins__": builtins, "__cached__": None,
                            "__loader__": None, "__spec__": None, "__package__": None})
    sys.modules["__main__"] = module
    sys.argv = [path] + argv
    sys.path[0] = os.path.dirname(real)
    tracer = Tracer(limits, lambda f: f == shown or os.path.realpath(f) == real, lambda f: os.path.basename(path))
    tracer.start_filter = lambda c, f: (None, None) if c is code else False
    outcome = None
    # The tracer's own frames sit below the program's module and its trace function runs one or
    # two frames above the program's: the recursion limit grows by as many, so the program meets
    # RecursionError at the depth it would untraced (sys.getrecursionlimit() reads that much more).
    below, f = 0, sys._getframe()
    while f is not None:
        below, f = below + 1, f.f_back
    sys.setrecursionlimit(sys.getrecursionlimit() + below + 3)
    started = time.monotonic()
    sys.settrace(tracer.on_call)
    try:
        exec(code, module.__dict__)
    except BaseException as e:
        outcome = e
    finally:
        sys.settrace(None)
    elapsed = time.monotonic() - started
    tracer.close()
    source = tracer.sources.text(shown)
    write_json(out, {"mode": "program", "seconds": round(elapsed, 6), "tracer_errors": tracer.errors,
                     "files": {os.path.basename(path): source},
                     "traces": [t.to_json() for t in tracer.finished]})
    if outcome is None:
        return 0
    if isinstance(outcome, SystemExit):
        raise outcome
    # The traceback Python would print, without the tracer's own frames.
    tb = outcome.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != shown:
        tb = tb.tb_next
    sys.excepthook(type(outcome), outcome, outcome.with_traceback(tb).__traceback__)
    return 1


# ---------------------------------------------------------------- pytest mode

def is_test_path(rel):
    parts = rel.replace(os.sep, "/").split("/")
    name = parts[-1]
    return any(p in ("test", "tests", "testing") for p in parts[:-1]) or name.startswith("test_") \
        or name.endswith("_test.py") or name.endswith("_tests.py") or name == "conftest.py"


def run_pytest(root, sources, out, limits, per_function, pytest_args, keep_failing=False, changed=()):
    import pytest
    root = os.path.realpath(root)
    # A source is a folder (everything below it) or a single .py file.
    files_only = set(os.path.join(root, s.strip("/")) for s in sources if s.endswith(".py"))
    prefixes = tuple(os.path.join(root, s.strip("/")) + os.sep for s in sources if not s.endswith(".py"))
    verdicts = {}

    def traced_file(filename):
        path = os.path.realpath(filename)
        return (path in files_only or path.startswith(prefixes)) and not is_test_path(os.path.relpath(path, root))

    tracer = Tracer(limits, traced_file, lambda f: os.path.relpath(os.path.realpath(f), root))
    counts = {}
    seen = set()
    current = {"test": None, "ok": None}

    # --changed FILE:A-B: entries only at functions whose lines include one of these.
    spans = {}
    for item in changed:
        name, _, lines = item.rpartition(":")
        a, _, b = lines.partition("-")
        spans.setdefault(os.path.join(root, name.strip("/")), []).append((int(a), int(b or a)))
    code_spans = {}

    def touches_change(code):
        ranges = spans.get(os.path.realpath(code.co_filename))
        if ranges is None:
            return False
        span = code_spans.get(code)
        if span is None:
            import dis
            lines = [l for _, l in dis.findlinestarts(code) if l]
            span = code_spans[code] = (code.co_firstlineno, max(lines + [code.co_firstlineno]))
        return any(a <= span[1] and span[0] <= b for a, b in ranges)

    def start(code, frame):
        if code.co_name in ("<module>", "<lambda>") or not code.co_flags & 0x1:  # functions only
            return False
        if spans and not touches_change(code):
            return False
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        test = current["test"]
        if counts.get(key, 0) >= per_function or (key, test) in seen:
            return False
        counts[key] = counts.get(key, 0) + 1
        seen.add((key, test))
        return key, test

    tracer.start_filter = start

    class Plugin:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(self, item, nextitem):
            current["test"] = item.nodeid
            current["ok"] = None
            tracer.call_counts = {}
            before = len(tracer.finished)
            sys.settrace(tracer.on_call)
            try:
                yield
            finally:
                sys.settrace(None)
                tracer.close()
            verdicts[item.nodeid] = bool(current["ok"])
            for t in tracer.finished[before:]:
                t.passed = bool(current["ok"])
            if not current["ok"] and not keep_failing:  # traces of a test that did not pass are dropped
                for t in tracer.finished[before:]:
                    counts[t.key] -= 1
                    seen.discard((t.key, t.test))
                del tracer.finished[before:]

        def pytest_runtest_logreport(self, report):
            if report.failed:
                current["ok"] = False
            elif report.when == "call" and report.passed and current["ok"] is None:
                current["ok"] = True

    started = time.monotonic()
    code = pytest.main(pytest_args, plugins=[Plugin()])
    elapsed = time.monotonic() - started
    files = {}
    for t in tracer.finished:
        if t.file not in files:
            files[t.file] = tracer.sources.text(os.path.join(root, t.file))
    write_json(out, {"mode": "pytest", "exit_code": int(code), "seconds": round(elapsed, 6),
                     "tests": len(verdicts), "passed": sum(verdicts.values()), "tracer_errors": tracer.errors,
                     "files": files, "traces": [t.to_json() for t in tracer.finished]})
    return 0


# ---------------------------------------------------------------- command line

def parse(argv):
    opts = {"source": [], "changed": []}
    rest = []
    i = 0
    numbers = {"max-events": int, "max-bytes": int, "max-seconds": float, "max-depth": int,
               "value-chars": int, "repr-seconds": float, "per-function": int}
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest = argv[i + 1:]
            break
        if not a.startswith("--") or i + 1 >= len(argv):
            raise SystemExit("tracer: unexpected argument %r" % a)
        name, value = a[2:], argv[i + 1]
        if name in ("source", "changed"):
            opts[name].append(value)
        elif name in numbers:
            opts[name] = numbers[name](value)
        else:
            opts[name] = value
        i += 2
    return opts, rest


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("program", "pytest"):
        raise SystemExit("usage: tracer.py program|pytest --out FILE ... (see the docstring)")
    mode = sys.argv[1]
    opts, rest = parse(sys.argv[2:])
    limits = Limits(opts)
    if "out" not in opts:
        raise SystemExit("tracer: --out FILE is required")
    if mode == "program":
        if "file" not in opts:
            raise SystemExit("tracer: program needs --file PROG")
        return run_program(opts["file"], opts["out"], limits, rest)
    return run_pytest(opts.get("root", "."), opts["source"], opts["out"], limits, opts.get("per-function", 3), rest,
                      keep_failing=opts.get("keep-failing", "0") == "1", changed=opts["changed"])


if __name__ == "__main__":
    sys.exit(main())
