#!/usr/bin/env bash
# Make a Chromium available to the browser tests:
# 1. the system Chromium (Debian's `chromium` package) when present;
# 2. as root without it: install that package with apt-get;
# 3. otherwise: Playwright's own browser download.
set -euo pipefail
PY=${1:-.venv/bin/python}

# CJK glyphs for the screenshots and the overlap test (tests/overlaps.js):
# without a Chinese font headless Chromium draws boxes. Debian's
# fonts-wqy-microhei, installed on the machine; the site itself never loads a
# font from anywhere (theme.font: false, system font stack in extra.css).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "fonts: installing Debian's fonts-wqy-microhei"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq fonts-wqy-microhei >/dev/null
  else
    echo "fonts: no CJK font and not root; screenshots will show boxes for Chinese (apt-get install fonts-wqy-microhei)" >&2
  fi
fi
for candidate in "${KB_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "browser: $candidate"
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "browser: installing Debian's chromium package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "browser: no system Chromium and not root; using Playwright's browser download"
"$PY" -m playwright install chromium
