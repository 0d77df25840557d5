#!/usr/bin/env python3
"""Structure checks of the source tree (ctest structure/*, docs/ARCHITECTURE.md).

  includes   no include cycle between modules (src/<module>/ directories;
             a public header include/accq/X.h belongs to the module whose .c
             files define its functions)
  cli        src/cli includes only the C library, accq/*.h and cli/*.h: no
             third-party header (GSL, jansson, GLPK, GMP, inih, ARPACK,
             OpenMP), no library-internal header, no popen/system/gnuplot
  length     no function in src/ longer than MAX_LINES lines (from the line
             with its opening brace to its closing brace)

Each check has an exception list below: every entry names the offending
place, its current size and a reason.  An entry that no longer matches
anything (the function was shortened, the include removed) fails the check
too, so the lists only shrink.  Exit 0 when every check passes, 1 otherwise,
printing each finding as FILE:LINE: message.

usage: check_structure.py SOURCE_DIR [--no-exceptions] [includes|cli|length|list-lengths ...]
"""
import os
import re
import sys

MAX_LINES = 150

# (path, function): (lines now, reason).  The function may not grow beyond
# `lines now`; the entry goes once it is at most MAX_LINES.
# The state of main when the check was introduced (issue 13): the four
# longest are being split by colleagues, the CLI commands shrink as their
# features move into the library.  Shrink this list, never grow it.
_CLI = 'command body: parsing, library calls and report building in one; shrinks as ' \
       'the feature moves to the library (issue 13)'
LENGTH_EXCEPTIONS = {
}

# module -> modules it may include although that closes a cycle: (reason)
CYCLE_EXCEPTIONS = {
}

# (path, include or call) -> reason
CLI_EXCEPTIONS = {
}

THIRD_PARTY = re.compile(
    r'^(gsl/|jansson\.h$|glpk\.h$|gmp\.h$|gmpxx\.h$|ini\.h$|arpack|omp\.h$|check\.h$|'
    r'cblas\.h$|lapack|mpfr\.h$)')


def c_files(root, sub, exts=('.c', '.h')):
    out = []
    base = os.path.join(root, sub)
    for d, _, files in os.walk(base):
        for f in sorted(files):
            if f.endswith(exts):
                out.append(os.path.join(d, f))
    return sorted(out)


def rel(root, path):
    return os.path.relpath(path, root)


