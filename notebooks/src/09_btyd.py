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
# # 09 · Rule or model: who is really dormant?
#
# The lifecycle framework (lesson 02) calls a customer **dormant** when the days since the last
# purchase exceed one **purchase cycle**, the same for everybody. Statisticians answer the same
# question with a model of each customer's own rhythm: the **BG/NBD** model (Fader, Hardie & Lee
# 2005, "Counting your customers the easy way") gives every customer a probability of still being
# a customer, **P(alive)**.
#
# The model's story, in three sentences:
#
# 1. while a customer is "alive" they buy at their own steady rate (a Poisson process), and the
#    rates differ from customer to customer (a gamma distribution, parameters `r`, `alpha`);
# 2. after each purchase a customer may drop out for good, with their own probability (a beta
#    distribution across customers, parameters `a`, `b`);
# 3. nobody tells us when they drop out: we only see `frequency` (repeat purchases), `recency`
#    (first → last purchase) and `T` (first purchase → today).
#
# From these, P(alive) has a closed form:
# `1 / (1 + [frequency > 0] · a / (b + frequency − 1) · ((alpha + T) / (alpha + recency)) ^ (r + frequency))`.
# A long silence is alarming for a customer who used to buy every week and normal for one who buys
# twice a year: the model weighs the silence against the customer's own history.
#
# This lesson puts the rule and the model side by side on the workshop shop and on CDNOW (the data
# of the original paper), finds where they disagree and why, and checks both against what customers
# actually did next: the **calibration / holdout** test.

# %% [markdown] lang="ru"
# # 09 · Правило или модель: кто на самом деле заснул?
#
# «Дао клиента» (урок 02) называет клиента **заснувшим**, когда со дня последней покупки прошло
# больше одного **цикла покупки**, одинакового для всех. Статистики отвечают на тот же вопрос
# моделью собственного ритма каждого клиента: модель **BG/NBD** (Fader, Hardie & Lee, 2005,
# «Counting your customers the easy way») даёт каждому клиенту вероятность того, что он всё ещё
# клиент, — **P(alive)**, «вероятность, что клиент жив».
#
# Модель в трёх фразах:
#
# 1. пока клиент «жив», он покупает в своём постоянном темпе (пуассоновский поток), и темп у
#    разных клиентов разный (гамма-распределение, параметры `r`, `alpha`);
# 2. после каждой покупки клиент может уйти насовсем — со своей вероятностью (бета-распределение
#    по клиентам, параметры `a`, `b`);
# 3. об уходе никто не сообщает: мы видим только `frequency` (число повторных покупок), `recency`
#    (от первой до последней покупки) и `T` (от первой покупки до сегодня).
#
# По ним P(alive) считается по формуле
# `1 / (1 + [frequency > 0] · a / (b + frequency − 1) · ((alpha + T) / (alpha + recency)) ^ (r + frequency))`.
# Долгое молчание тревожно для клиента, который покупал каждую неделю, и нормально для того, кто
# покупает дважды в год: модель сравнивает молчание с историей самого клиента.
#
# В этом уроке правило и модель стоят рядом — на учебном магазине и на CDNOW (данных исходной
# статьи): где они расходятся и почему, и кто из них прав, судя по тому, что клиенты сделали
# потом, — проверка **калибровка / проверочный период**.

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
holdout_days = 180  # your data: the last days kept aside to check the model's forecast

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from clientlib import btyd, datasets, exercises, frameworks, lessons, messages, plots
from clientlib.features import customer_facts
from clientlib.frameworks import btyd as btyd_framework
from clientlib.exercises.l05_qualification_buyers_awareness import persona_names
from clientlib.io import read_transactions
from clientlib.models.reproduce import significant
lessons.setup_notebook(lang)
ACTIVE_MIN, AT_RISK_MIN = 0.7, 0.3  # the btyd framework's thresholds (params active_min, at_risk_min)


def t(key, **fields):
    return messages.text(f"btyd.{key}", lang, **fields)


def model_class(p_alive):
    return np.select([p_alive >= ACTIVE_MIN, p_alive >= AT_RISK_MIN],
                     ["active", "at_risk"], "likely_lost")


life_names = lessons.labels_of("lifecycle", lang)
model_names = lessons.labels_of("btyd", lang)
yes_no = {True: messages.text("lessons_ru.word_yes", lang),
          False: messages.text("lessons_ru.word_no", lang)}


