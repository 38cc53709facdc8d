"""followup: watches a job seeker's mailbox and applies the follow-up rules."""

__version__ = "0.1.0"
