"""Scenario mailboxes for the end-to-end tests: hand-written mail with known dates and threads."""
