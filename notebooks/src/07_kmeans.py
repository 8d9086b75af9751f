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
# # 07 · k-means: letting the data form the groups
#
# ## Why it matters
#
# Every framework so far was drawn by people: someone decided that three orders make a fan, or that
# the top fifth of spenders scores 5. That is their strength — each class comes with a meaning and an
# action — and their risk: the lines may run straight through a group of customers who behave alike,
# or lump together customers who do not. **k-means** is the check. It is told only *how many* groups
# to form and places them where the customers actually crowd together. The decision it drives: how
# many segments the business should run campaigns for, and whether the segments it already has match
# the shape of its customer base.

# %% [markdown] lang="ru"
# # 07 · k-means: пусть группы сформируют сами данные
#
# ## Зачем это нужно
#
# Все классификации до сих пор придумали люди: кто-то решил, что три заказа делают клиента поклонником,
# а пятая часть самых крупных покупателей получает оценку 5. В этом их сила — у каждого класса есть
# смысл и действие — и их риск: границы могут пройти прямо через группу одинаково ведущих себя
# клиентов или, наоборот, объединить непохожих. **k-means** — это проверка. Ему говорят только,
# *сколько* групп сформировать, и он размещает их там, где клиенты действительно скапливаются.
# Решение, которое он подсказывает: под сколько сегментов бизнесу стоит вести кампании и совпадают ли
# уже существующие сегменты с тем, как на самом деле устроена клиентская база.

# %% tags=["parameters"]
# Parameters (papermill can override them, e.g. -p lang ru -p data orders.csv)
lang = "en"  # language of the outputs: "en" or "ru"
data = None  # None: the workshop shop; else your transactions file (or a dict of files)
mapping = None  # {role: column} for your columns, e.g. {"customer_id": "Client"}
analysis_date = None  # "YYYY-MM-DD"; None: the day after the last transaction
returns = None  # reader options, None = the reader's default: "net" | "drop" | "error"
duplicates = None  # "keep" | "drop" | "error"
zero_amount = None  # "keep" | "drop"
sep = None  # CSV separator such as ";" (sniffed when None)
encoding = None  # such as "cp1251" (UTF-8 when None)
date_format = None  # such as "%d.%m.%Y"
dayfirst = None  # True reads 01/02/2024 as 1 February
decimal = None  # "," or "."
seed = 0  # seed of the synthetic workshop shop
n_customers = 2000  # size of the workshop shop
participant = None  # your name for the trainer's answer sheet (else the OS user)
answers = None  # the trainer's answers folder (None: CLIENTLIB_ANSWERS, or not kept)

# %% [markdown] lang="en"
# ## How k-means works, and the three choices that shape it
#
# The algorithm is short: drop k centres among the customers, give each customer to the nearest
# centre, move each centre to the middle of its customers, and repeat until nothing moves. Ten
# random starts are tried and the tightest result is kept. Three choices decide what comes out:
#
# 1. **Features.** By default the RFM numbers — days since the last purchase, orders, total spend —
#    but any numeric customer fact can join (the average order value, the share of discounted
#    orders…).
# 2. **Scaling.** Spend is in money, recency in days, frequency in orders, and all three are skewed: a
#    few customers spend a hundred times the median. Without care the biggest spender alone would pull
#    a centre to himself. So each feature is put on a logarithmic scale (`log1p`) and then
#    standardised (mean 0, standard deviation 1): no feature dominates because of its unit, and a few
#    giants do not drag the groups.
# 3. **k**, the number of groups. Three signals help choose it:
#    * the **elbow** of the inertia curve (the total distance of customers to their centres falls with
#      every extra group; the elbow is where adding one stops paying off);
#    * the **silhouette** (from −1 to 1: how much closer customers are to their own group than to the
#      next one);
#    * **stability**: do different random starts give the same groups? A k whose groups change from
#      run to run cannot carry a campaign.
#
#    The project looks first for the best silhouette among the stable k. When that best is k = 2, it
#    takes instead the best-separated stable k from 3 to 6 whose silhouette is within 0.15 of it (a
#    number of groups a team can act on), and says so in one line; the elbow is shown beside it.
#
# k-means sees only **buyers**: someone who never bought has no recency.

