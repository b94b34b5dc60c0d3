#!/usr/bin/env bash
# sanitize.sh: the memory-safety pass. Builds fastreg with AddressSanitizer and
# UndefinedBehaviorSanitizer (CMake option FASTREG_SANITIZE=ON) into its own throwaway venv
# (build/sanitize-venv, build tree build/sanitize; the development install is never
# touched), then runs the whole test suite (kernels, public functions, property-based
# tests, solvers, estimators, scikit-learn checks, parity, bad input, numerics, threads and
# interrupts) against that build with the ASan runtime preloaded, and fails on any
# sanitizer report.
#
# Takes about 3-6 minutes on this 2-core machine: ~20 s for the venv, 2-5 min for the
# sanitized build and the [test] extras (-O3 with ASan and three ISA clones of the hot
# loops; an unchanged build tree is reused), 1-2 min for the suite.
#
# Usage:   scripts/sanitize.sh [pytest arguments...]      e.g.  -x -q
# Env:     PYTHON          interpreter for the venv (default python3)
#          SANITIZE_TESTS  space-separated test files, relative to tests/, to run instead
#                          of the whole suite (e.g. "test_kernels.py test_properties.py")
#
# How it works, and why:
#   a. CPython and NumPy are not built with ASan, so the ASan runtime must be the first
#      library in the process: LD_PRELOAD=$(gcc -print-file-name=libasan.so), the
#      standard way to sanitize one extension module. libubsan is preloaded too, so that
#      UBSan's runtime is resident before the module is dlopen()ed.
#   b. ASAN_OPTIONS=detect_leaks=0: the interpreter keeps its objects alive at exit by
#      design, which LeakSanitizer would report as thousands of leaks unrelated to
#      fastreg. Every other ASan check stays on (heap/stack/global overflow,
#      use-after-free, double free), stack-use-after-return is switched on too (the
#      kernels keep per-block arrays on the stack), and ASan halts on its first report.
#   c. The module is built with -fno-sanitize-recover=undefined (CMakeLists.txt), so the
#      first UB report ends the process; UBSAN_OPTIONS adds the stack trace.
#   d. PYTHONMALLOC=malloc sends the interpreter's small-object allocations through
#      malloc as well, so ASan also sees the Python objects the Cython bridge touches.
#   e. OpenMP (libgomp) and GCC's target_clones (an ifunc resolved when the module is
#      loaded) both work under ASan with the runtime preloaded: the resolver runs after
#      ASan has initialised, and libgomp's threads are created through the intercepted
#      pthread_create. No check is disabled for them. The dispatch still picks the
#      widest ISA clone of this CPU, so those clones are the ones checked; a build with
#      -DFASTREG_NO_DISPATCH would check only the baseline code path instead.
#   f. Before the tests, a canary calls a C kernel directly (ctypes, past the bridge's
#      size checks) with an output buffer too short for its input, and requires ASan to
#      report the overflow: this proves the instrumentation and this script's detection
#      are live, so a silent run means "clean", not "not checked".
#   g. The run fails on a non-zero pytest exit and, belt and braces, on any sanitizer
#      report line in the output (ASan's "==PID==ERROR: AddressSanitizer", UBSan's
#      "runtime error:").
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PYTHON=${PYTHON:-python3}
VENV=$REPO/build/sanitize-venv
BUILD_DIR=$REPO/build/sanitize
SNAPSHOT=$REPO/build/sanitize-src
LOG_DIR=$REPO/build/sanitize-logs
TESTS=${SANITIZE_TESTS:-}

step() { printf '\n==> [%4ss] %s\n' "$SECONDS" "$*"; }
fail() { printf 'sanitize: FAILED: %s\n' "$*" >&2; exit 1; }
# A report is ASan's "==PID==ERROR: AddressSanitizer: ..." (or WARNING, or its SUMMARY line)
# or UBSan's "file:line:col: runtime error: ..."; a test's own text that merely names a
# sanitizer (a skip reason in the summary) is not one.
sanitizer_reports() {
    grep -E -n '==[0-9]+==(ERROR|WARNING): [A-Za-z]*Sanitizer|SUMMARY: [A-Za-z]*Sanitizer|runtime error:' "$1"
}

command -v gcc >/dev/null || fail "gcc is needed (the sanitizer runtimes ship with it)"
ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
[[ -f "$ASAN_LIB" ]] || fail "no libasan.so next to gcc (Debian/Ubuntu: apt-get install libasan8)"
[[ -f "$UBSAN_LIB" ]] || fail "no libubsan.so next to gcc (Debian/Ubuntu: apt-get install libubsan1)"
mkdir -p "$LOG_DIR"

step "snapshot of the working tree: $SNAPSHOT"
# Built and tested from one copy of the tree (tracked and untracked, not ignored files,
# modification times kept so the build tree rebuilds only what changed): the C sources
# and the tests always come from the same moment, even while the tree is being edited.
rm -rf "$SNAPSHOT"
mkdir -p "$SNAPSHOT"
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard \
    | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
    | tar --null -T - -cf -) | tar -xpf - -C "$SNAPSHOT"