def readable(table):
    """Class ids as labels, yes/no for booleans, headers in the lesson's language."""
    out = table.copy()
    for col, names in (("class", life_names), ("btyd", model_names), ("repeat_buyer", yes_no)):
        if col in out.columns:
            out[col] = out[col].map(names)
    return lessons.localize(out, lang)


# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
lessons.say("lessons.loaded", lang, customers=messages.number(len(facts_df), lang),
            date=messages.date(tx.analysis_date, lang))
why_not = btyd_framework.not_applicable(facts, {"model": "bgnbd", "lang": lang})
fit_ok = why_not is None
if not fit_ok:  # no or too few repeat buyers, or a fit that ran away: said in the lesson's language
    print(t("lesson_not_applicable", why=why_not.removeprefix("btyd: ")))

# %% [markdown] lang="en"
# ## The rule: dormant after one purchase cycle
#
# First the lifecycle framework with its `auto` cycle (twice the typical gap between purchases of
# repeat buyers), as in lesson 02.

# %% [markdown] lang="ru"
# ## Правило: заснувший после одного цикла покупки
#
# Сначала «Дао клиента» с циклом `auto` (два типичных промежутка между покупками у повторных
# покупателей), как в уроке 02.

# %%
rb = frameworks.load("lifecycle")
with warnings.catch_warnings():  # no cycle to estimate is said below, in the lesson's language
    warnings.simplefilter("ignore")
    life = rb.classify(facts, lang=lang).to_pandas().sort_values("customer_id", ignore_index=True)
cycle = rb.resolved_params_["purchase_cycle_days"]
if cycle is None:
    lessons.say("lessons_ru.no_cycle", lang, once=True)
else:
    print(t("lesson_cycle", days=messages.number(cycle, lang, 1)))
life["label"].value_counts().rename(t("col_customers")).rename_axis(t("col_rule")).to_frame()

# %% [markdown] lang="en"
# ## The model: BG/NBD fitted on every buyer
#
# `btyd.BetaGeoModel` is a scikit-learn-style estimator: `fit(frequency, recency, T)` finds the
# four parameters by maximum likelihood; `p_alive(...)` and `expected_purchases(t, ...)` score
# customers. The facts already carry `frequency`, `recency` and `T` in days;
# `btyd.summary_from_facts` keeps the buyers.

# %% [markdown] lang="ru"
# ## Модель: BG/NBD по всем покупателям
#
# `btyd.BetaGeoModel` устроена как оценщик scikit-learn: `fit(frequency, recency, T)` находит
# четыре параметра методом максимального правдоподобия; `p_alive(...)` и
# `expected_purchases(t, ...)` оценивают клиентов. В фактах уже есть `frequency`, `recency` и `T`
# в днях; `btyd.summary_from_facts` оставляет покупателей.

# %%
summary = btyd.summary_from_facts(facts_df, "days")
if fit_ok:
    bg = btyd.BetaGeoModel(time_unit="days").fit(summary["frequency"], summary["recency"],
                                                 summary["T"])
    print(t("lesson_fit", n=messages.number(bg.n_customers_, lang), unit=t("unit_days"),
            **{k: significant(v, lang) for k, v in bg.params_.items()},
            ll=messages.number(bg.log_likelihood_, lang, 1)))
    summary["p_alive"] = bg.p_alive(summary["frequency"], summary["recency"], summary["T"])
    summary["expected_90d"] = bg.expected_purchases(90, summary["frequency"], summary["recency"],
                                                    summary["T"])
    summary["btyd"] = model_class(summary["p_alive"])
    both = life[["customer_id", "class", "reason"]].merge(summary, on="customer_id")
    both = both.merge(facts_df[["customer_id", "recency_days"]], on="customer_id")
    display(pd.crosstab(both["class"].map(life_names).rename(t("col_rule")),
                        both["btyd"].map(model_names).rename(t("col_model"))))
else:
    lessons.say("lessons_ru.skip_no_repeat", lang, what=messages.text("lessons_ru.what_model", lang))

