"""Scheduled batches (clientlib.reports.batch, lock, manifest, index, changes, worker).

Kernel runs are few and small (150 workshop customers, no timeline): a parallel batch of four
(two rendered, one failing, one timing out), a second run of one report after its input
changed, and a batch killed with ``kill -9`` then finished with ``--skip-existing``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from clientlib import messages as M
from clientlib.errors import OptionError
from clientlib.reports import changes
from clientlib.reports.batch import _remove_temporaries, batch_schema, load_config
from clientlib.reports.decisions import ACTIONS
from clientlib.reports.index import index_html
from clientlib.reports.lock import BatchLock, LockedError
from clientlib.reports.manifest import manifest_schema

CLI = [sys.executable, "-c", "from clientlib.cli import main; main()"]
SMALL = {"n_customers": 150, "timeline_months": 0, "k": 3}
NOISE = ("Kernel is running over TCP", "KeyboardInterrupt", "Traceback", "Passed unknown",
         "Unable to parse")
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and shutil.which("chromium"):
    CHROMIUM = Path(shutil.which("chromium"))  # type: ignore[arg-type]


def _cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# config (no kernel)


def test_duplicate_report_key_is_refused_with_its_line(tmp_path):
    cfg = _write(tmp_path / "b.yml", "output: out\nreports:\n  weekly: {}\n  monthly: {}\n"
                                     "  weekly: {lang: ru}\n")
    with pytest.raises(OptionError, match=r"b\.yml, line 5: key 'weekly' is given twice"):
        load_config(cfg)
    proc = _cli("reports", "run", str(cfg), cwd=tmp_path)
    assert proc.returncode == 2 and "line 5" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "line", "field"), [
    ("output: out\ncolour: red\nreports:\n  a: {}\n", 2, "colour"),
    ("output: out\nreports:\n  a:\n    lang: ru\n    colour: red\n", 5, "reports.a.colour"),
    ("output: out\ndefaults:\n  n_customer: 5\nreports:\n  a: {}\n", 3,
     "defaults.n_customer"),
    ("output: out\nreports:\n  a:\n    n_customers: many\n", 4, "reports.a.n_customers"),
    ("output: out\nreports:\n  a:\n    timeout: -1\n", 4, "reports.a.timeout"),
    ("output: out\njobs: 0\nreports:\n  a: {}\n", 2, "jobs"),
])
def test_unknown_or_bad_fields_are_refused_with_name_and_line(tmp_path, text, line, field):
    cfg = _write(tmp_path / "b.yml", text)
    with pytest.raises(OptionError) as err:
        load_config(cfg)
    assert str(err.value).startswith(f"b.yml, line {line}: {field}: "), str(err.value)


def test_input_options_use_the_shared_model(tmp_path):
    cfg = _write(tmp_path / "b.yml", "output: out\nreports:\n  a:\n    returns: maybe\n")
    with pytest.raises(OptionError, match=r"line 4: reports\.a\.returns: must be one of"):
        load_config(cfg)


def test_the_template_takes_every_input_option():
    """papermill reads every parameter line (a '=' in a help comment makes it skip the line)."""
    from clientlib.options import InputOptions
    from clientlib.reports.parameters import template_parameters

    assert set(InputOptions.model_fields) <= set(template_parameters())


def test_output_is_relative_to_the_config_and_overridable(tmp_path):
    (tmp_path / "conf").mkdir()
    cfg = _write(tmp_path / "conf" / "b.yml",
                 "output: ../out\nlang: ru\ntimeout: 60\nreports:\n  a: {timeout: 5}\n  b: {}\n")
    got = load_config(cfg, run_date="2025-01-06")
    assert got.output == (tmp_path / "out").resolve() or got.output == tmp_path / "conf/../out"
    assert got.lang == "ru" and got.timeouts == {"a": 5.0} and got.timeout == 60.0
    other = load_config(cfg, output=tmp_path / "elsewhere", timeout=9)
    assert other.output == (tmp_path / "elsewhere").resolve()
    assert other.timeout == 9 and other.timeouts == {}
    nowhere = _write(tmp_path / "c.yml", "reports:\n  a: {}\n")
    with pytest.raises(OptionError, match="--output DIR"):
        load_config(nowhere)


def test_batch_schema_accepts_the_example_and_refuses_a_typo():
    import jsonschema

    from clientlib import yamlio

    root = Path(__file__).resolve().parent.parent
    example = yamlio.load((root / "examples" / "reports.yml").read_text(encoding="utf-8"))
    example = json.loads(json.dumps(example, default=str))
    schema = batch_schema()
    jsonschema.validate(example, schema)
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate({**example, "colour": "red"}, schema)
    load_config(root / "examples" / "reports.yml")  # and the loader agrees


# ---------------------------------------------------------------------------------------------
# lock and clean-up (no kernel)

_HOLD = """
import sys, time
from clientlib.reports.lock import BatchLock, LockedError
try:
    with BatchLock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
