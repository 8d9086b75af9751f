"""Lesson 05 (qualification, buyer types, awareness, fast/good/cheap): exercises and tables.

The exercises (:data:`EXERCISES`) are found by :mod:`clientlib.exercises`. The other functions
build the lesson's tables and printed lines in the lesson's language, from the output of
:func:`clientlib.segment.segment` and the customer facts; lessons 06-08 use them too.

Examples
--------
>>> import pandas as pd
>>> segments = pd.DataFrame({"customer_id": ["a", "b"], "framework": ["ladder"] * 2,
...                          "class": ["buyer", "regular"], "label": ["Buyer", "Regular"]})
>>> facts = pd.DataFrame({"customer_id": ["a", "b"], "orders": [1, 3],
...                       "total_spend": [10.0, 90.0]})
>>> class_table(segments, "ladder", facts, lang="ru").columns[:2].tolist()
['клиентов', 'доля клиентов']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from clientlib import messages
from clientlib.exercises import Exercise, Mistake, class_choices
from clientlib.exercises._common import classes, count, pandas_table

__all__ = [
    "CRITERIA",
    "EXERCISES",
    "applies",
    "bought_table",
    "class_table",
    "criteria_table",
    "crosstab",
    "frameworks_that_apply",
    "persona_crosstab",
    "persona_names",
    "rules_table",
    "say_call_list",
    "say_failed_diy",
    "say_pairs",
    "say_price_rise",
    "say_weakest_criterion",
    "show",
    "title",
]

LESSON = "05_qualification_buyers_awareness"

#: What the trainer's solution script computes first (the lesson's own variables).
SETUP = """
segments, _ = segment.segment(facts, "all", lang=lang)


def classes(name):
    part = segments[segments["framework"] == name]
    return part.set_index("customer_id")["class"]
