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
# # 06 · RFM: scoring customers from three numbers
#
# ## Why it matters
#
# Every shop has to decide, again and again, where a limited budget of attention goes: who gets the
# thank-you and the early access, who gets the win-back call, and who gets nothing this month. RFM
# answers from the three columns every order export has — customer, date, amount — so it is the first
# segmentation you can run on any file, and the yardstick the rule-based frameworks of the earlier
# lessons are compared with.
#
# The frameworks so far started from business rules; RFM starts from three numbers per customer:
#
# * **R**ecency: days from the last purchase to the analysis date (fewer is better);
# * **F**requency: the number of orders;
# * **M**onetary: the total spend.

# %% [markdown] lang="ru"
# # 06 · RFM: оценка клиентов по трём числам
#
# ## Зачем это нужно
#
# Любому магазину снова и снова приходится решать, на кого потратить ограниченный бюджет внимания:
# кого поблагодарить и пустить в ранний доступ, кому позвонить с предложением вернуться, а кого в этом
# месяце не трогать. RFM отвечает по трём столбцам, которые есть в любой выгрузке заказов, — клиент,
# дата, сумма. Поэтому это первая сегментация, которую можно запустить на любом файле, и мерило, с
# которым сравнивают классификации на правилах из прошлых уроков.
#
# Прежние классификации начинались с бизнес-правил; RFM начинается с трёх чисел о каждом клиенте:
#
# * **R** — давность (recency): дней от последней покупки до даты анализа (чем меньше, тем лучше);
# * **F** — частота (frequency): число заказов;
# * **M** — деньги (monetary): сумма всех покупок.

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
# ## How the scores are made
#
# Each number becomes a **score from 1 to 5**. The buyers are sorted on that number and cut into five
# groups of (nearly) equal size, the quintiles; the best fifth scores 5. Recency is turned around, so
# that the *most recent* buyers score 5. A customer then reads as three digits — 5-4-4 bought
# recently, often and for a lot; 1-1-1 bought once, little, long ago.
#
# A **segment map** gives names to boxes of scores. The one used here is the map of the R package
# `rfm` (its published test result is reproduced by this project's test suite): *Champions* (R, F and
# M all 4 or 5), *Loyal Customers*, *Potential Loyalist*, *Need Attention*, *About To Sleep*, *At
# Risk*, *Can't Lose Them*, *Lost*, and *Others* for whatever no box covers — including customers who
# never bought and so have no scores. Two details worth knowing before reading the numbers:
#
# * the map is first-match like every rulebook, and two of its boxes (*New Customers*, *Promising*)
#   lie inside the earlier *Potential Loyalist* box, so they never fire — R's own function behaves the
#   same way;
# * when many customers share a value (lots of one-order customers, say), two quintile cut points can
#   coincide and one score is never given. The table below shows which scores occur.

# %% [markdown] lang="ru"
# ## Как получаются оценки
#
# Каждое число превращается в **оценку от 1 до 5**. Покупателей сортируют по этому числу и делят на
# пять (почти) равных групп — квинтили; лучшая пятая часть получает 5. Давность переворачивают, чтобы 5
# получили *самые недавние* покупатели. Клиент записывается тремя цифрами: 5-4-4 — купил недавно, часто
# и на крупную сумму; 1-1-1 — купил однажды, немного и давно.
#
# **Карта сегментов** даёт названия областям из оценок. Здесь используется карта R-пакета `rfm`
# (тесты проекта воспроизводят опубликованный результат этого пакета): *Чемпионы* (R, F и M — все 4
# или 5), *лояльный*, *потенциально лояльный*, *требует внимания*, *засыпающий*, *в зоне риска*,
# *Нельзя потерять*, *Потерянные* и *Прочие* — для всех, кого не покрыла ни одна область, в том
# числе для тех, кто ни разу не покупал и оценок не имеет. Две детали, которые стоит знать заранее:
#
# * карта, как и любой свод правил, работает по первому совпадению, а две её области (*Новые*,
#   *многообещающий*) целиком лежат внутри более ранней области *потенциально лояльный* и поэтому не
#   срабатывают никогда — функция из R ведёт себя так же;
# * если у многих клиентов одно и то же значение (например, много клиентов с одним заказом), две
#   границы квинтилей могут совпасть, и какая-то оценка не достанется никому. Таблица ниже показывает,
#   какие оценки встречаются.

# %%
import warnings

import ibis
import matplotlib.pyplot as plt
import pandas as pd