# %% [markdown] lang="ru"
# ## Как работает k-means и три решения, от которых зависит результат
#
# Алгоритм короткий: расставить k центров среди клиентов, отдать каждого клиента ближайшему центру,
# сдвинуть каждый центр в середину его клиентов и повторять, пока ничего не сдвигается. Пробуется
# десять случайных стартов, и остаётся самый плотный результат. Что получится, решают три выбора:
#
# 1. **Признаки.** По умолчанию — числа RFM: дней с последней покупки, число заказов, сумма покупок.
#    Но можно добавить любой числовой факт о клиенте (средний чек, долю заказов со скидкой…).
# 2. **Масштаб.** Сумма измеряется в деньгах, давность — в днях, частота — в заказах, и все три
#    распределения скошены: несколько клиентов тратят в сто раз больше медианы. Без подготовки один
#    крупнейший покупатель перетянул бы центр на себя. Поэтому каждый признак переводится в
#    логарифмическую шкалу (`log1p`) и стандартизуется (среднее 0, стандартное отклонение 1): ни один
#    признак не главенствует из-за единиц измерения, и несколько гигантов не тянут группы за собой.
# 3. **k** — число групп. Помогают три сигнала:
#    * **локоть** кривой инерции (суммарное расстояние клиентов до центров падает с каждой новой
#      группой; локоть — там, где новая группа перестаёт окупаться);
#    * **силуэт** (от −1 до 1: насколько клиенты ближе к своей группе, чем к соседней);
#    * **устойчивость**: дают ли разные случайные старты одни и те же группы? Если при каждом запуске
#      группы другие, кампанию на них не построить.
#
#    Проект сначала ищет лучший силуэт среди устойчивых k. Если лучшим оказалось k = 2, он берёт
#    вместо него лучше всего разделённое устойчивое k от 3 до 6, чей силуэт уступает лучшему не больше
#    чем на 0,15 (столько групп команда может взять в работу), и говорит об этом одной строкой; рядом
#    показан локоть.
#
# k-means видит только **покупателей**: у того, кто ни разу не купил, нет давности.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from clientlib import exercises, lessons, plots
from clientlib.clusters import (
    RFM_FEATURES,
    CustomerClusters,
    choose_k,
    name_clusters,
    naming_cuts,
    naming_note,
)
from clientlib.exercises import l05_qualification_buyers_awareness as l05
from clientlib.exercises import l07_kmeans as l07
from clientlib.features import customer_facts
from clientlib.messages import date, number

lessons.setup_notebook()
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)
facts = customer_facts(inputs.transactions, inputs.events, inputs.customers)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
lessons.say("lessons.loaded", lang, customers=number(len(facts_df), lang),
            date=date(inputs.transactions.analysis_date, lang))
buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)

# %% [markdown] lang="en"
# ## Why the scaling matters
#
# The three features of the buyers, in their own units. Compare the median with the maximum: that gap
# is what the logarithm tames. The last printed line fits four clusters twice, once on the
# standardised numbers as they are and once after the logarithm: without it, look for a cluster of a
# handful of customers — the giants, grouped on their own because their distance to everyone else
# dwarfs every other difference — next to clusters that lump the rest of the base together.

# %% [markdown] lang="ru"
# ## Почему масштаб важен
#
# Три признака покупателей в исходных единицах. Сравните медиану с максимумом: именно этот разрыв
# укрощает логарифм. Последняя напечатанная строка дважды строит четыре кластера: один раз на
# стандартизованных числах как есть, другой — после логарифма. Без него ищите кластер из горстки
# клиентов — гигантов, выделенных в отдельную группу, потому что их отличие от остальных затмевает все
# прочие различия, — рядом с кластерами, которые сваливают в кучу всю остальную базу.

