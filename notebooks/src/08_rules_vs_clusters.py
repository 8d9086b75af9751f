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
# # 08 · Rules against clusters
#
# ## Why it matters
#
# By now the same customers have been sorted many times: by rules written from business experience
# (the lifecycle, the loyalty ladder, value tiers, RFM segments…) and by k-means, which follows the
# data. Each rule class comes with a meaning and an action, but its boundaries were chosen by people;
# each cluster follows the data, but its meaning has to be read afterwards. This lesson puts them side
# by side, and the decision it drives is whether to **trust a rulebook as it is, change its
# thresholds, or split a class** whose customers behave in two different ways and so need two
# different actions.
#
# Where rules and clusters agree, the rules describe real structure. Where they disagree, either a rule
# mixes customers who behave differently, or the clusters split along something the business does not
# care about. High agreement is not the goal in itself: the disagreements are where you learn.

# %% [markdown] lang="ru"
# # 08 · Правила против кластеров
#
# ## Зачем это нужно
#
# К этому уроку одних и тех же клиентов разложили по группам много раз: правилами, написанными по
# опыту бизнеса (Дао клиента, лестница лояльности, золотые клиенты, сегменты RFM…), и методом k-means,
# который идёт за данными. У каждого класса правил есть смысл и действие, но границы выбирали люди; у
# каждого кластера границы проведены по данным, но смысл приходится вычитывать потом. Этот урок ставит
# их рядом, и решение, которое он подсказывает: **оставить свод правил как есть, сдвинуть пороги или
# разделить класс**, в котором клиенты ведут себя двумя разными способами и поэтому требуют двух
# разных действий.
#
# Там, где правила и кластеры согласны, правила описывают настоящую структуру. Там, где расходятся,
# либо правило смешивает клиентов с разным поведением, либо кластеры делят клиентов по признаку,
# который бизнесу не важен. Высокое согласие само по себе не цель: учатся как раз на расхождениях.

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
# ## How agreement is measured
#
# A **crosstab** counts customers per pair (class, cluster); every score below summarises it.
#
# * **Adjusted Rand index (ARI)**: over all pairs of customers, how often the two groupings agree on
#   "same group" or "different groups", corrected so that a random grouping scores 0; 1 means the same
#   grouping up to the names.
# * **Adjusted mutual information (AMI)**: how much knowing the class tells you about the cluster, on
#   the same scale (0 chance, 1 identical); less sensitive than ARI to one huge group.
# * **Cramér's V**: the strength of association in the crosstab, from 0 to 1, not corrected for
#   chance (so it is never negative).
# * **Purity**: the share of customers on the best one-to-one matching of classes to clusters, the
#   most concrete of the four: "this many customers would be in the matching group".
#
# A toy example makes the scale concrete: six customers, a rule that calls them a, a, b, b, c, c, and
# three other groupings — the same one renamed, one that moves a single customer, and one that
# ignores the rule.

# %% [markdown] lang="ru"
# ## Как измеряется согласие
#
# **Таблица сопряжённости** считает клиентов в каждой паре (класс, кластер); все оценки ниже сводят
# её к одному числу.
#
# * **Скорректированный индекс Рэнда (ARI)**: по всем парам клиентов — как часто две классификации
#   согласны в том, что клиенты «в одной группе» или «в разных», с поправкой, при которой случайное
#   разбиение даёт 0; 1 — то же разбиение с точностью до названий.
# * **Скорректированная взаимная информация (AMI)**: сколько знание класса говорит о кластере, в той
#   же шкале (0 — случайность, 1 — совпадение); меньше, чем ARI, зависит от одной огромной группы.
# * **V Крамера**: сила связи в таблице сопряжённости, от 0 до 1, без поправки на случайность
#   (поэтому не бывает отрицательной).
# * **Чистота (purity)**: доля клиентов на лучшем взаимно-однозначном сопоставлении классов и
#   кластеров — самая наглядная из четырёх: «столько клиентов оказались бы в соответствующей группе».
#
# Игрушечный пример показывает шкалу: шесть клиентов, правило даёт им классы a, a, b, b, c, c, и три
# других разбиения — то же с другими названиями, с одним перемещённым клиентом и не связанное с правилом.

# %%
import warnings

import ibis
import matplotlib.pyplot as plt
import pandas as pd

