"""Communities of practice: share redacted entries, read each other, adopt what works."""
