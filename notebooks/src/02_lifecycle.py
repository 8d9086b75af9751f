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
# # 02 · The customer lifecycle ("Дао клиента")
#
# **The decision this lesson drives:** where the retention budget goes. A business that only
# counts sales sees one number; a business that knows each customer's *status* sees who needs a
# second purchase, who is about to be lost and who left angry, and it can give each group its own
# treatment with its own owner.
#
# The framework comes from a Russian article on "the Tao (path) of your customer". Its premise is
# sobering: for most companies, honestly, the path ends at the first sale, while the interesting
# part comes after it. A customer goes through six statuses:
#
# | status | who | what the business does |
# |---|---|---|
# | target customer | fits the portrait of the people we want (age, habits, income, trade…), no contact yet | attract attention |
# | lead | we have their contact: an enquiry, a visit, a talk, a lead record | "warm them up" with offers worth exchanging a contact for |
# | novice | has made a first purchase | a series of touches so that a second and third one follow |
# | fan | buys again, more often, more, dearer | retention: a system of touches and a relationship |
# | dormant | bought, then fell silent for longer than the **purchase cycle** | a wake-up campaign |
# | returnee | left unhappy: a complaint or a refund after the last purchase, no purchase since | win back, with methods of its own |
#
# Two claims of the article are worth keeping in mind. First, fans make the bulk of the profit
# (the author quotes estimates of 75 % and more), so the step that matters most is **novice →
# fan**, and the emphasis should move from acquisition to retention and win-back. Second, almost
# every business has a rhythm of repeat purchases: days or weeks for food, months for clothes, a
# year for a dentist, years for furniture. That rhythm, the **purchase cycle**, is what turns
# "has not bought for a while" into a rule: a customer whose last purchase is older than one cycle
# is dormant.
#
# The order of the rules matters. An unhappy customer has usually also gone quiet, so the
# returnee rule is tried before the dormant rule: a wake-up coupon is the wrong answer to a
# complaint. A fan who has gone quiet is dormant first, because waking them up is the urgent
# action.

# %% [markdown] lang="ru"
# # 02 · Жизненный цикл клиента («Дао клиента»)
#
# **Какое решение помогает принять этот урок:** куда направить бюджет удержания. Если считать
# только продажи, видно одно число. Если знать *статус* каждого клиента, видно, кому нужна вторая
# покупка, кого мы вот-вот потеряем и кто ушёл обиженным, — и каждой группе можно назначить свою
# работу и своего ответственного.
#
# Подход взят из статьи о «дао (пути) клиента в компании». Её отправная мысль неприятна, но
# честна: в большинстве компаний путь клиента заканчивается на первой продаже, хотя самое
# интересное начинается после неё. Клиент проходит шесть статусов:
#
# | статус | кто это | что делает бизнес |
# |---|---|---|
# | целевой клиент | подходит под портрет нужного нам покупателя (возраст, привычки, доход, профессия…), контакта ещё нет | привлекает внимание |
# | лид | у нас есть его контакт: запрос, визит, разговор, заявка | «разогревает» предложениями, ради которых не жалко оставить контакт |
# | новичок | сделал первую покупку | серия касаний, чтобы за ней последовали вторая и третья |
# | поклонник | покупает снова — чаще, больше, дороже | удержание: система касаний и развития отношений |
# | заснувший | покупал, но молчит дольше **цикла покупки** | кампания «пробуждения» |
# | возвращенец | ушёл недовольным: после последней покупки была жалоба или возврат, новых покупок нет | система возврата со своими методами |
#
# Из статьи стоит запомнить две вещи. Во-первых, основную прибыль дают поклонники (автор
# ссылается на оценки от 75 %), поэтому главный отрезок пути — **новичок → поклонник**, а акцент
# нужно переносить с привлечения на удержание и возврат. Во-вторых, почти в любом бизнесе есть
# ритм повторных покупок: в продуктах питания это дни или недели, в одежде — месяцы, в
# стоматологии — год, в мебели — годы. Этот ритм, **цикл покупки**, и превращает «давно не
# покупал» в правило: клиент, чья последняя покупка старше одного цикла, считается заснувшим.
#
# Порядок правил важен. Недовольный клиент обычно ещё и замолчал, поэтому правило возвращенца
# проверяется раньше правила заснувшего: купон «мы скучаем» — плохой ответ на жалобу. Замолчавший
# поклонник сначала считается заснувшим, потому что разбудить его — самое срочное.

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

lessons.setup_notebook(lang)
MONTH = "%m.%Y" if lang == "ru" else "%Y-%m"  # months as the lesson's language writes them

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
# The framework is a rulebook inside the package. Its classes are listed in the order they are
# tried; the first rule that holds wins and the last one catches everybody else.

