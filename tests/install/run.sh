#!/usr/bin/env bash
# install/consumers: cmake --install into a temporary prefix, then the
# README's 10-line C program (example.c) is built and run against the
# installed files three ways:
#   1. pkg-config, shared library     cc $(pkg-config --cflags --libs accq)
#   2. pkg-config --static, libaccq.a (checks Requires.private / Libs.private)
#   3. find_package(accq) + accq::accq in a fresh CMake project
# Each must print T_LP equal, digit for digit, to `accq lp` of the build tree
# (the same LP through the CLI: an independent path to the same number).
# The installed accq, man page, completion, models and accqConfigVersion are
# checked to be where GNUInstallDirs puts them.
set -euo pipefail
build=$1 example=$2 cc=$3 cmake=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/accq-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "install/consumers: FAIL: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install"; }
libdir=$(cd "$prefix" && ls -d lib*/pkgconfig | head -n1 | xargs dirname)
[ -n "$libdir" ] || fail "no lib*/pkgconfig under $prefix"
for f in bin/accq include/accq/accq.h include/accq/version.h "$libdir/libaccq.a" \
         "$libdir/pkgconfig/accq.pc" "$libdir/cmake/accq/accqConfig.cmake" \
         "$libdir/cmake/accq/accqConfigVersion.cmake" share/man/man1/accq.1 \
         share/bash-completion/completions/accq; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
ls "$prefix/$libdir"/libaccq.so* >/dev/null 2>&1 || fail "libaccq.so not installed"
ls "$prefix"/share/accq/models/*.ini >/dev/null 2>&1 || fail "no models in share/accq/models"
# no private header leaks into the installed tree
[ -z "$(find "$prefix/include" -name '*internal*')" ] || fail "internal header installed"

# the expected number, from the build tree's CLI
want=$("$build/accq" lp --format csv | tr -d '\r' | awk -F, '$1 == "t_lp" {print $2}')
[ -n "$want" ] || fail "accq lp printed no t_lp"
version=$("$prefix/bin/accq" --version | head -n1)
case "$version" in "accq "*" (git "*")") ;; *) fail "accq --version: '$version'" ;; esac

check() { # $1: what, $2: program
  local out
  out=$("$2") || fail "$1: the program failed"
  case "$out" in
    "accq "*": T_LP = $want") echo "install/consumers: $1: $out" ;;
    *) fail "$1: printed '$out', want T_LP = $want" ;;
  esac
}

export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
# 1. shared, through pkg-config
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Werror -o "$tmp/ex_shared" "$example" $(pkg-config --cflags --libs accq) \
  -Wl,-rpath,"$prefix/$libdir" || fail "pkg-config shared build"
# ldd's output is captured first: `ldd | grep -q` under pipefail fails at
# random when grep exits before ldd has written everything (SIGPIPE, 141)
deps=$(ldd "$tmp/ex_shared") || fail "ldd ex_shared"
case "$deps" in *"$prefix/$libdir/libaccq.so"*) ;; *) fail "not linked to the installed libaccq.so: $deps" ;; esac
check "pkg-config (shared)" "$tmp/ex_shared"
# 2. static: libaccq.a with the private dependencies pkg-config --static lists
libs=$(pkg-config --static --libs accq | sed 's/\(^\| \)-laccq\b//')
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Werror -o "$tmp/ex_static" "$example" $(pkg-config --cflags accq) \
  "$prefix/$libdir/libaccq.a" $libs || fail "pkg-config --static build (libs: $libs)"
deps=$(ldd "$tmp/ex_static") || fail "ldd ex_static"
case "$deps" in *libaccq*) fail "static build still links libaccq.so: $deps" ;; esac
check "pkg-config --static (libaccq.a)" "$tmp/ex_static"
# 3. find_package
mkdir -p "$tmp/proj"
cp "$example" "$tmp/proj/example.c"
cat >"$tmp/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(accq_consumer LANGUAGES C)
find_package(accq 0.1 REQUIRED)
add_executable(example example.c)
target_link_libraries(example PRIVATE accq::accq)
CM
"$cmake" -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" >"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log" >&2; fail "find_package configure"; }
"$cmake" --build "$tmp/proj/build" >"$tmp/cmb.log" 2>&1 || { cat "$tmp/cmb.log" >&2; fail "find_package build"; }
check "find_package(accq)" "$tmp/proj/build/example"
echo "install/consumers: ok"
