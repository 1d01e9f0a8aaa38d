"""Forager's mutation helper: runs inside a repository container (or on the host in tests).

  trace  --root R --source DIR... --out FILE -- pytest ARGS...
      Runs pytest in-process with a profiler and writes the functions (file, first line, qualname)
      that tests which passed executed, the test files of those tests (per function, indices into
      `test_files`: the node id's file part and the path from the root), and the command line's
      positional paths (`positional`), so a validation can run only the files that can see a change.
  mutate --root R --out FILE (--candidates FILE | --file PATH...) [--limit N] [--seed S] [--per-operator K]
      Enumerates mutations of the candidate functions with `ast`: each is a list of edits at exact
      positions (line, UTF-8 byte column, end line, end column, absolute byte offsets) and their
      replacement text. Every mutated file is checked to parse, compile and differ from the
      original. At most --per-operator (default 6) mutations per operator and function; with
      --limit, the first N that pass in a seeded round robin over the operators (else all).
  operators
      Prints the operators and their families as a JSON object (Forager checks it against its own
      table, `MutationOperator`).
"""
import ast
import json
import os
import random
import sys

# The operators and their families; Swift's `MutationOperator` is the same table (a test checks).
FAMILIES = {
    "func_rm_body": "functions", "func_rm_stmt": "functions",
    "arg_rm_param": "arguments", "arg_shuffle": "arguments",
    "var_swap": "variables",
    "stmt_rm_import": "statements", "stmt_rm_return": "statements",
    "op_change_binary": "operators", "op_change_unary": "operators",
    "op_change_bool": "operators", "op_change_compare": "operators",
    "const_change": "constants", "ctrl_invert_if": "conditions",
}


def is_test_path(rel):
    """Test code is never mutated: a test/tests/testing folder, test_*.py, *_test(s).py, conftest.py."""
    parts = rel.replace(os.sep, "/").split("/")
    name = parts[-1]
    return any(p in ("test", "tests", "testing") for p in parts[:-1]) or name.startswith("test_") \
        or name.endswith("_test.py") or name.endswith("_tests.py") or name == "conftest.py"


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


# ---------------------------------------------------------------- trace

def trace(root, sources, out, pytest_args):
    import threading
    import pytest
    root = os.path.realpath(root)
    prefixes = tuple(os.path.normpath(os.path.join(root, s.strip("/"))).rstrip(os.sep) + os.sep for s in sources)
    cache = {}
    state = {"current": set(), "covered": {}, "files": {}, "file_index": {}, "test_files": [],
             "positional": [], "passed": 0, "failed": 0}

    def file_of(item):
        node_file = item.nodeid.split("::", 1)[0]
        index = state["file_index"].get(node_file)
        if index is None:
            path = getattr(item, "path", None) or getattr(item, "fspath", None)
            rel = os.path.relpath(os.path.realpath(str(path)), root) if path is not None else node_file
            index = len(state["test_files"])
            state["file_index"][node_file] = index
            state["test_files"].append({"id": node_file, "path": rel})
        return index

    def key_of(code):
        k = cache.get(code, 0)
        if k == 0:
            path = os.path.realpath(code.co_filename)
            if not code.co_filename.startswith("<") and path.startswith(prefixes) and not is_test_path(os.path.relpath(path, root)) and code.co_name not in ("<module>", "<lambda>", "<genexpr>", "<listcomp>",
                                                                    "<dictcomp>", "<setcomp>"):
                k = (os.path.relpath(path, root), code.co_firstlineno, getattr(code, "co_qualname", code.co_name))
            else:
                k = None
            cache[code] = k
        return k

    def profiler(frame, event, arg):
        if event == "call":
            k = key_of(frame.f_code)
            if k is not None:
                state["current"].add(k)

    class Plugin:
        def pytest_configure(self, config):
            state["positional"] = [str(a) for a in (getattr(config.option, "file_or_dir", None) or [])]

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(self, item, nextitem):
            state["current"] = set()
            state["ok"] = None
            sys.setprofile(profiler)
            threading.setprofile(profiler)
            try:
                yield
            finally:
                sys.setprofile(None)
                threading.setprofile(None)
            if state["ok"]:
                state["passed"] += 1
                index = file_of(item)
                for k in state["current"]:
                    state["covered"][k] = state["covered"].get(k, 0) + 1
                    state["files"].setdefault(k, set()).add(index)
            else:
                state["failed"] += 1

        def pytest_runtest_logreport(self, report):
            if report.failed:
                state["ok"] = False
            elif report.when == "call" and report.passed and state["ok"] is None:
                state["ok"] = True

    code = pytest.main(pytest_args, plugins=[Plugin()])
    functions = [{"file": f, "line": l, "qualname": q, "tests": n, "test_files": sorted(state["files"][(f, l, q)])}
                 for (f, l, q), n in sorted(state["covered"].items())]
    with open(out, "w") as fh:
        json.dump({"exit_code": int(code), "passed": state["passed"], "failed": state["failed"],
                   "functions": functions, "test_files": state["test_files"], "positional": state["positional"]}, fh)


