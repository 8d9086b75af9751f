"""Compare the same table computed by two engines (DuckDB and Spark), column by column."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns compared as text (ids and dates); the others as numbers to 1e-12.
TEXT_COLUMNS = {"customer_id", "analysis_date", "first_purchase", "last_purchase"}


def assert_same_rows(duck: pd.DataFrame, spark: pd.DataFrame, cols: list[str]) -> None:
    """Sort both by customer and check every column in ``cols``."""
    a = duck[cols].sort_values("customer_id").reset_index(drop=True)
    b = spark[cols].sort_values("customer_id").reset_index(drop=True)
    for col in cols:
        if col in TEXT_COLUMNS:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col
        else:
            np.testing.assert_allclose(
                a[col].astype("float64"), b[col].astype("float64"), rtol=1e-12, err_msg=col
            )
