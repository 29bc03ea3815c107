"""Markdown for a pull-request comment (`--format markdown` of diff, refine, burndown and
velocity): GitHub refuses a comment over 65,536 characters, so a longer answer is cut at a
line, never inside a fenced block, and says what it left out. Never cut silently."""

from __future__ import annotations

LIMIT = 65_536


def fit(text: str, rest: str) -> str:
    """`text` when it fits in a comment; else its first lines that fit and a closing line
    saying how many were left out and where the whole answer is (`rest`)."""
    if len(text) <= LIMIT:
        return text
    units = _units(text)
    kept: list[str] = []
    size = 0
    for at, unit in enumerate(units):
        note = _note(sum(u.count("\n") for u in units[at:]), len(text), rest)
        if size + len(unit) + len(note) > LIMIT:
            return "".join(kept) + note
        kept.append(unit)
        size += len(unit)
    return "".join(kept)  # not reached: the whole text was longer than the limit


def _units(text: str) -> list[str]:
    """The text's lines (each with its line break); a fenced block (```) is one unit."""
    units: list[str] = []
    fence: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if fence is not None:
            fence.append(line)
            if line.startswith("```"):
                units.append("".join(fence))
                fence = None
        elif line.startswith("```"):
            fence = [line]
        else:
            units.append(line)
    if fence is not None:
        units.append("".join(fence))
    return units


def _note(lines: int, size: int, rest: str) -> str:
    return (
        f"\n\n_… {lines:,} more lines left out: the whole answer is {size:,} characters and a "
        f"comment holds {LIMIT:,}. {rest}._\n"
    )
