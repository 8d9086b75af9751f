# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: clientlib (Python 3)
#     language: python
#     name: clientlib
# ---

# %% [markdown] lang="en"
# # 10 · The backtest: which classification foresaw who came back?
#
# Lesson 08 measured how much two classifications **agree** (AMI, Cramér's V). Agreement is not
# accuracy: two frameworks built on the same recency and frequency can agree perfectly and both be
# wrong about who will buy again, and two that disagree can each be right about a different thing.
# Only what customers did next can say which classes mean something.
#
# The **backtest** asks the data directly:
#
# 1. pick a past date, the **cutoff**, and pretend it is today: every framework is fitted and
#    applied on the transactions up to that day, exactly as the study does it;
# 2. look at the **holdout**, the days after the cutoff that the frameworks did not see, and
#    measure per class what its customers did: the share who bought again, their orders, their
#    revenue, and for the purchase model (Pareto/NBD by default) the purchases it predicted
#    against those made;
# 3. rank the frameworks by how well their classes separate who came back, and check the defaults
#    that say "this customer is gone": the lifecycle's purchase cycle and the model's P(alive)
#    thresholds.
#
# `clientlib backtest` does the same from the command line, and the report has a backtest section.

# %% [markdown] lang="ru"
# # 10 · Проверка на истории: какая классификация предсказала, кто вернётся?
#
# В уроке 08 мы измеряли, насколько две классификации **согласуются** (AMI, V Крамера). Согласие —
# ещё не правота: две классификации, построенные на одной давности и частоте, могут полностью
# совпадать и обе ошибаться в том, кто купит снова, а две несогласные могут быть правы каждая в
# своём. Сказать, какие классы что-то значат, может только то, что клиенты сделали потом.
#
# **Проверка на истории** (бэктест) спрашивает сами данные:
#
# 1. выбираем дату в прошлом — **дату отсечки** — и делаем вид, что сегодня этот день: каждая
#    классификация обучается и применяется к покупкам до этого дня ровно так, как в исследовании;
# 2. смотрим на **проверочный период** — дни после отсечки, которых классификации не видели, — и
#    по каждому классу измеряем, что сделали его клиенты: долю купивших снова, заказы, выручку, а
#    для модели покупок (по умолчанию Pareto/NBD) — сколько покупок она предсказала и сколько их
#    было на самом деле;
# 3. ранжируем классификации по тому, насколько их классы разделяют вернувшихся и невернувшихся, и
#    проверяем настройки, которые говорят «клиент ушёл»: цикл покупки «Дао клиента» и пороги
#    P(alive) модели покупок.
#
# То же самое из командной строки делает `clientlib backtest`; в отчёте есть раздел проверки.

# %% tags=["parameters"]
# Parameters (papermill can override them, e.g. -p lang ru -p data orders.csv)
lang = "en"  # language of the outputs: "en" or "ru"
data = None  # None: the workshop shop; else your transactions file (or a dict of files)
mapping = None  # {role: column} for your columns, e.g. {"customer_id": "Client"}
analysis_date = None  # "YYYY-MM-DD"; None: the day after the last transaction
returns = None  # reader options (None: the default) - "net", "drop" or "error"
duplicates = None  # "keep", "drop" or "error"
zero_amount = None  # "keep" or "drop"
sep = None  # CSV separator such as ";" (sniffed when None)
encoding = None  # such as "cp1251" (UTF-8 when None)
date_format = None  # such as "%d.%m.%Y"
dayfirst = None  # True reads 01/02/2024 as 1 February
decimal = None  # "," or "."
seed = 0  # seed of the synthetic workshop shop
n_customers = 2000  # size of the workshop shop
participant = None  # your name for the trainer's answer sheet (else the OS user)
answers = None  # the trainer's answers folder (None: CLIENTLIB_ANSWERS, or not kept)
cutoff = None  # "YYYY-MM-DD", the last day the frameworks see; None: one purchase cycle before the end

# %%
import warnings

import datetime as dt

import matplotlib.pyplot as plt
import pandas as pd

from clientlib import backtest, datasets, exercises, lessons, messages, plots
from clientlib.compare import agreement_matrix
from clientlib.errors import OptionError
lessons.setup_notebook(lang)


def t(key, **fields):
    return messages.text(f"backtest.{key}", lang, **fields)


def pct(share):
    return messages.percent(share, lang)


# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)