from clientlib import exercises, frameworks, lessons, plots, segment
from clientlib.clusters import CustomerClusters, name_clusters
from clientlib.compare import agreement_matrix, compare
from clientlib.exercises import l05_qualification_buyers_awareness as l05
from clientlib.exercises import l08_rules_vs_clusters as l08
from clientlib.features import customer_facts
from clientlib.messages import date, number, text

lessons.setup_notebook()
display(l05.show(l08.toy_scores(lang=lang), lang))

# %% [markdown] lang="en"
# Renaming changes nothing (all scores 1); moving one customer out of six already costs a lot on ARI
# and AMI; a grouping unrelated to the rule sits near 0 — or below it, which means "worse than
# chance", not an error.
#
# ## The data

# %% [markdown] lang="ru"
# Переименование ничего не меняет (все оценки равны 1); перемещение одного клиента из шести уже
# заметно снижает ARI и AMI; разбиение, не связанное с правилом, близко к 0 — или даже ниже, что значит
# «хуже случайной», а не ошибку.
#
# ## Данные

# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
)
facts = customer_facts(inputs.transactions, inputs.events, inputs.customers)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
facts = ibis.memtable(facts_df)  # computed once: every framework below reads the same table
lessons.say("lessons.loaded", lang, customers=number(len(facts_df), lang),
            date=date(inputs.transactions.analysis_date, lang))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # RFM's repeated cut points on some data: lesson 06 explains
    segments, _ = segment.segment(facts, "all", lang=lang)
ran = l05.frameworks_that_apply(segments, facts_df, frameworks.available(), lang)
buyers = facts_df[facts_df["orders"] > 0].reset_index(drop=True)
model = CustomerClusters(n_clusters=4, random_state=seed).fit(buyers)
names = name_clusters(model.profiles_, lang=lang)
clusters = pd.Series(model.labels_, index=buyers["customer_id"], name="kmeans")


def classes(framework):
    part = segments[segments["framework"] == framework]
    return part.set_index("customer_id")["class"].rename(framework)


# %% [markdown] lang="en"
# ## Worked example: RFM segments against k-means
#
# Both look at the same three numbers, so they should agree more than any other pair. The scores, the
# crosstab (each row: where the customers of one RFM segment went) and the best matching.

# %% [markdown] lang="ru"
# ## Разбор на примере: сегменты RFM против k-means
#
# Оба смотрят на одни и те же три числа, поэтому должны совпадать сильнее любой другой пары. Оценки,
# таблица сопряжённости (каждая строка — куда попали клиенты одного сегмента RFM) и лучшее
# сопоставление.

# %%
rfm_labels = segments[segments["framework"] == "rfm"].set_index("customer_id")["label"]
ag = compare(rfm_labels.loc[clusters.index].rename(l05.title("rfm", lang)),
             clusters.map(names).rename(text("lessons_05_08.col_cluster", lang)))
display(l05.show(l08.scores_table(ag, lang=lang), lang))
plots.crosstab_heatmap(ag, normalize="index", lang=lang)
plt.show()
display(l05.show(l08.matching_table(ag, lang=lang), lang))
split = l08.say_split(segments, clusters, names, "rfm", lang=lang)

# %% [markdown] lang="en"
# **Reading the picture.** Each row of the heatmap is one RFM segment and adds up to 100 %: a row with
# one dark cell is a segment k-means finds as it is; a row spread over two or three cells is a segment
# the clusters cut through. The matching pairs each segment with at most one cluster, and the purity is
# the share of buyers sitting on those pairs, so one minus the purity is the share the two groupings
# place differently. ARI and AMI do not care which grouping comes first; the heatmap does: read it by
# rows to ask "where did my segment go?", and by columns to ask "what is this cluster made of?".
#
# **Discuss.** The printed line names the RFM segment that k-means splits most evenly. Look at the two
# clusters it is split between: do they call for different actions? If yes, the segment map would
# gain from a line between them; if not, the split is detail the business can ignore.

