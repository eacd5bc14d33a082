#!/usr/bin/env bash
# The README's second command and what CI runs: installs dependencies, builds, runs every
# test, then builds and runs them again under AddressSanitizer + UndefinedBehaviorSanitizer,
# then runs each libFuzzer target briefly (scripts/fuzz.sh runs them longer).
# Prints each phase's time and a summary; exits non-zero if any phase failed.
# KILN_SKIP_SANITIZE=1 skips the sanitizer and fuzz phases for quick local runs (CI never
# sets it).
set -euo pipefail
cd "$(dirname "$0")/.."

summary=()
failed=0

# now_us: wall-clock time in microseconds.
now_us() { local t=${EPOCHREALTIME/[^0-9]/}; echo $((10#$t)); }

# phase NAME COMMAND...: runs COMMAND, times it, and records the outcome.
phase() {
  local name=$1
  shift
  echo
  echo "==> $name"
  local start status=0
  start=$(now_us)
  "$@" || status=$?
  local tenths=$((($(now_us) - start) / 100000))
  local seconds
  seconds=$(printf '%d.%d' $((tenths / 10)) $((tenths % 10)))
  if ((status == 0)); then
    echo "==> $name: ok (${seconds}s)"
    summary+=("$(printf '  %-16s ok      %8ss' "$name" "$seconds")")
  else
    echo "==> $name: FAILED with status $status (${seconds}s)"
    summary+=("$(printf '  %-16s FAILED  %8ss' "$name" "$seconds")")
    failed=1
  fi
  return "$status"
}

skip() { summary+=("$(printf '  %-16s skipped (%s)' "$1" "$2")"); }

# finish: prints the summary and exits with the overall status.
finish() {
  local tenths=$((($(now_us) - run_start) / 100000))
  echo
  echo "Summary:"
  printf '%s\n' "${summary[@]}"
  printf '  %-16s %-7s %6d.%ds\n' total "$( ((failed)) && echo FAILED || echo ok)" \
    $((tenths / 10)) $((tenths % 10))
  exit "$failed"
}

run_start=$(now_us)

phase install-deps scripts/install-deps.sh || finish

if phase build scripts/build.sh; then
  phase test ctest --test-dir build/release --output-on-failure -j2 || true
else
  skip test "build failed"
fi

if [[ "${KILN_SKIP_SANITIZE:-0}" == 1 ]]; then
  skip build-asan "KILN_SKIP_SANITIZE=1"
  skip test-asan "KILN_SKIP_SANITIZE=1"
elif phase build-asan scripts/build.sh --sanitize; then
  phase test-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j2 || true
else
  skip test-asan "build failed"
fi

if [[ "${KILN_SKIP_SANITIZE:-0}" == 1 ]]; then
  skip fuzz "KILN_SKIP_SANITIZE=1"
else
  phase fuzz scripts/fuzz.sh --seconds 20 || true
fi

finish
