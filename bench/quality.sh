#!/usr/bin/env bash
# Quality gates for the portal: Nu HTML Checker over every page of the demo, and Lighthouse (accessibility,
# best-practices, SEO = 100; performance >= 95) on home, a program page and a story page.
#
# Installs what it needs into bench/.work/ (gitignored): npm packages vnu-jar and lighthouse. Needs Java 17+,
# Node 18+ and Debian's chromium (/usr/bin/chromium or $CHROME_PATH). Prints the results; exits 1 on a miss.
#
#   bench/quality.sh            # build the demo, validate, run Lighthouse
#   VNU_ONLY=1 bench/quality.sh # only the validator
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK="$ROOT/bench/.work"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
export CHROME_PATH
mkdir -p "$WORK/npm"

if [ ! -x "$WORK/npm/node_modules/.bin/lighthouse" ] || [ ! -f "$WORK/npm/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  echo "installing vnu-jar and lighthouse into bench/.work/npm" >&2
  (cd "$WORK/npm" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund vnu-jar lighthouse >/dev/null)
fi
VNU_JAR="$WORK/npm/node_modules/vnu-jar/build/dist/vnu.jar"

# A fresh copy of the demo hub, fetched from its local feed files and built.
rm -rf "$WORK/demo"
cp -r examples/demo "$WORK/demo"
rm -rf "$WORK/demo/public" "$WORK/demo/data"
"$PY" -m siman_hub --config "$WORK/demo/feeds.yaml" -q run
SITE="$WORK/demo/public"

echo "== Nu HTML Checker (vnu $(java -jar "$VNU_JAR" --version)) over every HTML page =="
mapfile -t PAGES < <(find "$SITE" -name '*.html' -not -path '*/pagefind/*' | sort)
status=0
if java -jar "$VNU_JAR" --errors-only --format gnu "${PAGES[@]}" > "$WORK/vnu.txt" 2>&1; then
  echo "vnu: ${#PAGES[@]} pages, 0 errors"
else
  echo "vnu: ${#PAGES[@]} pages, $(wc -l < "$WORK/vnu.txt") errors (first 20):"
  head -20 "$WORK/vnu.txt"
  status=1
fi
[ "${VNU_ONLY:-}" = "1" ] && exit $status

# Lighthouse against a plain static server (not `serve`, whose live-reload script is preview-only).
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 1
STORY=$(cd "$SITE" && ls -d story/*/ | head -1)
# a paginated program if there is one (numbered pages count from the oldest: page/1 exists once paginated)
PROGRAM="program/$(cd "$SITE/program" && { for d in */; do if [ -f "$d/page/1/index.html" ]; then echo "${d%/}"; exit 0; fi; done; ls -d */ | head -1 | tr -d /; })/"
echo "== Lighthouse $("$WORK/npm/node_modules/.bin/lighthouse" --version) (mobile emulation, simulated throttling) =="
printf '%-48s %6s %6s %6s %6s\n' page perf a11y bp seo
for path in "" "$PROGRAM" "$STORY"; do
  out="$WORK/lh-$(echo "${path:-home}" | tr '/' '_').json"
  "$WORK/npm/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT/$path" --quiet --output=json --output-path="$out" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage" >/dev/null 2>&1 || true
  "$PY" - "$out" "/${path}" <<'EOF' || status=1
import json, sys
data = json.load(open(sys.argv[1]))
c = data["categories"]
s = {k: round((c[k]["score"] or 0) * 100) for k in ("performance", "accessibility", "best-practices", "seo")}
print(f"{sys.argv[2]:<48} {s['performance']:>6} {s['accessibility']:>6} {s['best-practices']:>6} {s['seo']:>6}")
for k in ("accessibility", "best-practices", "seo"):
    for ref in c[k]["auditRefs"]:
        a = data["audits"][ref["id"]]
        if ref["weight"] and a["score"] is not None and a["score"] < 1:
            print(f"   {k}: {a['id']}: {a['title']}")
ok = s["performance"] >= 95 and all(s[k] == 100 for k in ("accessibility", "best-practices", "seo"))
sys.exit(0 if ok else 1)
EOF
done
exit $status
