"""narrate: a local-first terminal journal for narrating your work."""

__version__ = "0.1.0"