"""

#: The five qualification criteria (survey columns), in Mendocha's order.
CRITERIA = ("has_money", "has_urgent_problem", "likes_usp", "has_authority",
            "finds_offer_acceptable")  # fmt: skip


def _t(key: str, lang: str, **fields: Any) -> str:
    return messages.text(f"lessons_05_08.{key}", lang, **fields)


def _n(x: Any, lang: str, digits: int = 0) -> str:
    return messages.number(x, lang, digits)


def persona_names(persona: pd.Series, lang: str = "en") -> pd.Series:
    """The workshop shop's hidden personas, named in ``lang`` (unknown ones kept as they are).

    Examples
    --------
    >>> persona_names(pd.Series(["loyal_fan", "x"]), "ru").tolist()
    ['верный поклонник', 'x']
    """
    def name(p: Any) -> Any:
        try:
            return _t(f"persona_{p}", lang)
        except KeyError:
            return p

    return persona.map(name)


_SHARE_KEYS = ("col_customer_share", "col_revenue_share", "col_true_all", "col_true_nurture",
               "col_recall", "col_precision")  # fmt: skip


def show(table: pd.DataFrame | None, lang: str = "en", percent: bool = False,
         digits: int | None = None) -> pd.DataFrame | None:  # fmt: skip
    """A copy of ``table`` for reading: numbers written the language's way, shares as percentages.

    Whole numbers get group separators (``2 286 833`` in Russian), other numbers as many decimals
    as they carry (at most three, or ``digits``; a decimal comma in Russian), and the columns
    headed as a share (``share of revenue``…), or all numbers with ``percent=True``, become
    percentages. The index and non-numeric columns are kept.
    For display only: compute on the original table.

    Examples
    --------
    >>> t = pd.DataFrame({"клиентов": [1234, 5], "доля выручки": [0.5, 0.25], "x": [1.5, 2.0]})
    >>> [v.replace("\xa0", " ") for v in show(t, "ru").iloc[0]]
    ['1 234', '50 %', '1,5']
    """
    if table is None:  # a table the data cannot give (its function said why)
        return None
    shares = {_t(k, lang) for k in _SHARE_KEYS}
    out = table.copy()
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if percent or col in shares:
            whole = (s.dropna() * 100 - (s.dropna() * 100).round()).abs().max() < 1e-9
            out[col] = [messages.percent(v, lang, 0 if whole else 1) for v in s]
            continue
        vals = s.dropna().astype(float)
        d = digits
        if d is None:
            d = next((k for k in range(4) if (vals.round(k) - vals).abs().max() < 1e-9), 3) if len(
                vals) else 0  # fmt: skip
        # a value that rounds to zero is written 0, not -0
        out[col] = [messages.number(0.0 if abs(v) < 0.5 * 10**-d else v, lang, d) for v in s]
    return out


# ---------------------------------------------------------------------------------------------
# frameworks and their output
# ---------------------------------------------------------------------------------------------


def title(framework: str, lang: str = "en") -> str:
    """A built-in framework's title in ``lang`` (its id when it has none).

    Examples
    --------
    >>> title("ladder", "ru")
    'Лестница лояльности'
    """
    from clientlib import frameworks

    fw = frameworks.load(framework)
    t = getattr(fw, "title", None)
    if callable(t):
        return str(t(lang))
    if isinstance(t, dict):
        return str(t.get(lang) or t.get("en") or framework)
    return framework


def _part(segments: pd.DataFrame, framework: str) -> pd.DataFrame:
    return segments[segments["framework"] == framework]


def frameworks_that_apply(
    segments: pd.DataFrame, facts: Any, names: Sequence[str], lang: str = "en"
) -> list[str]:
    """Print one line per framework (classes found, or why it does not apply); return those that do.

    A framework does not apply when its columns are absent from the facts (it did not run) or when
    it puts every customer into one class (it tells no one apart on these data).

    Examples
    --------
    >>> import pandas as pd
    >>> facts = pd.DataFrame({"customer_id": ["a", "b"], "orders": [1, 2]})
    >>> segments = pd.DataFrame({"customer_id": ["a", "b"], "framework": ["ladder"] * 2,
    ...                          "class": ["buyer", "regular"], "label": ["Buyer", "Regular"]})
    >>> frameworks_that_apply(segments, facts, ["ladder", "qualification"])
    ✓ Loyalty ladder: 2 classes
    ✗ Qualification by five criteria: not applicable, the data has no column(s) finds_offer_acceptable, has_authority, has_money, has_urgent_problem, likes_usp
    ['ladder']
    """  # noqa: E501
    from clientlib import frameworks

    columns = set(pandas_table(facts).columns) if isinstance(facts, pd.DataFrame) else set(
        facts.columns
    )
    out = []
    for name in names:
        part = _part(segments, name)
        if part.empty:
            rb = frameworks.load(name)
            missing = sorted(set(rb.required_columns) - columns)
            if missing:
                print(_t("fw_missing", lang, framework=title(name, lang),
                         columns=", ".join(missing)))  # fmt: skip
            else:  # the columns are there but never vary (see Framework.not_applicable)
                book: Any = getattr(rb, "rulebook", rb)
                signal = ", ".join(sorted(book.signal))
                print(_t("fw_no_signal", lang, framework=title(name, lang), columns=signal))
            continue
        k = part["class"].nunique()
        if k < 2:
            print(_t("fw_one_class", lang, framework=title(name, lang), n=_n(len(part), lang),
                     label=part["label"].iloc[0]))  # fmt: skip
            continue
        print(_t("fw_applies", lang, framework=title(name, lang), k=k))
        out.append(name)
    return out


def applies(frameworks: str | Sequence[str], ran: Sequence[str], lang: str = "en") -> bool:
    """True when every framework a section needs ran; else print why the section is skipped.

    Examples
    --------
    >>> applies("awareness", ["ladder"], "ru")  # doctest: +NORMALIZE_WHITESPACE
    (для этого раздела нужна классификация «Стадии осведомлённости»,
    а к этим данным она неприменима)
    False
    """
    needed = [frameworks] if isinstance(frameworks, str) else list(frameworks)
    missing = [f for f in needed if f not in ran]
    for f in missing:
        print(_t("skipped_section", lang, framework=title(f, lang)))
    return not missing


def rules_table(framework: str, lang: str = "en") -> pd.DataFrame:
    """The classes of a framework with their rule and action, headed in ``lang``.

    Examples
    --------
    >>> rules_table("qualification", "ru").columns.tolist()
    ['id', 'класс', 'правило', 'действие']
    """
    from clientlib import frameworks

    rows = pd.DataFrame(frameworks.load(framework).describe(lang))
    return rows[["id", "label", "rule", "action"]].rename(
        columns={c: _t(f"col_{c}", lang) for c in ("id", "label", "rule", "action")}
    )


def class_table(
    segments: pd.DataFrame, framework: str, facts: Any, lang: str = "en"
) -> pd.DataFrame:
    """Customers, orders, revenue and average order per class, largest revenue first.

    Index: the class labels (in the language of ``segments``); headers in ``lang``.
    """
    f = pandas_table(facts).set_index("customer_id")
    part = _part(segments, framework)[["customer_id", "class", "label"]]
    joined = part.join(f[["orders", "total_spend"]], on="customer_id")
    g = joined.groupby(["class", "label"], sort=True).agg(
        customers=("customer_id", "size"), orders=("orders", "sum"),
        revenue=("total_spend", "sum"),
    )  # fmt: skip
    g = g.droplevel("class")
    table = pd.DataFrame({
        _t("col_customers", lang): g["customers"].astype(int),
        _t("col_customer_share", lang): (g["customers"] / g["customers"].sum()).round(3),
        _t("col_orders", lang): g["orders"].astype(int),
        _t("col_revenue", lang): g["revenue"].round(0),
        _t("col_revenue_share", lang): (g["revenue"] / g["revenue"].sum()).round(3),
        _t("col_avg_order", lang): (g["revenue"] / g["orders"].where(g["orders"] > 0)).round(1),
    })  # fmt: skip
    table = table.sort_values(
        [_t("col_revenue", lang), _t("col_customers", lang)], ascending=False, kind="stable"
    )
    table.index.name = _t("col_label", lang)
    return table


def crosstab(segments: pd.DataFrame, rows: str, cols: str, lang: str = "en") -> pd.DataFrame:
    """Customers per pair of classes of two frameworks (labels on both sides).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": ["a", "b", "a", "b"],
    ...                   "framework": ["x", "x", "y", "y"], "class": ["p", "q", "r", "r"],
    ...                   "label": ["P", "Q", "R", "R"]})
    >>> crosstab(s, "x", "y").to_dict()
    {'R': {'P': 1, 'Q': 1}}
    """
    a = _part(segments, rows).set_index("customer_id")["label"]
    b = _part(segments, cols).set_index("customer_id")["label"]
    common = a.index.intersection(b.index)
    out = pd.crosstab(a.loc[common], b.loc[common])
    out.index.name = title(rows, lang) if _is_builtin(rows) else rows
    out.columns.name = title(cols, lang) if _is_builtin(cols) else cols
    return out


def _is_builtin(name: str) -> bool:
    from clientlib import frameworks

    return name in frameworks.builtin_names()


def bought_table(
    segments: pd.DataFrame, facts: Any, framework: str, lang: str = "en"
) -> pd.DataFrame:
    """Customers per class who have bought at least once, and who have not yet."""
    f = pandas_table(facts).set_index("customer_id")["orders"]
    part = _part(segments, framework).set_index("customer_id")["label"]
    bought = (f.reindex(part.index).fillna(0) > 0).map(
        {True: _t("col_bought", lang), False: _t("col_not_bought", lang)}
    )
    out = pd.crosstab(part, bought)
    out.index.name = _t("col_label", lang)
    out.columns.name = None
    return out


def criteria_table(facts: Any, segments: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Share of customers meeting each of the five criteria: all, and the nurture group."""
    f = pandas_table(facts).set_index("customer_id")
    nurture = _part(segments, "qualification")
    ids = nurture.loc[nurture["class"] == "nurture", "customer_id"]
    rows = {}
    for c in CRITERIA:
        rows[_t(f"crit_{c}", lang)] = {
            _t("col_true_all", lang): round(float(f[c].astype(bool).mean()), 3),
            _t("col_true_nurture", lang): round(float(f.loc[ids, c].astype(bool).mean()), 3)
            if len(ids) else float("nan"),
        }  # fmt: skip
    out = pd.DataFrame(rows).T
    out.index.name = _t("col_criterion", lang)
    return out