except LockedError as exc:
    print("refused", exc, flush=True)
"""


def test_the_lock_admits_one_process_of_several_and_dies_with_its_holder(tmp_path):
    script = _write(tmp_path / "hold.py", _HOLD)
    folder = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [subprocess.Popen([sys.executable, str(script), str(folder), "3"], env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert sum(o.startswith("held") for o in outs) == 1, outs
    assert sum(o.startswith("refused another report batch") for o in outs) == 3, outs
    assert all(f"pid {procs[i].pid}" not in o for i, o in enumerate(outs))  # names the holder
    # a holder killed with -9 leaves no stale lock behind: the next batch gets the folder
    holder = subprocess.Popen([sys.executable, str(script), str(folder), "60"], env=env,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().startswith("held")
    with pytest.raises(LockedError, match=f"pid {holder.pid}"):
        BatchLock(folder).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with BatchLock(folder) as lock:
        assert lock.read()["pid"] == os.getpid()


def test_clean_up_removes_only_the_batchs_own_temporary_names(tmp_path):
    ours = [".a_2025-01-06.html.ab12cd_9.html.part", ".a_2025-01-06.ipynb.k2j4h5g6.part.ipynb",
            ".manifest.json.zzzzzzzz.json.part", ".a_2025-01-06.classes.parquet.q1w2e3r4.part"]
    users = [".team.partners.csv", ".notes.part2.txt", "team.part.csv", ".x.html.part",
             ".a_2025-01-06.html.part", ".b_2025-01-06.html.ab12cd_9.html.part"]
    for name in ours + users:
        (tmp_path / name).write_text("x")
    names = ["a_2025-01-06.html", "a_2025-01-06.ipynb", "a_2025-01-06.classes.parquet",
             "manifest.json"]
    _remove_temporaries(tmp_path, names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(users)


# ---------------------------------------------------------------------------------------------
# what changed (no kernel): hand-made snapshots, counts checked by hand


def test_moves_count_class_changes_new_and_lost_customers():
    prev = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "a", "b", "c", "d"],
        "framework": ["lifecycle"] * 4 + ["kmeans"] * 4,
        "class": ["fan", "fan", "fan", "novice", "cluster_0", "cluster_1", "cluster_0",
                  "cluster_1"],
    })
    cur = pd.DataFrame({
        "customer_id": ["a", "b", "c", "e", "a", "b", "c", "e"],
        "framework": ["lifecycle"] * 4 + ["kmeans"] * 4,
        "class": ["dormant", "dormant", "fan", "novice", "cluster_1", "cluster_0",
                  "cluster_1", "cluster_0"],
    })
    got = changes.moves(prev, cur)
    # by hand: a, b fan -> dormant; c stays; d lost; e new; k-means is not compared
    assert got.to_dict("records") == [
        {"framework": "lifecycle", "from_class": "(new)", "to_class": "novice", "customers": 1},
        {"framework": "lifecycle", "from_class": "fan", "to_class": "dormant", "customers": 2},
        {"framework": "lifecycle", "from_class": "novice", "to_class": "(lost)", "customers": 1},
    ]
    labels = {"lifecycle": {"fan": "Фанат", "dormant": "Спящий"}}
    ru = changes.change_sentences(got, "2025-01-06", "ru", labels, {"lifecycle": "Жизненный цикл"})
    assert ru[0] == ("Жизненный цикл: с 06.01.2025 из класса «Фанат» в класс «Спящий» "
                     "перешло 2 клиента.")
    assert ru[-1] == "С 06.01.2025: новых клиентов — 1, выбывших — 1."
    en = changes.change_sentences(got, "2025-01-06", "en")
    assert en[0] == "2 customers went from «fan» to «dormant» since 2025-01-06 (lifecycle)."
    same = changes.moves(prev, prev)
    assert same.empty
    assert changes.change_sentences(same, "2025-01-06", "en")[0] == (
        "No customer changed class since 2025-01-06.")


def test_moves_figure_takes_an_axes_and_returns_it():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = pd.DataFrame({"framework": "f", "from_class": ["a", "b", "(new)"],
                          "to_class": ["b", "a", "a"], "customers": [3, 7, 50]})
    fig, ax = plt.subplots()
    assert changes.moves_figure(table, ax=ax, since="2025-01-06", lang="ru") is ax
    # bottom to top: the largest move on top, new customers left out
    assert [t.get_text() for t in ax.get_yticklabels()] == ["f: a → b", "f: b → a"]
    assert "06.01.2025" in ax.get_title()
    plt.close(fig)


def test_latest_snapshot_ignores_other_reports_and_later_dates(tmp_path):
    for name in ("w_2025-01-06", "w_2025-01-13", "w_x_2025-01-12", "w_2025-02-01"):
        (tmp_path / f"{name}.classes.parquet").write_bytes(b"")
    path, day = changes.latest_snapshot(tmp_path, "w", dt.date(2025, 1, 20))
    assert path.name == "w_2025-01-13.classes.parquet" and day == dt.date(2025, 1, 13)
    assert changes.latest_snapshot(tmp_path, "w", dt.date(2025, 1, 6)) is None


# ---------------------------------------------------------------------------------------------
# end to end: a parallel batch of four, then a second run with a changed input


def _shop_csv(path: Path, until: str | None) -> pd.DataFrame:
    from clientlib.datasets import workshop

    tx = workshop(n_customers=150, seed=3).transactions
    if until:
        tx = tx[tx["timestamp"] < pd.Timestamp(until)]
    tx.to_csv(path, index=False)
    return tx


@pytest.fixture(scope="module")
def four(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    tx = _shop_csv(folder / "shop.csv", "2024-10-01")
    cfg = _write(folder / "weekly.yml", f"""
