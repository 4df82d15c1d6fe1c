"""Importers: jrnl, Day One and Markdown folders brought into a narrate journal.

Nothing is imported here: ``narrate --help`` must not pay for the importers' modules.
"""
