"""Text that people type: control and bidirectional formatting characters have no place in it.

An email address, a password or a provider's setting holding a CR or LF can split a log
line or an email header; one holding a right-to-left override displays as something it
is not (`moc.elpmaxe@nna` reads as `ann@example.com`). Nobody types them on purpose, so
text that is kept is refused with them; information that is only recorded (device
details) is kept without them.
"""

from __future__ import annotations

import re

from app.domain.errors import InvalidParameter

# C0 and C1 controls and DEL; the line and paragraph separators; the bidirectional marks,
# embeddings, overrides and isolates (Unicode's Bidi_Control property). Zero-width joiners
# are not among them: emoji sequences are made of them.
CONTROL_CHARACTERS = (
    "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
)
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def has_control_characters(value: str) -> bool:
    """Tell whether `value` holds a control or bidirectional formatting character."""
    return _CONTROL.search(value) is not None


def refuse_control_characters(value: str, field: str) -> None:
    """Refuse `value` (400 naming `field`) when it holds a control or bidi character."""
    if has_control_characters(value):
        raise InvalidParameter(
            f"'{field}' must not contain control characters (such as CR, LF or NUL) or "
            "bidirectional formatting characters"
        )


def without_control_characters(value: str) -> str:
    """Return `value` with its control and bidirectional formatting characters removed."""
    return _CONTROL.sub("", value)