output: out
run_date: 2025-01-06
lang: ru
defaults: {json.dumps(SMALL)}
reports:
  shop_en: {{input: shop.csv, lang: en}}
  shop_ru: {{lang: ru}}
  broken: {{column_map: "customer_id=<b>NoSuchColumn</b>"}}
  slow: {{n_customers: 400000, timeout: 6}}
""")
    out = folder / "out"
    out.mkdir()
    (out / "broken_2025-01-06.html").write_text("EARLIER GOOD REPORT")
    (out / ".team.partners.csv").write_text("user file")
    start = time.perf_counter()
    proc = _cli("reports", "run", str(cfg), "--jobs", "2", cwd=folder)
    return folder, out, proc, tx, time.perf_counter() - start


def test_parallel_batch_renders_the_good_reports_and_exits_1(four):
    _folder, out, proc, _tx, _seconds = four
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    report_lines = [ln for ln in lines if re.match(r"\[\d/4\] ", ln)]
    assert len(report_lines) == 4 and len(lines) == 5, proc.stdout  # + the closing line
    status = {ln.split()[1]: ln.split()[2] for ln in report_lines}
    assert status == {"shop_en": "ok", "shop_ru": "ok", "broken": "failed", "slow": "timeout"}
    for word in NOISE:
        assert word not in proc.stdout + proc.stderr, word
    assert proc.stderr.strip() == "failed: broken, slow"
    assert re.search(r"shop_ru\s+ok\s+\d+\.\d s  .*shop_ru_2025-01-06\.html$", proc.stdout,
                     re.M)
    page = (out / "shop_ru_2025-01-06.html").read_text(encoding="utf-8")
    assert '<html lang="ru"' in page and M.text("report.decisions", "ru") in page
    assert M.text("batch.changes_first", "ru") in page  # first run: nothing to compare with
    assert (out / ".team.partners.csv").read_text() == "user file"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.name not in (
        ".team.partners.csv", ".clientlib-reports.lock")]


def test_parallel_batch_manifest_is_right(four):
    import jsonschema

    folder, out, _proc, tx, _seconds = four
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, manifest_schema())
    assert manifest["status"] == "failed" and manifest["jobs"] == 2 and manifest["lang"] == "ru"
    assert manifest["started"] <= manifest["finished"]
    assert manifest["versions"]["papermill"] and manifest["versions"]["clientlib"]
    by = {r["name"]: r for r in manifest["reports"]}
    assert [r["name"] for r in manifest["reports"]] == ["shop_en", "shop_ru", "broken", "slow"]
    en = by["shop_en"]
    assert en["status"] == "ok" and en["seconds"] > 0 and en["error"] == ""
    # the analysis date and counts the report used, checked against the CSV itself
    stamps = pd.to_datetime(tx["timestamp"])
    assert en["analysis_date"] == (stamps.max().date() + dt.timedelta(days=1)).isoformat()
    assert en["customers"] == tx["customer_id"].nunique()
    digest = hashlib.sha256((folder / "shop.csv").read_bytes()).hexdigest()
    assert en["inputs"] == [{"role": "input", "path": str((folder / "shop.csv").resolve()),
                             "sha256": digest, "bytes": (folder / "shop.csv").stat().st_size}]
    calls = {f"call_{a}_{ext}" for a in ACTIONS for ext in ("csv", "xlsx")}
    assert set(en["files"]) == {"html", "notebook", "facts", "snapshot"} | calls
    assert all((out / name).exists() for name in en["files"].values())
    snap = pd.read_parquet(out / en["files"]["snapshot"])
    assert list(snap.columns) == ["customer_id", "framework", "class"]
    assert snap.groupby("framework").size().max() == en["customers"]
    broken = by["broken"]
    assert broken["status"] == "failed" and "MissingColumnsError" in broken["error"]
    assert broken["files"] == {"html": "broken_2025-01-06.html",
                               "failed_notebook": "broken_2025-01-06.failed.ipynb"}
    assert (out / "broken_2025-01-06.html").read_text() == "EARLIER GOOD REPORT"
    slow = by["slow"]
    assert slow["status"] == "timeout" and "6 s" in slow["error"]
    assert 6 <= slow["seconds"] < 30
    assert "html" not in slow["files"] and slow["customers"] is None
    # the others ran beside it, unaffected
    assert by["shop_ru"]["status"] == "ok" and by["shop_ru"]["customers"] == 150


def test_parallel_batch_index_is_russian_and_escaped(four):
    _folder, out, _proc, _tx, _seconds = four
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Отчёты за 06.01.2025</h1>" in index
    assert '<a href="shop_en_2025-01-06.html">shop_en</a>' in index
    assert '<a href="broken_2025-01-06.failed.ipynb">блокнот неудачного запуска</a>' in index
    assert "(прежняя удачная версия)" in index and "превышено время" in index
    assert "&lt;b&gt;NoSuchColumn&lt;/b&gt;" in index and "<b>NoSuchColumn" not in index
    assert "Это первый запуск в этой папке." in index


@pytest.fixture(scope="module")
def second(four):
    folder, out, _proc, _tx, _seconds = four
    tx = _shop_csv(folder / "shop.csv", None)  # three more months of orders
    cfg = _write(folder / "weekly2.yml", f"""
