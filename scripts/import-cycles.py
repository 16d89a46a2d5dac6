#!/usr/bin/env python3
"""Import circles between the files of src/.

Lists every `crate::`/`super::`/`self::` path a file names (in `use`
declarations and inline in code) as an edge to the file that defines the
item, following re-exports (`pub use`) to the defining file, then prints
each group of files that import each other around a loop and exits 1 when
there is one. `--edges` prints every edge instead.

    scripts/import-cycles.py [--edges] [SRC_DIR]
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

    def edges(self):
        out = {}
        for file in self.files.values():
            targets = set()
            text = self.text[file]
            spans = inline_mod_spans(text)
            depth = lambda pos: sum(1 for a, b in spans if a <= pos < b)
            for m in USE_RE.finditer(text):
                for segs, name in expand_use_tree(m.group(1)):
                    absolute = self.absolute(file, segs, depth(m.start()))
                    if absolute is not None:
                        targets.add(self.resolve(absolute if name != "*" else absolute[:-1]))
            # paths written inline in code, outside `use` declarations
            code = USE_RE.sub(lambda m: " " * len(m.group(0)), text)
            for m in PATH_RE.finditer(code):
                absolute = self.absolute(file, m.group(1).split("::"), depth(m.start()))
                if absolute is not None:
                    targets.add(self.resolve(absolute))
            targets.discard(None)
            targets.discard(file)
            out[file] = targets
        return out


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


def main():
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
    if not comps:
        print(f"no import circle: {len(edges)} files, {count} edges")
        return 0
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
