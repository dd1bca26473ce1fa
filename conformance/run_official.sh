#!/usr/bin/env bash
# Run the official Array API conformance suite (data-apis/array-api-tests)
# against minitensor, standard version 2025.12, linalg + fft extensions.
#
# Usage:
#   conformance/run_official.sh [extra pytest args / test files...]
#
# Examples:
#   conformance/run_official.sh                                  # whole suite
#   conformance/run_official.sh test_creation_functions.py       # one file
#   conformance/run_official.sh test_linalg.py -k "eig or svd"   # subset
#   MAX_EXAMPLES=20 HYPOTHESIS_SEED=1 conformance/run_official.sh -x
#
# Environment (all optional):
#   ARRAY_API_TESTS_DIR      suite checkout (default /work/conformance-suite/array-api-tests;
#                            cloned from GitHub if missing and the network allows)
#   ARRAY_API_TESTS_REF      commit to check out when cloning (default: the validated pin below)
#   ARRAY_API_TESTS_MODULE   namespace under test (default minitensor)
#   ARRAY_API_TESTS_VERSION  standard version (default 2025.12)
#   MAX_EXAMPLES             hypothesis --max-examples (default 200)
#   HYPOTHESIS_SEED          hypothesis seed (default 0)
#   XFAILS_FILE              xfails file (default: xfails.txt next to this script)
#   PYTHON                   interpreter (default: python, else python3)
#   HYPOTHESIS_STORAGE_DIRECTORY  example database dir (default: fresh temp dir per run,
#                            so results depend only on suite commit + seed + max-examples)
set -u -o pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUITE_URL="https://github.com/data-apis/array-api-tests.git"
# Suite commit this runner was validated against (array-api spec submodule pinned
# by it: 5f847a3858875c682ae901aa22b0413bf24be9da).
DEFAULT_REF="55fcc60179efa2680ddd6cd926ddf17b83530e2b"

SUITE_DIR="${ARRAY_API_TESTS_DIR:-/work/conformance-suite/array-api-tests}"
SUITE_REF="${ARRAY_API_TESTS_REF:-$DEFAULT_REF}"
MODULE="${ARRAY_API_TESTS_MODULE:-minitensor}"
DISPLAY_NAME="$MODULE"
API_VERSION="${ARRAY_API_TESTS_VERSION:-2025.12}"
MAX_EXAMPLES="${MAX_EXAMPLES:-200}"
SEED="${HYPOTHESIS_SEED:-0}"
XFAILS="${XFAILS_FILE:-$SCRIPT_DIR/xfails.txt}"

# A version older than minitensor's newest is tested through the namespace the
# standard hands out for it: x.__array_namespace__(api_version=...) (the suite's
# "exec('...')" form of ARRAY_API_TESTS_MODULE).
if [ "$MODULE" = minitensor ] && [ "$API_VERSION" != 2025.12 ]; then
    MODULE="exec('import minitensor; xp = minitensor.asarray(0).__array_namespace__(api_version=\"$API_VERSION\")')"
    DISPLAY_NAME="minitensor[api_version=$API_VERSION]"
fi

if [ -n "${PYTHON:-}" ]; then PY="$PYTHON"
elif command -v python >/dev/null 2>&1; then PY=python
else PY=python3; fi

die() { echo "run_official.sh: $*" >&2; exit 2; }

how_to_get_suite() {
    cat >&2 <<EOF
The array-api-tests checkout was not found at: $SUITE_DIR
Get it (needs network), outside the minitensor repo, e.g.:
    git clone --recurse-submodules $SUITE_URL "$SUITE_DIR"
    git -C "$SUITE_DIR" checkout $SUITE_REF
    git -C "$SUITE_DIR" submodule update --init
    $PY -m pip install -r "$SUITE_DIR/requirements.txt"
or point ARRAY_API_TESTS_DIR at an existing checkout (with its array-api submodule).
EOF
}

# --- 1. locate / fetch the suite -------------------------------------------
if [ ! -f "$SUITE_DIR/conftest.py" ] || [ ! -d "$SUITE_DIR/array_api_tests" ]; then
    if [ -e "$SUITE_DIR" ] && [ -n "$(ls -A "$SUITE_DIR" 2>/dev/null)" ]; then
        how_to_get_suite; die "$SUITE_DIR exists but is not an array-api-tests checkout"
    fi
    if command -v git >/dev/null 2>&1 \
       && timeout 20 git ls-remote "$SUITE_URL" HEAD >/dev/null 2>&1; then
        echo "Cloning $SUITE_URL into $SUITE_DIR ..." >&2
        mkdir -p "$(dirname "$SUITE_DIR")" || die "cannot create $(dirname "$SUITE_DIR")"
        git clone --quiet "$SUITE_URL" "$SUITE_DIR" || die "git clone failed"
        git -C "$SUITE_DIR" checkout --quiet "$SUITE_REF" \
            || echo "warning: could not check out $SUITE_REF; using the default branch" >&2
        git -C "$SUITE_DIR" submodule update --init --quiet || die "submodule update failed"
    else
        how_to_get_suite; die "no suite checkout and no network access to GitHub"
    fi
fi

SPEC_DIR="$SUITE_DIR/array-api"
if [ ! -d "$SPEC_DIR/spec/$API_VERSION" ]; then
    git -C "$SUITE_DIR" submodule update --init --quiet 2>/dev/null || true