# %% [markdown] lang="en"
# ## Cutoff and holdout
#
# The cutoff is the **last day the frameworks see** (included). The holdout runs from the next day
# to the last day of the data. By default the cutoff is one **purchase cycle** before the end (the
# lifecycle's automatic cycle, twice the typical gap between purchases, lesson 02): the holdout then
# asks "who bought within one cycle?", the very question the lifecycle's "dormant" answers.
#
# `backtest.run_backtest` takes what the readers return and gives a `Backtest`: the periods, a table
# per class (`by_class`), the ranking, the purchase model's totals and the checks.

# %% [markdown] lang="ru"
# ## Дата отсечки и проверочный период
#
# Дата отсечки — **последний день, который видят классификации** (включительно). Проверочный
# период идёт со следующего дня до последнего дня данных. По умолчанию отсечка стоит за один **цикл
# покупки** до конца данных (автоматический цикл «Дао клиента» — два типичных промежутка между
# покупками, урок 02): тогда проверочный период спрашивает «кто купил в течение одного цикла?» —
# ровно тот вопрос, на который отвечает «заснувший» в «Дао клиента».
#
# `backtest.run_backtest` принимает то, что возвращают функции чтения, и даёт `Backtest`: периоды,
# таблицу по классам (`by_class`), рейтинг, итоги модели покупок и проверки.

# %%
try:
    bt = backtest.run_backtest(inputs, cutoff=cutoff, lang=lang)
except OptionError:
    if cutoff is not None:
        raise
    # nobody bought twice: no purchase cycle to place the cutoff by, so the last 90 days
    cutoff = backtest.data_end(inputs.transactions) - dt.timedelta(days=90)
    print(t("lesson_no_cycle", days=90))
    bt = backtest.run_backtest(inputs, cutoff=cutoff, lang=lang)
print(bt.periods_sentence(lang))
lessons.report_skipped(bt.skipped, lang)
backtest.by_class_view(bt, "lifecycle", lang) if "lifecycle" in bt.titles else None

# %% [markdown] lang="en"
# Each row is one class at the cutoff: how many customers it held, what share of them bought again
# in the holdout, their orders per customer, their revenue and their purchases (days with a
# purchase). `bt.customers` has the same per customer, so you can list who came back.
#
# ## Agreement is not accuracy
#
# The agreement of every pair of classifications at the cutoff (AMI, lesson 08), and what the two
# that agree the most tell about the holdout:

# %% [markdown] lang="ru"
# Каждая строка — класс на дату отсечки: сколько в нём клиентов, какая их доля купила снова в
# проверочном периоде, заказов на клиента, выручка и покупки (дни с покупкой). В `bt.customers` то
# же по каждому клиенту — можно перечислить, кто вернулся.
#
# ## Согласие — не правота
#
# Согласие каждой пары классификаций на дату отсечки (AMI, урок 08) и то, что две самые согласные
# из них говорят о проверочном периоде:

# %%
labelings = {name: g.set_index("customer_id")["class"]
             for name, g in bt.customers.groupby("framework", sort=True)}
ami = agreement_matrix(labelings, metric="ami")
pairs = ami.where(~pd.DataFrame(
    [[i >= j for j in range(len(ami))] for i in range(len(ami))], index=ami.index,
    columns=ami.columns)).stack()
(a, b), top_ami = pairs.idxmax(), pairs.max()
rank = bt.ranking.set_index("framework")
print(t("lesson_agreement", a=bt.titles[a], b=bt.titles[b], ami=messages.number(top_ami, lang, 2),
        mi_a=messages.number(rank.loc[a, "mutual_info"], lang, 3),
        mi_b=messages.number(rank.loc[b, "mutual_info"], lang, 3),
        ra=int(rank.loc[a, "rank"]), rb=int(rank.loc[b, "rank"]), n=len(rank)))
ami.map(lambda v: messages.number(v, lang, 2))

# %% [markdown] lang="en"
# High agreement says the two classifications sort customers alike; it does not say the sorting
# predicts anything. The holdout does.
#
# ## CDNOW: the published figures
#
# On the CDNOW 1/10 sample (2,357 customers who first bought in the first quarter of 1997), Fader,
# Hardie & Lee (2005) fitted BG/NBD on the 39 weeks to 30 September 1997 and compared its forecast
# with the next 39 weeks: **1,882** repeat purchases made against **1,653.4** predicted. The
# backtest at the cutoff 1997-09-30 reproduces both. (It measures a customer's age `T` to the cutoff
# day, as the paper does; clientlib's facts measure it to the start of the next day.) The paper's
# model is named with `params={"btyd": {"model": "bgnbd"}}`: the framework's default is Pareto/NBD.

