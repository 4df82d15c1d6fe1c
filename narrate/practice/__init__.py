"""Practice change: check-backs and the review of how a practice changed."""
