"""Files as real systems write them, built from the embedded workshop shop (issue 23).

:func:`one_c_export` writes "the 1C file": what a Russian 1C:Enterprise or Excel export of the
shop's sales looks like — Windows Cyrillic (cp1251), ``;`` between fields, all-Cyrillic headers,
dd.mm.yyyy dates, a decimal comma, no-break spaces between thousands, and megabytes long. It
returns the same rows as a pandas frame in English role names, for tests that compare what
clientlib reads from the file with a computation of their own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from clientlib import datasets

#: The 1C file's header: buyer, date, document number, sum.
ONE_C_HEADER = ("Покупатель", "Дата", "Номер документа", "Сумма")
#: Customers in the default file: about 52,000 lines, well over 2 MB in cp1251.
ONE_C_CUSTOMERS = 7000
NBSP = "\u00a0"


def _rubles(amount: float) -> str:
    """``-4351.79`` as 1C writes it: ``-4 351,79`` (no-break space between thousands)."""
    return f"{amount:,.2f}".replace(",", NBSP).replace(".", ",")


def one_c_export(path: Path, n_customers: int | None = None) -> pd.DataFrame:
    """Write the workshop shop's sales as a 1C export to ``path`` and return them.

    Parameters
    ----------
    path : Path
        Where the file is written (cp1251 bytes, ``\\r\\n`` line ends as Windows writes them).
    n_customers : int, optional
        The workshop shop's size (seed 0); default :data:`ONE_C_CUSTOMERS`, which makes a file
        of more than 2 MB.

    Returns
    -------
    pandas.DataFrame
        The rows written, one per line, in role names: ``customer_id`` (a Cyrillic name),
        ``timestamp`` (the day, as written), ``order_id`` and ``amount`` (rounded to kopecks, as
        written).
    """
    shop = datasets.load("workshop", n_customers=n_customers or ONE_C_CUSTOMERS, seed=0)
    tx = shop.transactions
    digits = tx["customer_id"].astype(str).str.replace(r"\D", "", regex=True)
    frame = pd.DataFrame(
        {
            "customer_id": "Клиент " + digits,
            "timestamp": pd.to_datetime(tx["timestamp"]).dt.normalize().astype("datetime64[us]"),
            "order_id": "ТД-" + tx["order_id"].astype(str).str.replace(r"\D", "", regex=True),
            "amount": np.round(tx["amount"].astype("float64"), 2),
        }
    )
    lines = [";".join(ONE_C_HEADER)]
    lines += [
        f"{c};{t:%d.%m.%Y};{o};{_rubles(a)}"
        for c, t, o, a in zip(
            frame["customer_id"], frame["timestamp"], frame["order_id"], frame["amount"],
            strict=True,
        )
    ]  # fmt: skip
    Path(path).write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    return frame