# %% [markdown] lang="ru"
# Сильное согласие значит, что две классификации раскладывают клиентов похоже; оно не значит, что
# такая раскладка что-то предсказывает. Это показывает проверочный период.
#
# ## CDNOW: опубликованные цифры
#
# На выборке 1/10 CDNOW (2 357 клиентов, впервые купивших в первом квартале 1997 года) Fader, Hardie
# и Lee (2005) оценили BG/NBD по 39 неделям до 30.09.1997 и сравнили прогноз со
# следующими 39 неделями: совершено **1 882** повторные покупки при прогнозе **1 653,4**.
# Проверка на истории с датой отсечки 30.09.1997 воспроизводит обе цифры. (Возраст клиента `T` здесь
# считается до дня отсечки, как в статье; факты clientlib считают его до начала следующего дня.)
# Модель статьи задана явно, `params={"btyd": {"model": "bgnbd"}}`: по умолчанию классификация
# берёт Pareto/NBD.

# %%
with warnings.catch_warnings():  # RFM's note that CDNOW's frequencies repeat (lesson 06)
    warnings.simplefilter("ignore")
    cd = backtest.run_backtest("cdnow_sample", cutoff="1997-09-30", lang=lang,
                               params={"btyd": {"model": "bgnbd"}})
print(cd.periods_sentence(lang))
print(cd.btyd_sentence(lang))
came = cd.customers.drop_duplicates("customer_id")["bought"]  # one row per customer
print(t("lesson_came_back", n=messages.number(int(came.sum()), lang),
        total=messages.number(len(came), lang), share=pct(came.mean())))
backtest.by_class_view(cd, "btyd", lang)

# %%
bg_rows = cd.by_class.set_index("class").loc[lambda d: d["framework"] == "btyd"]
active = cd.customers[(cd.customers["framework"] == "btyd") & (cd.customers["class"] == "active")]
print(t("lesson_active_vs_at_risk", active=bg_rows.loc["active", "label"],
        risk=bg_rows.loc["at_risk", "label"], a=pct(bg_rows.loc["active", "bought_again"]),
        r=pct(bg_rows.loc["at_risk", "bought_again"]),
        n=messages.number(len(active), lang),
        one=messages.number(int((active["p_alive"] == 1.0).sum()), lang)))

# %% [markdown] lang="en"
# The model's total forecast is close (it was built to forecast purchases, and it does), but its
# classes can mislead: in BG/NBD a customer can only leave right after a purchase, so everybody
# without a repeat purchase is "active" by assumption (lesson 09). The backtest shows it in one
# line: the "active" class comes back less often than "at risk".
#
# ## Which classification separates who came back?
#
# The ranking on the lesson's data. For each classification:
#
# * **gap**: the share who bought again in its best class minus its worst (classes of 10 or more
#   customers);
# * **MI, bits**: the mutual information between the class and "bought again in the holdout",
#   how much knowing the class tells about the outcome (0: nothing; at most the entropy of a yes/no
#   outcome, 1 bit);
# * **lift**: the best class's share over the average;
# * **largest class**: the share of customers in the biggest class;
# * **informative**: "no" when a G-test cannot tell the classes from independent of the outcome
#   (p ≥ 0.01), or when one class holds 95 % of the customers or more (then the classification
#   says nothing about almost everybody, however significant); those are ranked last.

# %% [markdown] lang="ru"
# Итоговый прогноз модели близок к факту (она и построена, чтобы прогнозировать покупки), а вот её
# классы могут вводить в заблуждение: в BG/NBD клиент уходит только сразу после покупки, поэтому
# каждый, у кого нет повторной покупки, «активен» по допущению (урок 09). Проверка на истории
# показывает это одной строкой: «активные» возвращаются реже, чем «под угрозой ухода».
#
# ## Какая классификация разделяет вернувшихся?
#
# Рейтинг на данных урока. Для каждой классификации:
#
# * **разрыв** — доля купивших снова в лучшем классе минус в худшем (классы от 10 клиентов);
# * **ВИ, бит** — взаимная информация между классом и «купил снова в проверочном периоде»: сколько
#   знание класса говорит об исходе (0 — ничего; не больше энтропии исхода «да/нет», 1 бит);
# * **подъём** — доля в лучшем классе относительно средней;
# * **крупнейший класс** — доля клиентов в самом большом классе;
# * **различает** — «нет», когда G-тест не отличает классы от независимых от исхода (p ≥ 0,01)
#   или когда в одном классе 95 % клиентов и больше (тогда классификация почти ни о ком ничего не
#   говорит, как бы значима она ни была); такие классификации стоят в конце.