# %% [markdown] lang="ru"
# ## Свод правил
#
# Классификация — это свод правил внутри пакета. Классы перечислены в том порядке, в каком
# проверяются: срабатывает первое выполненное правило, последнее собирает всех остальных.

# %%
rules = pd.DataFrame(frameworks.load("lifecycle").describe(lang)).set_index("id")
lessons.localize(rules, lang)

# %%
segments, skipped = segment.segment(facts, ["lifecycle"], lang=lang)
lessons.report_skipped(skipped, lang)
life = segments.sort_values("customer_id", ignore_index=True)
cycle = lessons.purchase_cycle(facts)
if cycle is None:
    lessons.say("lessons_ru.no_cycle", lang, once=True)
else:
    lessons.say("lessons.l02_cycle_used", lang, days=messages.number(cycle, lang))
counts = life.groupby(["label", "action"]).size().rename("customers").reset_index()
counts["share"] = counts["customers"] / counts["customers"].sum()
counts = counts.sort_values("customers", ascending=False, ignore_index=True)
lessons.localize(lessons.as_percent(counts, ["share"], lang).set_index("label"), lang)

# %% [markdown] lang="en"
# Every customer carries the **reason** for the status: the rule that fired, with the customer's
# own values. One example per status:

# %% [markdown] lang="ru"
# У каждого клиента есть **причина** статуса: сработавшее правило с его собственными значениями.
# По одному примеру на статус:

# %%
examples = life.groupby("class").head(1).sort_values("class")
lessons.localize(examples.set_index("customer_id")[["label", "reason"]], lang)

# %% [markdown] lang="en"
# ## How much the purchase cycle matters
#
# The dormant status hangs on one number. A cycle that is too short calls loyal customers dormant
# and spends wake-up money on people who were about to buy anyway; one that is too long notices a
# lost customer months late, when a reminder no longer helps. Count the dormant customers for a
# few cycles and look at how fast the number moves:

# %% [markdown] lang="ru"
# ## Насколько важен цикл покупки
#
# Статус «заснувший» держится на одном числе. Слишком короткий цикл объявит спящими верных
# клиентов, и деньги на «пробуждение» уйдут тем, кто и так собирался купить. Слишком длинный
# заметит потерю через несколько месяцев, когда напоминание уже не поможет. Посчитаем заснувших
# при разных циклах и посмотрим, как быстро меняется число:

# %%
cycles = [30, 60, 90, 180, 365]
dormant = pd.Series({
    c: int((segment.segment(facts, ["lifecycle"], params={"lifecycle": {"purchase_cycle_days": c}})[0]
            ["class"] == "dormant").sum())
    for c in cycles
}, name="dormant")
dormant.index.name = "purchase_cycle_days"
lessons.localize(dormant.to_frame(), lang)

# %% [markdown] lang="en"
# ### Try it live
#
# Below are the status shares for the estimated cycle. Run the lesson in Jupyter and the sliders
# under the table redraw them for any cycle and any fan threshold: find the cycle at which the
# dormant share stops jumping, and ask whether it matches what the sales team would say.

# %% [markdown] lang="ru"
# ### Попробуйте сами
#
# Ниже — доли статусов при оценённом цикле. Если запустить урок в Jupyter, ползунки под таблицей
# пересчитают их для любого цикла и любого порога поклонника. Найдите цикл, после которого доля
# заснувших перестаёт резко меняться, и спросите себя, совпадает ли он с тем, что скажет отдел
# продаж.

# %%
# the slider starts at the estimated cycle (whole days), so it shows the table above
start = min(365, max(1, int(cycle))) if cycle else 90
lessons.lifecycle_shares(facts, start, 3, lang=lang)

# %% tags=["nbval-ignore-output"]
lessons.explore(lessons.lifecycle_shares, facts, lang,
                purchase_cycle_days=(1, 365, 1, start), fan_min_orders=(2, 10, 1, 3))

# %% [markdown] lang="en"
# ## The lifecycle over time
#
# A status is a snapshot: the same customer is a novice in March, a fan in June and dormant the
# next winter. The article asks to track the status of every customer in the base, and to know
# how many novices and fans the business gains each month. `timeline.snapshots` measures the
# facts at the end of every month and classifies everyone again. The purchase cycle is estimated
# once and kept fixed, so a status changes only because the customer's behaviour changed, not
# because the yardstick moved. The last month shown is the last *complete* month before the analysis
# date: a month the data cover only in part would make customers look silent who simply have no
# data yet.

