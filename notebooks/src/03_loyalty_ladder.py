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
# # 03 · The loyalty ladder
#
# **The decision this lesson drives:** which step of the customer's climb to work on next. The
# ladder turns the vague word "client" into five measurable rungs, and the rung where most people
# stop is where the next campaign, the next script for the sales team or the next service change
# should aim.
#
# The framework comes from a practitioner who noticed that he used the word *client* for so many
# different people that neither he nor his staff knew who was meant. So he split them by how they
# behave towards the business, from the farthest to the closest:
#
# | rung | who | the step up |
# |---|---|---|
# | potential client | anyone who lives in our market | start a conversation |
# | client | entered talks with us: in person, by phone, or simply by visiting the website (the site is a place of talks where we are present unseen) | make the first sale |
# | buyer | "crossed the line" and paid; from now on they have demands, and we owe them what we took money for | bring them back |
# | regular buyer | bought several times: trusts us more, we suited them better than the others | ask for a recommendation |
# | advocate | tells others about us and brings acquaintances; usually a regular, sometimes a single buyer | thank and reward |
#
# Three observations of the author carry over. The rungs are **measurable**: the share of
# customers on each rung, tracked over time, shows whether the business is getting better at
# managing its customers' behaviour, so growth of regulars and advocates is a result, not a
# slogan. **No rung can be skipped**: in every project he ran, people had to climb step by step,
# however much the owner wanted to jump. And behind each step are hidden goals: most buying
# decisions are made by the "elephant" of emotion, not by its rational "rider", so the portrait of
# each rung should say what really moves people up.
#
# The work plan he suggests is a loop: set the target shares in plain numbers, describe each
# rung's portrait, pick the techniques that move people up one rung and keep them there, apply
# them, check the result, adjust.

# %% [markdown] lang="ru"
# # 03 · Лестница лояльности
#
# **Какое решение помогает принять этот урок:** над какой ступенькой подъёма клиента работать
# дальше. Лестница превращает расплывчатое слово «клиент» в пять измеримых ступеней, и ступень, на
# которой останавливается больше всего людей, — цель следующей кампании, следующего скрипта для
# продавцов или следующего изменения в сервисе.
#
# Подход предложил практик, который заметил, что называет «клиентом» столько разных людей, что
# ни он сам, ни сотрудники уже не понимают, о ком речь. Тогда он разделил их по тому, как они
# ведут себя по отношению к бизнесу, — от самых далёких к самым близким:
#
# | ступень | кто это | шаг вверх |
# |---|---|---|
# | потенциальный клиент | любой обитатель нашего рынка | начать разговор |
# | клиент | вступил с нами в переговоры: лично, по телефону или просто зашёл на сайт (сайт — тоже место переговоров, где мы присутствуем незримо) | совершить первую продажу |
# | покупатель | «перешёл черту» и заплатил; теперь у него есть требования, а у нас — обязательства за взятые деньги | вернуть за новой покупкой |
# | постоянный покупатель | покупал несколько раз: доверяет больше, мы подошли ему лучше других | попросить рекомендацию |
# | приверженец | рассказывает о нас и приводит знакомых; обычно постоянный покупатель, иногда разовый | благодарить и поощрять |
#
# Из статьи переносим три наблюдения. Ступени **измеримы**: доля клиентов на каждой ступени во
# времени показывает, растёт ли мастерство бизнеса в управлении поведением заказчиков, поэтому
# рост постоянных покупателей и приверженцев — результат, а не лозунг. **Ступень нельзя
# перепрыгнуть**: во всех проектах автора людям приходилось подниматься шаг за шагом, как бы
# владельцу ни хотелось быстрее. И за каждым шагом стоят скрытые цели: большинство решений о
# покупке принимает «слон» эмоций, а не рациональный «наездник», поэтому в портрете каждой ступени
# нужно описать, что на самом деле двигает людей вверх.
#
# План работы автор предлагает замкнутый: поставить цель в обычных цифрах (доли по ступеням),
# описать портрет каждой ступени, подобрать приёмы, которые переводят людей на ступень выше и
# закрепляют там, внедрить, проверить результат, подправить и повторить.

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

