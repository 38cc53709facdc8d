"""The CLI's commands, grouped by topic; ``watcher.cli`` registers them."""
