"""One test per integration target under targets/ (setup_* targets are helpers, not tests)."""

from __future__ import annotations

import pytest

from harness import run_playbook, target_names, target_playbook, target_vars


@pytest.mark.parametrize("target", target_names())
def test_target(target, endpoint, tmp_path):
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(target_playbook(target))
    result = run_playbook(endpoint, playbook, target_vars(endpoint, tmp_path / "setup"))
    assert result.returncode == 0, f"{target} failed:\n{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