SRC=$SNAPSHOT

step "sanitizer venv: $VENV ($("$PYTHON" --version))"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip

step "build fastreg with FASTREG_SANITIZE=ON (build tree $BUILD_DIR) and its [test] extras"
# The package is built with build isolation from the working tree, exactly as `pip install
# .` does, plus the sanitizer option and a build tree of its own.
"$VENV/bin/python" -m pip install --disable-pip-version-check \
    -Ccmake.define.FASTREG_SANITIZE=ON -Cbuild-dir="$BUILD_DIR" "$SRC[test]"

# Found without importing fastreg: the instrumented module cannot load before LD_PRELOAD.
platlib=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
modules=("$platlib"/fastreg/_kernels*.so)
[[ ${#modules[@]} == 1 && -f "${modules[0]}" ]] || fail "no single fastreg/_kernels*.so in $platlib"
module=${modules[0]}
# (captured first: `nm | grep -q` would fail under pipefail when grep stops reading early)
symbols=$(nm -D --undefined-only "$module")
grep -q '__asan_report' <<<"$symbols" || fail "$module has no AddressSanitizer instrumentation"
grep -q '__ubsan_handle' <<<"$symbols" \
    || fail "$module has no UndefinedBehaviorSanitizer instrumentation"
echo "instrumented: $module"

export LD_PRELOAD="$ASAN_LIB:$UBSAN_LIB${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export PYTHONMALLOC=malloc
export PYTHONDONTWRITEBYTECODE=1

step "the sanitized build (the ISA clone the dispatch picks here is the one checked)"
(cd "$LOG_DIR" && "$VENV/bin/python" - "$VENV") <<'PY'
import pathlib, sys

import fastreg

package = pathlib.Path(fastreg.__file__).resolve()
if not package.is_relative_to(pathlib.Path(sys.argv[1]).resolve()):
    sys.exit(f"fastreg was imported from {package}, not from the sanitizer venv")
print("fastreg.__file__ =", package)
fastreg.show_config()
PY

step "canary: an out-of-bounds write in a C kernel must be reported"
canary_log=$LOG_DIR/canary.log
set +e
(cd "$LOG_DIR" && "$VENV/bin/python" - >"$canary_log" 2>&1) <<'EOF'
import ctypes

import numpy as np
from fastreg import _kernels

# C trusts its sizes (the bridge checks them before any call); called directly with room
# for 1000 results and 4000 inputs, fr_sigmoid_array_f64 writes past the buffer's end.
kernels = ctypes.CDLL(_kernels.__file__)
kernels.fr_sigmoid_array_f64.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p]
x, out = np.zeros(4000), np.zeros(1000)
kernels.fr_sigmoid_array_f64(x.ctypes.data, x.size, out.ctypes.data)
print("canary: no report")
EOF
canary_status=$?
set -e
if [[ $canary_status == 0 ]] || ! grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$canary_log"; then
    cat "$canary_log"
    fail "the canary's out-of-bounds read went unreported: the sanitizer is not active"
fi
grep -m1 'ERROR: AddressSanitizer' "$canary_log"
echo "canary reported as expected (exit status $canary_status)"

# The whole suite by default: under ASan it takes 1-2 minutes on 2 cores, and the files
# that do not target the kernels (estimator checks, threads, interrupts, bad input) still
# drive them with shapes and call patterns the kernel tests do not. test_bench skips
# itself (the bench's plotting extra is not installed here).
test_paths=("$SRC/tests")
if [[ -n "$TESTS" ]]; then
    test_paths=()
    for name in $TESTS; do
        [[ -f "$SRC/tests/$name" ]] || fail "no tests/$name"
        test_paths+=("$SRC/tests/$name")
    done
fi

step "tests under ASan + UBSan: ${test_paths[*]#"$SRC/"}"
# From outside the tree, with the venv's pytest console script and importlib import mode
# (pyproject's addopts), so `import fastreg` finds the sanitized build, not the checkout.
# FASTREG_SOURCE_TREE stays unset: the venv lives under build/ inside the tree, which the
# wheel round trip's "not imported from the tree" check would misread; the import was
# checked above instead.
test_log=$LOG_DIR/pytest.log
set +e
(cd "$LOG_DIR" && "$VENV/bin/pytest" "${test_paths[@]}" \
    --rootdir "$SRC" -p no:cacheprovider "$@" 2>&1) | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
if sanitizer_reports "$test_log"; then
    fail "sanitizer report(s) above (full log: $test_log)"
fi
[[ $test_status == 0 ]] || fail "pytest exited with status $test_status (full log: $test_log)"

step "sanitizer pass clean: no AddressSanitizer or UndefinedBehaviorSanitizer report"
