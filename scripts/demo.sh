#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, and trains the CS20 Huber
# regression eagerly with tools/kiln-huber. Arguments are passed to kiln-huber.
# Runs from the repository root, so the data in ../shared/data is found when present.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh

demo=build/release/tools/kiln-huber
if [[ ! -x "$demo" ]]; then
  echo "demo.sh: $demo was not built" >&2
  exit 1
fi
exec "$demo" "$@"