# %%
backtest.ranking_view(bt, lang, titles=True)

# %%
best, worst = bt.ranking.iloc[0], bt.ranking.iloc[-1]
rows = bt.by_class[(bt.by_class["framework"] == best["framework"])
                   & (bt.by_class["customers"] >= backtest.MIN_CLASS)]
top, low = rows.loc[rows["bought_again"].idxmax()], rows.loc[rows["bought_again"].idxmin()]
print(t("lesson_best_worst", best=best["title"], top_label=top["label"], top=pct(top["bought_again"]),
        low_label=low["label"], low=pct(low["bought_again"]), gap=pct(best["repeat_gap"]),
        worst=worst["title"], wgap=pct(worst["repeat_gap"])))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
plots.backtest_figure(bt, best["framework"], ax=axes[0], lang=lang)
plots.backtest_figure(bt, worst["framework"], ax=axes[1], lang=lang)
plt.show()

# %% [markdown] lang="en"
# And on CDNOW at the paper's cutoff (transactions only: the frameworks that need events or survey
# answers do not run):

# %% [markdown] lang="ru"
# И на CDNOW с датой отсечки из статьи (только покупки: классификациям, которым нужны события или
# ответы анкеты, здесь не на чем работать):

# %%
backtest.ranking_view(cd, lang, titles=True)

# %% [markdown] lang="en"
# A framework at the top of the ranking is the one whose classes best tell apart the customers who
# came back from those who did not **over this holdout**. That is not the whole story: the ranking
# looks at one outcome (bought again), not at revenue or at the action each class drives, and a
# different cutoff (another season) can reorder it. Repeat the backtest before acting on it.
#
# ## Were the defaults right?
#
# The lifecycle calls a customer dormant when they have been silent longer than one purchase cycle;
# the purchase model calls them likely lost when P(alive) is below 0.3 and at risk below 0.7. If most of such a
# class bought again in the holdout, the default was wrong for this business, and the backtest
# proposes the value the holdout supports: the smallest cycle at which fewer than half of those it
# calls dormant bought again, or the largest threshold at which fewer than half of the class did.

# %% [markdown] lang="ru"
# Классификация в начале рейтинга — та, чьи классы лучше всего отделяют вернувшихся клиентов от
# невернувшихся **в этом проверочном периоде**. Это ещё не всё: рейтинг смотрит на один исход
# (купил ли снова), а не на выручку или действие, которое задаёт каждый класс, и другая дата
# отсечки (другой сезон) может его переставить. Повторите проверку, прежде чем действовать.
#
# ## Оправдались ли настройки по умолчанию?
#
# «Дао клиента» называет клиента заснувшим, когда он молчит дольше одного цикла покупки; модель покупок —
# скорее всего ушедшим при P(alive) ниже 0,3 и под угрозой ухода — ниже 0,7. Если большинство такого
# класса купило снова в проверочном периоде, настройка не подходит этому бизнесу, и проверка
# предлагает значение, которое подтверждает проверочный период: наименьший цикл, при котором снова
# купили меньше половины названных заснувшими, или наибольший порог, при котором снова купили
# меньше половины класса.

# %%
for head, run in ((t("lesson_on_data"), bt), (t("lesson_on_cdnow"), cd)):
    print(head)
    for line in [c.sentence(lang) for c in run.checks] or [t("lesson_no_checks")]:
        print(" -", line)

# %% [markdown] lang="en"
# How the answer depends on the cycle: the same cutoff and holdout, the lifecycle run with half,
# one, two and three times the automatic cycle. A short cycle calls many customers dormant who
# simply had not bought yet; a long one keeps only those who are really gone.

# %% [markdown] lang="ru"
# Как ответ зависит от цикла: та же отсечка и тот же проверочный период, «Дао клиента» с половиной,
# одним, двумя и тремя автоматическими циклами. Короткий цикл называет заснувшими многих, кто просто
# ещё не успел купить; длинный оставляет только тех, кто действительно ушёл.

# %%
check = next((c for c in bt.checks if c.framework == "lifecycle"), None)
cycle_rows = []
if check is not None:
    auto = check.current["purchase_cycle_days"]
    for factor in (0.5, 1, 2, 3):
        days = max(1, round(auto * factor))
        run = backtest.run_backtest(
            inputs, cutoff=bt.cutoff, holdout_end=bt.holdout_end, frameworks=["lifecycle"],
            params={"lifecycle": {"purchase_cycle_days": days}}, lang=lang)
        rows = run.by_class.set_index("class")
        n = int(rows.loc["dormant", "customers"]) if "dormant" in rows.index else 0
        share = rows.loc["dormant", "bought_again"] if n else float("nan")
        cycle_rows.append({t("col_cycle"): days, t("col_dormant"): messages.number(n, lang),
                           t("col_bought_again"): pct(share) if n else "—"})