from clientlib import exercises, frameworks, lessons, plots, segment
from clientlib.exercises import l05_qualification_buyers_awareness as l05
from clientlib.exercises import l06_rfm as l06
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
facts = ibis.memtable(facts_df)  # computed once: every framework below reads the same table
lessons.say("lessons.loaded", lang, customers=number(len(facts_df), lang),
            date=date(inputs.transactions.analysis_date, lang))

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # repeated cut points: said below in the lesson's language
    scored, _ = segment.segment(facts, ["rfm"], lang=lang)
scored = scored.sort_values("customer_id", ignore_index=True)
buyers = scored[scored["R"].notna()].astype({"R": int, "F": int, "M": int})
display(l05.show(l06.score_ranges(buyers, lang=lang), lang))
missing = l06.say_missing_scores(buyers, lang=lang)

# %% [markdown] lang="en"
# Each row of the table gives, for one score, the range of days, orders and spend it covers. Read the
# first column from the top: a recency score of 5 is the most recent fifth of the buyers, a score of 1
# the fifth that has been away longest; the table says how many days that is on these data.

# %% [markdown] lang="ru"
# Каждая строка таблицы показывает, какой диапазон дней, заказов и суммы покрывает одна оценка.
# Прочтите первый столбец сверху вниз: оценка давности 5 — пятая часть покупателей, купивших позже
# всех, оценка 1 — пятая часть тех, кто не появлялся дольше всех; сколько это дней на ваших данных,
# показывает таблица.

# %% [markdown] lang="en"
# ## Reading one customer
#
# Four customers, one from each of four segments, as the scores describe them. Read the digits left
# to right — how recently, how often, how much — and the segment name follows: high on all three is a
# champion; a 1 or 2 in front of higher F and M is a good customer who has stopped coming; a recent buyer
# with low F and M is a newcomer who might become loyal; low everywhere is lost. The action column
# is what the segment map suggests doing.

# %% [markdown] lang="ru"
# ## Как читать одного клиента
#
# Четыре клиента, по одному из четырёх сегментов, как их описывают оценки. Читайте цифры слева
# направо — давно ли, часто ли, много ли, — и название сегмента следует само: высокие все три — чемпион;
# 1 или 2 впереди при более высоких F и M — хороший клиент, который перестал приходить; недавний покупатель с
# низкими F и M — новичок, который может стать постоянным; низкие везде — потерянный. В столбце действий
# — то, что предлагает карта сегментов.

# %%
display(l05.show(l06.example_customers(scored, lang=lang), lang))

# %% [markdown] lang="en"
# ## Worked example: the segments and what they are worth
#
# Customers, orders, revenue and average order value per segment, largest revenue first.

# %% [markdown] lang="ru"
# ## Разбор на примере: сегменты и их ценность
#
# Клиенты, заказы, выручка и средний чек по сегментам, от большей выручки к меньшей.

# %%
summary = l05.class_table(scored, "rfm", facts_df, lang=lang)
display(l05.show(summary, lang))
plots.segment_sizes(scored["label"].value_counts(), kind="treemap", lang=lang)
plt.show()
l06.say_champions(scored, lang=lang)
l06.say_at_risk(scored, lang=lang)

# %% [markdown] lang="en"
# **Discuss.** The two printed lines are the heart of RFM. The champions: what can you give them that
# costs little and keeps them (early access, a personal thank-you, a request for a review)? The
# customers at risk used to buy often and for real money but have gone quiet: what would you send
# them this week, and how would you know it worked a month from now?

# %% [markdown] lang="ru"
# **Обсудите.** Две напечатанные строки — суть RFM. Чемпионы: что можно дать им недорого, чтобы они
# остались (ранний доступ, личная благодарность, просьба об отзыве)? Клиенты в зоне риска раньше
# покупали часто и на серьёзные суммы, но затихли: что вы отправите им на этой неделе и как через месяц
# поймёте, сработало ли?

# %% [markdown] lang="en"
# ## The R × F grid
#
# Customers per recency and frequency score (left) and their average spend (right). The top right
# corner holds the best customers; the top left, recent buyers not yet loyal; the bottom right, loyal
# customers slipping away — the cheapest customers to win back are there.

# %% [markdown] lang="ru"
# ## Сетка R × F
#
# Клиенты по оценкам давности и частоты (слева) и их средняя сумма покупок (справа). В правом верхнем
# углу — лучшие клиенты; в левом верхнем — недавние покупатели, ещё не ставшие постоянными; в правом
# нижнем — постоянные клиенты, которые уходят. Вернуть дешевле всего именно их.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
plots.rfm_heatmap(buyers, ax=axes[0], lang=lang)
plots.rfm_heatmap(buyers, value="monetary", ax=axes[1], lang=lang)
plt.show()

