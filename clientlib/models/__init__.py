"""Probability models of customer behaviour beyond BG/NBD and Gamma-Gamma (:mod:`clientlib.btyd`).

Each model is a scikit-learn style estimator: constructor parameters stored untouched, ``fit`` on
per-customer summaries (rows of identical summaries may be weighted), learned state ending in
``_`` (``params_``, ``standard_errors_``, ``log_likelihood_``).  :mod:`clientlib.models._stats`
holds what every maximum-likelihood fit shares: the standard errors from the Hessian and the
checks that a fit can be trusted.
"""
