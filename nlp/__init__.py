"""nlp: reads recruiters' mail (a leaf library; it never imports ``watcher``).

``load()``, ``analyze()`` and ``analyze_many()`` import spaCy on first use, so code
that only needs the types (``nlp.types``) starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nlp.types import Detection, Email, Evidence, Kind

if TYPE_CHECKING:
    from nlp.pipeline import analyze, analyze_many, load

__all__ = ["Detection", "Email", "Evidence", "Kind", "analyze", "analyze_many", "load"]

_LAZY = frozenset({"analyze", "analyze_many", "load"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from nlp import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