# %% [markdown] lang="ru"
# ## Жизненный цикл во времени
#
# Статус — это снимок: один и тот же клиент в марте новичок, в июне поклонник, а следующей зимой
# заснувший. Статья предлагает отслеживать статус каждого клиента в базе и знать, сколько новичков
# и поклонников бизнес получает каждый месяц. `timeline.snapshots` считает факты на конец каждого
# месяца и заново присваивает статусы. Цикл покупки оценивается один раз и дальше не меняется,
# поэтому статус меняется только из-за поведения клиента, а не из-за того, что сдвинулась мерка.
# Последний показанный месяц — последний *полный* месяц до даты анализа: в месяце, который данные
# покрывают лишь частично, клиенты казались бы молчащими просто потому, что данных за эти дни ещё нет.

# %%
snaps = timeline.snapshots(tx, ev, cu, framework="lifecycle", freq="MS")
names = lessons.labels_of("lifecycle", lang)
status = snaps.pivot_table(index="period_end", columns="class", values="customer_id",
                           aggfunc="count", fill_value=0)
status = status[[c for c in names if c in status.columns]].rename(columns=names)
status.index = status.index.strftime(MONTH)
status.index.name, status.columns.name = "month", "class"
lessons.localize(status.tail(6), lang)

# %%
long = snaps.groupby(["period_end", "class"]).size().rename("count").reset_index()
long["class"] = long["class"].map(names)
plots.flows_area(long.rename(columns={"period_end": "period"}), share=True, lang=lang)
plt.show()

# %% [markdown] lang="en"
# ### Flows between statuses
#
# `timeline.flows` counts how many customers moved from one status to another between two
# consecutive month ends. Here is the last month as a matrix: rows are where customers were,
# columns where they are now. The diagonal is the customers who stayed put; everything off it is
# work that happened (or did not).

# %% [markdown] lang="ru"
# ### Переходы между статусами
#
# `timeline.flows` считает, сколько клиентов перешло из одного статуса в другой между концами двух
# соседних месяцев. Вот последний месяц в виде матрицы: строки — где клиенты были, столбцы — где
# они сейчас. На диагонали те, кто остался на месте; всё, что вне её, — результат работы (или её
# отсутствия).

# %%
fl = timeline.flows(snaps)
last = fl[fl["period"] == fl["period"].max()]
full = {**names, "(none)": messages.text("lessons.none_class", lang)}
matrix = last.pivot_table(index="from_class", columns="to_class", values="customers",
                          aggfunc="sum", fill_value=0)
order = [c for c in full if c in matrix.index or c in matrix.columns]
matrix = matrix.reindex(index=[c for c in order if c in matrix.index],
                        columns=[c for c in order if c in matrix.columns], fill_value=0)
matrix = matrix.rename(index=full, columns=full)
matrix.index.name, matrix.columns.name = "from_class", "to_class"
lessons.localize(matrix, lang)

# %%
plots.transition_heatmap(matrix.rename_axis(index=lessons.header("from_class", lang),
                                            columns=lessons.header("to_class", lang)), lang=lang)
plt.show()

# %% [markdown] lang="en"
# ### New novices and fans per month
#
# The article's first practical advice: work out how many novices and fans you need each month to
# keep the business breathing, then check whether you get them.

# %% [markdown] lang="ru"
# ### Сколько новичков и поклонников появляется каждый месяц
#
# Первый практический совет статьи: посчитайте, сколько новичков и поклонников вам нужно каждый
# месяц, чтобы бизнесу хватало «кислорода», и проверьте, получаете ли вы их.

# %%
new = timeline.new_in_class(snaps, ["novice", "fan"])
per_month = new.pivot_table(index="period_end", columns="class", values="customers",
                            aggfunc="sum")[["novice", "fan"]].rename(columns=names)
per_month.index = per_month.index.strftime(MONTH)
per_month.index.name, per_month.columns.name = "month", "class"
ax = per_month.tail(18).plot.bar(figsize=(9, 3.5), width=0.8)
ax.set_xlabel(lessons.header("month", lang))
ax.set_ylabel(messages.text("lessons.new_in_class", lang))
ax.legend(title=lessons.header("class", lang))
plt.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## For discussion
#
# The numbers are computed from the data the lesson ran on.

# %% [markdown] lang="ru"
# ## Для обсуждения
#
# Цифры посчитаны по данным, на которых запущен урок.

# %%
k = 3
orders = facts_df.set_index("customer_id")["orders"]
spend = facts_df.set_index("customer_id")["total_spend"]
asleep = life.loc[life["class"] == "dormant", "customer_id"]
sleeping_fans = asleep[orders.loc[asleep].to_numpy() >= k]
lessons.say("lessons.l02_dormant_fans", lang, n=messages.number(len(sleeping_fans), lang), k=k,
            revenue=messages.percent(spend.loc[sleeping_fans].sum() / spend.sum(), lang))
