"""Where narrate keeps things: the same folders platformdirs names, without its import."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Both answers from one fresh interpreter each: platformdirs reads the environment once.
COMPARE = """
import json, platformdirs
from narrate import paths
print(json.dumps([
    [str(paths.config_dir()), str(platformdirs.user_config_path("narrate", appauthor=False))],
    [str(paths.data_dir()), str(platformdirs.user_data_path("narrate", appauthor=False))],
]))
"""


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="platformdirs decides there")
@pytest.mark.parametrize(
    "env",
    [
        {"HOME": "/home/sam"},
        {"HOME": "/home/sam/"},
        {"HOME": "/"},
        {"HOME": "/home/sam", "XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "/data"},
        {"HOME": "/home/sam", "XDG_CONFIG_HOME": "relative/cfg", "XDG_DATA_HOME": ""},
        {"HOME": "/home/sam", "XDG_CONFIG_HOME": "/cfg/", "XDG_DATA_HOME": "/d/./x"},
        {"HOME": "relative", "XDG_CONFIG_HOME": "/cfg"},
        {},
    ],
    ids=repr,
)
def test_the_folders_are_the_ones_platformdirs_names(env: dict[str, str]) -> None:
    import json
    import os

    keep = {k: v for k, v in os.environ.items() if not k.startswith("XDG_") and k != "HOME"}
    result = subprocess.run(
        [sys.executable, "-c", COMPARE],
        env={**keep, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for ours, theirs in json.loads(result.stdout):
        assert ours == theirs, env


def test_a_read_never_imports_platformdirs() -> None:
    code = (
        "import sys; from narrate import paths; paths.config_file(); paths.default_journal(); "
        "print('platformdirs' in sys.modules, 'tempfile' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"], result.stderr
