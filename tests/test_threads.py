"""clientlib.threads: the limit follows the allowed cores, the environment and the pools obey it."""

from __future__ import annotations

import os

import numpy  # noqa: F401  (loads OpenBLAS)
import pytest
import sklearn.cluster  # noqa: F401  (loads OpenMP)
from threadpoolctl import threadpool_info

from clientlib import threads
from clientlib.errors import OptionError


def test_allowed_cores_is_the_affinity_at_most():
    assert 1 <= threads.allowed_cores() <= len(os.sched_getaffinity(0))


def test_limit_never_exceeds_the_allowed_cores(monkeypatch):
    monkeypatch.delenv(threads.ENV, raising=False)
    monkeypatch.setattr(threads, "busy_cores", lambda: 0)
    assert threads.thread_limit() == threads.allowed_cores()
    monkeypatch.setattr(threads, "busy_cores", lambda: 10_000)  # a saturated machine
    assert threads.thread_limit() == 1
    assert threads.thread_limit(load_aware=False) == threads.allowed_cores()


def test_environment_fixes_the_limit(monkeypatch):
    monkeypatch.setenv(threads.ENV, "3")
    assert threads.thread_limit() == 3
    monkeypatch.setenv(threads.ENV, "zero")
    with pytest.raises(OptionError, match="CLIENTLIB_THREADS"):
        threads.thread_limit()


def test_pools_are_limited_inside_and_restored_after():
    before = {(p["prefix"], p["num_threads"]) for p in threadpool_info()}
    assert {p["user_api"] for p in threadpool_info()} >= {"blas", "openmp"}
    with threads.limited_threads(1) as n:
        assert n == 1
        assert {p["num_threads"] for p in threadpool_info()} == {1}
    assert {(p["prefix"], p["num_threads"]) for p in threadpool_info()} == before


def test_busy_cores_reads_proc_loadavg(monkeypatch, tmp_path):
    fake = tmp_path / "loadavg"
    fake.write_text("5.00 4.00 3.00 4/300 1234\n")
    real = threads.Path

    monkeypatch.setattr(threads, "Path", lambda p: fake if p == "/proc/loadavg" else real(p))
    assert threads.busy_cores(samples=3, interval=0) == 3  # 4 runnable, this process one of them
    assert threads.describe(1)["busy_cores"] == 3
