"""clientlib: customer classification frameworks, RFM and k-means side by side, as reports.

The data flow is source → facts → frameworks → clusters → compare → report:

>>> from clientlib.io import read_transactions
>>> from clientlib.features import customer_facts
"""

__version__ = "0.1.0"