def strip_comments(text):
    """Removes /* */ and // comments and string contents, keeping newlines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


# ---- includes -----------------------------------------------------------------

def modules(root):
    src = os.path.join(root, 'src')
    return sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))


def header_modules(root, mods):
    """include/accq/X.h -> the module defining the functions it declares."""
    defs = {}  # function name -> module
    for m in mods:
        for f in c_files(root, os.path.join('src', m), ('.c',)):
            text = strip_comments(open(f, encoding='utf-8', errors='replace').read())
            for mt in re.finditer(r'^[A-Za-z_][\w \*]*?\b(accq_\w+)\s*\([^;{]*\)\s*\{', text,
                                  re.M):
                defs.setdefault(mt.group(1), m)
    out = {}
    for h in c_files(root, 'include/accq', ('.h',)):
        name = os.path.basename(h)[:-2]
        if name == 'accq':
            out['accq/accq.h'] = None  # the umbrella header: every module
            continue
        text = strip_comments(open(h, encoding='utf-8', errors='replace').read())
        votes = {}
        for fn in re.findall(r'\b(accq_\w+)\s*\(', text):
            if fn in defs:
                votes[defs[fn]] = votes.get(defs[fn], 0) + 1
        if votes:
            out['accq/%s.h' % name] = max(sorted(votes), key=lambda k: votes[k])
        elif name in mods:
            out['accq/%s.h' % name] = name
        else:
            out['accq/%s.h' % name] = None  # types only (status codes...): no edge
    return out


def check_includes(root):
    mods = [m for m in modules(root) if m != 'cli']
    hmod = header_modules(root, mods)
    edges = {m: {} for m in mods}  # m -> {n: (file, line)}
    for m in mods:
        for f in c_files(root, os.path.join('src', m)):
            for ln, line in enumerate(open(f, encoding='utf-8', errors='replace'), 1):
                mt = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not mt:
                    continue
                inc = mt.group(1)
                top = inc.split('/')[0]
                target = hmod.get(inc) if top == 'accq' else top if top in mods else None
                if target and target != m:
                    edges[m].setdefault(target, (rel(root, f), ln))
    # strongly connected components (Tarjan); a component of 2+ modules is a cycle
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if (v, w) in CYCLE_EXCEPTIONS:
                continue
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
            comps.append(sorted(comp))

    for v in mods:
        if v not in index:
            visit(v)
    bad = []
    for comp in comps:
        if len(comp) < 2:
            continue
        where = ['%s:%d: %s includes %s' % (edges[a][b] + (a, b))
                 for a in comp for b in sorted(edges[a]) if b in comp
                 and (a, b) not in CYCLE_EXCEPTIONS]
        bad.append('include cycle between modules %s:\n    %s' % (
            ' <-> '.join(comp), '\n    '.join(where)))
    for (a, b), reason in sorted(CYCLE_EXCEPTIONS.items()):
        if b not in edges.get(a, {}):
            bad.append('stale exception in CYCLE_EXCEPTIONS: %s no longer includes %s '
                       '(remove the entry)' % (a, b))
    return bad


# ---- the CLI's dependencies -------------------------------------------------------

def check_cli(root):
    bad, seen = [], set()
    for f in c_files(root, 'src/cli'):
        r = rel(root, f)
        raw = open(f, encoding='utf-8', errors='replace').read()
        code = strip_comments(raw)
        for ln, line in enumerate(raw.split('\n'), 1):
            mt = re.match(r'\s*#\s*include\s+([<"])([^>"]+)[>"]', line)
            if not mt:
                continue
            kind, inc = mt.groups()
            why = None
            if kind == '<' and THIRD_PARTY.match(inc):
                why = 'a third-party header: the library wraps it'
            elif kind == '"' and not (inc.startswith('accq/') or inc.startswith('cli/')):
                why = 'not a public accq header (accq/...) nor the CLI\'s own (cli/...)'
            if why:
                key = (r, inc)
                seen.add(key)
                if key not in CLI_EXCEPTIONS:
                    bad.append('%s:%d: includes %s: %s' % (r, ln, inc, why))
        for ln, line in enumerate(code.split('\n'), 1):
            for call in re.findall(r'\b(popen|system)\s*\(', line):
                key = (r, call)
                seen.add(key)
                if key not in CLI_EXCEPTIONS:
                    bad.append('%s:%d: calls %s(): the CLI runs no program' % (r, ln, call))
        for ln, line in enumerate(raw.split('\n'), 1):
            if re.search(r'"[^"]*\bgnuplot\b[^"]*(\bset\b|\bplot\b|-persist)', line):
                key = (r, 'gnuplot')
                seen.add(key)
                if key not in CLI_EXCEPTIONS:
                    bad.append('%s:%d: gnuplot commands in the CLI' % (r, ln))
    for key in sorted(CLI_EXCEPTIONS):
        if key not in seen:
            bad.append('stale exception in CLI_EXCEPTIONS: %s no longer has %s (remove the entry)'
                       % key)
    return bad


# ---- function length --------------------------------------------------------------

def functions(path):
    """(name, first line, lines) of each function definition: a line at
    column 0 opening a body with '{' after a ')' and closing at a '}' in
    column 0 (the project's clang-format style)."""
    text = strip_comments(open(path, encoding='utf-8', errors='replace').read())
    lines = text.split('\n')
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r'^[A-Za-z_]', line) and not line.rstrip().endswith(';') \
                and not line.startswith(('typedef', 'struct', 'enum', 'union', '#')):
            # the signature may span lines: find the '{' that opens the body
            j = i
            sig = line
            while j < len(lines) and '{' not in lines[j] and not lines[j].rstrip().endswith(';') \
                    and j - i < 12:
                j += 1
                if j < len(lines):
                    sig += ' ' + lines[j]
            if j < len(lines) and '{' in lines[j] and ')' in sig.split('{')[0] \
                    and '=' not in sig.split('(')[0]:
                mt = re.search(r'(\w+)\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*(__attribute__.*)?\{?\s*$',
                               sig.split('{')[0] + '{')
                name = mt.group(1) if mt else sig.split('(')[0].split()[-1]
                # the body ends at the first '}' in column 0
                k = j
                while k < len(lines) and not (lines[k].startswith('}') and k > j or
                                              (k == j and lines[k].rstrip().endswith('}')
                                               and lines[k].count('{') == lines[k].count('}'))):
                    k += 1
                out.append((name.lstrip('*'), j + 1, k - j + 1))
                i = k + 1
                continue
        i += 1
    return out


def check_length(root):
    bad, seen = [], set()
    for f in c_files(root, 'src', ('.c',)):
        r = rel(root, f)
        for name, line, n in functions(f):
            key = (r, name)
            if key in LENGTH_EXCEPTIONS:
                seen.add(key)
                limit, _ = LENGTH_EXCEPTIONS[key]
                if n > limit:
                    bad.append('%s:%d: %s() is %d lines, more than its exception (%d): shorten it'
                               % (r, line, name, n, limit))
                elif n <= MAX_LINES:
                    bad.append('%s:%d: %s() is %d lines now: remove its entry from '
                               'LENGTH_EXCEPTIONS' % (r, line, name, n))
            elif n > MAX_LINES:
                bad.append('%s:%d: %s() is %d lines (at most %d): split it'
                           % (r, line, name, n, MAX_LINES))
    for key in sorted(LENGTH_EXCEPTIONS):
        if key not in seen:
            bad.append('stale exception in LENGTH_EXCEPTIONS: no function %s in %s '
                       '(remove the entry)' % (key[1], key[0]))
    return bad


CHECKS = {'includes': check_includes, 'cli': check_cli, 'length': check_length}


def main(argv):
    if len(argv) < 2 or not os.path.isdir(os.path.join(argv[1], 'src')):
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    names = argv[2:]
    if '--no-exceptions' in names:  # the self-test's trees: none of the lists apply
        names.remove('--no-exceptions')
        LENGTH_EXCEPTIONS.clear()
        CYCLE_EXCEPTIONS.clear()
        CLI_EXCEPTIONS.clear()
    names = names or sorted(CHECKS)
    failed = 0
    for name in names:
        if name == 'list-lengths':  # a tool for the exception list: every function over the limit
            for f in c_files(root, 'src', ('.c',)):
                for fn, line, n in functions(f):
                    if n > MAX_LINES:
                        print('    (%r, %r): (%d, "..."),' % (rel(root, f), fn, n))
            continue
        bad = CHECKS[name](root)
        for b in bad:
            print('%s: %s' % (name, b))
        print('%s: %s' % (name, 'FAIL (%d)' % len(bad) if bad else 'ok'))
        failed |= bool(bad)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