# %% [markdown] lang="ru"
# **Как читать картинку.** Каждая строка тепловой карты — один сегмент RFM, и в сумме она даёт 100 %:
# строка с одной тёмной клеткой — сегмент, который k-means находит таким, какой он есть; строка,
# размазанная по двум-трём клеткам, — сегмент, который кластеры разрезают. Сопоставление ставит каждому
# сегменту в пару не больше одного кластера, а чистота — доля покупателей на этих парах; значит,
# единица минус чистота — доля клиентов, которых две классификации разложили по-разному. ARI и AMI всё равно,
# какая классификация первая, а тепловой карте — нет: читайте её по строкам, чтобы спросить «куда делся мой
# сегмент?», и по столбцам — «из кого состоит этот кластер?».
#
# **Обсудите.** В напечатанной строке — сегмент RFM, который k-means делит ровнее всего. Посмотрите на
# два кластера, между которыми он разделён: нужны ли им разные действия? Если да, карте сегментов
# пригодилась бы граница между ними; если нет, это подробность, которую бизнес может не замечать.

# %% [markdown] lang="en"
# ## Every framework against every other
#
# Adjusted mutual information between all groupings, on the buyers (k-means knows only them).
# Frameworks that read the survey (qualification, awareness) should agree little with anything built
# from purchases; frameworks built from orders should agree with each other and with the clusters.

# %% [markdown] lang="ru"
# ## Каждая классификация против каждой
#
# Скорректированная взаимная информация между всеми классификациями, на покупателях (k-means знает
# только их). Классификации на ответах анкеты (квалификация, осведомлённость) почти не должны совпадать
# с тем, что построено на покупках; классификации на заказах должны совпадать друг с другом и с кластерами.

# %%
labelings = {l05.title(name, lang): classes(name).loc[clusters.index] for name in ran}
labelings["k-means"] = clusters
matrix = agreement_matrix(labelings, metric="ami")
display(l05.show(matrix, lang, digits=2))
plots.agreement_heatmap(matrix, metric="AMI", lang=lang)
plt.show()
l08.say_matrix(matrix, lang=lang)

# %% [markdown] lang="en"
# **Discuss.** Which rule-based framework is closest to k-means, and is that the one your business
# actually uses? A survey framework that agrees with nothing is doing its job: it adds what purchases
# cannot show.
#
# ## Who finds the hidden persona?
#
# The workshop data carries each customer's hidden persona. No method was built to recover it, but
# the persona drives the behaviour, so a framework that captures behaviour well should line up with
# it. Here every customer counts, buyers or not; k-means counts non-buyers as a group of their own.
# The second table gives, for each persona, the class (of any framework) that matches it best: most
# of the persona falls into it *and* most of the class is that persona (the F1 score, the harmonic
# mean of the two shares, decides, so that a huge class holding everybody does not win).

# %% [markdown] lang="ru"
# **Обсудите.** Какая классификация на правилах ближе всего к k-means — и им ли на самом деле пользуется
# ваш бизнес? Классификация на анкете, которая ни с чем не совпадает, делает свою работу: она добавляет то,
# чего не видно в покупках.
#
# ## Кто находит скрытую персону?
#
# В учебных данных у каждого клиента есть скрытая персона. Ни один метод не строился, чтобы её найти,
# но поведение задаёт именно персона, так что классификация, хорошо улавливающая поведение, должна с ней
# совпадать. Здесь учитываются все клиенты, и покупатели, и нет; для k-means не покупавшие — отдельная
# группа. Вторая таблица для каждой персоны показывает класс (любой классификации), который совпадает с
# ней лучше всего: в него попала большая часть персоны *и* большая часть класса — это она (решает
# мера F1, среднее гармоническое двух долей, — чтобы не побеждал огромный класс, вместивший всех).

# %%
if "persona" in facts_df.columns:
    persona = facts_df.set_index("customer_id")["persona"]
    display(l05.show(l08.persona_scores(segments, clusters, persona, ran, lang=lang), lang))
    display(l05.show(l08.persona_recovery(segments, persona, ran, lang=lang), lang))