output: out
run_date: 2025-01-13
defaults: {json.dumps(SMALL)}
reports:
  shop_en: {{input: shop.csv, lang: en}}
""")
    proc = _cli("reports", "run", str(cfg), "--log-json", cwd=folder)
    return folder, out, proc, tx


def test_second_run_shows_what_changed(second):
    _folder, out, proc, tx = second
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in events] == ["report", "batch"]
    assert events[0]["status"] == "ok" and events[1]["ok"] == 1
    prev = pd.read_parquet(out / "shop_en_2025-01-06.classes.parquet")
    cur = pd.read_parquet(out / "shop_en_2025-01-13.classes.parquet")
    # independent count of the lifecycle moves: merge the two snapshots by customer
    lc = prev[prev.framework == "lifecycle"].merge(cur[cur.framework == "lifecycle"],
                                                   on="customer_id", suffixes=("_a", "_b"))
    moved = lc[lc.class_a != lc.class_b].groupby(["class_a", "class_b"]).size()
    assert moved.sum() > 0, "the extra months move customers between lifecycle classes"
    page = (out / "shop_en_2025-01-13.html").read_text(encoding="utf-8")
    assert "<h2>What changed since 2025-01-06</h2>" in page
    n = int(moved.max())
    sentences = re.findall(r"(\d+) customers? went from «([^»]+)» to «([^»]+)» since 2025-01-06"
                           r" \(([^)]+)\)", page)
    assert sentences and max(int(s[0]) for s in sentences) >= n
    assert any(int(s[0]) == n and s[3] for s in sentences)
    # the biggest move of any framework heads the decisions, with the revenue of its customers
    both = prev[prev.framework != "kmeans"].merge(cur, on=["customer_id", "framework"],
                                                   suffixes=("_a", "_b"))
    sizes = both[both.class_a != both.class_b].groupby(
        ["framework", "class_a", "class_b"]).size().reset_index(name="n")
    top = sizes.sort_values(["n", "framework", "class_a", "class_b"],
                            ascending=[False, True, True, True]).iloc[0]
    who = both[(both.framework == top.framework) & (both.class_a == top.class_a)
               & (both.class_b == top.class_b)].customer_id
    spend = tx.groupby("customer_id")["amount"].sum()
    since = re.search(r'<li data-decision="since">(.*?)</li>', page, re.S)
    assert since, "no since-the-previous-report decision"
    tail = since.group(1).split("):", 1)[1]
    shown = [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", tail)[:2]]
    assert shown == [int(top.n), round(spend.reindex(who).fillna(0).sum())], since.group(1)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["reports"][0]
    assert entry["compared_with"]["date"] == "2025-01-06"
    assert entry["files"]["call_this_week_xlsx"] == "shop_en_2025-01-13.call_this_week.xlsx"
    assert entry["inputs"][0]["sha256"] == hashlib.sha256(
        (out.parent / "shop.csv").read_bytes()).hexdigest()
    # the index links to the previous run, kept under its date
    assert manifest["previous"] == {"run_date": "2025-01-06", "index": "index_2025-01-06.html",
                                    "manifest": "manifest_2025-01-06.json"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="index_2025-01-06.html">2025-01-06</a>' in index
    assert "Отчёты за 06.01.2025" in (out / "index_2025-01-06.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# kill -9 mid-batch, then --skip-existing


def test_kill_9_mid_batch_then_skip_existing_loses_nothing(tmp_path):
    cfg = _write(tmp_path / "b.yml", f"""
