"""`make dashboard-screens`: the dashboard's main pages at desktop and phone widths, as PNG, into
docs/dashboard/ (headless chromium over a sample center of six terminals).

    python -m tests.integration.dashboard.screens [DIR]
"""
from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from tests.integration.dashboard.browser import chromium, log_in
from tests.integration.dashboard.server import PASSWORDS, Dashboard

SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def pages() -> dict[str, str]:
    start = (date.today() - timedelta(days=90)).isoformat()
    return {"terminals": "/", "search": "/search?kind=sales&meter=02000000007", "meter": "/meters/02000000007",
            "statistics": f"/statistics?report=monthly&from={start}", "admin": "/admin"}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ppms-screens-") as tmp:
        d = Dashboard(Path(tmp), sales=200)
        try:
            with chromium() as browser:
                for size, (w, h) in SIZES.items():
                    context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                                  is_mobile=size == "phone", has_touch=size == "phone")
                    page = context.new_page()
                    page.goto(d.base + "/login")
                    page.screenshot(path=str(out / f"login-{size}.png"))
                    log_in(page, d.base, "adam", PASSWORDS["adam"])
                    if size == "desktop":      # one conflict acknowledged, the other waiting
                        form = page.locator("form[action='/acknowledge']").first
                        form.locator("input[name=note]").fill("T02 resent seq 3 after a restore: the first kept")
                        form.locator("button").click()
                    for name, path in pages().items():
                        page.goto(d.base + path)
                        page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=size == "desktop")
                    context.close()
        finally:
            d.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard"))
