"""Column widths for a table on a terminal of a given width (pure: widths in, widths out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["MIN_WRAP", "Layout", "overhead", "plan_columns"]

# The wrapping column (a reason) is readable from about this width; narrower, whole
# columns make way for it.
MIN_WRAP = 28
# rich's default box: "│ " + " │" at the edges, " │ " between columns.
_EDGES = 4
_GAP = 3
_FLOOR = 6  # a squeezed column keeps this many cells (or its header's width)


@dataclass(frozen=True)
class Layout:
    """The columns shown, in order, and the width of each (None: its natural width)."""

    columns: tuple[str, ...]
    widths: Mapping[str, int | None]
    hidden: tuple[str, ...] = ()
    squeezed: bool = False  # columns had to go below their limits: a table reads badly


def overhead(count: int) -> int:
    """The cells a table's borders and padding take around ``count`` columns."""
    return _EDGES + _GAP * max(count - 1, 0)


def plan_columns(
    natural: Mapping[str, int],
    width: int,
    *,
    wrap: str | None = None,
    limits: Mapping[str, int] | None = None,
    droppable: Sequence[str] = (),
) -> Layout:
    """Fit ``natural`` widths (column order kept) into ``width`` terminal cells.

    Everything that fits is left alone. Otherwise the columns in ``limits`` shrink to
    their limit (cut with an ellipsis), then the ``droppable`` ones are left out in
    order until ``wrap`` (which takes the rest and wraps) has ``MIN_WRAP`` cells. If
    that is not enough, the other columns are squeezed and ``squeezed`` says so.
    """
    columns = list(natural)
    if sum(natural.values()) + overhead(len(columns)) <= width:
        return Layout(tuple(columns), dict.fromkeys(columns))
    caps = limits or {}
    fixed = {c: min(natural[c], caps.get(c, natural[c])) for c in columns}
    hidden: list[str] = []
    pending = [c for c in droppable if c in columns and c != wrap]

    def room() -> int:
        others = sum(fixed[c] for c in columns if c != wrap)
        return width - overhead(len(columns)) - others

    squeezed = False
    if wrap is None or wrap not in natural:
        squeezed = sum(fixed.values()) + overhead(len(columns)) > width
    else:
        wanted = min(MIN_WRAP, natural[wrap])
        while room() < wanted and pending:
            gone = pending.pop(0)
            columns.remove(gone)
            hidden.append(gone)
        # still too narrow: squeeze the widest other columns, down to their header's width
        floors = {c: min(natural[c], max(len(c), _FLOOR)) for c in columns}
        while room() < wanted:
            widest = max((c for c in columns if c != wrap), key=lambda c: fixed[c] - floors[c])
            if fixed[widest] <= floors[widest]:
                break
            fixed[widest] -= 1
            squeezed = True
    widths: dict[str, int | None] = {c: fixed[c] for c in columns}
    if wrap is not None and wrap in columns:
        widths[wrap] = max(min(natural[wrap], room()), 1)
    return Layout(tuple(columns), widths, tuple(hidden), squeezed)
