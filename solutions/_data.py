"""Shared set-up for the trainer solutions: the notebooks' default data (seed 0, 2000 customers)."""

from clientlib import datasets, exercises
from clientlib.features import customer_facts
from clientlib.io import read_customers, read_events, read_transactions

exercises.setup_notebook()
lang = "en"
seed = 0
n_customers = 2000
ds = datasets.load("workshop", n_customers=n_customers, seed=seed)
tx = read_transactions(ds.transactions, ds.mapping)
ev = read_events(ds.events, analysis_date=tx.analysis_date)
cu = read_customers(ds.customers)
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