output: out
run_date: 2025-01-06
jobs: 1
defaults: {json.dumps(SMALL)}
reports:
  a: {{}}
  b: {{lang: ru}}
""")
    out = tmp_path / "out"
    out.mkdir()
    users = {".team.partners.csv": "user", "notes.part2.txt": "mine", ".draft.html.part": "x"}
    for name, text in users.items():
        (out / name).write_text(text)
    proc = subprocess.Popen([*CLI, "reports", "run", str(cfg)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        m = json.loads((out / "manifest.json").read_text()) if (out / "manifest.json").exists() \
            else {}
        if [r["status"] for r in m.get("reports", [])] == ["ok", "running"]:
            break
        time.sleep(0.2)
    time.sleep(1.0)  # b's kernel is up and working
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    first = json.loads((out / "manifest.json").read_text())
    assert first["status"] == "running"
    assert [r["status"] for r in first["reports"]] == ["ok", "running"]
    # nothing of the killed batch goes on writing: b's worker and kernel die with it
    time.sleep(3)
    before = {p.name: p.stat().st_mtime for p in out.iterdir()}
    time.sleep(3)
    assert {p.name: p.stat().st_mtime for p in out.iterdir()} == before
    assert not (out / "b_2025-01-06.html").exists()
    done = _cli("reports", "run", str(cfg), "--skip-existing", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"\[1/2\] a\s+kept", done.stdout) and re.search(r"\[2/2\] b\s+ok",
                                                                      done.stdout)
    final = json.loads((out / "manifest.json").read_text())
    assert final["status"] == "ok"
    a_first, a_final = first["reports"][0], final["reports"][0]
    assert a_final["status"] == "kept" and a_final["kept_from"] == first["started"]
    for key in ("seconds", "started", "finished", "analysis_date", "customers", "orders",
                "revenue", "inputs", "parameters"):
        assert a_final[key] == a_first[key], key
    assert a_final["seconds"] > 0
    assert final["reports"][1]["status"] == "ok" and (out / "b_2025-01-06.html").exists()
    for name, text in users.items():
        assert (out / name).read_text() == text, name
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert sorted(leftovers) == sorted([".clientlib-reports.lock", ".team.partners.csv",
                                        ".draft.html.part"])


def test_sigterm_stops_the_batch_cleanly(tmp_path):
    """systemctl stop: running reports are killed, the manifest says so, one line, code 143."""
    cfg = _write(tmp_path / "b.yml", "output: out\nrun_date: 2025-01-06\nreports:\n"
                                     "  big: {n_customers: 400000, timeline_months: 0}\n")
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "reports", "run", str(cfg)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (out / "manifest.json").exists():
        time.sleep(0.2)
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert stderr.startswith("batch stopped by SIGTERM") and len(stderr.splitlines()) == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["finished"]
    assert manifest["reports"][0]["status"] == "failed"
    assert "stopped" in manifest["reports"][0]["error"]
    assert not [p.name for p in out.iterdir() if ".part" in p.name]


# ---------------------------------------------------------------------------------------------
# the index with a failure, in headless Chromium at 1,200 px


_MEASURE = """<script>
window.addEventListener("load", () => {
  const cells = [...document.querySelectorAll("td.error")].filter(c => c.textContent);
  const r = cells.map(c => c.getBoundingClientRect());
  document.body.setAttribute("data-measure", JSON.stringify({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
    right: Math.max(...r.map(x => x.right)), tall: Math.max(...r.map(x => x.height)),
  }));
});
</script></body>"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (make browser)")
def test_index_with_a_long_error_fits_1200_px_in_chromium(tmp_path):
    error = "report failed: MissingColumnsError: " + "the_column_that_is_not_there_" * 12 + \
        " END_OF_ERROR " + "x" * 150
    data = {"lang": "en", "run_date": "2025-01-06", "batch": "weekly.yml",
            "started": "2025-01-06T06:30:00Z", "finished": "2025-01-06T06:34:10Z",
            "previous": {"run_date": "2024-12-30", "index": "index_2024-12-30.html"},
            "reports": [
                {"name": "weekly_shop", "status": "ok", "html": "w.html",
                 "files": {"html": "w.html"},
                 "customers": 69659, "analysis_date": "2025-01-01", "seconds": 31.2, "error": ""},
                {"name": "broken", "status": "failed", "html": "b.html",
                 "files": {"failed_notebook": "b.failed.ipynb"}, "seconds": 4.0, "error": error}]}
    page = index_html(data)
    assert "<script" not in page
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "measure.html").write_text(page.replace("</body>", _MEASURE), encoding="utf-8")
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1200,900",
            f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000"]
    dom = subprocess.run([*base, "--dump-dom", (tmp_path / "measure.html").as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    measure = json.loads(re.search(r'data-measure="([^"]+)"', dom).group(1)
                         .replace("&quot;", '"'))
    assert measure["inner"] == 1200
    assert measure["scroll"] <= 1200, measure  # no horizontal overflow
    assert measure["right"] <= 1200, measure  # the error cell ends inside the window
    assert measure["tall"] > 60, measure  # wrapped onto several lines
    shot = tmp_path / "index.png"
    subprocess.run([*base, f"--screenshot={shot}", (tmp_path / "index.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert (width, height) == (1200, 900)
    if os.environ.get("CLIENTLIB_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["CLIENTLIB_KEEP_SCREENSHOT"])


# ---------------------------------------------------------------------------------------------
# the scheduling examples

_ROOT = Path(__file__).resolve().parent.parent
_LOAD_DAG = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("dag", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
dag = module.dag
print(json.dumps({"dag_id": dag.dag_id, "tasks": [t.task_id for t in dag.tasks],
                  "command": dag.tasks[0].bash_command, "max_active_runs": dag.max_active_runs}))
"""


def _run_options() -> set[str]:
    help_text = _cli("reports", "run", "--help", cwd=_ROOT, timeout=120).stdout
    return set(re.findall(r"--[a-z][a-z-]+", help_text))


def test_airflow_dag_imports_and_calls_the_cli(tmp_path):
    """Imports the DAG with Airflow (CLIENTLIB_AIRFLOW_PYTHON: an interpreter that has it)."""
    python = os.environ.get("CLIENTLIB_AIRFLOW_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import airflow"], capture_output=True, timeout=120)
    if probe.returncode:
        pytest.skip("Airflow is not installed here; install it in a separate venv "
                    "(pip install apache-airflow) and set CLIENTLIB_AIRFLOW_PYTHON to its python")
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path)}
    dag_file = _ROOT / "examples" / "scheduling" / "airflow_dag.py"
    proc = subprocess.run([python, "-c", _LOAD_DAG, str(dag_file)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dag = json.loads(proc.stdout.strip().splitlines()[-1])
    assert dag["dag_id"] == "clientlib_weekly_reports" and dag["tasks"] == ["render_reports"]
    assert dag["max_active_runs"] == 1
    assert "clientlib reports run examples/reports.yml" in dag["command"]
    used = set(re.findall(r"--[a-z][a-z-]+", dag["command"]))
    assert used and used <= _run_options(), used - _run_options()


def test_cron_and_systemd_examples_use_real_options():
    options = _run_options()
    folder = _ROOT / "examples" / "scheduling"
    cron = [ln for ln in (folder / "crontab").read_text().splitlines()
            if ln and not ln.startswith(("#", "MAILTO"))]
    assert len(cron) == 1 and len(cron[0].split(None, 5)) == 6  # five time fields + command
    service = (folder / "clientlib-reports.service").read_text()
    timer = (folder / "clientlib-reports.timer").read_text()
    assert "Type=oneshot" in service and "OnCalendar=" in timer
    start = [ln for ln in service.splitlines() if ln.startswith("ExecStart=")]
    assert len(start) == 1
    for text in (cron[0], start[0]):
        used = set(re.findall(r"--[a-z][a-z-]+", text))
        assert "clientlib reports run" in text and used <= options, used - options