def say_weakest_criterion(facts: Any, segments: pd.DataFrame, lang: str = "en") -> None:
    """Print the criterion that fails most often in the nurture group."""
    table = criteria_table(facts, segments, lang).iloc[:, 1].dropna()
    if table.empty:
        return
    print(_t("l05_weakest", lang, criterion=table.idxmin(),
             share=messages.percent(table.min(), lang, 0)))  # fmt: skip


def say_call_list(segments: pd.DataFrame, facts: Any, lang: str = "en") -> int:
    """Print how many qualified prospects have never bought; return that number."""
    f = pandas_table(facts).set_index("customer_id")["orders"]
    q = _part(segments, "qualification")
    ids = q.loc[q["class"] == "qualified", "customer_id"]
    orders = f.reindex(ids).fillna(0)
    n, bought = int((orders == 0).sum()), int((orders > 0).sum())
    print(_t("l05_call_list", lang, n=_n(n, lang), bought=_n(bought, lang)))
    return n


def say_price_rise(segments: pd.DataFrame, facts: Any, lang: str = "en") -> dict[str, float]:
    """Print what freeloaders and discount hunters weigh in orders and revenue; return it."""
    f = pandas_table(facts).set_index("customer_id")
    b = _part(segments, "buyer_types")
    ids = b.loc[b["class"].isin(["freeloader", "discount_hunter"]), "customer_id"]
    total_orders, total_rev = float(f["orders"].sum()), float(f["total_spend"].sum())
    out = {
        "customers": len(ids),
        "orders_share": float(f.loc[ids, "orders"].sum()) / total_orders if total_orders else 0.0,
        "revenue_share": float(f.loc[ids, "total_spend"].sum()) / total_rev if total_rev else 0.0,
    }
    print(_t("l05_price_rise", lang, n=_n(out["customers"], lang),
             orders_share=messages.percent(out["orders_share"], lang),
             revenue_share=messages.percent(out["revenue_share"], lang)))  # fmt: skip
    return out


