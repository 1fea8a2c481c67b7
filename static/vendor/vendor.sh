#!/usr/bin/env bash
# Re-vendor the front-end files (Bootstrap, htmx, ECharts, Tabulator) from their npm packages.
#
#   static/vendor/vendor.sh           # fetch the versions below, write the files and licences
#   static/vendor/vendor.sh --check   # fetch them and fail if the committed files differ
#
# The minified bundles end with a `sourceMappingURL` comment naming a .map file that is not
# vendored. The production static storage (whitenoise's CompressedManifestStaticFilesStorage)
# rewrites every such reference to its hashed name and fails collectstatic when the file is
# missing, so the comment is stripped here (maps are not shipped: the portal serves minified
# code only; the npm package of the pinned version has them for debugging). Apart from that
# one line every file is byte-identical to the npm package's. Check with --check after an upgrade;
# tests/test_static_files.py fails if a static file names a map that is not there.
set -euo pipefail
cd "$(dirname "$0")"

BOOTSTRAP=5.3.9
HTMX=2.0.11
ECHARTS=5.6.0
TABULATOR=6.5.3

# package@version  path-in-package  destination (relative to static/vendor/)
FILES=(
  "bootstrap@$BOOTSTRAP dist/js/bootstrap.bundle.min.js bootstrap/bootstrap.bundle.min.js"
  "bootstrap@$BOOTSTRAP dist/css/bootstrap.min.css bootstrap/bootstrap.min.css"
  "bootstrap@$BOOTSTRAP LICENSE bootstrap/LICENSE"
  "htmx.org@$HTMX dist/htmx.min.js htmx/htmx.min.js"
  "htmx.org@$HTMX LICENSE htmx/LICENSE"
  "echarts@$ECHARTS dist/echarts.min.js echarts/echarts.min.js"
  "echarts@$ECHARTS LICENSE echarts/LICENSE"
  "echarts@$ECHARTS NOTICE echarts/NOTICE"
  "tabulator-tables@$TABULATOR dist/js/tabulator.min.js tabulator/tabulator.min.js"
  "tabulator-tables@$TABULATOR dist/css/tabulator_bootstrap5.min.css tabulator/tabulator_bootstrap5.min.css"
  "tabulator-tables@$TABULATOR LICENSE tabulator/LICENSE"
)

check=0
[ "${1:-}" = "--check" ] && check=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A unpacked=()
for spec in "${FILES[@]}"; do
  read -r pkg _ _ <<<"$spec"
  [ -n "${unpacked[$pkg]:-}" ] && continue
  dir="$tmp/${pkg//[@\/]/_}"
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "$pkg")
  tar -xzf "$dir/$tarball" -C "$dir"
  unpacked[$pkg]="$dir/package"
done

# Drop a trailing `//# sourceMappingURL=…` (JS) or `/*# sourceMappingURL=… */` (CSS) line.
strip_source_map() {
  sed -E '/^[[:space:]]*(\/\/[#@][[:space:]]*sourceMappingURL=.*|\/\*[#@][[:space:]]*sourceMappingURL=.*\*\/[[:space:]]*)$/d' "$1"
}

status=0
for spec in "${FILES[@]}"; do
  read -r pkg src dest <<<"$spec"
  out="$tmp/out"
  case "$src" in
    *.js|*.css) strip_source_map "${unpacked[$pkg]}/$src" >"$out" ;;
    *) cp "${unpacked[$pkg]}/$src" "$out" ;;
  esac
  if grep -q 'sourceMappingURL=' "$out"; then
    echo "still names a source map: $pkg $src" >&2
    status=1
  fi
  if [ $check = 1 ]; then
    if ! cmp -s "$out" "$dest"; then
      echo "differs from $pkg/$src (stripped): $dest" >&2
      status=1
    fi
  else
    mkdir -p "$(dirname "$dest")"
    cp "$out" "$dest"
  fi
done

if [ $check = 0 ]; then
  printf 'bootstrap %s\nhtmx.org %s\necharts %s\ntabulator-tables %s\n' "$BOOTSTRAP" "$HTMX" "$ECHARTS" "$TABULATOR" >VERSIONS.txt
  echo "vendored bootstrap $BOOTSTRAP, htmx.org $HTMX, echarts $ECHARTS, tabulator-tables $TABULATOR"
elif [ $status = 0 ]; then
  echo "static/vendor matches bootstrap $BOOTSTRAP, htmx.org $HTMX, echarts $ECHARTS, tabulator-tables $TABULATOR from npm"
fi
exit $status