# %%
import matplotlib.pyplot as plt
import pandas as pd

from clientlib import exercises, frameworks, lessons, messages, plots, segment, timeline
from clientlib.features import customer_facts
from clientlib.frameworks.ladder import conversion

lessons.setup_notebook(lang)

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

# %% [markdown] lang="en"
# ## The rulebook
#
# The rungs are tried from the top: an advocate is checked first, the potential client catches
# everyone else. "Talks" are any contact in the log (a lead record, an enquiry, a visit, a
# negotiation); a referral is an event of kind `referral`. Without a contact log the ladder still
# runs, but only the buyer and regular rungs can be told apart.

# %% [markdown] lang="ru"
# ## Свод правил
#
# Ступени проверяются сверху: первым проверяется приверженец, потенциальный клиент собирает всех
# остальных. «Переговоры» — любой контакт в журнале (заявка, запрос, визит, переговоры);
# рекомендация — событие вида `referral`. Без журнала контактов лестница тоже работает, но
# различить можно только покупателей и постоянных покупателей.

# %%
rules = pd.DataFrame(frameworks.load("ladder").describe(lang)).set_index("id")
lessons.localize(rules, lang)

# %%
segments, skipped = segment.segment(facts, ["ladder"], lang=lang)
lessons.report_skipped(skipped, lang)
ladder = segments.sort_values("customer_id", ignore_index=True)
names = lessons.labels_of("ladder", lang)
lessons.share_table(ladder, lang)

# %% [markdown] lang="en"
# ## Conversion from rung to rung
#
# Someone on a rung has passed every rung below it, so `reached` counts the customers on a rung
# **or higher**, and `conversion` divides it by the `reached` of the rung below: of those who got
# that far, how many took the next step. This is the number the author says to set targets for.

# %% [markdown] lang="ru"
# ## Переход со ступени на ступень
#
# Клиент на ступени прошёл все ступени ниже, поэтому «дошли» считает клиентов на этой ступени
# **или выше**, а «переход» делит это число на «дошли» предыдущей ступени: из тех, кто добрался
# до неё, какая доля сделала следующий шаг. Именно для этих чисел автор советует ставить цели.

# %%
conv = conversion(ladder)
shown = conv.assign(rung=conv["rung"].map(names)).set_index("rung")
lessons.localize(lessons.as_percent(shown, ["share", "conversion"], lang), lang)

# %% [markdown] lang="en"
# **Worked example: reading the table.** Take the buyer row. Its `reached` is everyone who has
# paid at least once, so the buyers themselves plus the regulars and the advocates above them.
# Its `conversion` is that number divided by the `reached` of the client row, the people who got
# as far as talking to us. Read it as: of the customers we managed to get into a conversation, this
# share went on to pay. The potential-client row has no conversion, since there is no rung below
# it. Each conversion is a lever with an owner: marketing for potential → client, sales for
# client → buyer, service and the loyalty programme for buyer → regular, and whoever thanks
# customers for recommendations for regular → advocate. A target written as "conversion to
# regular from X to Y by the end of the quarter" is something the team can act on; "more loyal
# customers" is not.

# %% [markdown] lang="ru"
# **Разберём таблицу на примере.** Возьмём строку «покупатель». Её «дошли» — все, кто хотя бы раз
# заплатил: сами покупатели плюс постоянные покупатели и приверженцы над ними. Её «переход» —
# это число, делённое на «дошли» строки «клиент», то есть на тех, кто добрался до разговора с
# нами. Читается так: из тех, кого мы вовлекли в переговоры, вот такая доля в итоге заплатила. У
# потенциального клиента перехода нет: ниже ступени нет. За каждым переходом стоит рычаг и
# ответственный: маркетинг — за шаг «потенциальный клиент → клиент», продажи — за «клиент →
# покупатель», сервис и программа лояльности — за «покупатель → постоянный», а тот, кто
# благодарит за рекомендации, — за «постоянный → приверженец». Цель вида «поднять переход в
# постоянные с X до Y к концу квартала» команда может выполнить; «больше лояльных клиентов» —
# нет.

