"""The doctor's tests read copies of the shared reference (tests/reference/); when the shared
material sits next to this checkout, the copies must still be identical to it."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1] / "reference"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference"


@pytest.mark.parametrize("name", ["diagnosis.md", "seed-faq.md"])
def test_copy_matches_the_shared_reference(name):
    if not (SHARED / name).exists():
        pytest.skip("shared reference not next to this checkout")
    assert (HERE / name).read_bytes() == (SHARED / name).read_bytes()