pd.DataFrame(cycle_rows)

# %% [markdown] lang="en"
# ## Exercises
#
# Every answer can be read without code in the CDNOW section above: a printed line or the ranking
# (each hint says which). With code, use `cdnow` (the CDNOW 1/10 sample's rows) and `cd` (its
# backtest at 30 September 1997); the checks compute their answers from the raw rows, not from the
# backtest.

# %% [markdown] lang="ru"
# ## Упражнения
#
# На каждый вопрос можно ответить без кода по разделу о CDNOW выше: по напечатанной строке или по
# рейтингу (подсказка говорит, где смотреть). Кодом — через `cdnow` (строки выборки 1/10 CDNOW) и
# `cd` (её проверку на истории с датой отсечки 30.09.1997); проверки считают ответы по исходным
# строкам, а не по результату проверки на истории.

# %%
cdnow = datasets.load_cdnow_sample()
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %% [markdown] lang="en"
# ### Exercise 1: who came back?
#
# How many CDNOW customers made at least one purchase in the holdout (1 October 1997 to 30 June
# 1998)?

# %% [markdown] lang="ru"
# ### Упражнение 1: кто вернулся?
#
# Сколько клиентов CDNOW сделали хотя бы одну покупку в проверочном периоде (с 01.10.1997 по
# 30.06.1998)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("backtest_cdnow_came_back", answer, cdnow=cdnow, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: the lifecycle's gap
#
# On CDNOW at the cutoff 30 September 1997, what is the lifecycle's repeat gap: the share who bought
# again in its best class minus its worst, among classes of at least 10 customers? A share between
# 0 and 1.

# %% [markdown] lang="ru"
# ### Упражнение 2: разрыв «Дао клиента»
#
# Каков разрыв «Дао клиента» на CDNOW при дате отсечки 30.09.1997: доля купивших снова в лучшем
# классе минус доля в худшем, среди классов от 10 клиентов? Ответ — доля от 0 до 1.

# %% lang="en"
answer = None  # your answer: a share from 0 to 1, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: доля от 0 до 1, например answer = 0.25

# %%
exercises.check("backtest_lifecycle_gap", answer, cdnow=cdnow, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 3: how far short?
#
# By what share of the observed holdout repeat purchases did BG/NBD's forecast fall short on CDNOW,
# (observed − predicted) / observed? A share between 0 and 1.

# %% [markdown] lang="ru"
# ### Упражнение 3: насколько меньше?
#
# На какую долю от совершённых повторных покупок прогноз BG/NBD на CDNOW оказался меньше факта:
# (факт − прогноз) / факт? Ответ — доля от 0 до 1.

# %% lang="en"
answer = None  # your answer: a share from 0 to 1, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: доля от 0 до 1, например answer = 0.25

# %%
exercises.check("backtest_bgnbd_shortfall", answer, cdnow=cdnow, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): act on the ranking?
#
# The ranking puts one classification first. Would you run the shop's campaigns on it alone? In a
# few sentences: what would you answer, and what would you check first?

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): действовать по рейтингу?
#
# Рейтинг ставит одну классификацию первой. Вели бы вы кампании магазина только по ней? В
# нескольких фразах: что вы ответите и что проверите первым делом?

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("backtest_act_on_ranking_open", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# Run this lesson on your export with the `data` and `mapping` parameters (see
# `notebooks/README.md`); everything above the CDNOW section is computed from your customers, and
# `cutoff` moves the cutoff. From the command line:
#
# ```bash
# clientlib backtest orders.csv --map customer_id=Client,timestamp=Date,amount=Total --lang ru
# clientlib backtest orders.csv --holdout 90 -o by_class.csv      # the last 90 days as the holdout
# ```

# %% [markdown] lang="ru"
# ## На своих данных
#
# Запустите урок на своей выгрузке с параметрами `data` и `mapping` (см. `notebooks/README.md`): всё
# до раздела о CDNOW считается по вашим клиентам, а параметр `cutoff` сдвигает дату отсечки. Из
# командной строки:
#
# ```bash
# clientlib backtest orders.csv --map customer_id=Client,timestamp=Date,amount=Total --lang ru
# clientlib backtest orders.csv --holdout 90 -o by_class.csv      # последние 90 дней — проверочные
# ```
