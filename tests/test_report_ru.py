"""The Russian report holds no English a learner would read; its vocabulary is unambiguous.

The end-to-end test renders the Russian report on a small workshop shop with papermill and reads
its visible text with an HTML parser (code, styles and the page's <head> left out: ids shown as
<code> are code), then looks for Latin-letter words beyond a short allow-list. Cheaper tests feed
the report's views with what the reader and the frameworks really write (a file with decimal
commas, a framework whose columns are missing).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from _text import visible_text

from clientlib import yamlio
from clientlib.frameworks.rulebook import MissingColumnsError
from clientlib.io import read_inputs
from clientlib.reports import views

#: Latin words a Russian reader may see: method and measure names, score letters, dataset names.
# Proper names: methods, metrics, datasets, the R package rfm and the BTYD models (BG/NBD, MBG/NBD,
# Pareto/NBD) and their P(alive).
ALLOWED = {"k", "means", "RFM", "AMI", "ARI", "R", "F", "M", "workshop", "cdnow", "rfm",
           "BG", "MBG", "Pareto", "NBD", "P", "alive"}
PENDING_HEADER_WORDS: set[str] = set()
_LATIN = re.compile(r"[A-Za-z]+")


def english_words(text: str) -> set[str]:
    return set(_LATIN.findall(text)) - ALLOWED - PENDING_HEADER_WORDS


def test_the_scanner_sees_english_outside_code():
    page = "<html><head><title>x</title></head><body><p>Данные: used</p><code>customer_id</code>"
    assert english_words(visible_text(page)) == {"used"}


@pytest.fixture(scope="module")
def russian_report(tmp_path_factory):
    from clientlib.reports.render import render_report

    out = tmp_path_factory.mktemp("report_ru") / "shop.html"
    result = render_report({"n_customers": 200, "timeline_months": 2, "lang": "ru"}, out)
    return result.html.read_text(encoding="utf-8")


def test_russian_report_has_no_english_words(russian_report):
    text = visible_text(russian_report)
    assert "Что делать на этой неделе" in text and "Качество данных" in text
    assert not english_words(text), sorted(english_words(text))
    # numbers in the Russian way: no "1,234" groups, no "0.45" decimals in the prose and tables
    # (a group never starts with a lone 0: "0,460" is a Russian decimal, mutual information in bits)
    groups = r"(?<![\d,])[1-9]\d{0,2}(?:,\d{3})+\b"
    assert not re.search(groups, text), re.search(r".{30}" + groups + r".{10}", text)
    undated = re.sub(r"\b\d{2}\.\d{2}\.\d{4}\b", "", text)  # dates are 28.12.2024
    assert not re.search(r"\d\.\d", undated), re.search(r".{30}\d\.\d.{10}", undated)


def _rd(study, lang="ru", titles=None):
    return SimpleNamespace(study=study, lang=lang, titles=titles or {}, parameters={})


def test_reader_warnings_are_said_in_russian(tmp_path):
    # two lines of customer a at one time and no order id: line items (a note with the fix)
    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id;timestamp;amount\n"
        "a;2024-01-02;10,5\na;2024-01-02;3,0\nb;2024-01-03;1000000,0\nc;2024-01-04;12,0\n"
        "d;2024-01-05;11,0\ne;2024-01-05;13,0\n",
        encoding="utf-8",
    )
    quality = read_inputs(str(path)).transactions.quality
    assert len(quality.warnings) == 1  # a huge amount
    said = views.quality_warnings(_rd(SimpleNamespace(quality=[quality])))
    # the median of the six amounts is (11 + 12) / 2
    assert "1\u00a0000\u00a0000,00" in said[0] and "(11,50)" in said[0]
    # 2 of 6 lines share (customer, time): 33,3 %, said in Russian with order_id as the fix
    assert said[1].startswith("транзакции: 33,3\u00a0% строк совпадают") and "order_id" in said[1]
    for line in said:
        assert not english_words(line) - {"order_id", "map", "order", "id"}, line
    en = views.quality_warnings(_rd(SimpleNamespace(quality=[quality]), "en"))
    assert en[1] == f"transactions: {quality.advice('en')[0]}" and "33.3% of the lines" in en[1]


def test_skipped_frameworks_are_said_in_russian_with_the_columns_as_code():
    message = str(MissingColumnsError("qualification", ["has_money", "likes_usp"]))
    items = views.skipped_items(_rd(SimpleNamespace(skipped=[message]),
                                    titles={"qualification": "Квалификация по пяти критериям"}))
    assert items == [("Квалификация по пяти критериям: в данных нет столбцов",
                      ["has_money", "likes_usp"])]
    # a framework whose signal columns hold one value (clientlib.frameworks.rulebook's words)
    import ibis

    from clientlib import frameworks

    facts = ibis.memtable({"customer_id": ["a", "b"], "orders": [1, 2], "free_share": [0.0, 0.0],
                           "discount_share": [0.0, 0.0], "premium_share": [0.0, 0.0]})
    why = frameworks.load("buyer_types").not_applicable(facts)
    items = views.skipped_items(_rd(SimpleNamespace(skipped=[why]),
                                    titles={"buyer_types": "Четыре типа покупателей"}))
    # said from the message's fields: the columns, the roles they come from, how to map them
    assert items[0] == ("Классификация «Четыре типа покупателей» неприменима к этим данным: у "
                        "всех клиентов одно и то же значение в столбцах:",
                        ["discount_share", "free_share", "premium_share"])
    assert items[1][1] == ["discount", "discount_amount", "is_premium"]
    assert "--map discount=ВАШ_СТОЛБЕЦ" in items[2][1]
    for sentence, _ in items:  # the codes are shown as code; the sentences are Russian
        assert not english_words(sentence), sentence


def _rulebooks():
    folder = Path(__file__).resolve().parents[1] / "clientlib" / "frameworks"
    for path in sorted(folder.glob("*.yaml")):
        yield path.name, yamlio.load(path.read_text(encoding="utf-8"), origin=path.name)


def test_no_two_classes_share_a_russian_label():
    # Within a framework: all labels differ. Across frameworks (the three RFM maps are one family,
    # `hook: rfm`): a label equal to another family's names the same concept in both languages
    # (the English labels agree too), and no label starts another's word for word
    # («перспективный» and «перспективный клиент» were two different classes).
    labels: list[tuple[str, str, str]] = []
    for name, book in _rulebooks():
        ru = [c["label"]["ru"].casefold() for c in book["classes"]]
        assert len(ru) == len(set(ru)), f"{name}: one Russian label for two classes"
        family = book.get("hook") or book["id"]
        labels += [(family, c["id"], r, c["label"]["en"].casefold())
                   for c, r in zip(book["classes"], ru, strict=True)]
    for fam_a, id_a, a, en_a in labels:
        for fam_b, id_b, b, en_b in labels:
            if fam_a == fam_b:
                continue
            assert a != b or en_a == en_b, (fam_a, id_a, a, fam_b, id_b, b)
            assert not b.startswith(a + " "), (fam_a, id_a, a, fam_b, id_b, b)


def test_russian_labels_are_written_in_lower_case():
    # One capitalisation for class labels in Russian running text: «поклонник», «чемпионы».
    for name, book in _rulebooks():
        for c in book["classes"]:
            ru = c["label"]["ru"]
            assert ru[0] == ru[0].lower(), f"{name}: {c['id']} is «{ru}»"