# %%
display(l05.show(l07.feature_summary(buyers, lang=lang), lang))
l07.say_skew(buyers, lang=lang)
l07.say_scaling(buyers, k=4, random_state=seed, lang=lang)

# %% [markdown] lang="en"
# ## Worked example: choosing k
#
# k from 2 to 7, each fitted with ten starts and checked for stability across three seeds.

# %% [markdown] lang="ru"
# ## Разбор на примере: выбираем k
#
# k от 2 до 7, каждое подобрано с десятью стартами и проверено на устойчивость по трём зёрнам.

# %%
kc = choose_k(buyers, range(2, 8), random_state=seed, n_seeds=3)
display(l05.show(l07.k_table(kc, lang=lang), lang))
l07.say_k(kc, lang=lang)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
plots.elbow_plot(kc, ax=axes[0], lang=lang)
plots.silhouette_plot(kc, ax=axes[1], lang=lang)
plt.show()

# %% [markdown] lang="en"
# The best silhouette is often at k = 2: "good customers against the rest" is the cleanest split in
# most shops, and rarely the most useful one, because a business already knows it has good customers
# and the rest. It usually wants a few more groups it can act on, as long as they stay stable: this is
# why the recommendation above moves to 3–6 clusters when their silhouette stays close to the best.
# This lesson takes **k = 4**, next to the elbow, and looks at what the groups are.
#
# **Discuss.** Would your marketing team run four different campaigns? Three? If the silhouette drops
# only a little from k = 2 to k = 4, is the extra detail worth it?

# %% [markdown] lang="ru"
# Лучший силуэт часто получается при k = 2: «хорошие клиенты против остальных» — самое чистое деление
# почти в любом магазине и редко самое полезное, ведь бизнес и так знает, что у него есть хорошие
# клиенты и все прочие. Обычно нужно ещё несколько групп, с которыми можно что-то делать, лишь бы они
# были устойчивы: поэтому рекомендация выше переходит к 3–6 кластерам, когда их силуэт остаётся близким
# к лучшему. В этом уроке возьмём **k = 4** — рядом с локтем — и посмотрим, что это за группы.
#
# **Обсудите.** Запустит ли ваш маркетинг четыре разные кампании? Три? Если силуэт при переходе от
# k = 2 к k = 4 падает ненамного, стоит ли дополнительная детализация того?

# %%
k = 4
model = CustomerClusters(n_clusters=k, random_state=seed).fit(buyers)
names = name_clusters(model.profiles_, list(RFM_FEATURES), lang=lang)
display(l05.show(l07.cluster_table(model, buyers, names, lang=lang), lang))
print(naming_note(naming_cuts(model.profiles_, list(RFM_FEATURES)), lang))

# %% [markdown] lang="en"
# ## What each cluster is
#
# The table gives each cluster's size, its share of buyers and of revenue, and the median of each
# feature in the original units. The names describe each cluster's median customer in absolute
# terms a shop owner reads directly: recent (last purchase at most 90 days ago), cooling or lapsed
# (more than 180 days); one-time (1 order), repeat or frequent (5 orders or more); low, mid or high
# spend (by thirds of the buyers). They do not depend on the average buyer, so a cluster keeps its
# name when the analysis date moves by a day. The line under the table states the rule. Cluster 0
# is always the largest.
#
# The snake plot (left) draws each cluster's profile across the features in standardised units: lines
# far apart mean clearly different groups. The scatter (right) projects the customers on the two
# directions along which they differ most.