# %%
ax = shown["customers"].plot.barh(figsize=(7, 3), color="C0")
ax.set_xlabel(lessons.header("customers", lang))
ax.set_ylabel("")
ax.set_title(messages.text("lessons.l03_chart_title", lang))
plt.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ### Try it live
#
# How many orders make a "regular"? Two is the default; a business with frequent purchases may
# ask for more. The table shows the rungs for the default; in Jupyter, the slider redraws it.

# %% [markdown] lang="ru"
# ### Попробуйте сами
#
# Сколько заказов делают покупателя постоянным? По умолчанию два; бизнесу с частыми покупками
# стоит требовать больше. Таблица показывает ступени при значении по умолчанию; в Jupyter ползунок
# пересчитывает её.

# %%
lessons.ladder_shares(facts, 2, lang=lang)

# %% tags=["nbval-ignore-output"]
lessons.explore(lessons.ladder_shares, facts, lang, regular_min_orders=(2, 10, 1, 2))

# %% [markdown] lang="en"
# ## The ladder quarter by quarter
#
# The author insists on watching the shares over time. A ladder that fills from below but not at
# the top means that acquisition works and retention does not; a top that grows means the
# business is learning to keep people. `timeline.snapshots` puts every customer on a rung at the
# end of each quarter.

# %% [markdown] lang="ru"
# ## Лестница по кварталам
#
# Автор настаивает: доли нужно смотреть во времени. Если лестница заполняется снизу, а наверху
# пусто, привлечение работает, а удержание нет; если растёт верх, бизнес учится удерживать людей.
# `timeline.snapshots` ставит каждого клиента на ступень на конец каждого квартала.

# %%
snaps = timeline.snapshots(tx, ev, cu, framework="ladder", freq="QS")
shares = pd.crosstab(snaps["period_end"], snaps["class"], normalize="index")
shares = shares[[r for r in conv["rung"] if r in shares.columns]]
quarters = shares.index  # the period ends as dates, for the sentence below
shares.index = shares.index.strftime("%m.%Y" if lang == "ru" else "%Y-%m")
top = [r for r in ("regular", "advocate") if r in shares.columns]
trend = shares[top].sum(axis=1)
table = shares.rename(columns=names)
table.index.name, table.columns.name = "period_end", "rung"
lessons.localize(lessons.as_percent(table, list(table.columns), lang), lang)

# %%
long = snaps.groupby(["period_end", "class"]).size().rename("count").reset_index()
long["class"] = long["class"].map(names)
plots.flows_area(long.rename(columns={"period_end": "period"}), share=True, lang=lang)
plt.show()

# %% [markdown] lang="en"
# ## Portraits and hidden goals
#
# Numbers say where people stop; they do not say why. The author's advice is to write a portrait
# of each rung, including the goals nobody says out loud. A buyer who does not come back may not
# be unhappy at all: maybe the first purchase solved the problem, maybe nobody ever asked them
# for a second one, maybe a competitor simply reminded them first. The emotional "elephant"
# decides, the rational "rider" explains afterwards. Before choosing a technique for the weakest
# step, ask three people from that rung what would have made them take the next step. The data
# tells you which rung to call; the calls tell you what to say.

# %% [markdown] lang="ru"
# ## Портреты и скрытые цели
#
# Цифры показывают, где люди останавливаются, но не объясняют почему. Автор советует описать
# портрет каждой ступени, включая цели, о которых вслух не говорят. Покупатель, который не
# вернулся, вовсе не обязательно недоволен: возможно, первая покупка решила его задачу, возможно,
# его никто не позвал за второй, а возможно, конкурент просто напомнил о себе раньше. Решает
# эмоциональный «слон», а рациональный «наездник» потом объясняет решение. Прежде чем выбирать
# приём для самого слабого шага, спросите трёх человек с этой ступени, что заставило бы их
# сделать следующий шаг. Данные подсказывают, кому звонить; разговоры — что говорить.

# %% [markdown] lang="en"
# ## For discussion

# %% [markdown] lang="ru"
# ## Для обсуждения

# %%
orders = facts_df.set_index("customer_id")["orders"]
buyers = int((orders >= 1).sum())
once = int((orders == 1).sum())
lessons.say("lessons.l03_one_timers", lang, n=messages.number(once, lang),
            share=messages.percent(once / max(buyers, 1), lang))