# %% [markdown] lang="en"
# The same model runs as a framework, `btyd`, beside the rulebooks (with `model="bgnbd"`: the
# framework's default is Pareto/NBD, which ranked next-period buyers best in the backtest of lesson
# 10; `mbgnbd` is the third choice): `fit` learns `r`, `alpha`, `a`, `b` from the facts, `transform` computes P(alive) in the engine and classifies by two thresholds
# (params `active_min`, `at_risk_min`), with the reason and the action, like every other framework.
# One class comes first: customers who bought on one day only are `one_time` ("not judged yet"),
# never `active`. The model gives them P(alive) = 1 by assumption, not by evidence (the next section
# shows why), so the framework does not pretend to know; their action is a second-purchase offer.

# %% [markdown] lang="ru"
# Та же модель работает как классификация `btyd` рядом со сводами правил (с `model="bgnbd"`: по
# умолчанию классификация берёт Pareto/NBD — она лучше всех предсказала покупателей следующего
# периода в проверке на истории из урока 10; третий вариант — `mbgnbd`): `fit` оценивает `r`, `alpha`,
# `a`, `b` по фактам, `transform` считает P(alive) в движке и делит клиентов по двум порогам
# (параметры `active_min`, `at_risk_min`) — с причиной и действием, как любая другая классификация.
# Первым идёт отдельный класс: клиенты, покупавшие только в один день, — `one_time` («разовый
# покупатель, модель пока не оценивает»), а не `active`. Модель даёт им P(alive) = 1 по допущению, а
# не по данным (почему — в следующем разделе), поэтому классификация не делает вид, что знает; действие
# для них — предложение на вторую покупку.

# %%
fw = frameworks.load("btyd", lang=lang, model="bgnbd")  # this lesson's model
display(lessons.localize(pd.DataFrame(fw.describe(lang)).set_index("id"), lang))
if fit_ok:
    scored = fw.fit(facts).transform(facts).to_pandas().sort_values("customer_id",
                                                                     ignore_index=True)
    display(lessons.localize(scored.groupby("class").head(1).sort_values("class")[
        ["customer_id", "label", "reason", "action"]].set_index("customer_id"), lang))

# %% [markdown] lang="en"
# ## Where they disagree, and why
#
# Three cases explain almost every disagreement:
#
# * **one purchase only.** The rule calls a one-off buyer dormant after a cycle. BG/NBD gives them
#   P(alive) = 1: in this model a customer can only drop out *right after a purchase*, so a customer
#   with no repeat purchase has never had the chance to leave. This is an assumption, not a
#   finding — the model simply cannot see a one-off buyer's departure.
# * **a slow but steady rhythm.** A repeat buyer whose normal gap is longer than the shop's cycle is
#   dormant by the rule, active for the model.
# * **a broken fast rhythm.** A frequent buyer who has gone quiet for less than a cycle is fine by the
#   rule, at risk for the model: for them this silence is unusual.

# %% [markdown] lang="ru"
# ## Где они расходятся и почему
#
# Почти все расхождения объясняются тремя случаями:
#
# * **всего одна покупка.** Правило называет разового покупателя заснувшим через цикл. BG/NBD даёт
#   ему P(alive) = 1: в этой модели клиент может уйти только *сразу после покупки*, и у клиента без
#   повторных покупок такой возможности ещё не было. Это допущение модели, а не вывод из данных —
#   уход разового покупателя модель просто не видит.
# * **медленный, но ровный ритм.** Повторный покупатель, у которого обычный промежуток длиннее
#   цикла магазина, по правилу заснул, а по модели активен.
# * **сломанный быстрый ритм.** Частый покупатель, который молчит меньше цикла, по правилу в
#   порядке, а по модели под угрозой: для него такое молчание необычно.

# %%
if fit_ok:
    dormant = both["class"] == "dormant"
    lost = both["btyd"] != "active"
    cases = {
        "case_one_off": dormant & (both["frequency"] == 0),
        "case_rhythm": dormant & (both["frequency"] > 0) & ~lost,
        "case_broken": ~dormant & lost,
        "case_agree_lost": dormant & lost,
    }
    display(pd.Series({t(k): int(v.sum()) for k, v in cases.items()}, name=t("col_customers"))
            .rename_axis(t("col_case")).to_frame())

# %%
if fit_ok:
    columns = ["customer_id", "class", "frequency", "recency_days", "T", "p_alive", "btyd"]
    examples = pd.concat(
        [both.loc[m, columns].head(2).assign(case=t(k)) for k, m in cases.items()],
        ignore_index=True,
    )
    display(readable(examples.round({"p_alive": 3}).set_index("customer_id")))

