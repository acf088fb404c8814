"""The console page's screenshots (docs/console.md) exist, are the browser tests' size, and
are all used."""

from __future__ import annotations

import re
import struct

from tests.browser.driver import REPOSITORY, SCREENSHOT_VIEWPORT, SCREENSHOTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def test_the_console_page_shows_every_screenshot_and_each_exists_at_the_browser_tests_size(
) -> None:
    page = (REPOSITORY / "docs" / "console.md").read_text()
    shown = set(re.findall(r"\]\((screenshots/[\w.-]+\.png)\)", page))
    on_disk = {f"screenshots/{path.name}" for path in SCREENSHOTS.glob("*.png")}
    assert shown, "docs/console.md shows no screenshot"
    assert shown == on_disk
    expected = (SCREENSHOT_VIEWPORT["width"], SCREENSHOT_VIEWPORT["height"])
    for path in sorted(SCREENSHOTS.glob("*.png")):
        data = path.read_bytes()
        assert _png_size(data) == expected, path.name
        assert len(data) < 200_000, f"{path.name} is {len(data)} bytes: keep screenshots small"
