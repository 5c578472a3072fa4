#!/usr/bin/env bash
# Render a validation report (bao_cao_kiem_tra.html) to PNG with headless Chromium, for the docs.
#
# Needs Debian's Chromium, which this script does not install:
#     apt-get install -y chromium
#
# Usage: scripts/screenshot_report.sh REPORT.html OUT.png [WIDTHxHEIGHT] [SECTION]
#   scripts/screenshot_report.sh /tmp/rep-tn/bao_cao_kiem_tra.html docs/report-overview.png
#   scripts/screenshot_report.sh /tmp/rep-tn/bao_cao_kiem_tra.html docs/report-failures.png 1400x2000 danh-sach
# SECTION (so-lieu, bieu-do, tong-hop, danh-sach, tep) renders a copy of the page that starts
# there (headless Chromium cannot scroll), so the failure list can be shot on its own.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
report=$(realpath "$1")
out=$(realpath -m "$2")
size=${3:-1400x2000}
anchor=${4:-}
if [[ ! "$anchor" =~ ^[a-z0-9-]*$ ]]; then
    echo "SECTION is a section id such as danh-sach" >&2
    exit 2
fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
    echo "chromium not found: apt-get install -y chromium" >&2
    exit 3
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
page=$report
if [[ -n "$anchor" ]]; then
    # hide every top-level part before the anchor's section; pure CSS, the report stays script-free
    page="$profile/page.html"
    sed "s|</style>|header, main > section:not(#${anchor}):not(#${anchor} ~ section) { display:none; }</style>|" "$report" >"$page"
fi

# No network, no first-run or background traffic: the report must render from the file alone.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="${size/x/,}" --screenshot="$out" "file://$page" 2>/dev/null
echo "$out"
