"""Shared fixtures: the site built once per session, HTTP servers, a browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from siteutil import CHROMIUM_ARGS, StaticServer, chromium_path, mkdocs_build, project_copy_to

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Data errors are Chinese for editors and English for developers (KB_LANG=en):
# the tests match the English words, which are stable, and the builds they run
# inherit it. tests/test_editor_errors.py checks the Chinese messages.
os.environ["KB_LANG"] = "en"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built strictly once for all tests that read its output."""
    site_dir = tmp_path_factory.mktemp("site")
    result = mkdocs_build(site_dir)
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    built_site_log.append(result.stdout + result.stderr)
    return site_dir


built_site_log: list[str] = []


@pytest.fixture(scope="session")
def build_log(built_site) -> str:
    return built_site_log[0]


@pytest.fixture(scope="session")
def site_with_url(tmp_path_factory) -> Path:
    """The site built for https://example.github.io/kb/ (SITE_URL set)."""
    site = tmp_path_factory.mktemp("site-with-url")
    result = mkdocs_build(site, env={"SITE_URL": "https://example.github.io/kb/"})
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict with SITE_URL failed:\n{result.stdout}\n{result.stderr}")
    assert "SITE_URL is not set" not in result.stdout + result.stderr
    return site


@pytest.fixture(scope="session")
def server(built_site):
    with StaticServer(built_site, "/") as srv:
        yield srv


@pytest.fixture(scope="session")
def subpath_server(built_site):
    with StaticServer(built_site, "/kb/") as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev requirements install it
        if IN_CI:
            pytest.fail("playwright is not installed; CI must run the browser tests")
        pytest.skip("playwright is not installed")
    executable = chromium_path()
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        except Exception as error:  # no browser at all
            if IN_CI:
                pytest.fail(f"no Chromium for the browser tests in CI: {error}")
            pytest.skip(f"no Chromium available: {error}")
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="zh-CN", service_workers="block")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A throwaway copy of the project (sources, not build output) to break."""
    return project_copy_to(tmp_path / "project")
