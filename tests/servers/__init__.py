"""Throwaway mail servers for the tests: a real Dovecot and an aiosmtpd SMTP server."""
