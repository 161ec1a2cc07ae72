"""The adversarial checks at a small count, asserting outcomes (``benchmarks/adversarial.py``
runs the same checks at full count and prints the figures)."""

from __future__ import annotations

import pytest
from attack_kit import authorize_under_attack, concurrent_adds, kill_trials, world

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


async def test_a_flood_during_a_real_authorize_leaves_it_waiting_then_the_browser_completes(
        tmp_path):
    async with world(tmp_path / "cfg") as w:
        result = await authorize_under_attack(w, 400, slowloris=2, hold=17)
    flood = result.flood
    assert flood.sent + flood.closed_without_answer >= 400
    assert flood.hangs == 0 and flood.forged_accepted == 0 and flood.open_redirects == 0
    assert flood.slowloris_closed == 2 and flood.slowloris_held == 0
    assert result.alive_after_flood, result.stderr_tail
    assert result.genuine_completed and result.exit_code == 0, result.stderr_tail
    assert result.token_stored and result.tracebacks == 0
    assert 1 <= result.refused_lines <= 10  # the first few named, then every 100th


async def test_kills_leave_no_corrupt_file_no_dangling_secret_and_no_temp_file(tmp_path):
    async with world(tmp_path / "cfg") as w:
        report = await kill_trials(w, 14)
    assert report.trials == 14 and report.killed >= 3
    assert report.corrupt_files == 0 and report.dangling_secrets == 0
    assert report.temp_files_left == 0


async def test_concurrent_adds_lose_nothing(tmp_path):
    async with world(tmp_path / "cfg") as w:
        report = await concurrent_adds(w, trials=2, writers=3, each=3)
    assert report.exited_ok == report.adds == 18
    assert report.lost_profiles == 0 and report.lost_secrets == 0
