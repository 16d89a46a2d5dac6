#!/usr/bin/env python3
"""Import circles between the files of src/, and imports that point up.

Lists every `crate::`/`super::`/`self::` path a file names (in `use`
declarations and inline in code) as an edge to the file that defines the
item, following re-exports (`pub use`) to the defining file, then prints
each group of files that import each other around a loop and exits 1 when
there is one. `--edges` prints every edge instead.

Floors: a `lib.rs` or `mod.rs` whose doc comment has a line starting
"Floors, top to bottom" followed by numbered lines (`//! 1. `a`, `b``)
orders the folders and files below it, named by their path from there
(`actors/core`). An edge from a file on one floor to a file on a higher
one is an upward import, and exits 1 too. Folders on one floor may import
each other; test code (`tests.rs`, `tests/`, `#[cfg(test)] mod`) is not
checked, since a test may check a lower layer through a higher one.

`--self-test` runs the check on small planted crates (an upward import,
a circle, a clean one) and exits 1 unless it fails exactly the first two.

    scripts/import-cycles.py [--edges | --self-test] [SRC_DIR]
"""

import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_RE = re.compile(
    r"(?<![A-Za-z0-9_:])((?:crate|super|self|predastore)(?:::(?:" + IDENT + r"))+)"
)
USE_RE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
INLINE_MOD_RE = re.compile(r"\bmod\s+" + IDENT + r"\s*\{")


def inline_mod_spans(text):
    """(start, end) of every inline `mod name { … }` body in a file."""
    spans = []
    for m in INLINE_MOD_RE.finditer(text):
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        spans.append((m.end(), i))
    return spans


