#!/usr/bin/env bash
# The peers' venv for benchmarks/bench_models.py: pymc-marketing needs Python >= 3.12, clientlib's
# venv is 3.11, so pymc-marketing (MAP fits) runs from its own venv, build/peers-venv, in its own
# process. Not part of `make install` or `make test` (slow: PyMC, PyTensor, JAX-free CPU build).
#   benchmarks/peers.sh            # creates or completes build/peers-venv
#   PEERS_PYTHON=/path/python3.12 benchmarks/peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PEERS_VENV:-build/peers-venv}
PY=${PEERS_PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.13 python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python "$HOME"/.pyenv/versions/3.13*/bin/python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
      PY=$c; break
    fi
  done
fi
[ -n "$PY" ] || { echo "no Python >= 3.12 found: set PEERS_PYTHON" >&2; exit 2; }
test -x "$VENV/bin/python" || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# The versions the issue compares against (pymc-marketing 1.3.0; lifetimes runs in clientlib's venv).
"$VENV/bin/python" -m pip install --quiet "pymc-marketing==1.3.0" "psutil>=5.9"
"$VENV/bin/python" -c 'import pymc_marketing, pymc; print("peers venv:", pymc_marketing.__version__, "pymc", pymc.__version__)'