else:
    print(text("lessons_05_08.no_persona", lang))

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %%
display(l05.show(l08.agreement_with_clusters(segments, clusters, ran, lang), lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Four exercises, from one score to an open question. Use `compare`, `classes(name)`, `clusters` and
# `segments`.
#
# ### Exercise 1 (warm-up): lifecycle against clusters
#
# What is the **adjusted Rand index** between the lifecycle classes and the k-means clusters (buyers
# only)?

# %% [markdown] lang="ru"
# ## Упражнения
#
# Четыре упражнения — от одной оценки до открытого вопроса. Пользуйтесь `compare`, `classes(name)`,
# `clusters` и `segments`.
#
# ### Упражнение 1 (разминка): Дао клиента против кластеров
#
# Чему равен **скорректированный индекс Рэнда** между классами Дао клиента (lifecycle) и кластерами
# k-means (только покупатели)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 0.25

# %%
exercises.check("compare_lifecycle_kmeans", answer, segments=segments, clusters=clusters, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: the ladder's strength
#
# What is **Cramér's V** between the loyalty ladder and the k-means clusters (buyers only)?

# %% [markdown] lang="ru"
# ### Упражнение 2: сила связи лестницы
#
# Чему равен **V Крамера** между лестницей лояльности и кластерами k-means (только покупатели)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 0.25

# %%
exercises.check("compare_ladder_cramers", answer, segments=segments, clusters=clusters, lang=lang)

# %%
if "persona" in facts_df.columns:
    display(l05.show(l08.persona_ami_buyers(segments, facts_df, lang), lang))

# %% [markdown] lang="en"
# ### Exercise 3: closest to the truth
#
# The table above counts every customer. Among the **buyers only**, which framework agrees best with
# the hidden persona, measured by **AMI**? Answer with the framework id (`"lifecycle"`) or its title
# in either language.

# %% [markdown] lang="ru"
# ### Упражнение 3: ближе всех к правде
#
# Таблица выше учитывает всех клиентов. А среди **одних только покупателей** какая классификация лучше
# всего совпадает со скрытой персоной по **AMI**? Ответьте id классификации (`"lifecycle"`) или её
# названием на любом из двух языков.

# %% lang="en"
answer = None  # your answer: a name in quotes, e.g. answer = "..."

# %% lang="ru"
answer = None  # ваш ответ: название в кавычках, например answer = "..."

# %%
exercises.check("compare_best_persona", answer, segments=segments, customers=facts_df, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): split or keep?
#
# Pick one class of a rule-based framework that k-means spreads over two or more clusters (use the
# crosstabs above, or `pd.crosstab(classes("ladder").loc[clusters.index], clusters)`). Would you split
# it into two classes with different actions, or keep it? Say which class, the numbers behind the split,
# and what each half would get. The trainer discusses it with the rubric in
# `solutions/README.md`.

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): разделить или оставить?
#
# Выберите класс какой-нибудь классификации на правилах, который k-means разносит по двум кластерам и
# больше (смотрите таблицы выше или `pd.crosstab(classes("ladder").loc[clusters.index], clusters)`).
# Разделили бы вы его на два класса с разными действиями или оставили бы? Назовите класс, цифры за
# разделением и что получит каждая половина. Тренер разбирает ответ по критериям из
# `solutions/README.ru.md`.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("compare_split_or_keep", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# On your export the lesson runs every framework that your columns allow, k-means, and the
# comparisons:
#
# ```bash
# papermill notebooks/en/08_rules_vs_clusters.ipynb my_08.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# * **Fewer frameworks will run**: on an orders-only file the survey frameworks are not applicable,
#   and frameworks that need order attributes (discounts, premium, express) put everybody in one class;
#   the lesson lists them and leaves them out of the matrix.
# * **There is no hidden persona** in real data; the last section is skipped. The agreement matrix is
#   then the main result: which of your rulebooks is closest to the structure of your base.
# * **Use the split question on your own rulebook.** A class that k-means spreads evenly over two
#   clusters is the first candidate for a second action — test it on a small group before changing the
#   rule.
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
# На вашей выгрузке урок строит все классификации, для которых хватает ваших столбцов, k-means
# и сравнения:
#
# ```bash
# papermill notebooks/ru/08_rules_vs_clusters.ipynb my_08.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# * **Классификаций будет меньше.** На файле, где есть только заказы, классификации на анкетах
#   неприменимы, а те, которым нужны признаки заказов (скидки, премиум, срочность), кладут всех в один
#   класс; урок их перечисляет и не включает в матрицу.
# * **Скрытой персоны** в реальных данных нет, и последний раздел пропускается. Главным результатом
#   становится матрица согласия: какой из ваших сводов правил ближе всего к структуре вашей базы.
# * **Задайте вопрос о разделении своему своду правил.** Класс, который k-means ровно делит между двумя
#   кластерами, — первый кандидат на второе действие; проверьте его на небольшой группе, прежде чем
#   менять правило.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
