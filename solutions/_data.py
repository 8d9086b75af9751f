"""Shared set-up for the trainer solutions: the lessons' default data (seed 0, 2000 customers)."""

from clientlib import lessons
from clientlib.features import customer_facts

lessons.setup_notebook()
lang = "en"
seed = 0
n_customers = 2000
inputs = lessons.load_inputs(seed=seed, n_customers=n_customers)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
customers_df = cu.table.to_pandas()
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
