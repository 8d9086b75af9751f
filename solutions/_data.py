"""Shared set-up for the trainer solutions: the lessons' default data (seed 0, 2000 customers).

The language of the messages is the first argument: ``python 02_lifecycle.py ru``.
"""

import sys

from clientlib import lessons, messages
from clientlib.features import customer_facts

lang = messages.check_lang(sys.argv[1] if len(sys.argv) > 1 else "en")
lessons.setup_notebook()
seed = 0
n_customers = 2000
inputs = lessons.load_inputs(seed=seed, n_customers=n_customers)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
customers_df = cu.table.to_pandas()
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