def say_failed_diy(segments: pd.DataFrame, lang: str = "en") -> None:
    """Print how many customers tried on their own and hit problems, and how they qualify."""
    a = _part(segments, "awareness").set_index("customer_id")["class"]
    q = _part(segments, "qualification").set_index("customer_id")["class"]
    ids = a.index[a == "failed_diy"]
    qq = q.reindex(ids)
    print(_t("l05_failed_diy", lang, n=_n(len(ids), lang),
             qualified=_n(int((qq == "qualified").sum()), lang),
             nurture=_n(int((qq == "nurture").sum()), lang)))  # fmt: skip


def say_pairs(segments: pd.DataFrame, facts: Any, lang: str = "en") -> None:
    """Print the average order of "fast and good" against "fast and cheap"."""
    table = class_table(segments, "fast_good_cheap", facts, lang)
    part = _part(segments, "fast_good_cheap")
    label = part.drop_duplicates("class").set_index("class")["label"]
    if not {"fast_good", "fast_cheap"} <= set(label.index):
        return
    aov = table[_t("col_avg_order", lang)]
    a, b = label["fast_good"], label["fast_cheap"]
    print(_t("l05_pairs", lang, a=a, a_value=_n(aov[a], lang, 1), b=b,
             b_value=_n(aov[b], lang, 1), ratio=_n(aov[a] / aov[b], lang, 1)))  # fmt: skip


def persona_crosstab(
    segments: pd.DataFrame, facts: Any, framework: str, lang: str = "en"
) -> pd.DataFrame | None:
    """Customers per hidden persona (rows) and class (columns), or ``None`` without personas."""
    f = pandas_table(facts)
    if "persona" not in f.columns:
        print(_t("no_persona", lang))
        return None
    persona = persona_names(f.set_index("customer_id")["persona"], lang)
    part = _part(segments, framework).set_index("customer_id")["label"]
    out = pd.crosstab(persona.reindex(part.index).rename(_t("col_persona", lang)), part)
    out.columns.name = _t("col_label", lang)
    return out


