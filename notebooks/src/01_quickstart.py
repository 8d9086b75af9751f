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
# # 01 · Quickstart: from orders to customer classes
#
# **The decision this lesson drives:** who gets which treatment this month. A welcome series for
# the newcomer, a loyalty offer for the regular, a call from the account manager for the customer
# who brings a tenth of the revenue, a reminder for the one who has gone quiet. Every such choice
# is a *classification rule*: look at what we know about a customer, put them in a class, and let
# the class pick the action. Done by hand, the rules live in people's heads and nobody can say how
# many customers each one touches. Written down as data, they can be counted, argued about and
# changed.
#
# In this workshop you meet seven frameworks that sales and marketing practitioners use to sort
# customers: the customer lifecycle ("Дао клиента"), the loyalty ladder, key clients by value,
# qualification by five criteria, four buyer types, awareness stages and "fast, good, cheap —
# pick two". Later lessons set them next to what the data says without any business rule: RFM
# scores and k-means clusters.
#
# This first lesson walks the whole path once:
#
# ```
# orders + events + survey ──► checked tables ──► one row per customer ──► classes with reasons
# ```
#
# **How the lessons work.** The first code cell holds the parameters: the language, and which
# data to use (the workshop shop by default, or your own file, see the last section). Run the
# cells from top to bottom. Near the end come exercises: write your answer in the cell that says
# `answer = None`, then run the check cell below it. It tells you whether the answer is right and,
# if not, gives a hint. The last exercise of each lesson is an open question for the group.

# %% [markdown] lang="ru"
# # 01 · Быстрый старт: от заказов к классам клиентов
#
# **Какое решение помогает принять этот урок:** кому и что предложить в этом месяце. Новичку —
# приветственную серию писем, постоянному покупателю — программу лояльности, клиенту, который
# приносит десятую часть выручки, — звонок персонального менеджера, а тому, кто пропал, —
# напоминание. За каждым таким выбором стоит *правило классификации*: смотрим, что мы знаем о
# клиенте, относим его к классу, а класс подсказывает действие. Пока правила живут в головах
# менеджеров, никто не скажет, скольких клиентов касается каждое из них. Записанные как данные,
# они считаются, обсуждаются и меняются.
#
# На практикуме мы разберём семь подходов, которыми пользуются продавцы и маркетологи:
# жизненный цикл («Дао клиента»), лестницу лояльности, ключевых клиентов по ценности,
# квалификацию по пяти критериям, четыре типа покупателей, стадии осведомлённости и «быстро,
# качественно, дёшево: выберите любые два». В следующих уроках мы сравним их с тем, что данные
# говорят сами, без бизнес-правил: с RFM-сегментами и кластерами k-means.
#
# В этом уроке мы один раз пройдём весь путь:
#
# ```
# заказы + события + анкета ──► проверенные таблицы ──► строка на клиента ──► классы с причинами
# ```
#
# **Как устроены уроки.** В первой ячейке кода — параметры: язык и данные (по умолчанию учебный
# магазин, но можно подставить свою выгрузку, см. последний раздел). Выполняйте ячейки сверху
# вниз. Ближе к концу — упражнения: запишите ответ в ячейку `answer = None` и запустите ячейку
# проверки под ней. Она скажет, верен ли ответ, а если нет — подскажет, куда смотреть. Последнее
# упражнение каждого урока — открытый вопрос для обсуждения в группе.

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
sheet = None  # sheet of an xlsx/ods file: its name, or its number counted from 1
header_row = None  # row of that sheet with the column names (None: found below any title)
seed = 0  # seed of the synthetic workshop shop
n_customers = 2000  # size of the workshop shop
participant = None  # your name for the trainer's answer sheet (else the OS user)
answers = None  # the trainer's answers folder (None: CLIENTLIB_ANSWERS, or not kept)

# %%
import matplotlib.pyplot as plt
import pandas as pd

from clientlib import exercises, lessons, messages, plots, segment
from clientlib.features import customer_facts

lessons.setup_notebook(lang)

# %% [markdown] lang="en"
# ## The data
#
# By default the lesson uses the **workshop shop**: a synthetic business generated from a seed,
# so everyone in the room sees the same numbers. It has the three tables `clientlib` expects from
# any business:
#
# * **transactions**: one row per order line (customer, order id, time, amount, discount, express
#   and premium flags). Returns are negative lines.
# * **events**: the contact log (leads, enquiries, visits, negotiations, contacts with a sentiment,
#   complaints, refunds, referrals, reviews).
# * **customers**: one row per customer with survey answers. In the workshop shop it also holds a
#   hidden column, `persona`, the "true" type the generator used. Real data never has it; here it
#   lets later lessons ask how well rules and clusters find the truth.
#
# The readers map your column names to the roles `clientlib` knows, parse the types and count
# every row they cannot use, with the reason: nothing disappears without a line in the quality
# report. The **analysis date** is the moment at which everything is measured; by default it is
# the day after the last transaction.

