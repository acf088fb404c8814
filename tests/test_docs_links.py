"""Every relative link of the README and of docs/ reaches a file, and a heading, that exists.

The README links into docs/ and the pages link each other; a page renamed or a heading
reworded must not leave a reader at a dead end.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
PAGES = [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").glob("*.md"))]

LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings (lower case, punctuation dropped)."""
    text = FENCE.sub("", page.read_text())
    made: set[str] = set()
    for title in HEADING.findall(text):
        slug = re.sub(r"[^\w\- ]", "", title.lower().replace("`", "")).replace(" ", "-")
        made.add(slug)
    return made


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(FENCE.sub("", page.read_text()))
            if not re.match(r"^[a-z]+:", target)]  # http:, https:, mailto: are not ours


def test_there_are_pages_and_they_link() -> None:
    assert len(PAGES) > 5
    assert any(target.startswith("docs/") for target in links(REPOSITORY / "README.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_reaches_a_file_and_heading(page: Path) -> None:
    broken = []
    for target in links(page):
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading makes #{anchor}")
    assert not broken, f"{page.relative_to(REPOSITORY)} has broken links: {broken}"