# %% [markdown] lang="ru"
# ## Что представляет собой каждый кластер
#
# В таблице — размер каждого кластера, его доля среди покупателей и в выручке и медиана каждого
# признака в исходных единицах. Названия описывают медианного клиента кластера в абсолютных
# величинах, понятных владельцу магазина: недавние (последняя покупка не больше 90 дней назад),
# остывающие или ушедшие (больше 180 дней); разовые (1 заказ), повторные или частые (5 заказов и
# больше); малые, средние или большие траты (по третям покупателей). Они не зависят от среднего
# покупателя, поэтому кластер не меняет названия, если дата анализа сдвинется на день. Правило
# названо в строке под таблицей. Кластер 0 всегда самый большой.
#
# «Змейка» (слева) рисует профиль каждого кластера по признакам в стандартизованных единицах: чем
# дальше друг от друга линии, тем явнее различаются группы. Диаграмма рассеяния (справа) проецирует
# клиентов на два направления, по которым они различаются сильнее всего.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plots.snake_plot(model.profiles_, ax=axes[0], names=names, value="z", lang=lang)
plots.cluster_scatter(buyers, model.labels_, ax=axes[1], names=names, lang=lang)
plt.show()
l07.say_clusters(model, buyers, names, lang=lang)

# %% [markdown] lang="en"
# ## From cluster to segment
#
# A cluster becomes a segment when it has a name the team understands, an action, and someone who owns
# the action. Three checks before handing clusters to marketing:
#
# 1. **Stable**: the k table's stability is high enough that a rerun next month gives the same groups.
# 2. **Big enough**: the smallest cluster can carry a campaign of its own (the printed line gives its
#    size and its share of revenue).
# 3. **Different where it matters**: two clusters that differ only in a feature that changes no action
#    (say, 40 against 60 days since the last purchase for a shop that mails everyone monthly) are one
#    segment for the business, however clean the silhouette.
#
# **Discuss.** Which cluster would you give a name of your own — and an action? Is there a cluster that
# no rule of the earlier lessons describes?
#
# ## Clusters against the hidden persona
#
# The workshop shop knows the kind of customer the generator planted behind each row. Where the data
# carries it, the crosstab shows where each persona landed.

# %% [markdown] lang="ru"
# ## От кластера к сегменту
#
# Кластер становится сегментом, когда у него есть понятное команде название, действие и тот, кто за
# это действие отвечает. Три проверки, прежде чем отдавать кластеры маркетингу:
#
# 1. **Устойчивость**: в таблице k она достаточно высока, чтобы повторный запуск через месяц дал те же
#    группы.
# 2. **Размер**: самый маленький кластер выдерживает собственную кампанию (напечатанная строка даёт его
#    размер и долю выручки).
# 3. **Различие там, где это важно**: два кластера, которые отличаются только признаком, не меняющим
#    действия (скажем, 40 и 60 дней с последней покупки в магазине, который раз в месяц пишет всем),
#    для бизнеса — один сегмент, каким бы чистым ни был силуэт.
#
# **Обсудите.** Какому кластеру вы дали бы своё название — и какое действие? Есть ли кластер, который
# не описывает ни одно правило из прошлых уроков?
#
# ## Кластеры и скрытые персоны
#
# Учебный магазин знает, какой тип клиента генератор заложил за каждой строкой. Если данные его
# содержат, таблица сопряжённости показывает, куда попала каждая персона.

