"""Tests of the Textual app, driven with Pilot against real journals."""