# %% [markdown] lang="en"
# The picture behind the table: P(alive) against the days since the last purchase, for customers
# 365 days after their first purchase, with the rule's single line. The rule is one vertical line
# for everybody; the model lets a frequent buyer's chance fall fast and an occasional buyer's slowly.

# %% [markdown] lang="ru"
# Картина за таблицей: P(alive) по дням с последней покупки для клиентов через 365 дней после
# первой покупки, и одна линия правила. Правило — одна вертикальная черта для всех; по модели
# шанс частого покупателя падает быстро, а редкого — медленно.

# %%
if fit_ok:
    plots.p_alive_curves(bg, 365, frequencies=(1, 3, 6, 12), cycle=cycle, lang=lang)
    plt.show()

# %% [markdown] lang="en"
# On the workshop shop we know the truth: every customer has a hidden `persona`. Who sees the
# `churned` customers — and who wrongly calls the loyal ones lost?

# %% [markdown] lang="ru"
# В учебном магазине правда известна: у каждого клиента есть скрытая `persona`. Кто видит ушедших
# (`churned`) — и кто ошибочно записывает в ушедшие верных клиентов?

# %%
if fit_ok and cu is not None and "persona" in cu.table.columns:
    personas = cu.table.select("customer_id", "persona").to_pandas()
    truth = both.merge(personas, on="customer_id")
    persona = persona_names(truth["persona"], lang).rename(lessons.header("persona", lang))
    display(pd.crosstab(persona, truth["btyd"].map(model_names).rename(t("col_model"))))
    display(pd.crosstab(persona, truth["class"].map(life_names).rename(t("col_rule"))))

# %% [markdown] lang="en"
# ## CDNOW: the published figures
#
# The CDNOW 1/10 sample (2,357 customers who first bought in the first quarter of 1997) is the data
# of the paper. Its first 39 weeks (to 30 September 1997) are the **calibration** period, the next
# 39 weeks the **holdout**. Fitted in weeks, the model reproduces the published parameters
# (r = 0.243, α = 4.414, a = 0.793, b = 2.426, log-likelihood −9,582.4) and the Gamma-Gamma spend
# model those of the second paper (p = 6.25, q = 3.74, γ = 15.44). clientlib's column shows 4
# significant digits; the same table comes from the command line:
# `clientlib btyd fit --dataset cdnow_sample --time-unit weeks --period-convention paper
# --calibration-end 1997-09-30 --holdout-end 1998-06-30`.

# %% [markdown] lang="ru"
# ## CDNOW: опубликованные цифры
#
# Выборка 1/10 CDNOW (2 357 клиентов, впервые купивших в первом квартале 1997 года) — данные
# статьи. Первые 39 недель (до 30 сентября 1997) — период **калибровки**, следующие 39 недель —
# **проверочный** период. Оценённая в неделях, модель воспроизводит опубликованные параметры
# (r = 0,243, α = 4,414, a = 0,793, b = 2,426, логарифм правдоподобия −9 582,4), а модель трат
# Gamma-Gamma — параметры второй статьи (p = 6,25, q = 3,74, γ = 15,44). В столбце clientlib —
# 4 значащие цифры; ту же таблицу печатает командная строка:
# `clientlib btyd fit --dataset cdnow_sample --time-unit weeks --period-convention paper
# --calibration-end 1997-09-30 --holdout-end 1998-06-30 --lang ru`.

# %%
cdnow = datasets.load_cdnow_sample()
cal = btyd.calibration_summary(cdnow, "1997-09-30", "1998-06-30", timestamp="date",
                               time_unit="weeks")
bg_w = btyd.BetaGeoModel(time_unit="weeks").fit(cal["frequency"], cal["recency"], cal["T"])
repeat = cal[cal["frequency"] > 0]
gg = btyd.GammaGammaModel(time_unit="weeks").fit(repeat["frequency"], repeat["monetary_value"])
published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log-likelihood": -9582.4,
             "p": 6.25, "q": 3.74, "v": 15.44}
ours = {**bg_w.params_, "log-likelihood": bg_w.log_likelihood_, **gg.params_}
def as_published(v):  # the paper's own digits: 0.243 stays 0.243
    return messages.number(v, lang, len(repr(v).partition(".")[2]))