# %% [markdown] lang="en"
# ## Trying it live: how many scores?
#
# Five scores per dimension is a convention, not a law. With fewer, each box holds more customers and
# the map gets coarser; with more, the boxes shrink and the names (written for 1..5) fit less well.
# Move the slider to see the segment shares change; the notebook itself runs with the default of 5.

# %% [markdown] lang="ru"
# ## Попробуйте сами: сколько оценок?
#
# Пять оценок на измерение — соглашение, а не закон. Чем их меньше, тем больше клиентов в каждой
# области и тем грубее карта; чем больше, тем мельче области и тем хуже подходят названия (они
# придуманы для шкалы 1..5). Подвигайте ползунок и посмотрите, как меняются доли сегментов; сам
# блокнот выполняется со значением по умолчанию — 5.

# %%
by_bins = l06.shares_by_bins(facts, [3, 4, 5, 6, 7], lang=lang)
display(l05.show(by_bins, lang, percent=True))
l06.say_bins_change(by_bins, lang=lang)

# %% tags=["nbval-ignore-output"]
lessons.explore(lessons.rfm_shares, facts, lang=lang, bins=(3, 7, 1, 5))

# %% [markdown] lang="en"
# **Discuss.** Which segment changes most? Read the *Champions* rule (R, F and M all at least 4): with
# three scores nobody can reach 4, and with seven the same rule takes the top four sevenths of each
# scale, so the group grows instead of getting sharper. A segment map is written for one scale;
# changing the number of scores means rewriting the map. If your shop had one campaign budget, would
# you rather target a large, loose *Champions* group or a small, sharp one?

# %% [markdown] lang="ru"
# **Обсудите.** Какой сегмент меняется сильнее всего? Прочтите правило *Чемпионов* (R, F и M — все не
# ниже 4): при трёх оценках до 4 не дотянется никто, а при семи то же правило забирает верхние четыре
# седьмых каждой шкалы, и группа не становится точнее, а разрастается. Карта сегментов пишется под
# одну шкалу; меняете число оценок — переписывайте карту. Если бы у вашего магазина был бюджет на
# одну кампанию, что бы вы выбрали: большую и размытую группу *Чемпионов* или маленькую и точную?

# %% [markdown] lang="en"
# ## A simpler map
#
# The same scores, a shorter list of names (`rfm_simple`). Which map to use is a business choice; the
# scores do not change. The crosstab shows where each segment of the full map lands.

# %% [markdown] lang="ru"
# ## Карта попроще
#
# Те же оценки, но короче список названий (`rfm_simple`). Какую карту использовать — решение
# бизнеса; оценки от этого не меняются. Таблица сопряжённости показывает, куда попадает каждый
# сегмент полной карты.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the same repeated cut points as above, if any
    simple, _ = segment.segment(facts, ["rfm_simple"], lang=lang)
