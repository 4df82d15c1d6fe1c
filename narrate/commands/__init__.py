"""Every command of the CLI, one module per subject, parsing and rendering only (the
use cases live in the core and the capabilities); narrate.cli registers them."""
