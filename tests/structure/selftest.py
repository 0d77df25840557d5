#!/usr/bin/env python3
"""structure/selftest: check_structure.py catches what it is meant to catch.
Builds small source trees in a temporary directory, each with one known
defect, and requires exit 1 with the expected finding; the same trees with
the defect removed must pass (exit 0)."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, 'check_structure.py')
failures = []


def tree(files):
    d = tempfile.mkdtemp(prefix='accq-structure-')
    for path, text in files.items():
        p = os.path.join(d, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)
    os.makedirs(os.path.join(d, 'include', 'accq'), exist_ok=True)
    return d


def run(root, check):
    r = subprocess.run([sys.executable, CHECK, root, '--no-exceptions', check],
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def expect(name, files, check, rc, needle):
    root = tree(files)
    got, out = run(root, check)
    if got != rc or needle not in out:
        failures.append('%s: want exit %d with %r, got exit %d:\n%s' % (name, rc, needle, got, out))
    else:
        print('selftest: %s: ok' % name)


def body(n):
    """A function whose body spans n lines from '{' to '}'."""
    return 'int f(int x) {\n' + '  x++;\n' * (n - 2) + '}\n'


base = {
    'src/a/a.c': '#include "accq/a.h"\nint accq_a_f(void) {\n  return 1;\n}\n',
    'include/accq/a.h': 'int accq_a_f(void);\n',
    'src/b/b.c': '#include "accq/a.h"\nint accq_b_g(void) {\n  return accq_a_f();\n}\n',
    'src/cli/main.c': '#include <stdio.h>\n#include "accq/a.h"\n#include "cli/cli.h"\n'
                      'int main(void) {\n  return accq_a_f();\n}\n',
}
expect('clean tree passes', base, 'includes', 0, 'includes: ok')
expect('clean CLI passes', base, 'cli', 0, 'cli: ok')
# a -> b through b's internal header, b -> a through the public header of a
cyc = dict(base)
cyc['src/b/b_internal.h'] = 'int accq_i_b(void);\n'
cyc['src/a/a.c'] = '#include "accq/a.h"\n#include "b/b_internal.h"\n' \
                   'int accq_a_f(void) {\n  return 1;\n}\n'
expect('include cycle a <-> b', cyc, 'includes', 1, 'include cycle between modules a <-> b')
# a cycle through public headers only: b.h is b's (accq_b_g is defined in src/b)
cyc2 = dict(base)
cyc2['include/accq/b.h'] = 'int accq_b_g(void);\n'
cyc2['src/a/a.c'] = '#include "accq/a.h"\n#include "accq/b.h"\n' \
                    'int accq_a_f(void) {\n  return 1;\n}\n'
expect('include cycle through public headers', cyc2, 'includes', 1, 'a <-> b')
for inc, what in (('<jansson.h>', 'jansson.h'), ('<gsl/gsl_cdf.h>', 'gsl/gsl_cdf.h'),
                  ('"ext/gnuplot.h"', 'ext/gnuplot.h'), ('"chain/chain_internal.h"',
                                                          'chain/chain_internal.h')):
    bad = dict(base)
    bad['src/cli/x.c'] = '#include %s\nint x(void) {\n  return 0;\n}\n' % inc
    expect('CLI includes %s' % what, bad, 'cli', 1, 'includes %s' % what)
bad = dict(base)
bad['src/cli/x.c'] = '#include <stdio.h>\nint x(void) {\n  FILE *p = popen("gnuplot", "w");\n' \
                     '  return p != 0;\n}\n'
expect('CLI calls popen', bad, 'cli', 1, 'calls popen()')
ok = dict(base)
ok['src/a/long.c'] = body(150)
expect('150-line function passes', ok, 'length', 0, 'length: ok')
long_ = dict(base)
long_['src/a/long.c'] = body(151)
expect('151-line function fails', long_, 'length', 1, 'f() is 151 lines')
# a signature over two lines and a static function after it
long2 = dict(base)
long2['src/a/long.c'] = 'static int g(int a,\n             int b) {\n' + '  a++;\n' * 160 + \
                        '  return a + b;\n}\n\n' + body(10)
expect('multi-line signature', long2, 'length', 1, 'g() is 163 lines')

if failures:
    print('\n'.join(failures))
    sys.exit(1)
print('selftest: ok')