steps = conv.dropna(subset=["conversion"])
weak = steps.loc[steps["conversion"].idxmin()]
lessons.say("lessons.l03_weakest", lang, rung=names[weak["rung"]],
            conversion=messages.percent(weak["conversion"], lang))
if "referrals" in facts_df.columns:
    adv = ladder.loc[ladder["class"] == "advocate", "customer_id"]
    refs = facts_df.set_index("customer_id").loc[adv, "referrals"].sum()
    lessons.say("lessons.l03_advocates", lang, n=messages.number(len(adv), lang),
                referrals=messages.number(refs, lang))
year_ago = max(0, len(trend) - 5)  # four quarters back, or the first quarter there is
lessons.say("lessons.l03_trend", lang, first=lessons.month(quarters[year_ago], lang, "genitive"),
            last=lessons.month(quarters[-1], lang),
            before=messages.percent(trend.iloc[year_ago], lang),
            after=messages.percent(trend.iloc[-1], lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Use `ladder`, `conv` and `segment.segment(facts, ["ladder"], params={"ladder": {...}})`.

# %% [markdown] lang="ru"
# ## Упражнения
#
# Используйте `ladder`, `conv` и `segment.segment(facts, ["ladder"], params={"ladder": {...}})`.

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %% [markdown] lang="en"
# ### Exercise 1: how many climbed to buying
#
# What share of **all** customers has reached at least the buyer rung? Give a share between 0
# and 1.

# %% [markdown] lang="ru"
# ### Упражнение 1: сколько дошли до покупки
#
# Какая доля **всех** клиентов дошла хотя бы до ступени «покупатель»? Ответьте долей от 0 до 1.

# %% lang="en"
answer = None  # your answer: a share from 0 to 1, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: доля от 0 до 1, например answer = 0.25

# %%
exercises.check("ladder_reached_buyer", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: a stricter regular
#
# If a regular buyer needs **3 orders** (`regular_min_orders`), how many regular buyers are there?

# %% [markdown] lang="ru"
# ### Упражнение 2: строгий постоянный покупатель
#
# Сколько будет постоянных покупателей, если для этого нужно **3 заказа** (`regular_min_orders`)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("ladder_regular_min3", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 3: the weakest step
#
# Which rung is reached with the **lowest** conversion from the rung below? Answer with the class
# id or the rung's name.

# %% [markdown] lang="ru"
# ### Упражнение 3: самый слабый шаг
#
# На какую ступень переходит **наименьшая** доля клиентов с предыдущей ступени? Ответьте id
# класса или названием ступени.

# %% lang="en"
answer = None  # your answer: a name in quotes, e.g. answer = "..."

# %% lang="ru"
answer = None  # ваш ответ: название в кавычках, например answer = "..."

# %%
exercises.check("ladder_weakest_step", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): one rung up
#
# Take the weakest step you found. Describe the portrait of the people stuck below it (what they
# have done, what they have not), one technique that could move them up one rung, and a target in
# plain numbers: the conversion you aim for next quarter and how many customers that means.

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): на ступень выше
#
# Возьмите самый слабый шаг. Опишите портрет тех, кто застрял под ним (что они сделали и чего
# нет), один приём, который может поднять их на ступень, и цель в обычных цифрах: какой переход
# вы хотите получить в следующем квартале и сколько это клиентов.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("ladder_step_plan", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# With orders only, the ladder tells buyers from regulars; add a contact log (`events`) to see
# clients in talks and advocates:
#
# ```bash
# papermill notebooks/en/03_loyalty_ladder.ipynb my_03.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# On your result, look for the rung where the conversion drops, compare the quarterly shares
# with the campaigns you ran, and write down the target shares for next year.
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
# По одним заказам лестница различает покупателей и постоянных покупателей; добавьте журнал
# контактов (`events`), чтобы увидеть клиентов в переговорах и приверженцев:
#
# ```bash
# papermill notebooks/ru/03_loyalty_ladder.ipynb my_03.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# На своём результате найдите ступень, где переход проседает, сравните квартальные доли с
# кампаниями, которые вы проводили, и запишите целевые доли на следующий год.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