# ---------------------------------------------------------------------------------------------
# exercises
# ---------------------------------------------------------------------------------------------


def _qualification_nurture4(facts: Any) -> int:
    return count(facts, "qualification", "nurture", {"nurture_min": 4})


def _buyer_hunters_50(facts: Any) -> int:
    return count(facts, "buyer_types", "discount_hunter", {"hunter_min_discount_share": 0.5})


def _fgc_top_pair(facts: Any) -> set[str]:
    counts = classes(facts, "fast_good_cheap").value_counts().drop("undecided", errors="ignore")
    return set(counts[counts == counts.max()].index)


def _qualified_ready(facts: Any) -> int:
    q = classes(facts, "qualification")
    a = classes(facts, "awareness").reindex(q.index)
    return int(((q == "qualified") & (a == "ready_to_buy")).sum())


def _nurture_default(facts: Any) -> int:
    return count(facts, "qualification", "nurture")


def _hunters_default(facts: Any) -> int:
    return count(facts, "buyer_types", "discount_hunter")


def _qualified_all(facts: Any) -> int:
    return int((classes(facts, "qualification") == "qualified").sum())


EXERCISES = [
    Exercise(
        "qualification_nurture4", LESSON,
        {"en": "If nurturing needs 4 of the 5 criteria, how many customers are in 'nurture'?",
         "ru": "Если для «дозреть» нужно 4 критерия из 5, сколько клиентов в этом классе?"},
        "count", ("facts",), _qualification_nurture4,
        {"en": "The table above the exercise counts the nurture class for each number of "
               "criteria (nurture_min): read the row 4.",
         "ru": "Таблица над упражнением считает класс «дозреть» при разном числе критериев "
               "(nurture_min): прочитайте строку 4."},
        code="q = frameworks.classify(facts, 'qualification', params={'nurture_min': 4})"
             ".to_pandas()\nanswer = int((q['class'] == 'nurture').sum())",
        route='exercises.sweep(facts, "qualification", "nurture_min"', route_kind="table",
        mistakes=(Mistake("default", _nurture_default),),
    ),
    Exercise(
        "buyer_hunters_50", LESSON,
        {"en": "With a discount-hunter threshold of 50% discounted orders, how many discount "
               "hunters?",
         "ru": "Если порог любителя скидок — 50 % заказов со скидкой, сколько их?"},
        "count", ("facts",), _buyer_hunters_50,
        {"en": "The table above the exercise counts discount hunters for several thresholds "
               "(hunter_min_discount_share): read the row 0.5. Freeloaders stay freeloaders.",
         "ru": "Таблица над упражнением считает любителей скидок при разных порогах "
               "(hunter_min_discount_share): прочитайте строку 0,5. Халявщики остаются "
               "халявщиками."},
        code="b = frameworks.classify(facts, 'buyer_types', params="
             "{'hunter_min_discount_share': 0.5}).to_pandas()\n"
             "answer = int((b['class'] == 'discount_hunter').sum())",
        route='facts, "buyer_types", "hunter_min_discount_share", [0.3', route_kind="table",
        mistakes=(Mistake("default", _hunters_default),),
    ),
    Exercise(
        "fgc_top_pair", LESSON,
        {"en": "Among customers with a clear pair, which pair of fast/good/cheap is the most "
               "common?",
         "ru": "Какая пара из «быстро, качественно, дёшево» встречается чаще всего среди "
               "клиентов с явной парой?"},
        "label", ("facts",), _fgc_top_pair,
        {"en": "In the table of section 4 (fast, good, cheap), leave out 'No clear pair' and "
               "write the name of the pair with the most customers.",
         "ru": "В таблице раздела 4 («быстро, качественно, дёшево») не считайте «не "
               "определено» и напишите пару, где больше всего клиентов."},
        choices=class_choices("fast_good_cheap"),
        code="answer = classes('fast_good_cheap')[lambda s: s != 'undecided'].value_counts()"
             ".idxmax()",
        route='l05.class_table(segments, "fast_good_cheap"', route_kind="table",
        mistakes=(Mistake("other_framework"),),
    ),
    Exercise(
        "qualified_ready", LESSON,
        {"en": "How many customers are both qualified and looking for a vendor (ready_to_buy)?",
         "ru": "Сколько клиентов одновременно перспективные и ищут подрядчика (ready_to_buy)?"},
        "count", ("facts",), _qualified_ready,
        {"en": "In the table of awareness against qualification, read the cell where the row "
               "'seeks a vendor' meets the column 'Qualified'.",
         "ru": "В таблице «осведомлённость × квалификация» прочитайте клетку на пересечении "
               "строки «ищет подрядчика» и столбца «перспективный клиент»."},
        code="both = pd.concat([classes('qualification'), classes('awareness')], axis=1, "
             "keys=['q', 'a'])\n"
             "answer = int(((both['q'] == 'qualified') & (both['a'] == 'ready_to_buy')).sum())",
        route='l05.crosstab(segments, "awareness", "qualification"', route_kind="table",
        mistakes=(Mistake("all_classes", _qualified_all),),
    ),
    Exercise(
        "call_list", LESSON,
        {"en": "Describe the rule you would use to build Monday's call list (at most 50 customers, "
               "at least two frameworks), the order, and how many customers it gives.",
         "ru": "Опишите правило для списка звонков на понедельник (не больше 50 клиентов, хотя бы "
               "две классификации), порядок звонков и сколько клиентов оно даёт."},
        "open", (), None,
        {"en": "Start from the qualified prospects who never bought (the worked example), then "
               "use awareness or buyer type to order them.",
         "ru": "Начните с перспективных клиентов без покупок (разбор выше), затем упорядочьте их "
               "по стадии осведомлённости или типу покупателя."},
        points={
            "en": ["the list uses qualification (who is worth a call now) and at least one other "
                   "framework to order it",
                   "it says how many customers the rule gives, and cuts or widens it to about 50",
                   "the order has a reason: e.g. ready_to_buy before aware_no_use, seekers and "
                   "result-focused before discount hunters",
                   "it names what the salesperson says to the first group (the message follows "
                   "the awareness stage)"],
            "ru": ["список опирается на квалификацию (кому звонить сейчас) и хотя бы на одну "
                   "классификацию, задающую порядок",
                   "сказано, сколько клиентов даёт правило, и как его сузить или расширить до ~50",
                   "у порядка есть причина: например, «ищет подрядчика» раньше «знает о продукте», "
                   "искатели и сосредоточенные на результате раньше любителей скидок",
                   "названо, что продавец скажет первой группе (сообщение следует стадии "
                   "осведомлённости)"],
        },
        min_words=25,
        model={
            "en": "Qualified prospects who never bought, as counted in the worked example. "
                  "First those who seek a vendor, then those who tried on their own and hit "
                  "problems, then those who know the product but not how to apply it; within "
                  "each group seekers and result-focused buyers before discount hunters. If the "
                  "rule gives more than 50, keep only the first two awareness stages; if fewer, "
                  "add the nurture group that seeks a vendor. The first group hears a concrete "
                  "offer with a date, the others a demonstration of how the product is used.",
            "ru": "Перспективные клиенты без покупок — их число есть в разборе выше. Сначала те, "
                  "кто ищет подрядчика, затем те, кто пробовал сам и столкнулся с проблемами, "
                  "затем знающие о продукте, но не знающие, как его применить; внутри каждой "
                  "группы искатели и сосредоточенные на результате раньше любителей скидок. Если "
                  "правило даёт больше 50, оставляем две первые стадии; если меньше, добавляем "
                  "«дозреть», которые ищут подрядчика. Первая группа слышит конкретное "
                  "предложение со сроком, остальные — показ того, как продукт применяют.",
        },
    ),
]  # fmt: skip
