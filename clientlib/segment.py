"""The one composition: frameworks fitted on the facts, then classifying every customer.

:func:`resolve` turns names, rulebook paths and framework objects into a list of frameworks
with unique ids (a user rulebook whose id is a built-in's replaces it, and says so);
:func:`apply` fits and transforms each one, skipping the frameworks that are not applicable to
the data; :func:`segment` is both in one call.  The command line, :func:`clientlib.pipeline.
run_study`, the report, the timeline and the exercises all go through :func:`apply`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from clientlib import frameworks as _fw
from clientlib import messages
from clientlib.errors import ClientlibError
from clientlib.frameworks.base import BASE_COLUMNS, Framework
from clientlib.frameworks.language import RulebookError

__all__ = [
    "BASE_COLUMNS",
    "RFM_COLUMNS",
    "Segmentation",
    "apply",
    "assemble",
    "needed_columns",
    "resolve",
    "segment",
    "summary",
]

#: Extra columns of the rfm framework.
RFM_COLUMNS: tuple[str, ...] = ("recency", "frequency", "monetary", "R", "F", "M")

FrameworkSpec = str | Path | Framework


@dataclass
class Segmentation:
    """What :func:`apply` gives: the classes, what was skipped and why, the fitted frameworks.

    Attributes
    ----------
    classes : pandas.DataFrame
        One row per customer and framework (``BASE_COLUMNS`` then each framework's own
        columns), sorted by framework then customer.
    skipped : list of str
        One message per framework that did not run (not applicable to this data).
    notes : list of str
        Other things the user should know (a user rulebook replacing a built-in).
    fitted : dict of str to Framework
        The fitted frameworks by id (``params_`` holds what each learned).
    """

    classes: pd.DataFrame
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fitted: dict[str, Framework] = field(default_factory=dict)


def resolve(
    frameworks: Sequence[FrameworkSpec] | FrameworkSpec = "all",
    rules: str | Path | Sequence[str | Path] | None = None,
    params: dict[str, Any] | None = None,
    lang: str = "en",
) -> tuple[list[Framework], list[str]]:
    """Framework objects with unique ids for a list of names, paths and objects.

    ``"all"`` expands to :func:`clientlib.frameworks.available`.  A rulebook in ``rules`` (or
    in the list) whose id equals one of the others replaces it, with a note; two different
    frameworks with one id otherwise are an error.  ``params`` are routed as in
    :func:`segment`.

    Examples
    --------
    >>> fws, notes = resolve(["rfm", "rfm_simple"])
    >>> [f.id for f in fws], notes
    (['rfm', 'rfm_simple'], [])
    """
    messages.check_lang(lang)
    if isinstance(frameworks, str | Path | Framework):
        frameworks = [frameworks]
    items: list[FrameworkSpec] = []
    for f in frameworks:
        items += list(_fw.available()) if f == "all" else [f]
    user_rules = [] if rules is None else [rules] if isinstance(rules, str | Path) else rules
    built: list[Framework] = []
    for item in items:
        built.append(item if isinstance(item, Framework) else _fw.load(item, lang=lang))
    notes: list[str] = []
    for path in user_rules:
        fw = _fw.load(Path(path), lang=lang)
        same = [i for i, b in enumerate(built) if b.id == fw.id]
        if same:
            notes.append(
                messages.text("frameworks.replaces_builtin", lang, path=Path(path).name, id=fw.id)
            )
            built[same[0]] = fw
            built = [b for i, b in enumerate(built) if i not in same[1:]]
        else:
            built.append(fw)
    unique: list[Framework] = []
    for fw in built:
        twin = next((u for u in unique if u.id == fw.id), None)
        if twin is None:
            unique.append(fw)
        elif twin is not fw and not _same(twin, fw):
            raise RulebookError(
                f"two different frameworks have the id '{fw.id}'; give your rulebook its own id "
                "(or pass it with --rules to replace the built-in)"
            )
    if params:
        for fw, overrides in zip(unique, _route_params(unique, dict(params)), strict=True):
            if overrides:
                fw.set_params(overrides={**(fw.get_params().get("overrides") or {}), **overrides})
                if hasattr(fw, "spec"):
                    fw.spec()  # validate now, before any data is read
    return unique, notes


def needed_columns(frameworks: Sequence[Framework]) -> frozenset[str] | None:
    """The fact columns the frameworks read (:meth:`Framework.input_columns`), or ``None`` when
    one of them does not say (then every fact is needed).

    Facts restricted to these columns classify every customer as the full facts do
    (``tests/test_segment.py`` checks it for every built-in); computing fewer facts is cheaper.

    Examples
    --------
    >>> sorted(needed_columns([_fw.load("rfm"), _fw.load("ladder")]))
    ['customer_id', 'orders', 'recency_days', 'referrals', 'total_spend', 'touchpoints']
    >>> needed_columns([_fw.load("kmeans")]) is None
    True
    """
    out = {"customer_id"}
    for fw in frameworks:
        columns = fw.input_columns()
        if columns is None:
            return None
        out |= columns
    return frozenset(out)


def _same(a: Framework, b: Framework) -> bool:
    return type(a) is type(b) and repr(a.get_params()) == repr(b.get_params())


def apply(
    frameworks: Sequence[Framework],
    facts: ir.Table,
    *,
    fit_on: ir.Table | None = None,
    collect: bool = True,
    refit: bool = True,
) -> Segmentation:
    """Fit each framework (on ``fit_on``, default ``facts``) and classify ``facts``.

    Frameworks that are not applicable to the data (absent columns, no signal) are skipped
    with their reason.  No (customer, framework) pair appears twice: checked.

    Parameters
    ----------
    frameworks : list of Framework
        From :func:`resolve` or :func:`clientlib.frameworks.load` (ids must be unique).
    facts : ibis.Table
        Customer facts to classify.
    fit_on : ibis.Table, optional
        Facts to learn from (the timeline fits once on the last period).
    collect : bool
        Collect the classes to pandas (the default); otherwise ``classes`` is empty and the
        Ibis tables are in ``fitted[id].transform(facts)``.
    refit : bool
        ``False`` keeps what already-fitted frameworks learned (the timeline fits once on its
        last period and classifies every period with it).

    Examples
    --------
    >>> import ibis
    >>> facts = ibis.memtable({"customer_id": ["b", "a"], "orders": [0, 3],
    ...                        "referrals": [0, 0], "touchpoints": [2, 0]})
    >>> out = apply([_fw.load("ladder"), _fw.load("qualification")], facts)
    >>> out.classes[["customer_id", "class"]].values.tolist()
    [['a', 'regular'], ['b', 'client']]
    >>> out.skipped[0].startswith("framework 'qualification' skipped")
    True
    """
    ids = [f.id for f in frameworks]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise RulebookError(f"framework id(s) {', '.join(dup)} given twice")
    facts = _computed(facts)
    learn = facts if fit_on is None else _computed(fit_on)
    frames: list[pd.DataFrame] = []
    out = Segmentation(classes=pd.DataFrame())
    for fw in frameworks:
        if not refit and fw.__sklearn_is_fitted__():
            out.fitted[fw.id] = fw
            if collect:
                frames.append(_to_pandas(fw.transform(facts)))
            continue
        why = fw.not_applicable(learn)
        if why is None and fit_on is not None:
            why = fw.not_applicable(facts) if _missing(fw, facts) else None
        if why is not None:
            out.skipped.append(why)
            continue
        fw.fit(learn)
        out.fitted[fw.id] = fw
        if collect:
            frames.append(_to_pandas(fw.transform(facts)))
    columns = list(BASE_COLUMNS)
    for f in frames:
        columns += [c for c in f.columns if c not in columns]
    if not frames:
        out.classes = pd.DataFrame(columns=columns)
        return out
    out.classes = assemble(frames, columns)
    return out


def assemble(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """One table of the frameworks' classes, sorted by framework then customer id, each
    (customer, framework) pair once (else :class:`ClientlibError`).

    Every ``transform`` orders its rows by customer id, so when each frame's ids are strictly
    increasing (checked in Arrow: 0.01 s per million) the frames put in framework order are
    already the sorted table, and no pair can repeat: a sort and a duplicate search of the
    whole table (6–7 s for 9 frameworks × 1M customers) are skipped. Otherwise both are done.

    Examples
    --------
    >>> a = pd.DataFrame({"customer_id": ["a", "b"], "framework": "y", "class": "p"})
    >>> b = pd.DataFrame({"customer_id": ["b", "a"], "framework": "x", "class": "q"})
    >>> assemble([a, b], ["customer_id", "framework", "class"]).values.tolist()
    [['a', 'x', 'q'], ['b', 'x', 'q'], ['a', 'y', 'p'], ['b', 'y', 'p']]
    """
    runs = [_runs(f) for f in frames if len(f)]
    blocks = [b for r in runs if r is not None for b in r]
    names = [str(b["framework"].iat[0]) for b in blocks]
    if (
        None not in runs
        and len(set(names)) == len(names)
        and all(_increasing(b["customer_id"]) for b in blocks)
    ):
        ordered = [b for _, b in sorted(zip(names, blocks, strict=True), key=lambda p: p[0])]
        if not ordered:
            return pd.DataFrame(columns=list(columns))
        return pd.concat([b.reindex(columns=columns) for b in ordered], ignore_index=True)
    classes = pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
    twice = classes.duplicated(["customer_id", "framework"])
    if twice.any():
        raise ClientlibError(
            f"{int(twice.sum())} (customer, framework) pairs came out twice, e.g. "
            f"{classes.loc[twice, ['customer_id', 'framework']].head(3).values.tolist()}; "
            "customer ids in the facts must be unique"
        )
    return classes.sort_values(["framework", "customer_id"], kind="stable").reset_index(drop=True)


def _runs(frame: pd.DataFrame) -> list[pd.DataFrame] | None:
    """The frame cut where its framework changes, when its frameworks come one after the other
    (a frame of one framework, or an earlier ``assemble``); else ``None``.
    """
    import pyarrow.compute as pc

    fw = _text(frame["framework"])
    if fw is None or fw.null_count:
        return None
    if len(fw) < 2:
        return [frame]
    if not pc.all(pc.less_equal(fw[:-1], fw[1:])).as_py():
        return None
    cuts = pc.indices_nonzero(pc.not_equal(fw[:-1], fw[1:])).to_numpy() + 1
    bounds = [0, *cuts.tolist(), len(frame)]
    return [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _increasing(ids: pd.Series) -> bool:
    """Every id greater than the one before (so sorted, and none twice); nulls fail."""
    import pyarrow.compute as pc

    arrow = _text(ids)
    if arrow is None or arrow.null_count:
        return False
    # code-point order: what Python's and pandas' string comparison use
    return len(arrow) < 2 or bool(pc.all(pc.less(arrow[:-1], arrow[1:])).as_py())


def _text(column: pd.Series) -> Any:
    """A text column as an Arrow array (``None`` for a column that is not text)."""
    import pyarrow as pa

    if not pd.api.types.is_string_dtype(column):
        return None
    return pa.array(column.astype("str"), type=pa.large_string())


def _computed(facts: ir.Table) -> ir.Table:
    """The facts with their rows computed once, when they are still a query over transactions.

    Each framework runs two or three queries on its facts (applicable? fit, classify): on facts
    that are an expression (``customer_facts`` not collected, e.g. on Spark) every one of them
    would recompute the facts from the transactions, so they are kept in the engine
    (:func:`clientlib.engine.kept`). Facts already stored (an in-memory table, a warehouse
    table) are returned as they are.
    """
    import ibis.expr.operations as ops

    from clientlib import engine

    return engine.kept(facts) if facts.op().find(ops.Aggregate) else facts


def _missing(fw: Framework, facts: ir.Table) -> bool:
    missing = getattr(fw, "missing_columns", None)
    return bool(missing(facts)) if missing is not None else False


def _to_pandas(table: ir.Table) -> pd.DataFrame:
    from clientlib import engine

    to_pandas = getattr(engine, "to_pandas", None)
    return to_pandas(table) if to_pandas is not None else table.to_pandas()


def segment(
    facts: ir.Table,
    frameworks: Sequence[FrameworkSpec] | FrameworkSpec = "all",
    rules: str | Path | None = None,
    params: dict[str, Any] | None = None,
    lang: str = "en",
) -> tuple[pd.DataFrame, list[str]]:
    """Classify customers with several frameworks; skip those that do not apply to the data.

    Parameters
    ----------
    facts : ibis.Table
        Customer facts (docs/CONTRACTS.md).
    frameworks : list of str, Path or Framework, or 'all'
        Framework ids, rulebook paths or framework objects; ``'all'`` runs every built-in
        framework of :func:`clientlib.frameworks.available`.
    rules : path, optional
        A user rulebook (YAML), run in addition, or instead of the built-in with its id.
    params : dict, optional
        Param overrides: ``{framework: {param: value}}``, ``{"framework.param": value}``, or
        ``{param: value}`` (applied to every framework that declares the param; an unknown
        name is an error).
    lang : {'en', 'ru'}
        Language of labels, actions and reasons.

    Returns
    -------
    (pandas.DataFrame, list of str)
        One row per customer per framework with ``customer_id, framework, class, label,
        reason, action`` (plus ``recency, frequency, monetary, R, F, M`` when an RFM map ran,
        and the value-tier flags when value_tiers ran), sorted by framework then customer_id;
        and one message per skipped framework (plus a note when your rulebook replaced a
        built-in).

    Examples
    --------
    >>> import ibis
    >>> facts = ibis.memtable({"customer_id": ["b", "a"], "orders": [0, 3],
    ...                        "referrals": [0, 0], "touchpoints": [2, 0]})
    >>> df, skipped = segment(facts, ["ladder", "qualification"])
    >>> df[["customer_id", "class"]].values.tolist()
    [['a', 'regular'], ['b', 'client']]
    >>> skipped[0].startswith("framework 'qualification' skipped")
    True
    """
    fws, notes = resolve(frameworks, rules, params, lang)
    out = apply(fws, facts)
    return out.classes, notes + out.skipped


def _route_params(books: list[Framework], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Split param overrides by framework (one dict per framework, in order).

    Accepted forms: ``{framework: {param: value}}``, ``{"framework.param": value}``, and
    plain ``{param: value}``, given to every framework that declares the param
    (``scoring`` goes to RFM maps). A name no framework declares is an error.
    """
    out: list[dict[str, Any]] = [{} for _ in books]
    by_id: dict[str, list[int]] = {}
    for i, fw in enumerate(books):
        by_id.setdefault(fw.id, []).append(i)

    def declared(fw: Framework) -> set[str]:
        rb = getattr(fw, "rulebook", None)
        if rb is None:
            return set()
        return set(rb.defaults) | ({"scoring"} if rb.scoring is not None else set())

    for key, value in params.items():
        if key in by_id and isinstance(value, dict):
            targets = [(i, k, v) for i in by_id[key] for k, v in value.items()]
        elif "." in key and key.split(".", 1)[0] in by_id:
            fid, name = key.split(".", 1)
            targets = [(i, name, value) for i in by_id[fid]]
        else:
            targets = [(i, key, value) for i, fw in enumerate(books) if key in declared(fw)]
            if not targets:
                known = sorted({k for fw in books for k in declared(fw)})
                raise RulebookError(
                    f"param '{str(key)[:40]}' is not used by {', '.join(fw.id for fw in books)}; "
                    f"known: {', '.join(known) or '(none)'}"
                )
        for i, name, v in targets:
            out[i][name] = v
    return out


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Customers and share of customers per framework and class.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`segment`.

    Returns
    -------
    pandas.DataFrame
        ``framework, class, label, customers, share`` (share within the
        framework), sorted by framework then customers (largest first).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "framework": ["x"] * 3,
    ...                    "class": ["p", "q", "q"], "label": ["P", "Q", "Q"]})
    >>> summary(df)[["class", "customers", "share"]].round(2).values.tolist()
    [['q', 2, 0.67], ['p', 1, 0.33]]
    """
    if df.empty:
        return pd.DataFrame(columns=["framework", "class", "label", "customers", "share"])
    g = (
        df.groupby(["framework", "class", "label"], sort=True)
        .size()
        .rename("customers")
        .reset_index()
    )
    g["share"] = g["customers"] / g.groupby("framework")["customers"].transform("sum")
    return g.sort_values(
        ["framework", "customers", "class"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
