"""MBG/NBD: the modified BG/NBD of Batislam, Denizel & Filiztekin (2007).

As BG/NBD (:class:`clientlib.btyd.BetaGeoModel`), a customer buys at a Poisson rate while alive
(gamma across customers, ``r``, ``alpha``) and drops out with a probability (beta, ``a``,
``b``) after a purchase, but here also right after the *first* purchase.  So a customer
without a repeat purchase has a real P(alive) below 1 that falls with the time since that
purchase, instead of the BG/NBD's 1 by assumption.  The likelihood (Batislam et al. 2007,
eq. 6; lifetimes' ``ModifiedBetaGeoFitter``) is the BG/NBD one with ``b + x`` in place of
``b + x - 1``; it is fitted by the same weighted maximum likelihood on distinct
(frequency, recency, T), with analytic gradients.

Examples
--------
>>> m = ModifiedBetaGeoModel(time_unit="weeks")
>>> m.params_ = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
>>> round(float(m.p_alive(0, 0.0, 38.86)[0]), 3)  # one purchase, 38.86 weeks ago
0.39
"""

from __future__ import annotations

from clientlib.btyd import BetaGeoModel

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD (Batislam et al. 2007) fitted by maximum likelihood.

    The API of :class:`clientlib.btyd.BetaGeoModel`: ``fit(frequency, recency, T,
    sample_weight)``, ``params_`` (``r``, ``alpha``, ``a``, ``b``), ``standard_errors_``,
    ``log_likelihood_``, ``p_alive``, ``expected_purchases`` (given the history),
    ``expected_purchases_new`` and ``predict``.

    Parameters
    ----------
    time_unit : {"days", "weeks"}, default "days"
        Unit of ``recency``, ``T`` and every horizon ``t``; ``alpha`` is in this unit.
    penalizer : float, default 0.0
        L2 penalty on the parameters, as lifetimes' ``penalizer_coef``.

    Notes
    -----
    ``p_alive = 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x)) ** (r + x))`` for every
    customer, ``x = 0`` included; ``expected_purchases`` is
    ``(a + b + x) / (a - 1) [1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
    2F1(r + x, b + x + 1; a + b + x; t / (alpha + T + t))] p_alive`` and
    ``expected_purchases_new(t) = b / (a - 1) [1 - (alpha / (alpha + t)) ** r
    2F1(r, b + 1; a + b; t / (alpha + t))]``.

    Examples
    --------
    >>> m = ModifiedBetaGeoModel(time_unit="weeks")
    >>> m = m.fit([0, 2, 1, 4, 0], [0, 30.4, 1.7, 35.0, 0], [38.9] * 5)
    >>> bool(m.p_alive([0], [0], [38.9])[0] < 1)
    True
    >>> m.params_ = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    >>> round(float(m.expected_purchases_new(39)), 3)
    1.183
    """

    _SHIFT = 1
    _NAME = "MBG/NBD"