# %% [markdown] lang="ru"
# ## Данные
#
# По умолчанию урок работает на **учебном магазине**: это синтетический бизнес, который
# генерируется из начального числа (seed), поэтому у всех в аудитории получатся одни и те же
# цифры. В нём три таблицы, которые `clientlib` ждёт от любого бизнеса:
#
# * **транзакции**: строка на позицию заказа (клиент, номер заказа, время, сумма, скидка,
#   признаки срочной доставки и премиум-варианта). Возвраты — строки с минусом.
# * **события**: журнал контактов (лиды, запросы, визиты, переговоры, контакты с оценкой
#   тональности, жалобы, возвраты денег, рекомендации, отзывы).
# * **клиенты**: строка на клиента с ответами анкеты. В учебном магазине здесь есть и скрытый
#   столбец `persona` — «истинный» тип, по которому генератор создавал клиента. В настоящих данных
#   его не бывает; здесь он нужен, чтобы в следующих уроках проверить, насколько хорошо правила и
#   кластеры угадывают правду.
#
# Чтение сопоставляет ваши названия столбцов с ролями, которые знает `clientlib`, разбирает типы и
# считает каждую строку, которую нельзя использовать, с причиной: ничего не пропадает молча, всё
# видно в отчёте о качестве. **Дата анализа** — момент, на который всё измеряется; по умолчанию
# это день после последней транзакции.

# %%
inputs = lessons.load_inputs(
    data, mapping, analysis_date, seed=seed, n_customers=n_customers,
    returns=returns, duplicates=duplicates, zero_amount=zero_amount, sep=sep, encoding=encoding,
    date_format=date_format, dayfirst=dayfirst, decimal=decimal,
    sheet=sheet, header_row=header_row,
)
tx, ev, cu = inputs.transactions, inputs.events, inputs.customers
lessons.show_quality(inputs, lang)

# %%
lessons.localize(tx.table.order_by(["customer_id", "timestamp"]).head().to_pandas(), lang)

# %% [markdown] lang="en"
# ## Customer facts: one row per customer
#
# Frameworks do not read raw orders. They read **facts** about each customer measured at the
# analysis date: how many orders, how much spent, how many days since the last purchase, what
# share of orders was discounted, how many contacts and complaints, the survey answers, and so
# on. `customer_facts` builds them inside the database engine (DuckDB here) and hands back a
# table; `.to_pandas()` brings it into pandas.

# %% [markdown] lang="ru"
# ## Факты о клиенте: одна строка на клиента
#
# Классификации не читают сырые заказы. Они смотрят на **факты** о каждом клиенте на дату анализа:
# сколько заказов, на какую сумму, сколько дней прошло с последней покупки, какая доля заказов
# была со скидкой, сколько было контактов и жалоб, что клиент ответил в анкете. `customer_facts`
# собирает эти факты прямо в движке базы данных (здесь DuckDB) и возвращает таблицу;
# `.to_pandas()` переносит её в pandas.

# %%
facts = customer_facts(tx, ev, cu)
facts_df = facts.to_pandas().sort_values("customer_id", ignore_index=True)
shown = [c for c in ["customer_id", "orders", "total_spend", "recency_days", "discount_share",
                     "touchpoints", "referrals", "complaints_since_last_purchase"]
         if c in facts_df.columns]
lessons.localize(facts_df[shown].head(), lang)

# %%
stats = facts_df[["orders", "total_spend", "recency_days"]].describe().round(1).T
stats["count"] = stats["count"].astype(int)  # a count of customers, not a measurement
stats = stats.rename(index=lambda s: lessons.header(s, lang)).rename_axis("statistic")
lessons.localize(stats, lang)

# %% [markdown] lang="en"
# ## Classes for every framework at once
#
# Each framework is a **rulebook**: an ordered list of classes, each with a condition. A customer
# goes to the first class whose condition holds, and the last class catches everyone else, so
# every customer ends up in exactly one class. Next to the class you get the **reason** (the rule
# that fired, with the customer's own values) and the suggested **action**. The reason is what
# makes a class arguable: a manager who disagrees can point at the rule, not at a black box.
#
# A framework that needs data the tables do not have (survey answers, a contact log) is skipped
# and says which columns it misses; it is never filled in with guesses.