display(l05.show(l06.map_crosstab(scored, simple, lang=lang), lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Four exercises, from reading a number to an open question. Use `scored`, `summary` and
# `frameworks.classify(facts, "rfm", params=...)`. Wherever a segment is asked, answer with its id
# (`"champions"`) or its label in either language (`"Champions"`, `"Чемпионы"`).

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %%
display(l05.show(l06.by_score(scored, "R", lang), lang))

# %% [markdown] lang="en"
# ### Exercise 1 (warm-up): the most recent fifth
#
# What share of revenue comes from the customers with the best recency score (**R = 5**)? Give a
# share between 0 and 1.

# %% [markdown] lang="ru"
# ## Упражнения
#
# Четыре упражнения — от чтения числа до открытого вопроса. Пользуйтесь `scored`, `summary` и
# `frameworks.classify(facts, "rfm", params=...)`. Где спрашивается сегмент, отвечайте его id
# (`"champions"`) или названием на любом из двух языков (`"Champions"`, `"Чемпионы"`).

# %% [markdown] lang="ru"
# ### Упражнение 1 (разминка): самая недавняя пятая часть
#
# Какая доля выручки приходится на клиентов с лучшей оценкой давности (**R = 5**)? Ответ — доля от 0
# до 1.

# %% lang="en"
answer = None  # your answer: a share from 0 to 1, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: доля от 0 до 1, например answer = 0.25

# %%
exercises.check("rfm_r5_revenue", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: four scores instead of five
#
# Score R, F and M from **1 to 4** (`params={'scoring': {'bins': 4}}`): how many Champions are there
# now?

# %% [markdown] lang="ru"
# ### Упражнение 2: четыре оценки вместо пяти
#
# Оцените R, F и M по шкале **от 1 до 4** (`params={'scoring': {'bins': 4}}`): сколько теперь
# Чемпионов?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("rfm_bins4_champions", answer, facts=facts, lang=lang)

# %%
display(l05.show(l06.spend_per_customer(scored, lang), lang))

# %% [markdown] lang="en"
# ### Exercise 3: the most valuable segment
#
# Which segment has the highest **spend per customer** (revenue divided by customers)? Answer with the
# class id or its label.

# %% [markdown] lang="ru"
# ### Упражнение 3: самый ценный сегмент
#
# У какого сегмента самая высокая **выручка на клиента** (выручка, делённая на число клиентов)?
# Ответьте id класса или его названием.

# %% lang="en"
answer = None  # your answer: a name in quotes, e.g. answer = "..."

# %% lang="ru"
answer = None  # ваш ответ: название в кавычках, например answer = "..."

# %%
exercises.check("rfm_top_spend", answer, facts=facts, lang=lang)

# %%
display(l05.show(l06.score_crosstab(scored, "M", lang), lang))

# %% [markdown] lang="en"
# ### Exercise 4: who slipped furthest?
#
# Among the customers **At Risk**, how many have a monetary score of **5** (the top fifth of spenders)?
# These are the first people to call.

# %% [markdown] lang="ru"
# ### Упражнение 4: кто ушёл дальше всех?
#
# Сколько клиентов **в зоне риска** имеют денежную оценку **5** (пятая часть самых крупных
# покупателей)? Им звонят в первую очередь.

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("rfm_at_risk_m5", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 5 (open): one budget, three segments
#
# You can afford a personal contact with **300** customers this month. Which segments would you pick,
# how many customers from each, and why? Write the plan in a few sentences, with the numbers from the
# tables above. The trainer discusses it with the rubric in `solutions/README.md`.

# %% [markdown] lang="ru"
# ### Упражнение 5 (открытое): один бюджет, три сегмента
#
# В этом месяце вы можете позволить себе личный контакт с **300** клиентами. Какие сегменты вы
# выберете, сколько клиентов из каждого и почему? Опишите план в нескольких предложениях, с цифрами из
# таблиц выше. Тренер разбирает ответ по критериям из `solutions/README.ru.md`.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("rfm_budget_plan", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# RFM needs only a customer id, a date and an amount, so it runs on almost any export
# (add `-p analysis_date 2024-12-31` to fix the date):
#
# ```bash
# papermill notebooks/en/06_rfm.ipynb my_06.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# * **Choose the analysis date** on purpose: the day after the last order by default; set it to the end
#   of the period you are studying, or recency is measured from the wrong day.
# * **Returns** lower the spend (`returns="net"`), or are dropped (`"drop"`); decide before reading the
#   M scores.
# * **Look at the score table first.** If one frequency score never occurs (many one-order customers),
#   the F score says less than it seems; four bins may suit your data better than five.
# * **Compare the segments' revenue shares with your own intuition.** If *Champions* bring less than
#   half of revenue, your best customers are spread more thinly than the map assumes.
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
# RFM нужны только id клиента, дата и сумма, поэтому он работает почти на любой выгрузке
# (добавьте `-p analysis_date 2024-12-31`, чтобы задать дату анализа):
#
# ```bash
# papermill notebooks/ru/06_rfm.ipynb my_06.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# * **Выбирайте дату анализа осознанно.** По умолчанию это день после последнего заказа; поставьте
#   конец изучаемого периода, иначе давность будет отсчитана не от того дня.
# * **Возвраты** уменьшают сумму (`returns="net"`) или отбрасываются (`"drop"`); решите это до того,
#   как читать оценки M.
# * **Сначала посмотрите на таблицу оценок.** Если какая-то оценка частоты не встречается (много
#   клиентов с одним заказом), оценка F говорит меньше, чем кажется; четыре группы могут подойти вашим
#   данным лучше пяти.
# * **Сравните доли выручки сегментов со своим ощущением.** Если *чемпионы* дают меньше половины
#   выручки, лучшие клиенты у вас распределены тоньше, чем предполагает карта.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
