"""nlp: reads recruiters' mail (a leaf library; it never imports ``watcher``)."""

from nlp.types import Detection, Email, Evidence, Kind

__all__ = ["Detection", "Email", "Evidence", "Kind"]