# ---------------------------------------------------------------- source positions

class Source:
    def __init__(self, path, data):
        self.path = path
        self.data = data
        self.starts = [0]
        for line in data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.tree = ast.parse(data, filename=path)

    def offset(self, line, col):
        return self.starts[line - 1] + col

    def span(self, node):
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def text(self, node):
        a, b = self.span(node)
        return self.data[a:b].decode("utf-8")

    def line_of(self, offset):
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def edit(self, start, end, text):
        line = self.line_of(start)
        end_line = self.line_of(end) if end > start else line
        # An end offset at the very start of a line belongs to that line (column 0).
        return {"start": start, "end": end, "line": line, "col": start - self.starts[line - 1],
                "end_line": end_line, "end_col": end - self.starts[end_line - 1], "text": text}

    def node_edit(self, node, text):
        a, b = self.span(node)
        return self.edit(a, b, text)

    def apply(self, edits):
        out = self.data
        for e in sorted(edits, key=lambda e: e["start"], reverse=True):
            out = out[:e["start"]] + e["text"].encode("utf-8") + out[e["end"]:]
        return out

    def stmt_removal(self, stmt, siblings):
        """Edits deleting `stmt`: whole lines when it has them to itself, `pass` when it is its block's only statement."""
        a, b = self.span(stmt)
        if len(siblings) == 1:
            return [self.edit(a, b, "pass")]
        line_start = self.starts[stmt.lineno - 1]
        end_line_end = self.starts[stmt.end_lineno] if stmt.end_lineno < len(self.starts) else len(self.data)
        before = self.data[line_start:a]
        after = self.data[b:end_line_end]
        alone = not before.strip() and (not after.strip() or after.strip().startswith(b"#"))
        others_share = any(s is not stmt and (s.lineno <= stmt.end_lineno and s.end_lineno >= stmt.lineno) for s in siblings)
        if alone and not others_share:
            return [self.edit(line_start, end_line_end, "")]
        return [self.edit(a, b, "pass")]


def remove_list_item(src, a, b):
    """Widens [a, b) of a comma-separated item to take one neighbouring comma with it."""
    data = src.data
    j = b
    while j < len(data) and data[j:j + 1] in (b" ", b"\t"):
        j += 1
    if j < len(data) and data[j:j + 1] == b",":
        j += 1
        while j < len(data) and data[j:j + 1] in (b" ", b"\t"):
            j += 1
        return a, j
    i = a
    while i > 0 and data[i - 1:i] in (b" ", b"\t", b"\n", b"\r"):
        i -= 1
    if i > 0 and data[i - 1:i] == b",":
        return i - 1, b
    return a, b


# ---------------------------------------------------------------- walking one function

