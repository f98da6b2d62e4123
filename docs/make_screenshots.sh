#!/usr/bin/env bash
# Rebuild the README's screenshots from sample_data: the HTML page in headless
# Chromium, the report's 漏斗 sheet through LibreOffice's PDF export.
# Needs: chromium, libreoffice-calc-nogui, poppler-utils, fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
leadbook process sample_data --out "$work/out" --as-of 2026-10-31 --no-history -q
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chrome" --hide-scrollbars --window-size=1100,1500 \
    --screenshot=docs/summary.png "file://$work/out/summary.html" 2>/dev/null
soffice --headless --convert-to pdf --outdir "$work" "$work/out/report.xlsx" >/dev/null
page=$(for p in $(seq 1 40); do
    pdftotext -f "$p" -l "$p" "$work/report.pdf" - 2>/dev/null | head -1 | grep -q "· 漏斗 ·" && { echo "$p"; break; }
done)
pdftoppm -png -r 80 -f "$page" -l "$page" -singlefile "$work/report.pdf" docs/report-funnel