# %%
display(l05.show(l07.persona_crosstab(model, buyers, names, lang=lang), lang))

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %%
display(l05.show(l07.sizes_by_k(buyers, range(2, 7), lang=lang), lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Four exercises, from a refit to an open question. Use `buyers`, `CustomerClusters` and `choose_k`.
#
# ### Exercise 1 (warm-up): three clusters
#
# Fit k-means with **k = 3** (`random_state=0`): how many customers are in the largest cluster?

# %% [markdown] lang="ru"
# ## Упражнения
#
# Четыре упражнения — от повторной подгонки до открытого вопроса. Пользуйтесь `buyers`,
# `CustomerClusters` и `choose_k`.
#
# ### Упражнение 1 (разминка): три кластера
#
# Подгоните k-means с **k = 3** (`random_state=0`): сколько клиентов в самом большом кластере?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("kmeans_k3_largest", answer, buyers=buyers, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: the biggest spenders
#
# In the k = 4 model above, which cluster has the highest **median total spend**? Answer with the
# cluster number or its name in either language.

# %% [markdown] lang="ru"
# ### Упражнение 2: самые крупные покупатели
#
# В модели с k = 4 выше у какого кластера самая высокая **медиана суммы покупок**? Ответьте номером
# кластера или его названием на любом из двух языков.

# %% lang="en"
answer = None  # your answer: a name in quotes, e.g. answer = "..."

# %% lang="ru"
answer = None  # ваш ответ: название в кавычках, например answer = "..."

# %%
exercises.check("kmeans_top_spend_cluster", answer, buyers=buyers, lang=lang)

# %%
kc4 = choose_k(buyers, range(2, 7), features=[*RFM_FEATURES, "avg_spend"], random_state=0,
               n_seeds=2)
display(l05.show(l07.k_table(kc4, lang=lang), lang))

# %% [markdown] lang="en"
# ### Exercise 3: a fourth feature
#
# Add `avg_spend` (spend per order) as a fourth feature: which k in 2..6 has the highest silhouette?

# %% [markdown] lang="ru"
# ### Упражнение 3: четвёртый признак
#
# Добавьте `avg_spend` (средний чек) четвёртым признаком: у какого k от 2 до 6 самый высокий силуэт?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 0.25

# %%
exercises.check("kmeans_four_features", answer, buyers=buyers, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): your k
#
# Pick the k you would hand to the marketing team for this shop and defend it in a few sentences: the
# silhouette and stability you accept, the smallest cluster you can still run a campaign for, and what
# you would do with each group. The trainer discusses it with the rubric in `solutions/README.md`.

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): ваше k
#
# Выберите k, которое вы передали бы маркетингу этого магазина, и обоснуйте его в нескольких
# предложениях: какой силуэт и какую устойчивость вы готовы принять, для какого самого маленького
# кластера ещё можно запустить кампанию и что делать с каждой группой. Тренер разбирает ответ по
# критериям из `solutions/README.ru.md`.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("kmeans_your_k", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# k-means needs the same three columns as RFM:
#
# ```bash
# papermill notebooks/en/07_kmeans.ipynb my_07.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# * **Look at the k table before the picture.** On real exports the stability is often lower than on
#   the workshop shop; a k below the stability line gives groups that change when you rerun.
# * **Many one-order customers** make a dense block at "one order, long ago"; it usually becomes one
#   large cluster. That is a finding, not a failure: it is the share of your base that never came
#   back.
# * **Add a feature only with a reason.** Every feature you add changes every distance; add the average
#   order value if your offers differ by basket size, the discount share if promotions drive your
#   sales.
# * **Name the clusters yourself** once you have read the profiles (`CustomerClusters(names={0: "…"})`):
#   a name the team understands is what turns a cluster into a segment.
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
# k-means нужны те же три столбца, что и RFM:
#
# ```bash
# papermill notebooks/ru/07_kmeans.ipynb my_07.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# * **Сначала таблица k, потом картинки.** На реальных выгрузках устойчивость часто ниже, чем в
#   учебном магазине; k ниже порога устойчивости даёт группы, которые меняются при каждом запуске.
# * **Много клиентов с одним заказом** образуют плотный сгусток «один заказ, давно»; обычно он
#   становится одним большим кластером. Это находка, а не сбой: такова доля вашей базы, которая так и
#   не вернулась.
# * **Добавляйте признак только с причиной.** Каждый новый признак меняет все расстояния; добавьте
#   средний чек, если ваши предложения различаются размером корзины, или долю заказов со скидкой, если
#   продажи движут акции.
# * **Назовите кластеры сами**, когда прочтёте профили (`CustomerClusters(names={0: "…"})`): понятное
#   команде название и превращает кластер в сегмент.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
