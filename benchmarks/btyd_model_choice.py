"""Which purchase model should the btyd framework use by default? (issue 26)

Runs ``clientlib.backtest.run_backtest`` with each model (``-p model=...``) on CDNOW (cutoff
1997-09-30, the papers' 39-week holdout) and on the workshop data (default cutoff), and prints,
per model: holdout repeat purchases observed and predicted, the AUC of each customer's expected
purchases for "bought again in the holdout", the mean absolute error per customer, and the
mutual information of the classes (the backtest's ranking measure); then the paired bootstrap
95% interval (300 resamples, seed 0) of the AUC differences.

Run: ``PYTHONPATH=$PWD .venv/bin/python benchmarks/btyd_model_choice.py``
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
from sklearn.metrics import roc_auc_score

from clientlib.backtest import run_backtest

MODELS = ("bgnbd", "mbgnbd", "pareto_nbd")
DATA = (("cdnow", "cdnow_sample", {"cutoff": dt.date(1997, 9, 30)}), ("workshop", "workshop", {}))


def main() -> None:
    for name, loaded, kw in DATA:
        scores = {}
        for m in MODELS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bt = run_backtest(loaded, frameworks=["btyd"], params={"btyd": {"model": m}}, **kw)
            rows = bt.customers[bt.customers["p_alive"].notna()].sort_values("customer_id")
            bought = rows["bought"].astype(bool).to_numpy()
            expected = rows["expected_purchases"].to_numpy()
            scores[m] = (bought, expected)
            mi = float(bt.ranking.set_index("framework").loc["btyd", "mutual_info"])
            mae = float(np.abs(expected - rows["purchases"].to_numpy()).mean())
            print(f"{name} {m}: observed {bt.btyd['observed']}, predicted "
                  f"{bt.btyd['predicted']:.1f}, AUC {roc_auc_score(bought, expected):.4f}, "
                  f"MAE {mae:.4f}, classes' mutual information {mi:.3f}")  # fmt: skip
        y = scores["mbgnbd"][0]
        rng = np.random.default_rng(0)
        for a, b in (("pareto_nbd", "mbgnbd"), ("mbgnbd", "bgnbd"), ("pareto_nbd", "bgnbd")):
            diffs = []
            for _ in range(300):
                i = rng.integers(0, len(y), len(y))
                diffs.append(roc_auc_score(y[i], scores[a][1][i])
                             - roc_auc_score(y[i], scores[b][1][i]))  # fmt: skip
            lo, hi = np.percentile(diffs, [2.5, 97.5])
            d = roc_auc_score(y, scores[a][1]) - roc_auc_score(y, scores[b][1])
            print(f"{name} AUC {a} - {b}: {d:.4f} (95% bootstrap {lo:.4f} .. {hi:.4f})")


if __name__ == "__main__":
    main()