# ours with 4 significant digits (0.2426: 0.243 and 0.2426 would both read 0.24 with 2 decimals)
fitted = pd.DataFrame({
    t("col_published"): {k: as_published(v) for k, v in published.items()},
    "clientlib": {k: messages.number(v, lang, 2) if k == "log-likelihood" else significant(v, lang)
                  for k, v in ours.items()},
})
fitted.index = [lessons.header("log_likelihood", lang) if k == "log-likelihood" else k
                for k in fitted.index]
fitted.rename_axis(lessons.header("parameter", lang))

# %% [markdown] lang="en"
# ## Calibration / holdout: did the model see the future?
#
# The classic check: group customers by their repeat purchases in the calibration period and compare
# the mean number of purchases they **actually** made in the holdout with the number the model
# **expected** from their calibration history alone. The grey numbers are the customers per group.

# %% [markdown] lang="ru"
# ## Калибровка и проверка: увидела ли модель будущее?
#
# Классическая проверка: разбить клиентов по числу повторных покупок в период калибровки и
# сравнить среднее число покупок, которое они **на самом деле** сделали в проверочном периоде, с
# числом, которое модель **ожидала** по одной лишь истории калибровки. Серые числа — клиентов в
# группе.

# %%
plots.calibration_holdout_plot(cal, bg_w, lang=lang)
plt.show()
pred = bg_w.expected_purchases(39, cal["frequency"], cal["recency"], cal["T"])
print(t("lesson_holdout", start=messages.date(pd.Timestamp("1997-10-01").date(), lang),
        end=messages.date(pd.Timestamp("1998-06-30").date(), lang),
        actual=messages.number(cal["frequency_holdout"].sum(), lang),
        predicted=messages.number(pred.sum(), lang)))

# %% [markdown] lang="en"
# The same check week by week: the repeat purchases of all customers added up since the first
# week, actual and expected (the BTYD walkthrough's figure; the dotted line ends the calibration).

# %% [markdown] lang="ru"
# Та же проверка по неделям: повторные покупки всех клиентов нарастающим итогом с первой недели,
# факт и ожидание модели (рисунок из руководства к пакету BTYD; пунктир — конец калибровки).

# %%
from clientlib.models import validation, validation_plots

track = validation.tracking(cdnow, bg_w, "1997-09-30", "1998-06-30", timestamp="date")
validation_plots.tracking_plot(track, lang=lang)
plt.show()

# %% [markdown] lang="en"
# ## Rule against model on CDNOW, judged by the holdout
#
# Now both answer "who is dormant on 1 October 1997?" from the calibration data, and the holdout says
# who was right: what share of each class bought again in the following 39 weeks?

# %% [markdown] lang="ru"
# ## Правило против модели на CDNOW, судья — проверочный период
#
# Теперь оба отвечают на вопрос «кто заснул к 1 октября 1997?» по данным калибровки, а проверочный
# период показывает, кто был прав: какая доля каждого класса купила снова в следующие 39 недель?

# %%
cd_tx = read_transactions(cdnow, datasets.CDNOW_MAPPING, analysis_date="1997-10-01")
cd_life = frameworks.load("lifecycle").classify(customer_facts(cd_tx)).to_pandas()
cal["btyd"] = model_class(bg_w.p_alive(cal["frequency"], cal["recency"], cal["T"]))
cal["predicted"] = pred
judged = cd_life[["customer_id", "class"]].merge(cal, on="customer_id")
judged["repeat_buyer"] = judged["frequency"] > 0


def holdout_table(by):
    g = judged.groupby(by)
    return pd.DataFrame({
        t("col_customers"): g.size(),
        t("col_bought_again"): g["frequency_holdout"].apply(lambda s: (s > 0).mean()).round(3),
        t("col_mean_holdout"): g["frequency_holdout"].mean().round(2),
        t("col_predicted"): g["predicted"].mean().round(2),
    })


def named(table):
    """The holdout table with labels for class ids, yes/no and headers in the lesson's language."""
    index = table.index.to_frame(index=False)
    for col in index.columns:
        index[col] = index[col].map({"class": life_names, "btyd": model_names,
                                     "repeat_buyer": yes_no}[col])
    table.index = pd.MultiIndex.from_frame(index) if index.shape[1] > 1 else pd.Index(
        index.iloc[:, 0])
    return lessons.localize(table, lang)


