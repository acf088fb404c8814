"""The README's screenshots exist, are the browser tests' size, and are all used."""

from __future__ import annotations

import re
import struct

from tests.browser.driver import REPOSITORY, SCREENSHOT_VIEWPORT, SCREENSHOTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def test_the_readme_shows_every_screenshot_and_each_exists_at_the_browser_tests_size() -> None:
    readme = (REPOSITORY / "README.md").read_text()
    shown = set(re.findall(r"\]\((docs/screenshots/[\w.-]+\.png)\)", readme))
    on_disk = {f"docs/screenshots/{path.name}" for path in SCREENSHOTS.glob("*.png")}
    assert shown, "README.md shows no screenshot"
    assert shown == on_disk
    expected = (SCREENSHOT_VIEWPORT["width"], SCREENSHOT_VIEWPORT["height"])
    for path in sorted(SCREENSHOTS.glob("*.png")):
        data = path.read_bytes()
        assert _png_size(data) == expected, path.name
        assert len(data) < 200_000, f"{path.name} is {len(data)} bytes: keep screenshots small"
