#!/usr/bin/env bash
# Checks formatting of every C++ file in the repository with clang-format (fails on any
# violation; it never rewrites files) and runs clang-tidy on the front end's sources,
# whose findings are reported only. clang-tidy reads build/release/compile_commands.json,
# which scripts/build.sh writes. clang-tidy-19 is used when installed: Debian's default
# clang-tidy (14) cannot parse libstdc++ 12's std::source_location, which the front end uses.
set -euo pipefail
cd "$(dirname "$0")/.."

# C++ files git knows about: tracked ones and new ones not ignored (build dirs are ignored).
mapfile -t cxx_files < <(git ls-files --cached --others --exclude-standard -- \
  '*.cpp' '*.cc' '*.h' '*.hpp' | sort -u)

status=0
if ((${#cxx_files[@]} == 0)); then
  echo "lint: no C++ files to check"
else
  echo "lint: clang-format on ${#cxx_files[@]} files"
  if ! clang-format --dry-run --Werror "${cxx_files[@]}"; then
    echo "lint: formatting violations above; fix with: clang-format -i FILE..." >&2
    status=1
  fi
fi

compile_db=build/release/compile_commands.json
mapfile -t tidy_files < <(printf '%s\n' "${cxx_files[@]}" | grep -E '^frontend/.*\.(cpp|cc)$' || true)
if [[ ! -f "$compile_db" ]]; then
  echo "lint: $compile_db is missing; run scripts/build.sh first to run clang-tidy" >&2
elif ((${#tidy_files[@]} > 0)); then
  clang_tidy=$(command -v clang-tidy-19 || command -v clang-tidy)
  echo "lint: $clang_tidy on ${#tidy_files[@]} front-end files (findings are not fatal)"
  printf '%s\0' "${tidy_files[@]}" |
    xargs -0 -n 1 -P "$(nproc)" "$clang_tidy" -p build/release --quiet || true
fi

exit "$status"