# %% [markdown] lang="ru"
# ## Классы по всем классификациям сразу
#
# Каждая классификация — это **свод правил**: упорядоченный список классов с условием у каждого.
# Клиент попадает в первый класс, условие которого выполнено, а последний класс собирает всех
# остальных, так что у каждого клиента ровно один класс. Рядом с классом стоит **причина**
# (сработавшее правило со значениями самого клиента) и рекомендуемое **действие**. Причина
# делает класс предметом разговора: менеджер, который не согласен, спорит с правилом, а не с
# чёрным ящиком.
#
# Если классификации не хватает данных (ответов анкеты, журнала контактов), она пропускается, и
# называет недостающие столбцы — догадками пробелы не заполняются.

# %%
segments, skipped = segment.segment(facts, "all", lang=lang)
lessons.report_skipped(skipped, lang)

# %%
table = segment.summary(segments)
table["framework"] = [exercises.framework_title(f, lang) for f in table["framework"]]
table = lessons.as_percent(table[["framework", "label", "customers", "share"]], ["share"], lang)
lessons.localize(table.set_index(["framework", "label"]), lang)

# %% [markdown] lang="en"
# ## One customer, seven views
#
# The same person can be a fan in the lifecycle, a regular on the ladder and a silver client by
# revenue. The frameworks answer different questions (where is this customer on their path? how
# close to us? how much are they worth?), so they do not have to agree, and their disagreement is
# often the interesting part.

# %% [markdown] lang="ru"
# ## Один клиент — семь взглядов
#
# Один и тот же человек может быть поклонником по жизненному циклу, постоянным покупателем на
# лестнице лояльности и серебряным клиентом по выручке. Классификации отвечают на разные вопросы
# (где клиент на своём пути? насколько он близок к нам? сколько он стоит?), поэтому совпадать не
# обязаны — и расхождения между ними часто интереснее всего.

# %%
# a customer with three orders or more (on a file without one: the customer with the most orders)
regulars = facts_df.loc[facts_df["orders"] >= 3, "customer_id"]
who = regulars.iloc[0] if len(regulars) else facts_df.sort_values(
    "orders", ascending=False, kind="stable")["customer_id"].iloc[0]
row = facts_df.set_index("customer_id").loc[who]
lessons.say("lessons.one_customer", lang, customer=who, orders=int(row["orders"]),
            spend=messages.number(row["total_spend"], lang, 2), days=int(row["recency_days"]))
one = segments[segments["customer_id"] == who].copy()
one["framework"] = [exercises.framework_title(f, lang) for f in one["framework"]]
lessons.localize(one.set_index("framework")[["label", "reason", "action"]], lang)

# %%
life = segments[segments["framework"] == "lifecycle"]
plots.segment_sizes(life["label"].value_counts(), lang=lang)
plt.show()

# %% [markdown] lang="en"
# ## For discussion
#
# The numbers below are computed from the data this lesson ran on. Take two minutes per question
# with your neighbour before the exercises.

# %% [markdown] lang="ru"
# ## Для обсуждения
#
# Цифры ниже посчитаны по тем данным, на которых запущен урок. Обсудите каждый вопрос пару минут с
# соседом, прежде чем переходить к упражнениям.

# %%
cls = segments.pivot_table(index="customer_id", columns="framework", values="class",
                           aggfunc="first")
never = int((facts_df["orders"] == 0).sum())
lessons.say("lessons.l01_never_bought", lang, n=messages.number(never, lang),
            total=messages.number(len(facts_df), lang),
            share=messages.percent(never / len(facts_df), lang))
