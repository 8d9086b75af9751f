"""Shared fixtures: the reference data folder and one Spark session for the whole run."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the project; tests that need it skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (it lives outside the repo)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def spark_con():
    """An Ibis connection to a local[2] Spark session, shared by every Spark test."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    if shutil.which("java") is None:
        pytest.skip("Java is not on PATH; Spark needs Java 17")
    from clientlib import engine

    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    con = engine.spark("local[2]")
    yield con
    con._session.stop()


@pytest.fixture(scope="session")
def postgres():
    """A throw-away PostgreSQL cluster with CDNOW and the workshop shop (tests/_postgres.py),
    started once for the session; the tests that use it skip where PostgreSQL is absent."""
    import _postgres

    why = _postgres.why_absent()
    if why:
        pytest.skip(why)
    with _postgres.cluster() as running:
        yield running