def own_nodes(func):
    """The function's nodes, not descending into nested functions or classes (their own candidates)."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def body_blocks(func):
    """Every statement list inside the function (not nested defs), with the statements it holds."""
    blocks = []
    todo = [func]
    while todo:
        node = todo.pop()
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            value = getattr(node, field, None)
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                blocks.append(value)
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        continue
                    if isinstance(child, (ast.stmt, ast.excepthandler)) or type(child).__name__ == "match_case":
                        todo.append(child)
    return blocks


def has_docstring(body):
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)


def gap_text(src, a, b):
    raw = src.data[a:b].decode("utf-8", "replace")
    cleaned = "".join(ch for ch in raw if ch not in "()\\\n\r\t ")
    return raw, cleaned


BINARY = {ast.Add: ("+", "-"), ast.Sub: ("-", "+"), ast.Mult: ("*", "/"), ast.Div: ("/", "*"),
          ast.FloorDiv: ("//", "/"), ast.Mod: ("%", "//"), ast.Pow: ("**", "*"), ast.BitAnd: ("&", "|"),
          ast.BitOr: ("|", "&"), ast.BitXor: ("^", "&"), ast.LShift: ("<<", ">>"), ast.RShift: (">>", "<<")}
COMPARE = {ast.Eq: ("==", "!="), ast.NotEq: ("!=", "=="), ast.Lt: ("<", "<="), ast.LtE: ("<=", "<"),
           ast.Gt: (">", ">="), ast.GtE: (">=", ">"), ast.In: ("in", "not in"), ast.NotIn: ("notin", "in"),
           ast.Is: ("is", "is not"), ast.IsNot: ("isnot", "is")}
ATOMIC = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set)


def op_edit(src, a, b, symbol, replacement):
    """The edit replacing the operator token `symbol` found alone in the gap [a, b)."""
    raw, cleaned = gap_text(src, a, b)
    if cleaned != symbol or "#" in raw:
        return None
    if symbol in ("notin", "isnot"):
        first, second = ("not", "in") if symbol == "notin" else ("is", "not")
        i = raw.find(first)
        j = raw.find(second, i + len(first))
        start = a + len(raw[:i].encode("utf-8"))
        end = a + len(raw[:j + len(second)].encode("utf-8"))
    else:
        i = raw.find(symbol)
        start = a + len(raw[:i].encode("utf-8"))
        end = start + len(symbol)
    return src.edit(start, end, replacement)


def mutations_of(src, func, module_imports):
    out = []

    def add(op, edits, note):
        out.append((op, edits, note))

    body = func.body
    stmts = body[1:] if has_docstring(body) else body
    # functions: the whole body, or one statement of it
    trivial = len(stmts) == 1 and (isinstance(stmts[0], ast.Pass) or (isinstance(stmts[0], ast.Expr) and isinstance(
        stmts[0].value, ast.Constant)) or isinstance(stmts[0], ast.Raise))
    if stmts and not trivial:
        a = src.span(stmts[0])[0]
        b = src.span(stmts[-1])[1]
        add("func_rm_body", [src.edit(a, b, "pass")], "body of %s replaced by pass" % func.name)
    for block in body_blocks(func):
        for stmt in block:
            if block is body and has_docstring(body) and stmt is body[0]:
                continue
            if isinstance(stmt, ast.Return):
                if stmt.value is not None:
                    add("stmt_rm_return", src.stmt_removal(stmt, block), "return at line %d removed" % stmt.lineno)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                add("stmt_rm_import", src.stmt_removal(stmt, block), "import at line %d removed" % stmt.lineno)
            elif not isinstance(stmt, (ast.Pass, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Global,
                                       ast.Nonlocal)) and not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                if len(stmts) > 1 or block is not body:
                    add("func_rm_stmt", src.stmt_removal(stmt, block), "statement at line %d removed" % stmt.lineno)

    # arguments: a parameter removed from the definition
    args = func.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = [(p, d) for p, d in zip(positional, defaults)] + list(zip(args.kwonlyargs, args.kw_defaults))
    for index, (param, default) in enumerate(params):
        if index == 0 and param.arg in ("self", "cls"):
            continue
        a, b = src.span(param)
        if default is not None:
            b = src.span(default)[1]
        a, b = remove_list_item(src, a, b)
        add("arg_rm_param", [src.edit(a, b, "")], "parameter %s of %s removed" % (param.arg, func.name))

    loads, stores = {}, set(p.arg for p, _ in params)
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            stores.add(extra.arg)
    for node in own_nodes(func):
        if isinstance(node, ast.Call):
            plain = [x for x in node.args if not isinstance(x, ast.Starred)]
            if len(plain) == len(node.args):
                for i in range(len(plain) - 1):
                    x, y = plain[i], plain[i + 1]
                    tx, ty = src.text(x), src.text(y)
                    if tx != ty:
                        add("arg_shuffle", [src.node_edit(x, ty), src.node_edit(y, tx)],
                            "arguments %d and %d of a call at line %d swapped" % (i + 1, i + 2, node.lineno))
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, []).append(node)
            else:
                stores.add(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            symbol, replacement = BINARY[type(node.op)]
            e = op_edit(src, src.span(node.left)[1], src.span(node.right)[0], symbol, replacement)
            if e:
                add("op_change_binary", [e], "%s became %s at line %d" % (symbol, replacement, node.lineno))
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINARY:
            symbol, replacement = BINARY[type(node.op)]
            e = op_edit(src, src.span(node.target)[1], src.span(node.value)[0], symbol + "=", replacement + "=")
            if e:
                add("op_change_binary", [e], "%s= became %s= at line %d" % (symbol, replacement, node.lineno))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.Invert)):
            inner = src.text(node.operand)
            if not isinstance(node.operand, ATOMIC):
                inner = "(" + inner + ")"
            add("op_change_unary", [src.node_edit(node, inner)], "unary operator dropped at line %d" % node.lineno)
        elif isinstance(node, ast.BoolOp):
            symbol, replacement = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            edits = []
            for x, y in zip(node.values, node.values[1:]):
                e = op_edit(src, src.span(x)[1], src.span(y)[0], symbol, replacement)
                if e is None:
                    edits = None
                    break
                edits.append(e)
            if edits:
                add("op_change_bool", edits, "%s became %s at line %d" % (symbol, replacement, node.lineno))
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                symbol, replacement = COMPARE[type(op)]
                e = op_edit(src, src.span(left)[1], src.span(right)[0], symbol, replacement)
                if e:
                    add("op_change_compare", [e], "comparison %s became %s at line %d" % (
                        symbol.replace("notin", "not in").replace("isnot", "is not"), replacement, node.lineno))
                left = right
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            add("const_change", [src.node_edit(node, str(node.value + 1))],
                "constant %d became %d at line %d" % (node.value, node.value + 1, node.lineno))
            if node.value > 0:
                add("const_change", [src.node_edit(node, str(node.value - 1))],
                    "constant %d became %d at line %d" % (node.value, node.value - 1, node.lineno))
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                inner = src.text(test.operand)
                if not isinstance(test.operand, ATOMIC):
                    inner = "(" + inner + ")"
                add("ctrl_invert_if", [src.node_edit(test, inner)], "condition at line %d inverted" % node.lineno)
            else:
                add("ctrl_invert_if", [src.node_edit(test, "not (" + src.text(test) + ")")],
                    "condition at line %d inverted" % node.lineno)

    # variables: two locals swapped at every use
    names = sorted(n for n in loads if n in stores)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            x, y = names[i], names[j]
            edits = [src.node_edit(n, y) for n in loads[x]] + [src.node_edit(n, x) for n in loads[y]]
            add("var_swap", edits, "variables %s and %s swapped in %s" % (x, y, func.name))

    # statements: a module-level import the function uses
    used = set(loads)
    for stmt, block, bound in module_imports:
        if bound & used:
            add("stmt_rm_import", src.stmt_removal(stmt, block), "import at line %d removed" % stmt.lineno)
    return out


def module_level_imports(tree):
    found = []
    todo = [tree.body]
    while todo:
        block = todo.pop()
        for stmt in block:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                bound = set()
                for alias in stmt.names:
                    if alias.name == "*":
                        continue
                    bound.add(alias.asname or alias.name.split(".")[0])
                if bound and not (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
                    found.append((stmt, block, bound))
            elif isinstance(stmt, (ast.If, ast.Try)):
                for field in ("body", "orelse", "finalbody"):
                    todo.append(getattr(stmt, field, []))
                for h in getattr(stmt, "handlers", []):
                    todo.append(h.body)
    return found


def functions_of(tree):
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                q = prefix + child.name
                found.append((q, child))
                visit(child, q + ".<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            elif not isinstance(child, ast.Lambda):
                visit(child, prefix)
    visit(tree, "")
    return found


def mutate(root, out, candidates=None, files=None, per_operator=6, limit=None, seed="0"):
    """Enumerates, then checks in selection order until `limit` mutations pass (all when None).

    Selection: a seeded shuffle within each operator, then round robin over the operators sorted
    by name, so every family gets its share and the same seed gives the same list.
    """
    wanted = {}
    if candidates is not None:
        for c in candidates:
            wanted.setdefault(c["file"], set()).add((c["line"], c["qualname"]))
    else:
        for f in files:
            wanted[f] = None
    pool, seen = {}, set()
    for rel in sorted(wanted):
        if is_test_path(rel):
            continue
        path = os.path.join(root, rel)
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            src = Source(rel, data)
        except SyntaxError:
            continue
        imports = module_level_imports(src.tree)
        for qualname, func in functions_of(src.tree):
            first_lines = {func.lineno} | {d.lineno for d in func.decorator_list}
            if wanted[rel] is not None and not any(l in first_lines for l, _ in wanted[rel]):
                continue
            # At most `per_operator` mutations of one operator per function, chosen with a fixed seed,
            # so a long function cannot crowd out the rest.
            by_op = {}
            for item in mutations_of(src, func, imports):
                by_op.setdefault(item[0], []).append(item)
            for op in sorted(by_op):
                items = by_op[op]
                if len(items) > per_operator:
                    items = random.Random("%s:%s:%s" % (rel, qualname, op)).sample(items, per_operator)
                for _, edits, note in items:
                    edits = sorted(edits, key=lambda e: e["start"])
                    if any(x["end"] > y["start"] for x, y in zip(edits, edits[1:])):
                        continue
                    key = (rel, tuple((e["start"], e["end"], e["text"]) for e in edits))
                    if key in seen:
                        continue
                    seen.add(key)
                    pool.setdefault(op, []).append((src, qualname, func.lineno, edits, note))
    queues = []
    for op in sorted(pool):
        items = pool[op]
        random.Random("%s:%s" % (seed, op)).shuffle(items)
        queues.append((op, items))
    results, skipped = [], {"unparsable": 0, "unchanged": 0, "uncompilable": 0}
    index = 0
    while limit is None or len(results) < limit:
        progressed = False
        for op, items in queues:
            if index >= len(items) or (limit is not None and len(results) >= limit):
                continue
            progressed = True
            src, qualname, line, edits, note = items[index]
            mutated = src.apply(edits)
            if mutated == src.data:
                skipped["unchanged"] += 1
                continue
            try:
                tree = ast.parse(mutated, filename=src.path)
            except (SyntaxError, ValueError):
                skipped["unparsable"] += 1
                continue
            try:
                compile(tree, src.path, "exec")
            except (SyntaxError, ValueError):
                skipped["uncompilable"] += 1
                continue
            results.append({"file": src.path, "function": qualname, "function_line": line,
                            "operator": op, "family": FAMILIES[op], "note": note, "edits": edits,
                            "mutated_fnv1a64": fnv1a64(mutated), "mutated_bytes": len(mutated)})
        if not progressed:
            break
        index += 1
    with open(out, "w") as fh:
        json.dump({"mutations": results, "found": {op: len(items) for op, items in queues}, "dropped": skipped}, fh)


def main(argv):
    if not argv:
        sys.exit(__doc__)
    command, rest = argv[0], argv[1:]
    opts, positional = {}, []
    while rest:
        a = rest.pop(0)
        if a == "--":
            positional = rest
            break
        if a.startswith("--"):
            opts.setdefault(a[2:], []).append(rest.pop(0))
        else:
            positional.append(a)
    root = opts.get("root", ["."])[0]
    if command == "trace":
        sys.path.insert(0, os.path.realpath(root))
        os.chdir(root)
        trace(root, opts.get("source", []), os.path.abspath(opts["out"][0]), positional)
    elif command == "mutate":
        candidates = None
        if "candidates" in opts:
            with open(opts["candidates"][0]) as fh:
                candidates = json.load(fh)["functions"]
        limit = opts.get("limit")
        mutate(root, opts["out"][0], candidates=candidates, files=opts.get("file", []),
               per_operator=int(opts.get("per-operator", ["6"])[0]), limit=int(limit[0]) if limit else None,
               seed=opts.get("seed", ["0"])[0])
    elif command == "operators":
        json.dump(FAMILIES, sys.stdout, sort_keys=True)
        sys.stdout.write("\n")
    else:
        sys.exit("unknown command %r" % command)


if __name__ == "__main__":
    main(sys.argv[1:])