to_dormant = int(last.loc[(last["to_class"] == "dormant") & (last["from_class"] != "dormant"),
                          "customers"].sum())
woke = int(last.loc[(last["from_class"] == "dormant") & (last["to_class"] != "dormant"),
                    "customers"].sum())
lessons.say("lessons.l02_flow_month", lang, to_dormant=messages.number(to_dormant, lang),
            woke=messages.number(woke, lang))
recent = per_month.tail(12)
lessons.say("lessons.l02_per_month", lang, months=len(recent),
            novices=messages.number(recent.iloc[:, 0].mean(), lang),
            fans=messages.number(recent.iloc[:, 1].mean(), lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Use `facts`, `life` (the statuses above), `snaps` (monthly snapshots) and
# `segment.segment(facts, ["lifecycle"], params={"lifecycle": {...}})` to try other parameters.

# %% [markdown] lang="ru"
# ## Упражнения
#
# Используйте `facts`, `life` (статусы выше), `snaps` (помесячные снимки) и
# `segment.segment(facts, ["lifecycle"], params={"lifecycle": {...}})`, чтобы пробовать другие
# параметры.

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %% [markdown] lang="en"
# ### Exercise 1: a shorter cycle
#
# With a purchase cycle of **60 days** (`purchase_cycle_days`), how many customers are dormant?

# %% [markdown] lang="ru"
# ### Упражнение 1: цикл покороче
#
# Сколько клиентов окажутся заснувшими при цикле покупки **60 дней** (`purchase_cycle_days`)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("lifecycle_dormant_60", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 2: a stricter fan
#
# If a fan needs **5 orders** instead of 3 (`fan_min_orders`), how many fans are there? Where do
# the others go?

# %% [markdown] lang="ru"
# ### Упражнение 2: строгий поклонник
#
# Сколько будет поклонников, если поклоннику нужно **5 заказов**, а не 3 (`fan_min_orders`)? Куда
# попадут остальные?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("lifecycle_fans_5", answer, facts=facts, lang=lang)

# %%
lessons.localize(per_month, lang)

# %% [markdown] lang="en"
# ### Exercise 3: the best month for fans
#
# In which month did the most customers **become** fans? Answer like `"2024-03"`.

# %% [markdown] lang="ru"
# ### Упражнение 3: лучший месяц для поклонников
#
# В каком месяце больше всего клиентов **стали** поклонниками? Ответ в виде `"2024-03"`.

# %% lang="en"
answer = None  # your answer: a month in quotes, e.g. answer = "Oct 2023"

# %% lang="ru"
answer = None  # ваш ответ: месяц в кавычках, например answer = "октябрь 2023"

# %%
exercises.check("lifecycle_fan_month", answer, snaps=snaps, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): a wake-up plan
#
# Look at the dormant former fans counted above. Write a short wake-up plan: which of them you
# contact first and why, through which channel and with what offer, how much you may spend per
# customer (compare with what they used to bring), and how you will tell after one purchase cycle
# whether the plan worked. Say also what you would do differently for returnees.

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): план пробуждения
#
# Посмотрите на заснувших бывших поклонников, посчитанных выше. Напишите короткий план
# «пробуждения»: к кому обратиться в первую очередь и почему, через какой канал и с каким
# предложением, сколько можно потратить на одного клиента (сравните с тем, что он приносил) и как
# через один цикл покупки понять, сработал ли план. Скажите также, что вы сделаете иначе для
# возвращенцев.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("lifecycle_wakeup_plan", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# The lifecycle needs only orders (customer, date, amount); with a contact log it also finds
# leads and returnees. Run the lesson on your export:
#
# ```bash
# papermill notebooks/en/02_lifecycle.ipynb my_02.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# Then check three things. Does the estimated purchase cycle match what your people know about
# the trade (compare it with the examples above)? If not, fix it in the rulebook and say why. Is
# the dormant share stable when the cycle moves a little? And do you gain enough new fans each
# month to replace the ones who fall asleep?
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
# Жизненному циклу достаточно заказов (клиент, дата, сумма); если есть журнал контактов, он
# найдёт ещё лидов и возвращенцев. Запустите урок на своей выгрузке:
#
# ```bash
# papermill notebooks/ru/02_lifecycle.ipynb my_02.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# Потом проверьте три вещи. Совпадает ли оценённый цикл покупки с тем, что ваши люди знают о своём
# рынке (сравните с примерами выше)? Если нет, поправьте его в своде правил и запишите почему.
# Устойчива ли доля заснувших, если немного сдвинуть цикл? И получаете ли вы каждый месяц
# достаточно новых поклонников, чтобы заменить заснувших?
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
