#!/bin/bash
# same_bytes.sh A B: are two outputs of accq (JSON) the same bytes apart from
# their provenance?  The blanking rule, the only one: the top-level
# "provenance" object (accq's version and git revision, the command line, the
# model file, the date: docs/output.md) is removed, from its line
#   "provenance": {
# to its closing line "  }".  sweep, converge and simulate print no timings
# in JSON, so nothing else is blanked: every number, status, reason and
# warning must be byte for byte the same.  Exit 0 when equal, else 1 with
# the differences.
set -u
blank() { sed '/^  "provenance": {$/,/^  }$/d' "$1"; }
if [ ! -s "$1" ] || [ ! -s "$2" ]; then
  echo "same_bytes: an empty output: $1 ($(wc -c < "$1") bytes), $2 ($(wc -c < "$2") bytes)" >&2
  exit 1
fi
if ! grep -q '^  "provenance": {$' "$1"; then
  echo "same_bytes: $1 has no provenance object (not accq JSON?)" >&2
  exit 1
fi
if cmp -s <(blank "$1") <(blank "$2"); then exit 0; fi
echo "same_bytes: $1 and $2 differ beyond their provenance:" >&2
diff <(blank "$1") <(blank "$2") | head -40 >&2
exit 1
