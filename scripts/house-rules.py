#!/usr/bin/env python3
"""The house rules `make lint` checks beyond rustfmt and clippy; exits 1 when one is broken.
- No import cycles between the source files of a crate: file A uses an item of file B and B
  (directly or through others) uses one of A's. A module's root file re-exporting its children
  (`pub use model::*`) is looked through to the child that defines the item.
- No source file over 700 lines before its tests.
- SurrealQL only in server/src/db; the server's handlers (sockets, routes, export) never import
  the database module: they go through services.
Usage: scripts/house-rules.py   (from the repository's root)"""
import os, re, sys

def modules(root):
    files = {}
    for dp, _, fns in os.walk(root):
        for f in fns:
            if f.endswith('.rs'):
                p = os.path.join(dp, f)
                rel = os.path.relpath(p, root)[:-3]
                parts = [] if rel in ('lib', 'main') else rel.split(os.sep)
                if parts and parts[-1] == 'mod':
                    parts = parts[:-1]
                files[tuple(parts)] = p
    return files

def strip_tests(text):
    i = text.find('#[cfg(test)]\nmod tests')
    return text if i < 0 else text[:i]

def defines(text, name):
    return re.search(r'\b(fn|struct|enum|trait|type|const|static|mod|macro_rules!)\s+' + re.escape(name) + r'\b', text) is not None

def resolve(files, texts, parts):
    """The file that defines the item at the path `parts` (module path then item name)."""
    for cut in range(len(parts), -1, -1):
        mod = tuple(parts[:cut])
        if mod in files:
            rest = parts[cut:]
            if not rest:
                return files[mod]
            name = rest[0]
            text = texts[files[mod]]
            if defines(text, name):
                return files[mod]
            # look through `pub use child::*` and `pub use child::{.., name, ..}`
            for m in re.finditer(r'pub(?:\([a-z]+\))? use (?:self::)?(\w+)::(\*|\{[^}]*\}|\w+);', text):
                child, what = m.group(1), m.group(2)
                names = re.findall(r'\w+', what)
                if what == '*' or name in names:
                    sub = mod + (child,)
                    if sub in files and (what != '*' or defines(texts[files[sub]], name)):
                        return files[sub]
            return files[mod]
    return None

def uses(text):
    text = re.sub(r'//[^\n]*', '', text)
    out = []
    for m in re.finditer(r'\buse\s+(crate|super)::([^;]+);', text):
        base, tree = m.group(1), m.group(2)
        out += [(base, p) for p in expand(tree)]
    for m in re.finditer(r'\b(crate|super)::((?:\w+::)*\w+)', text):
        out.append((m.group(1), m.group(2)))
    return out

def expand(tree):
    tree = tree.replace('\n', ' ').replace(' ', '')
    m = re.match(r'^(.*?)\{(.*)\}$', tree)
    if not m:
        return [tree.split(' as ')[0]]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ''
    for ch in inner:
        if ch == ',' and depth == 0:
            parts.append(cur); cur = ''
            continue
        depth += ch == '{'; depth -= ch == '}'
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p and p != 'self':
            out += [prefix + x for x in expand(p)]
    return out

def cycles(root):
    files = modules(root)
    texts = {p: strip_tests(open(p).read()) for p in files.values()}
    owner = {p: k for k, p in files.items()}
    edges = {p: set() for p in texts}
    for p, text in texts.items():
        here = list(owner[p])
        for base, path in uses(text):
            parts = path.split('::')
            if base == 'super':
                parts = here[:-1] + parts
            target = resolve(files, texts, parts)
            # a module's root declaring or re-exporting its children is not a use of them
            if target and target != p:
                edges[p].add(target)
    for p in texts:
        mod = owner[p]
        for q in list(edges[p]):
            if len(owner[q]) > len(mod) and owner[q][:len(mod)] == mod and mod != ():
                pass
    # Tarjan
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in texts:
        if v not in index:
            visit(v)
    return out

HANDLERS = [
    "server/src/socket.rs", "server/src/routes.rs", "server/src/endpoint.rs",
    "server/src/oidc/handlers.rs",
    "server/src/wall/channel.rs", "server/src/wall/export.rs",
    "server/src/present/channel.rs", "server/src/present/deck.rs",
    "server/src/socket/view.rs", "server/src/visit/channel.rs",
    "server/src/plan/channel.rs", "server/src/plan/export.rs",
]
SURREALQL = re.compile(r'"[^"\n]*\b(SELECT|UPSERT|DEFINE|RELATE|LIVE SELECT)\b [^"\n]*')

broken = []
for root in ["app/src", "server/src", "bench/src"]:
    for comp in cycles(root):
        broken.append("import cycle: " + " <-> ".join(comp))
    for dp, _, fns in os.walk(root):
        for f in fns:
            if not f.endswith(".rs"):
                continue
            p = os.path.join(dp, f)
            text = open(p).read()
            code = strip_tests(text).split("\n")
            if len(code) > 700:
                broken.append(f"{p}: {len(code)} lines before its tests (700 at most)")
            if not p.startswith("server/src/db") and SURREALQL.search("\n".join(code)):
                broken.append(f"{p}: SurrealQL outside server/src/db")
for p in HANDLERS:
    if re.search(r"\bcrate::db\b|\bdb::", strip_tests(open(p).read())):
        broken.append(f"{p}: a handler reaches the database without a service")
for line in broken:
    print(line)
sys.exit(1 if broken else 0)