fi
if [ ! -d "$SPEC_DIR/spec/$API_VERSION" ] \
   || [ ! -d "$SPEC_DIR/src/array_api_stubs/_${API_VERSION/./_}" ]; then
    die "spec submodule missing or lacks version $API_VERSION under $SPEC_DIR
    run: git -C \"$SUITE_DIR\" submodule update --init"
fi

SUITE_COMMIT="$(git -C "$SUITE_DIR" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
SPEC_COMMIT="$(git -C "$SPEC_DIR" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"

# --- 2. check python side ---------------------------------------------------
"$PY" - <<'EOF' || die "missing test dependencies: $PY -m pip install -r \"$SUITE_DIR/requirements.txt\""
import importlib, sys
missing = [m for m in ("pytest", "hypothesis", "ndindex", "pytest_jsonreport")
           if importlib.util.find_spec(m) is None]
if missing:
    print("missing python packages:", ", ".join(missing), file=sys.stderr)
    sys.exit(1)
EOF

"$PY" - "$MODULE" <<'EOF' || die "cannot import '$MODULE' with $PY (install it, e.g. pip install -e <minitensor checkout>)"
import importlib, sys
name = sys.argv[1]
try:
    if name.startswith("exec('") and name.endswith("')"):  # the suite's exec form
        ns = {}
        exec(name[6:-2], ns)
        xp = ns["xp"]
        name = xp.__name__
    else:
        xp = importlib.import_module(name)
except Exception as e:
    print(f"import {name} failed: {e!r}", file=sys.stderr)
    sys.exit(1)
print(f"{name}: {getattr(xp, '__file__', '?')}  __array_api_version__={getattr(xp, '__array_api_version__', '<missing>')!r}", file=sys.stderr)
for ext in ("linalg", "fft"):
    if not hasattr(xp, ext):
        print(f"WARNING: {name}.{ext} is missing -> every {ext} test will be SKIPPED, not failed", file=sys.stderr)
EOF

[ -f "$XFAILS" ] || die "xfails file not found: $XFAILS"
XFAILS="$(cd "$(dirname "$XFAILS")" && pwd)/$(basename "$XFAILS")"

# --- 3. build pytest args ---------------------------------------------------
# Bare test-file names (test_x.py[::...]) are resolved inside array_api_tests/;
# everything else is passed through verbatim. No test path => whole suite.
args=()
have_path=0
for a in "$@"; do
    case "$a" in
        test_*.py|test_*.py::*|test_*.py\[*)
            args+=("array_api_tests/$a"); have_path=1 ;;
        array_api_tests|array_api_tests/*|meta_tests|meta_tests/*)
            args+=("$a"); have_path=1 ;;
        *) args+=("$a") ;;
    esac
done
[ "$have_path" = 1 ] || args+=("array_api_tests/")

export ARRAY_API_TESTS_MODULE="$MODULE"
export ARRAY_API_TESTS_VERSION="$API_VERSION"
TMP_DB=""
if [ -z "${HYPOTHESIS_STORAGE_DIRECTORY:-}" ]; then
    TMP_DB="$(mktemp -d "${TMPDIR:-/tmp}/aat-hypothesis.XXXXXX")"
    export HYPOTHESIS_STORAGE_DIRECTORY="$TMP_DB"
fi
LOG="$(mktemp "${TMPDIR:-/tmp}/aat-log.XXXXXX")"
trap 'rm -f "$LOG"; [ -n "$TMP_DB" ] && rm -rf "$TMP_DB"' EXIT

echo "suite $SUITE_DIR @ $SUITE_COMMIT (spec @ $SPEC_COMMIT); module=$DISPLAY_NAME version=$API_VERSION max-examples=$MAX_EXAMPLES seed=$SEED" >&2

start=$(date +%s.%N)
( cd "$SUITE_DIR" && "$PY" -m pytest \
    -p no:cacheprovider \
    --rootdir "$SUITE_DIR" \
    --max-examples "$MAX_EXAMPLES" \
    --hypothesis-seed "$SEED" \
    --xfails-file "$XFAILS" \
    -rfE \
    "${args[@]}" ) 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
end=$(date +%s.%N)

# --- 4. one-line summary ----------------------------------------------------
"$PY" - "$LOG" "$DISPLAY_NAME" "$SUITE_COMMIT" "$API_VERSION" "$SEED" "$start" "$end" "$rc" <<'EOF'
import re, sys
log, mod, commit, ver, seed, t0, t1, rc = sys.argv[1:]
counts = {}
secs = None
for line in open(log, errors="replace"):
    # final pytest line, e.g. "==== 3 failed, 80 passed, 6 skipped in 12.34s (0:00:12) ===="
    m = re.search(r"(?:^|=\s)((?:\d+ \w+(?:, )?)+) in ([\d.]+)s", line)
    if m:
        counts = {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", m.group(1))}
        secs = float(m.group(2))
wall = float(t1) - float(t0)
c = lambda k: counts.get(k, 0)
extra = "".join(f", {c(k)} {k}" for k in ("xfailed", "xpassed", "errors", "error", "deselected") if c(k))
note = "" if counts else f" [no pytest summary found, exit code {rc}]"
print(f"{mod} vs array-api-tests {commit} @{ver}: {c('passed')} passed, {c('failed')} failed, "
      f"{c('skipped')} skipped{extra} in {wall:.1f} s (seed {seed}){note}")
EOF
exit "$rc"