display(named(holdout_table("class")))
display(named(holdout_table("btyd")))
named(holdout_table(["repeat_buyer", "btyd"]))

# %% [markdown] lang="en"
# The one-off buyers make the difference. The rule calls most of CDNOW dormant, the model calls the
# one-off buyers active — and in the holdout only a minority of them came back. The model's "active"
# is P(alive) = 1 by assumption, not by evidence: it still expects few purchases from them
# (`expected_purchases` is low because their rate is low), which is why its purchase forecast for
# them holds even though the class is misleading — which is why the `btyd` framework puts them in a
# class of their own, `one_time`. Among repeat buyers (the last table) the model
# sorts well: its `active` came back most often, its `at_risk` less, its `likely_lost` least — and
# the likely lost still bought more than the model expected, so "lost" is a ranking, not a verdict.
#
# **Spend and CLV.** Gamma-Gamma turns each customer's average repeat spend into an expected spend
# (shrunk towards the population mean when the history is short); times the BG/NBD purchases,
# discounted monthly, it gives a customer lifetime value. A month here is 30.4375 days
# (365.25 / 12, `btyd.MONTH_DAYS`, as pymc-marketing; lifetimes takes 30 days or 4.345 weeks):

# %% [markdown] lang="ru"
# Разница — в разовых покупателях. Правило называет заснувшими большую часть CDNOW, модель разовых
# покупателей — активными, а в проверочном периоде вернулось лишь меньшинство из них. «Активный» у
# модели — это P(alive) = 1 по допущению, а не по данным: покупок от них она всё равно ждёт мало
# (`expected_purchases` мал, потому что мал их темп), поэтому прогноз покупок для них держится, хотя
# класс вводит в заблуждение; вот почему классификация `btyd` выделяет их в отдельный класс `one_time`.
# Среди повторных покупателей (последняя таблица) модель сортирует
# хорошо: её «активные» возвращались чаще всех, «под угрозой» — реже, «скорее всего ушедшие» — реже
# всех, и всё же они купили больше, чем ждала модель: «ушёл» — это порядок, а не приговор.
#
# **Траты и CLV.** Gamma-Gamma превращает средний чек повторных покупок клиента в ожидаемый чек
# (ближе к среднему по всем, когда история короткая); умноженный на покупки по BG/NBD и
# дисконтированный помесячно, он даёт пожизненную ценность клиента (CLV). Месяц здесь — 30,4375 дня
# (365,25 / 12, `btyd.MONTH_DAYS`, как в pymc-marketing; в lifetimes — 30 дней или 4,345 недели):

# %%
cal["clv_12m"] = gg.clv(bg_w, cal["frequency"], cal["recency"], cal["T"], cal["monetary_value"],
                        horizon=12, discount_rate=0.01)
readable(cal.sort_values(["clv_12m", "customer_id"], ascending=[False, True]).head(5)[
    ["customer_id", "frequency", "recency", "T", "monetary_value", "btyd", "clv_12m"]]
    .round(2).set_index("customer_id"))

# %% [markdown] lang="en"
# ## Exercises
#
# Use `summary` (the workshop buyers with `p_alive`), `both` (with the lifecycle class) and
# `judged` (CDNOW: rule, model and holdout).

# %% [markdown] lang="ru"
# ## Упражнения
#
# Используйте `summary` (покупатели учебного магазина с `p_alive`), `both` (с классом «Дао
# клиента») и `judged` (CDNOW: правило, модель и проверочный период).

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %%
from clientlib.exercises import l09_btyd as l09

if "p_alive" in summary:  # the model applies: somebody bought twice
    display(lessons.localize(l09.active_by_threshold(summary, lang=lang), lang))

# %% [markdown] lang="en"
# ### Exercise 1: a stricter "active"
#
# If a customer is active only when P(alive) ≥ **0.8**, how many workshop buyers are active?

# %% [markdown] lang="ru"
# ### Упражнение 1: строже «активный»
#
# Если клиент активен только при P(alive) ≥ **0,8**, сколько покупателей учебного магазина активны?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("btyd_active_08", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: repeat buyers only
#
# Leave out the one-off buyers (their P(alive) is 1 by assumption). How many workshop customers are
# **dormant by the rule but active for the model** and have at least one repeat purchase?

