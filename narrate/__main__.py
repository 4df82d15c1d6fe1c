"""Run narrate as ``python -m narrate``."""

from narrate.cli import main

if __name__ == "__main__":
    main()
