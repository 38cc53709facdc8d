"""Where mail comes from: the MailSource protocol and its adapters (IMAP, Maildir, fake)."""

from watcher.sources.base import FolderInfo, FolderStatus, MailSource

__all__ = ["FolderInfo", "FolderStatus", "MailSource"]