# %% [markdown] lang="ru"
# ### Упражнение 2: только повторные покупатели
#
# Уберите разовых покупателей (их P(alive) равна 1 по допущению). Сколько клиентов учебного магазина
# **заснули по правилу, но активны по модели** и сделали хотя бы одну повторную покупку?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("btyd_rule_dormant_model_active", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 3: who came back?
#
# On CDNOW, what **share** of the customers the lifecycle rule calls dormant on 1 October 1997 made at
# least one purchase in the holdout period? Answer with a share between 0 and 1.

# %% [markdown] lang="ru"
# ### Упражнение 3: кто вернулся?
#
# Какая **доля** клиентов CDNOW, заснувших по правилу на 1 октября 1997, сделала хотя бы одну покупку
# в проверочном периоде? Ответ — доля от 0 до 1.

# %% lang="en"
answer = None  # your answer: a share from 0 to 1, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: доля от 0 до 1, например answer = 0.25

# %%
exercises.check("btyd_cdnow_dormant_came_back", answer, cdnow=cdnow, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): which "dormant" for the wake-up campaign?
#
# A colleague proposes to send the wake-up campaign to the model's `at_risk` and `likely_lost`
# customers instead of the rule's `dormant` ones. In a few sentences: what would you answer, and
# what would you check first on your own data?

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): какой «заснувший» для кампании пробуждения?
#
# Коллега предлагает отправлять кампанию пробуждения клиентам `at_risk` и `likely_lost` по модели,
# а не заснувшим по правилу. В нескольких фразах: что вы ответите и что проверите первым делом на
# своих данных?

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("btyd_campaign_open", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# Run this lesson on your export:
#
# ```bash
# papermill notebooks/en/09_btyd.ipynb my_09.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# Everything above the CDNOW section is computed from your customers. The
# model needs repeat buyers: without any, the lesson says so at the top. Before you trust P(alive)
# on your data, repeat the holdout check on it: the cell below keeps the last `holdout_days` days
# aside, fits on the rest, and compares the forecast with what happened. A model whose predicted and
# actual lines part ways (seasonality, a promotion, a change in the assortment) is not ready to
# replace the rule.
#
# The options `sep`, `decimal`, `dayfirst` and `encoding` read a typical 1C or Excel export
# (semicolons, decimal commas, dates like 31.12.2024, Windows-1251); drop those your file does
# not need. With a contact log and a survey, pass every file: `-y 'data: {transactions:
# orders.csv, events: contacts.csv, customers: survey.csv}'`. If a file cannot be read, the lesson
# stops at its first cell with one line saying which option to change; `--execution-timeout 600`
# stops a cell that runs longer than ten minutes.

# %% [markdown] lang="ru"
# ## На своих данных
#
# Запустите урок на своей выгрузке:
#
# ```bash
# papermill notebooks/ru/09_btyd.ipynb my_09.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# Всё до раздела о CDNOW считается по вашим клиентам. Модели нужны повторные покупатели: если их нет,
# урок скажет об этом в начале. Прежде чем доверять P(alive) на своих данных, повторите на них
# проверку: ячейка ниже откладывает последние `holdout_days` дней, оценивает модель на остальных и
# сравнивает прогноз с тем, что произошло. Если линии прогноза и факта расходятся (сезонность,
# акция, смена ассортимента), модель ещё не готова заменить правило.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.

# %%
raw = tx.table.select("customer_id", "timestamp", "amount").to_pandas()
end = pd.Timestamp(tx.analysis_date) - pd.Timedelta(days=1)
own = btyd.calibration_summary(raw, end - pd.Timedelta(days=holdout_days), end)
if fit_ok and (own["frequency"] > 0).any():
    own_bg = btyd.BetaGeoModel(time_unit="days").fit(own["frequency"], own["recency"], own["T"])
    plots.calibration_holdout_plot(own, own_bg, lang=lang)
    plt.show()
    own_pred = own_bg.expected_purchases(own["duration_holdout"], own["frequency"],
                                         own["recency"], own["T"])
    print(t("lesson_holdout",
            start=messages.date((end - pd.Timedelta(days=holdout_days - 1)).date(), lang),
            end=messages.date(end.date(), lang),
            actual=messages.number(own["frequency_holdout"].sum(), lang),
            predicted=messages.number(own_pred.sum(), lang)))
else:
    lessons.say("lessons_ru.skip_no_repeat", lang, what=messages.text("lessons_ru.what_model", lang))
