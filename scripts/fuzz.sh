#!/usr/bin/env bash
# Fuzzes the cargo-fuzz targets in fuzz/, each for a bounded time.
#
# Usage: scripts/fuzz.sh [target...]
#   (default: every target `cargo fuzz list` names)
#
# Installs cargo-fuzz (`cargo install --locked cargo-fuzz`) when `cargo
# fuzz` is missing, builds every requested target once (optimized, with
# debug assertions and overflow checks, libFuzzer's coverage
# instrumentation, no sanitizer: the code is safe Rust, the coverage is what
# matters), then runs each for FUZZ_SECONDS, FUZZ_JOBS at a time. Each
# target starts from its corpus in fuzz/corpus/<target>, which it seeds
# itself with valid inputs (`predastore::fuzzing::seeds`) and which keeps
# what the fuzzer finds.
# A crash, a panic, a timeout or running out of memory fails the target;
# its input lands in fuzz/artifacts/<target>/ and is printed (hex). So does
# a run that executed no input (libFuzzer's final stats missing or 0 runs),
# and so does an empty or failed `cargo fuzz list`: a fuzz run that tested
# nothing is not a pass.
#
# Prints a line per target (`fuzz NAME: ok, N runs` or `fuzz NAME: FAIL
# ...`) and, last, `N passed, M failed`; exits non-zero on any failure.
#
# Works on stable Rust: RUSTC_BOOTSTRAP=1 unlocks the few nightly flags
# cargo-fuzz passes (on a nightly toolchain it changes nothing).
#
# Environment:
#   FUZZ_SECONDS      seconds per target (default 30)
#   FUZZ_JOBS         targets fuzzed at a time (default: the number of
#                     cores, each target being one process on one core)
#   FUZZ_MAX_LEN      largest input in bytes (default 8192: an aws-chunked
#                     line may be 4096 bytes, longer is an error to reach)
#   FUZZ_TIMEOUT      seconds one input may take before it counts as a hang
#                     (default 20)
#   FUZZ_TARGET_DIR   cargo target directory (default fuzz/target, apart
#                     from the main build's target/)
#   FUZZ_BUILD_ONLY=1 build the targets (installing cargo-fuzz if needed)
#                     and stop: CI starts that early, in the background
#   FUZZ_PROFILE      release (default: optimized, the most inputs a
#                     second) or dev (unoptimized, line-tables-only debug
#                     info: builds in under half the time, runs 5-13
#                     times fewer inputs a second; CI's short runs take it)
#   FUZZ_BUILD_ARGS   extra `cargo fuzz build` arguments (e.g. "-O" for no
#                     debug assertions, "--codegen-units 16")
#   FUZZ_KEEP_LOGS    keep each target's libFuzzer log in this directory
#   FUZZ_SCRATCH      where the targets' scratch files go (default /dev/shm
#                     when writable, else TMPDIR or /tmp)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_DIR="$ROOT/fuzz"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-30}"
MAX_LEN="${FUZZ_MAX_LEN:-8192}"
INPUT_TIMEOUT="${FUZZ_TIMEOUT:-20}"
TARGET_DIR="${FUZZ_TARGET_DIR:-$FUZZ_DIR/target}"
KEEP_LOGS="${FUZZ_KEEP_LOGS:-}"
SCRATCH="${FUZZ_SCRATCH:-}"
JOBS="${FUZZ_JOBS:-$(nproc)}"
read -r -a BUILD_ARGS <<<"${FUZZ_BUILD_ARGS:-}"
case "${FUZZ_PROFILE:-release}" in
  release) PROFILE_DIR=release ;;
  dev)
    PROFILE_DIR=debug
    BUILD_ARGS+=(--dev)
    # Line tables are enough for a crash's backtrace (file and line), and
    # the build writes 4 GB, not 9, some 12 % faster.
    export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"
    ;;
  *)
    echo "FUZZ_PROFILE must be release or dev, not '$FUZZ_PROFILE'" >&2
    exit 2
    ;;
esac
export RUSTC_BOOTSTRAP=1

for v in SECONDS_PER_TARGET MAX_LEN INPUT_TIMEOUT JOBS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || {
    echo "$v must be a positive integer, not '${!v}'" >&2
    exit 2
  }
