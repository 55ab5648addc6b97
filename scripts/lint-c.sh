#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Checks that every C and C++ source of native/, pam/ and fuzz/c/ (*.c, *.h, *.cc; build directories
# left out) is laid out as .clang-format says, with clang-format-14. Changes nothing. Exit status: 0
# when all are formatted, 1 when some are not (they are listed with the command that fixes them), 2
# when clang-format-14 is missing.
#
#   bash scripts/lint-c.sh        # list the files to fix
#   bash scripts/lint-c.sh -v     # also show clang-format's complaint for each line
#   bash scripts/lint-c.sh --fix  # format them all in place (npm run format)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly CLANG_FORMAT=clang-format-14
verbose=0
[ "${1:-}" = "-v" ] && verbose=1

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "lint-c: $CLANG_FORMAT not found; on Debian: apt-get install clang-format-14 (scripts/install-deps.sh)" >&2
  exit 2
fi

mapfile -d '' files < <(find native pam fuzz/c \( -type d \( -name 'build*' -o -name node_modules \) -prune \) \
  -o -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \) -print0 | sort -z)

if [ "${1:-}" = "--fix" ]; then
  "$CLANG_FORMAT" --style=file -i "${files[@]}"
  echo "lint-c: ${#files[@]} files formatted"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if ! out=$("$CLANG_FORMAT" --style=file --dry-run --Werror "$f" 2>&1); then
    bad+=("$f")
    # A file that does not parse or a broken .clang-format fails too; say so whatever -v says.
    if [ "$verbose" -eq 1 ] || ! grep -q -- '-Wclang-format-violations' <<<"$out"; then
      printf '%s\n' "$out" >&2
    fi
  fi
done

if [ ${#bad[@]} -gt 0 ]; then
  echo "lint-c: ${#bad[@]} of ${#files[@]} files are not formatted as .clang-format says. Fix them with:" >&2
  for f in "${bad[@]}"; do echo "  $CLANG_FORMAT -i $f" >&2; done
  echo "(bash scripts/lint-c.sh -v shows each place; $CLANG_FORMAT --dry-run FILE too)" >&2
  exit 1
fi
echo "lint-c: ${#files[@]} files formatted as .clang-format says"
