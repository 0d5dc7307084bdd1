"""An operator opens an order in the Temporal Web UI and reads it decoded, through the codec server, in a real browser.

Chromium comes from Debian's packages (`.ci/run` installs it) and Playwright drives it through
`executable_path`: nothing is downloaded at run time (never `playwright install`).
"""

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from starter.client import OrdersClient, workflow_id
from starter.system import System
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
EMAIL = "browser-check@example.com"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("ORDERS_BROWSER_REQUIRED"):  # CI sets it: there the browser test must run
            pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (as .ci/run does)")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install -y chromium` to run the browser test")
    return CHROMIUM


async def test_the_ui_shows_the_orders_input_decoded(system: System, chromium: Path) -> None:
    placed = orders(system.settings, "place", "--customer", "browser-check", "--sku", "MUG-BLUE:1:1250")
    assert placed.returncode == 0, placed.stderr
    order_id = placed.stdout.strip()
    await (await OrdersClient.connect(system.settings)).wait_for(order_id, lambda o: o.window_closes_at is not None)
    page_url = f"{system.ui_url}/namespaces/{system.settings.temporal_namespace}/workflows/{workflow_id(order_id)}"

    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's own sandbox refuses to start.
        browser = await playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            decoded = []
            page.on("request", lambda request: decoded.append(request.url) if "/decode" in request.url else None)
            await page.goto(page_url)
            await page.get_by_text(EMAIL).first.wait_for(timeout=60_000)
        finally:
            await browser.close()

    assert any(url.startswith(f"{system.codec_url}/decode") for url in decoded)
