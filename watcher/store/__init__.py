"""Persistence: SQLAlchemy 2 models, migrations and the repository."""
