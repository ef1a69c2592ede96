"""Page weight: bytes over the wire for the first load of four pages and of a
bare Material page, by kind, in Chromium against nginx with gzip; and the
size of our own CSS and JavaScript."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

from common import BARE, CHROMIUM, CHROMIUM_ARGS, GZIP_LEVEL, ROOT, kib, log

GOAL_OWN_GZIP = 15 * 1024  # our own CSS + JS < 15 KB gzip
GOAL_FIRST_VISIT = 110 * 1024  # each measured page's first visit <= 110 KiB over the wire


def kind_of(url: str, resource_type: str, mime: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "/pagefind/" in path or path.endswith(("search_index.json", "search-layer.json", "search-tables.json")):
        return "search"
    if resource_type == "document" or "text/html" in mime:
        return "html"
    if path.endswith(".css") or "css" in mime:
        return "css"
    if path.endswith((".js", ".mjs")) or "javascript" in mime:
        return "js"
    if path.endswith((".woff", ".woff2", ".ttf", ".otf")) or "font" in mime:
        return "fonts"
    if path.endswith((".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico", ".avif")) or mime.startswith("image/"):
        return "images"
    return "other"


KINDS = ["html", "css", "js", "fonts", "images", "search", "other"]
KIND_NAMES = {"html": "HTML", "css": "CSS", "js": "JS", "fonts": "字体", "images": "图片", "search": "搜索", "other": "其他"}


def measure_weight(urls: dict[str, str]) -> dict:
    """First load of each URL in a fresh context: bytes over the wire per kind."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for name, url in urls.items():
                context = browser.new_context(locale="zh-CN", service_workers="block")
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                seen: dict[str, dict] = {}

                def on_response(event, seen=seen):
                    r = event["response"]
                    seen.setdefault(event["requestId"], {}).update(url=r["url"], mime=r.get("mimeType", ""), type=event.get("type", "").lower(), encoding=r.get("headers", {}).get("Content-Encoding") or r.get("headers", {}).get("content-encoding", ""))

                def on_finished(event, seen=seen):
                    seen.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

                cdp.on("Network.responseReceived", on_response)
                cdp.on("Network.loadingFinished", on_finished)
                # Playwright's view too: it sees requests of the search web worker.
                pw_sizes = []

                def on_done(request, pw_sizes=pw_sizes):
                    try:
                        sizes = request.sizes()
                    except Exception:
                        return
                    pw_sizes.append({"url": request.url, "type": request.resource_type, "body": sizes["responseBodySize"], "headers": sizes["responseHeadersSize"]})

                context.on("requestfinished", on_done)
                page.goto(url, wait_until="load")
                with contextlib.suppress(Exception):
                    page.wait_for_load_state("networkidle", timeout=10000)
                page.wait_for_timeout(1000)
                context.close()
                by_kind = {k: 0 for k in KINDS}
                files = []
                cdp_urls = set()
                for item in seen.values():
                    if "url" not in item or "bytes" not in item or item["url"].startswith("data:"):
                        continue
                    kind = kind_of(item["url"], item["type"], item["mime"])
                    by_kind[kind] += item["bytes"]
                    cdp_urls.add(item["url"])
                    files.append({"url": item["url"], "kind": kind, "bytes": item["bytes"], "gzip": item["encoding"] == "gzip"})
                # Requests CDP's page session did not see (the search worker's fetch).
                for item in pw_sizes:
                    if item["url"] in cdp_urls or item["url"].startswith("data:"):
                        continue
                    kind = kind_of(item["url"], item["type"], "")
                    size = item["body"] + item["headers"]
                    by_kind[kind] += size
                    files.append({"url": item["url"], "kind": kind, "bytes": size, "gzip": None, "worker": True})
                results[name] = {"url": url, "by_kind": by_kind, "total": sum(by_kind.values()), "requests": len(files), "files": sorted(files, key=lambda f: -f["bytes"])}
                log(f"weight {name}: {sum(by_kind.values()) / 1024:.1f} KiB in {len(files)} requests")
        finally:
            browser.close()
    return results


def own_assets(site: Path) -> dict:
    """Our own CSS/JS additions, raw and gzip -6 (what nginx sends as the body)."""
    out = {}
    files = [ROOT / "docs" / "assets" / "stylesheets" / "extra.css", *sorted((ROOT / "docs" / "assets" / "javascripts").glob("*.js"))]
    for path in files:
        rel = path.relative_to(ROOT / "docs").as_posix()
        built = site / rel
        data = (built if built.exists() else path).read_bytes()
        out[rel] = {"raw": len(data), "gzip": len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))}
    return out


def measure(served: dict) -> dict:
    return {"pages": measure_weight(served["urls"]), "own": own_assets(served["site"]), "served_gzip": served["served_gzip"]}


def summary(w: dict) -> dict:
    return {
        "pages": {name: {"total": p["total"], "requests": p["requests"], **p["by_kind"]} for name, p in w["pages"].items()},
        "own_gzip": sum(v["gzip"] for v in w["own"].values()),
        "own_raw": sum(v["raw"] for v in w["own"].values()),
        "served_gzip": w["served_gzip"],
    }


def render(w: dict, goals: list) -> list[str]:
    out = ["## 页面重量（首次加载） {#weight}", ""]
    out += [
        f"nginx（`gzip on`，`gzip_comp_level {GZIP_LEVEL}`，文本类型）在 127.0.0.1 上提供构建好的站点（不设 `SITE_URL`）；Chromium（Playwright，新上下文、空缓存、禁用 service worker）"
        "打开页面，等到 load 和网络空闲，按响应统计线上字节（CDP `Network.loadingFinished.encodedDataLength`，含 HTTP 头；"
        f"worker 的请求由 Playwright `request.sizes()` 补上）。「{BARE[0]}」是同一次运行里构建的最小项目（theme material、language zh、`font: false`、一页）。"
        + ("nginx 返回了 `Content-Encoding: gzip`。" if w["served_gzip"] else "**nginx 没有返回 gzip，下表是未压缩的字节。**"),
        "",
        "| 页面 | " + " | ".join(KIND_NAMES[k] for k in KINDS) + " | 合计 | 请求数 |",
        "| --- | " + " | ".join("---" for _ in KINDS) + " | --- | --- |",
    ]
    for name, p in w["pages"].items():
        out.append(f"| {name} | " + " | ".join(kib(p["by_kind"][k]) for k in KINDS) + f" | **{kib(p['total'])}** | {p['requests']} |")
    out.append("")
    own = w["own"]
    total_gzip = sum(v["gzip"] for v in own.values())
    out += [f"我们自己加的 CSS/JS（`gzip -{GZIP_LEVEL}` 后的正文大小）：", "", "| 文件 | 原始 | gzip |", "| --- | --- | --- |"]
    out += [f"| `docs/{rel}` | {kib(v['raw'])} | {kib(v['gzip'])} |" for rel, v in own.items()]
    out += [f"| **合计** | {kib(sum(v['raw'] for v in own.values()))} | **{kib(total_gzip)}** |", ""]
    goals.append(("自己的 CSS+JS < 15 KB gzip", kib(total_gzip), total_gzip < GOAL_OWN_GZIP))
    ours = {name: p["total"] for name, p in w["pages"].items() if name != BARE[0]}
    if ours:
        goals.append((f"每页首次加载 ≤ {kib(GOAL_FIRST_VISIT)}（{len(ours)} 个页面）", "，".join(f"{name} {kib(total)}" for name, total in ours.items()), all(t <= GOAL_FIRST_VISIT for t in ours.values())))
    return out