if {"lifecycle", "value_tiers"} <= set(cls.columns):
    fans = cls["lifecycle"] == "fan"
    small = fans & (cls["value_tiers"] != "gold")
    lessons.say("lessons.l01_fans_not_gold", lang, n=messages.number(small.sum(), lang),
                share=messages.percent(small.sum() / max(fans.sum(), 1), lang))
    gold_dormant = cls.index[(cls["lifecycle"] == "dormant") & (cls["value_tiers"] == "gold")]
    spend = facts_df.set_index("customer_id")["total_spend"]
    lessons.say("lessons.l01_gold_dormant", lang, n=messages.number(len(gold_dormant), lang),
                revenue=messages.percent(spend.loc[gold_dormant].sum() / spend.sum(), lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Use `facts_df` (pandas, one row per customer) and `segments` (the table of classes above).
# Wherever a class is asked you may answer with its id (`"fan"`) or its name in either language
# (`"Fan"`, `"поклонник"`).

# %% [markdown] lang="ru"
# ## Упражнения
#
# Используйте `facts_df` (pandas, строка на клиента) и `segments` (таблица классов выше). Там,
# где спрашивается класс, можно ответить его id (`"fan"`) или названием на любом языке (`"Fan"`,
# `"поклонник"`).

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %% [markdown] lang="en"
# ### Exercise 1 (warm-up): buyers
#
# How many customers have bought at least once (`orders >= 1`)?

# %% [markdown] lang="ru"
# ### Упражнение 1 (разминка): покупатели
#
# Сколько клиентов купили хотя бы один раз (`orders >= 1`)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("quickstart_buyers", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: fans
#
# How many customers does the lifecycle framework call **fans**?

# %% [markdown] lang="ru"
# ### Упражнение 2: поклонники
#
# Скольких клиентов жизненный цикл относит к **поклонникам**?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("quickstart_fans", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 3: the most crowded rung
#
# Which rung of the loyalty ladder holds the most customers? Answer with the class id or its name.

# %% [markdown] lang="ru"
# ### Упражнение 3: самая населённая ступень
#
# На какой ступени лестницы лояльности больше всего клиентов? Ответьте id класса или его
# названием.

# %% lang="en"
answer = None  # your answer: a name in quotes, e.g. answer = "..."

# %% lang="ru"
answer = None  # ваш ответ: название в кавычках, например answer = "..."

# %%
exercises.check("quickstart_top_rung", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): where to start on Monday
#
# Pick **one** class from the summary table (any framework) and write, in a few sentences, what
# the business should do with its customers this month, who does it, and which number from these
# tables will show next month whether it worked. There is no single right answer; the check only
# makes sure you wrote something and lists the points the trainer will look for.

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): с чего начать в понедельник
#
# Выберите **один** класс из сводной таблицы (любой классификации) и в нескольких предложениях
# напишите: что бизнесу делать с этими клиентами в этом месяце, кто за это отвечает и по какой
# цифре из этих таблиц через месяц станет видно, сработало ли. Единственно верного ответа нет;
# проверка лишь убедится, что ответ написан, и перечислит пункты, на которые посмотрит ведущий.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("quickstart_first_action", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# Everything above runs on your own export. Save your orders as CSV or Parquet (one row per order
# or order line: customer, date, amount at least), then rerun this lesson with papermill, naming
# your columns in `mapping`:
#
# ```bash
# papermill notebooks/en/01_quickstart.ipynb my_01.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# Add `-p sep ";" -p decimal "," -p dayfirst True` for a typical European export, and
# `-y 'data: {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'` when you
# also have a contact log and survey answers. Frameworks that need what your file lacks say so in
# the "skipped" line above; the rest run as they do here. Questions to ask of your own result:
# which class is the largest, which action would cost the most, and which framework's classes
# would your sales team recognise?
#
# The options `sep`, `decimal`, `dayfirst` and `encoding` read a typical 1C or Excel export
# (semicolons, decimal commas, dates like 31.12.2024, Windows-1251); drop those your file does
# not need. With a contact log and a survey, pass every file: `-y 'data: {transactions:
# orders.csv, events: contacts.csv, customers: survey.csv}'`. If a file cannot be read, the lesson
# stops at its first cell with one line saying which option to change; `--execution-timeout 600`
# stops a cell that runs longer than ten minutes.
#
# An Excel or LibreOffice file (`.xlsx`, `.xls`, `.ods`) is read as it is, title block and
# all: `-p data sales.xlsx -p sheet Sales` (or `-p sheet 2`, the second sheet); the row with
# the column names is found, or given with `-p header_row 4`.

# %% [markdown] lang="ru"
# ## На своих данных
#
# Всё, что выше, работает и на вашей выгрузке. Сохраните заказы в CSV или Parquet (строка на
# заказ или позицию заказа: как минимум клиент, дата и сумма) и перезапустите урок через
# papermill, указав названия своих столбцов в `mapping`:
#
# ```bash
# papermill notebooks/ru/01_quickstart.ipynb my_01.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# Классификации, которым не хватает данных, скажут об этом в строке о пропуске выше,
# остальные отработают так же, как здесь. Вопросы к собственному результату: какой класс самый
# большой, какое действие обойдётся дороже всего и классы какой классификации узнает ваш отдел
# продаж?
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
#
# Файл Excel или LibreOffice (`.xlsx`, `.xls`, `.ods`) читается как есть, вместе с шапкой отчёта:
# `-p data sales.xlsx -p sheet Продажи` (или `-p sheet 2` — второй лист); строка с названиями
# столбцов находится сама или задаётся через `-p header_row 4`.
