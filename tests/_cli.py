"""Run the ``clientlib`` entry point in-process, as a user's shell would."""

from __future__ import annotations

import sys

from clientlib.cli import main


def run_cli(argv, monkeypatch, capsys) -> tuple[int, str, str]:
    """Return (exit code, stdout, stderr) of ``clientlib ARGV``."""
    monkeypatch.setattr(sys, "argv", ["clientlib", *map(str, argv)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err
