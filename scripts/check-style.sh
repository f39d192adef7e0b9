#!/bin/sh
# House rules a machine can check (see docs/architecture.md):
#  - no sprintf, vsprintf, strcpy, strcat, strtok, sscanf, gets or atoi
#    (use lk_buf, snprintf and strtol);
#  - sources formatted with the checked-in .clang-format, when clang-format
#    is installed.
set -eu
cd "$(dirname "$0")/.."

files=$(find src bench fuzz tests/unit -name '*.[ch]' | sort)
status=0

banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|sscanf|gets|atoi|atol|atof)[[:space:]]*\('
if grep -nE "$banned" $files; then
  echo "check-style: banned function used (see above)" >&2
  status=1
fi

if command -v clang-format >/dev/null 2>&1; then
  if ! clang-format --dry-run -Werror $files 2>/tmp/check-style.$$; then
    head -40 /tmp/check-style.$$ >&2
    echo "check-style: run clang-format -i on the files above" >&2
    status=1
  fi
  rm -f /tmp/check-style.$$
fi

if [ $status -eq 0 ]; then
  echo "check-style: ok"
fi
exit $status
