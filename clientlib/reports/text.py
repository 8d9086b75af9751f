"""The report's own words in English and Russian: headings, table columns, summary sentences.

Labels of classes come from the rulebooks; everything else the report says lives here, so a
report switches language with one parameter. Every string is the project's own wording.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGS", "REASONS", "TEXT", "t"]

#: Languages a report can be written in.
LANGS = ("en", "ru")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        # title block
        "title": "Customer classification report",
        "subtitle": "Data: {source} · analysis date {date} · {customers:,} customers",
        "generated": "Parameters: {params}",
        # sections
        "summary": "Main findings",
        "quality": "Data quality",
        "quality_intro": "Each row that was read is either used or set aside for a stated reason.",
        "quality_warnings": "Warnings",
        "frameworks": "Business frameworks: who falls where",
        "frameworks_intro": (
            "Each framework sorts every customer into exactly one class by ordered rules; "
            "the table lists what to do with each class."
        ),
        "skipped": "Frameworks not run",
        "rfm": "RFM: recency, frequency, money",
        "rfm_intro": (
            "Customers per cell of recency score R and frequency score F, then each RFM "
            "segment's share of customers and of revenue."
        ),
        "k": "How many clusters",
        "k_intro": "k-means was fitted for several k; the plots show the evidence for the choice.",
        "profiles": "Cluster profiles",
        "profiles_intro": (
            "Each line is one cluster: its average recency, orders and spend compared with "
            "all buyers."
        ),
        "agreement": "How far the classifications agree",
        "agreement_intro": (
            "Adjusted mutual information (AMI) between every pair: 1 means the same grouping, "
            "0 means no more overlap than chance."
        ),
        "crosstabs": "Key crosstabs",
        "crosstab_caption": "Row shares: where the customers of each {a} class land in {b}.",
        "flows": "Lifecycle over time",
        "flows_intro": "Lifecycle status of every known customer at each month end.",
        "flows_none": "Not enough history for a timeline.",
        "about": "About this report",
        # table columns
        "col_class": "class",
        "col_label": "label",
        "col_customers": "customers",
        "col_share": "share",
        "col_action": "action",
        "col_orders": "orders",
        "col_revenue": "revenue",
        "col_aov": "average order",
        "col_revenue_share": "revenue share",
        "col_table": "table",
        "col_outcome": "outcome",
        "col_rows": "rows",
        "col_meaning": "meaning",
        # names of labelings that have no rulebook
        "kmeans": "k-means",
        "persona": "true persona",
        # summary sentences
        "s_customers": (
            "{customers:,} customers were analysed at {date}; {buyers:,} of them have bought "
            "at least once."
        ),
        "s_excluded": (
            "{excluded:,} of {read:,} transaction rows were "
            "set aside (see Data quality)."
        ),
        "s_largest": "{framework}: the largest class is «{label}» with {share:.0%} of customers.",
        "s_pairs": (
            "The closest pair of classifications is {a} and {b} (AMI {v:.2f}); "
            "the pair with least in common is {c} and {d} (AMI {w:.2f})."
        ),
        "s_persona": (
            "Of all labelings, {a} comes closest to the "
            "hidden true personas (AMI {v:.2f})."
        ),
        "s_k_auto": (
            "k-means uses k = {k}: it has the best silhouette ({sil:.2f}) among the k values "
            "whose clusters come out the same across random starts (stability ≥ {thr:.2f}); "
            "the inertia curve bends at k = {elbow}."
        ),
        "s_k_unstable": (
            "k-means uses k = {k}: no k gave the same clusters across random starts, so the "
            "best silhouette overall ({sil:.2f}) decided; the inertia curve bends at k = {elbow}."
        ),
        "s_k_fixed": "k-means uses k = {k}, as set in the report parameters.",
        "s_k_none": "Too few buyers with distinct values to fit k-means.",
        "s_rfm": (
            "RFM: «{label}» holds {cshare:.0%} of customers and "
            "brings {rshare:.0%} of revenue."
        ),
        "s_skipped": "{n} framework(s) could not run for lack of data: {names}.",
    },
    "ru": {
        "title": "Отчёт о классификации клиентов",
        "subtitle": "Данные: {source} · дата анализа {date} · клиентов: {customers:,}",
        "generated": "Параметры: {params}",
        "summary": "Главные выводы",
        "quality": "Качество данных",
        "quality_intro": (
            "Каждая прочитанная строка либо учтена, либо отложена с указанием причины."
        ),
        "quality_warnings": "Предупреждения",
        "frameworks": "Бизнес-классификации: кто куда попал",
        "frameworks_intro": (
            "Каждая классификация относит клиента ровно к одному классу по упорядоченным "
            "правилам; в таблице указано, что делать с каждым классом."
        ),
        "skipped": "Классификации, которые не удалось построить",
        "rfm": "RFM: давность, частота, деньги",
        "rfm_intro": (
            "Число клиентов в каждой клетке оценок давности R и частоты F, затем доля "
            "клиентов и выручки каждого RFM-сегмента."
        ),
        "k": "Сколько кластеров",
        "k_intro": "k-means обучен для нескольких k; графики показывают, на чём основан выбор.",
        "profiles": "Профили кластеров",
        "profiles_intro": (
            "Каждая линия — один кластер: его средняя давность, число заказов и траты "
            "по сравнению со всеми покупателями."
        ),
        "agreement": "Насколько согласуются классификации",
        "agreement_intro": (
            "Скорректированная взаимная информация (AMI) для каждой пары: 1 — одинаковое "
            "разбиение, 0 — совпадение не больше случайного."
        ),
        "crosstabs": "Ключевые таблицы сопряжённости",
        "crosstab_caption": "Доли по строкам: куда попадают клиенты каждого класса «{a}» в «{b}».",
        "flows": "Жизненный цикл во времени",
        "flows_intro": "Статус каждого известного клиента на конец каждого месяца.",
        "flows_none": "Истории недостаточно для динамики.",
        "about": "Об этом отчёте",
        "col_class": "класс",
        "col_label": "название",
        "col_customers": "клиентов",
        "col_share": "доля",
        "col_action": "что делать",
        "col_orders": "заказов",
        "col_revenue": "выручка",
        "col_aov": "средний заказ",
        "col_revenue_share": "доля выручки",
        "col_table": "таблица",
        "col_outcome": "итог",
        "col_rows": "строк",
        "col_meaning": "пояснение",
        "kmeans": "k-means",
        "persona": "истинная персона",
        "s_customers": (
            "Проанализировано клиентов: {customers:,} на дату {date}; из них хотя бы раз "
            "покупали: {buyers:,}."
        ),
        "s_excluded": (
            "Отложено строк транзакций: {excluded:,} из {read:,} (подробности — в разделе "
            "о качестве данных)."
        ),
        "s_largest": "{framework}: крупнейший класс — «{label}», {share:.0%} клиентов.",
        "s_pairs": (
            "Ближе всего друг к другу классификации {a} и {b} (AMI {v:.2f}); меньше всего "
            "общего у {c} и {d} (AMI {w:.2f})."
        ),
        "s_persona": (
            "Из всех разметок ближе всего к скрытым истинным персонам {a} (AMI {v:.2f})."
        ),
        "s_k_auto": (
            "Для k-means выбрано k = {k}: у него лучший силуэт ({sil:.2f}) среди тех k, "
            "при которых кластеры получаются одинаковыми при разных случайных стартах "
            "(устойчивость ≥ {thr:.2f}); изгиб кривой инерции — при k = {elbow}."
        ),
        "s_k_unstable": (
            "Для k-means выбрано k = {k}: ни одно k не дало одинаковых кластеров при разных "
            "стартах, поэтому решил лучший силуэт ({sil:.2f}); изгиб кривой инерции — "
            "при k = {elbow}."
        ),
        "s_k_fixed": "Для k-means задано k = {k} (параметр отчёта).",
        "s_k_none": "Слишком мало покупателей с различающимися значениями для k-means.",
        "s_rfm": "RFM: сегмент «{label}» — это {cshare:.0%} клиентов и {rshare:.0%} выручки.",
        "s_skipped": "Не удалось построить классификаций из-за нехватки данных: {n} ({names}).",
    },
}


#: Meaning of each quality-report outcome in Russian (English: ``clientlib.schema.REASONS``).
REASONS: dict[str, dict[str, str]] = {
    "ru": {
        "used": "строка учтена",
        "missing_customer_id": "нет идентификатора клиента",
        "unparsable_timestamp": "дата пуста или не читается",
        "unparsable_amount": "сумма пуста или не число",
        "after_analysis_date": "дата не раньше даты анализа",
        "zero_amount": "нулевая сумма (и это не бесплатная позиция со 100 % скидкой)",
        "return_line": "отрицательная сумма (возврат) при returns='drop'",
        "duplicate": "точная копия более ранней строки",
        "duplicate_customer": "клиент повторяется в таблице клиентов",
    },
}


def t(lang: str, key: str, **values: Any) -> str:
    """The report string ``key`` in ``lang``, formatted with ``values``.

    Russian numbers use a thin space as thousands separator.

    Examples
    --------
    >>> t("en", "quality")
    'Data quality'
    >>> t("ru", "s_k_fixed", k=4)
    'Для k-means задано k = 4 (параметр отчёта).'
    """
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    text = TEXT[lang][key].format(**values) if values else TEXT[lang][key]
    if lang == "ru" and values:
        # "{:,}" gives 1,234; Russian writes 1 234 (a comma would read as a decimal mark).
        text = _ru_thousands(text)
    return text


def _ru_thousands(text: str) -> str:
    import re

    return re.sub(r"(?<=\d),(?=\d{3}\b)", "\u202f", text)