done
case "$TARGET_DIR" in
  /*) ;;
  *) TARGET_DIR="$PWD/$TARGET_DIR" ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

cd "$FUZZ_DIR"
# The fuzz crate is a workspace of its own; starting its lock file from the
# main one builds the store with the dependency versions it is tested with.
if [[ ! -f Cargo.lock ]]; then
  cp "$ROOT/Cargo.lock" Cargo.lock
fi

# Read in two steps: a failing `cargo fuzz list` inside a process
# substitution would go unnoticed and leave the list empty.
listed="$(cargo fuzz list)" || {
  echo "fuzz: 'cargo fuzz list' failed" >&2
  exit 1
}
mapfile -t ALL_TARGETS < <(printf '%s\n' "$listed" | sed '/^[[:space:]]*$/d')
if ((${#ALL_TARGETS[@]} == 0)); then
  echo "fuzz: 'cargo fuzz list' names no target in $FUZZ_DIR: nothing to fuzz" >&2
  exit 1
fi
if (($# > 0)); then
  TARGETS=("$@")
  for t in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || {
      echo "unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2
      exit 2
    }
  done
else
  TARGETS=("${ALL_TARGETS[@]}")
fi

# The targets' scratch files (segment files, metadata stores) go to a
# tmpfs when there is one: on a disk, fsync makes the store targets crawl.
if [[ -z "$SCRATCH" ]]; then
  SCRATCH="${TMPDIR:-/tmp}"
  [[ -d /dev/shm && -w /dev/shm ]] && SCRATCH=/dev/shm
fi
WORK="$(mktemp -d "$SCRATCH/predastore-fuzz.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

build() {
  cargo fuzz build --sanitizer none --target-dir "$TARGET_DIR" "${BUILD_ARGS[@]}" "$@"
}
start=$(date +%s)
echo "building ${#TARGETS[@]} fuzz target(s)"
if ((${#TARGETS[@]} == ${#ALL_TARGETS[@]})); then
  build_ok=true
  build || build_ok=false
else
  build_ok=true
  for t in "${TARGETS[@]}"; do
    build "$t" || build_ok=false
  done
fi
if ! $build_ok; then
  echo "fuzz build: FAIL"
  echo "0 passed, ${#TARGETS[@]} failed"
  exit 1
fi
echo "built in $(($(date +%s) - start)) s"
if [[ "${FUZZ_BUILD_ONLY:-}" == 1 ]]; then
  exit 0
fi

TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
BIN_DIR="$TARGET_DIR/$TRIPLE/$PROFILE_DIR"

# Prints the start of a failing input, in hex.
show_input() {
  local file=$1 size
  size=$(wc -c <"$file")
  echo "  input ($size bytes, hex):"
  od -An -v -tx1 -N 512 "$file" | sed 's/^ */    /'
  ((size <= 512)) || echo "    ..."
}

# Fuzzes target $1; prints its result line (and, on failure, what went
# wrong) and exits non-zero when it failed. Runs in a subshell of its own.
fuzz_target() {
  local t=$1 corpus artifacts log marker tmp status=0 runs artifact
  corpus="$FUZZ_DIR/corpus/$t"
  artifacts="$FUZZ_DIR/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  log="$WORK/$t.log"
  marker="$WORK/$t.start"
  tmp="$WORK/tmp-$t"
  mkdir -p "$tmp"
  touch "$marker"
  # libFuzzer stops itself after max_total_time; the outer timeout only
  # guards against a run that does not.
  TMPDIR="$tmp" timeout --kill-after=10 $((SECONDS_PER_TARGET + 4 * INPUT_TIMEOUT + 60)) \
    "$BIN_DIR/$t" "$corpus" \
    -max_total_time="$SECONDS_PER_TARGET" \
    -max_len="$MAX_LEN" \
    -timeout="$INPUT_TIMEOUT" \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    >"$log" 2>&1 || status=$?
  rm -rf "$tmp"
  if [[ -n "$KEEP_LOGS" ]]; then
    mkdir -p "$KEEP_LOGS"
    cp "$log" "$KEEP_LOGS/"
  fi
  # How many inputs ran, from libFuzzer's final stats (or its last
  # "Done N runs" line): a run that executed none tested nothing.
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\)$/\1/p' "$log" | tail -1)
  if [[ -z "$runs" ]]; then
    runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs in .*/\1/p' "$log" | tail -1)
  fi
  if ((status == 0)) && [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz $t: ok, $runs runs in ${SECONDS_PER_TARGET} s"
    return 0
  fi
  if ((status == 0)); then
    echo "fuzz $t: FAIL: exited 0 but ran ${runs:-no} inputs (no final" \
      "'stat::number_of_executed_units' or 'Done N runs' above 0)"
  else
    artifact=$(find "$artifacts" -type f -newer "$marker" | head -1)
    echo "fuzz $t: FAIL (exit $status) after ${runs:-?} runs," \
      "input ${artifact:-not saved}"
    # What went wrong: the panic message or libFuzzer's verdict, and where.
    {
      grep -m1 -A1 "panicked at" "$log"
      grep -m1 -E "^SUMMARY|ALARM|out-of-memory" "$log"
    } | sed 's/^/  /' || true
    if [[ -n "$artifact" ]]; then
      show_input "$artifact"
      # The same build as this run's (profile, debug info, directory).
      local env="RUSTC_BOOTSTRAP=1" args=("${BUILD_ARGS[@]}")
      if [[ -n "${CARGO_PROFILE_DEV_DEBUG:-}" ]]; then
        env+=" CARGO_PROFILE_DEV_DEBUG=$CARGO_PROFILE_DEV_DEBUG"
      fi
      if [[ "$TARGET_DIR" != "$FUZZ_DIR/target" ]]; then
        args+=(--target-dir "$TARGET_DIR")
      fi
      echo "  reproduce: (cd fuzz && $env cargo fuzz run --sanitizer none" \
        "${args[*]} $t ${artifact#"$FUZZ_DIR/"})"
    fi
  fi
  echo "  last lines of the log:"
  tail -20 "$log" | sed 's/^/    /'
  return 1
}

# FUZZ_JOBS targets at a time, each on a core of its own; each one's
# report is printed, in the targets' order, once all have run.
running=0
for t in "${TARGETS[@]}"; do
  if ((running >= JOBS)); then
    wait -n || true
    running=$((running - 1))
  fi
  (fuzz_target "$t" >"$WORK/$t.report" 2>&1 && touch "$WORK/$t.passed") &
  running=$((running + 1))
done
wait || true
passed=0
failed=0
for t in "${TARGETS[@]}"; do
  cat "$WORK/$t.report"
  if [[ -f "$WORK/$t.passed" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