def strip_comments_and_strings(text):
    """Blanks comments, string and char literals so paths inside them are not edges."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            close = '"' + m.group(1)
            j = text.find(close, i + len(m.group(0)))
            j = n if j < 0 else j + len(close)
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or c == "'" and text.startswith("'\\", i):
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_tree(tree):
    """`a::{b, c::{d, e as f}}` -> [(['a','b'], 'b'), (['a','c','d'], 'd'), (['a','c','e'], 'f')]."""
    tree = re.sub(r"\s+as\s+", "@", tree)
    tree = re.sub(r"\s+", "", tree)
    results = []

    def walk(prefix, s):
        # split top-level commas
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        for p in parts:
            brace = p.find("{")
            if brace >= 0 and p.endswith("}"):
                head = p[:brace].rstrip(":")
                segs = [x for x in head.split("::") if x] if head else []
                walk(prefix + segs, p[brace + 1:-1])
            else:
                alias = None
                if "@" in p:
                    p, alias = p.split("@", 1)
                segs = [x for x in p.split("::") if x]
                if segs and segs[-1] == "self":
                    segs = segs[:-1]
                    name = alias or (segs[-1] if segs else None)
                else:
                    name = alias or (segs[-1] if segs else None)
                results.append((prefix + segs, name))

    walk([], tree)
    return results


class Crate:
    def __init__(self, src):
        self.src = src
        self.files = {}  # module path tuple -> file path
        self.module_of = {}  # file -> module tuple
        self.text = {}
        self._scan()
        self.uses = {f: self._uses(f) for f in self.files.values()}

    def _scan(self):
        for root, _dirs, names in os.walk(self.src):
            for name in names:
                if not name.endswith(".rs"):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, self.src)
                parts = rel[:-3].split(os.sep)
                if parts == ["lib"]:
                    mod = ()
                elif parts == ["main"]:
                    continue  # the binary is its own crate; it cannot be in a circle with the library
                elif parts[-1] == "mod":
                    mod = tuple(parts[:-1])
                else:
                    mod = tuple(parts)
                self.files[mod] = path
                self.module_of[path] = mod
                with open(path, encoding="utf-8") as fh:
                    self.text[path] = strip_comments_and_strings(fh.read())

    def absolute(self, file, segs, inline=0):
        """A path as written in `file` (`inline` levels deep in inline `mod { }`
        blocks) -> an absolute module path (list), or None if external."""
        mod = list(self.module_of[file])
        if not segs:
            return None
        head = segs[0]
        if head in ("crate", "predastore"):
            return segs[1:]
        if head == "self":
            return mod + segs[1:]
        if head == "super":
            i = 0
            while i < len(segs) and segs[i] == "super":
                if inline:
                    inline -= 1  # leaves an inline module: still this file
                else:
                    mod = mod[:-1]
                i += 1
            return mod + segs[i:]
        # a bare path in a `use`: a child module of this file (`use child::X`)
        if (tuple(mod + [head])) in self.files:
            return mod + segs
        return None

    def _uses(self, file):
        """name -> absolute path for every `use` in a file (re-exports included)."""
        table = {}
        globs = []
        spans = inline_mod_spans(self.text[file])
        for m in USE_RE.finditer(self.text[file]):
            if any(a <= m.start() < b for a, b in spans):
                continue  # an inline module's imports are its own
            for segs, name in expand_use_tree(m.group(1)):
                absolute = self.absolute(file, segs)
                if absolute is None:
                    continue
                if name == "*":
                    globs.append(absolute[:-1])
                elif name:
                    table[name] = absolute
        table["*"] = globs
        return table

    def resolve(self, path, depth=0):
        """Absolute path -> the file that defines its item."""
        for cut in range(len(path), -1, -1):
            mod = tuple(path[:cut])
            if mod in self.files:
                file = self.files[mod]
                rest = path[cut:]
                if rest and depth < 16:
                    uses = self.uses[file]
                    if rest[0] in uses and uses[rest[0]] != path:
                        return self.resolve(uses[rest[0]] + rest[1:], depth + 1)
                    if not self._defines(file, rest[0]):
                        for glob in uses["*"]:
                            found = self.resolve(glob + rest, depth + 1)
                            if found and self._defines(found, rest[0]):
                                return found
                return file
        return None

    def _defines(self, file, name):
        return re.search(
            r"\b(?:fn|struct|enum|trait|type|const|static|mod|union|macro_rules!)\s+" + re.escape(name) + r"\b",
            self.text[file],
        ) is not None

    def edges(self, skip_test_code=False):
        out = {}
        for file in self.files.values():
            targets = set()
            text = self.text[file]
            if skip_test_code:
                for m in CFG_TEST_MOD_RE.finditer(text):
                    end = next((b for a, b in inline_mod_spans(text) if a == m.end()), len(text))
                    text = text[:m.start()] + " " * (end - m.start()) + text[end:]
            spans = inline_mod_spans(text)
            depth = lambda pos: sum(1 for a, b in spans if a <= pos < b)
            for m in USE_RE.finditer(text):
                for segs, name in expand_use_tree(m.group(1)):
                    absolute = self.absolute(file, segs, depth(m.start()))
                    if absolute is not None:
                        targets.add(self.resolve(absolute if name != "*" else absolute[:-1]))
            # paths written inline in code, outside `use` declarations
            code = USE_RE.sub(lambda m: " " * len(m.group(0)), text)
            # `pub(in path)` names where an item is seen, not a use of it
            code = VIS_IN_RE.sub(lambda m: " " * len(m.group(0)), code)
            for m in PATH_RE.finditer(code):
                absolute = self.absolute(file, m.group(1).split("::"), depth(m.start()))
                if absolute is not None:
                    targets.add(self.resolve(absolute))
            targets.discard(None)
            targets.discard(file)
            out[file] = targets
        return out


VIS_IN_RE = re.compile(r"pub\(in\s+[^)]*\)")
FLOORS_RE = re.compile(r"^//!.*Floors, top to bottom", re.M)
FLOOR_LINE_RE = re.compile(r"^//!\s*(\d+)\.\s+(.*)$")
CFG_TEST_MOD_RE = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+" + IDENT + r"\s*\{")


def floor_plans(src):
    """(folder, {entry path: floor number}) for every file declaring floors."""
    plans = []
    for root, _dirs, names in os.walk(src):
        for name in ("lib.rs", "mod.rs"):
            if name not in names:
                continue
            with open(os.path.join(root, name), encoding="utf-8") as fh:
                lines = fh.read().splitlines()
            start = next((i for i, l in enumerate(lines) if FLOORS_RE.match(l)), None)
            if start is None:
                continue
            floors = {}
            for line in lines[start + 1:]:
                if not line.startswith("//!"):
                    break
                m = FLOOR_LINE_RE.match(line)
                if m:
                    for entry in re.findall(r"`([^`]+)`", m.group(2)):
                        floors[entry] = int(m.group(1))
            if floors:
                plans.append((root, os.path.join(root, name), floors))
    return plans


def floor_of(folder, floors, path):
    """The floor of `path` under `folder` (longest matching entry), or None."""
    rel = os.path.relpath(path, folder)
    stem = rel[:-3] if rel.endswith(".rs") else rel
    best = None
    for entry, floor in floors.items():
        if stem == entry or stem.startswith(entry + os.sep):
            if best is None or len(entry) > len(best[0]):
                best = (entry, floor)
    return best


def is_test_file(path):
    parts = path.split(os.sep)
    return parts[-1] == "tests.rs" or "tests" in parts[:-1]


def upward_imports(crate, src):
    """(from, to, why) for every import that points to a higher floor,
    leaving out imports made only inside `#[cfg(test)]` modules."""
    plans = floor_plans(src)
    edges = crate.edges(skip_test_code=True)
    found = []
    for f, targets in edges.items():
        if is_test_file(f):
            continue
        for t in targets:
            for folder, declared_in, floors in plans:
                if f == declared_in or not (f.startswith(folder + os.sep) and t.startswith(folder + os.sep)):
                    continue
                a, b = floor_of(folder, floors, f), floor_of(folder, floors, t)
                if a and b and a[0] != b[0] and b[1] < a[1]:
                    found.append((f, t, f"`{a[0]}` (floor {a[1]}) imports `{b[0]}` (floor {b[1]}), declared in {declared_in}"))
    return sorted(found)


def cycles(edges):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return comps


def self_test():
    """The check fails a planted upward import and a planted circle, and
    passes the same crate without them."""
    import tempfile

    lib = (
        "//! Floors, top to bottom:\n//!\n//! 1. `top`\n//! 2. `low`\n\n"
        "mod top;\nmod low;\n"
    )
    cases = {
        "clean": {"top.rs": "use crate::low::f;\n", "low.rs": "pub fn f() {}\n"},
        "upward": {
            "top.rs": "use crate::low::f;\n",
            "low.rs": "pub fn f() { crate::top::g() }\n",
        },
        "circle": {
            "top.rs": "use crate::low::f;\npub fn g() {}\n",
            "low.rs": "pub fn f() {}\n#[cfg(test)]\nmod tests {\n    use crate::top::g;\n}\n",
        },
        "test-only": {
            "top.rs": "pub fn g() {}\n",
            "low.rs": "pub fn f() {}\n#[cfg(test)]\nmod tests {\n    use crate::top::g;\n}\n",
        },
    }
    want = {"clean": 0, "upward": 1, "circle": 1, "test-only": 0}
    failed = False
    for name, files in cases.items():
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "lib.rs"), "w") as fh:
                fh.write(lib)
            for f, text in files.items():
                with open(os.path.join(d, f), "w") as fh:
                    fh.write(text)
            crate = Crate(d)
            got = 1 if (upward_imports(crate, d) or cycles(crate.edges())) else 0
        print(f"self-test {name}: {'fails' if got else 'passes'}")
        failed |= got != want[name]
    return 1 if failed else 0


def main():
    if "--self-test" in sys.argv:
        return self_test()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    src = os.path.normpath(src)
    crate = Crate(src)
    edges = crate.edges()
    rel = lambda p: os.path.relpath(p, os.path.dirname(src))
    if "--edges" in sys.argv:
        for f in sorted(edges):
            for t in sorted(edges[f]):
                print(f"{rel(f)} -> {rel(t)}")
        return 0
    comps = cycles(edges)
    count = sum(len(v) for v in edges.values())
    upward = upward_imports(crate, src)
    for f, t, why in upward:
        print(f"upward import: {rel(f)} -> {rel(t)}: {why}")
    if upward:
        print(f"{len(upward)} upward imports")
    if not comps:
        print(f"no import circle: {len(edges)} files, {count} edges")
        return 1 if upward else 0
    for comp in comps:
        members = set(comp)
        print(f"circle of {len(comp)} files:")
        for f in comp:
            inner = sorted(rel(t) for t in edges[f] if t in members)
            print(f"  {rel(f)} -> {', '.join(inner)}")
    print(f"{len(comps)} import circles")
    return 1


if __name__ == "__main__":
    sys.exit(main())
