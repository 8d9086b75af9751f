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
# # 04 · Key clients and value tiers
#
# **The decision this lesson drives:** where the account managers' hours go. Not every customer
# is worth the same effort: in most businesses a small group brings most of the money, and losing
# one of them hurts more than losing a hundred small ones. Ranking customers by value tells the
# business whom to give a personal manager, whom to grow, whom to serve cheaply and whom to stop
# chasing.
#
# The framework gathers the advice of a Russian article on the kinds of client organisations:
#
# * **Gold clients** are the ones whose business gives the company the largest part of its
#   revenue and profit, usually after years of working together. They must be as satisfied as
#   possible; the work and the control concentrate on them. The familiar "80/20" observation (the
#   article quotes Gartner: a fifth of the customers make four fifths of the profit) is the check
#   of how concentrated a business is, and keeping a customer is said to be several times cheaper
#   than winning a new one.
# * **Silver** clients deserve a closer look: a future gold partner that is growing fast is often
#   among them.
# * **Bronze** clients with small turnover get a standard, low-cost service.
# * **False clients** "drag their feet": they keep promising to sign and keep postponing. The
#   article's advice is blunt: do not spend time on them.
#
# Practitioners call a client *key* when it brings somewhere between a tenth and a half of the
# profit, and a customer that brings more than half makes the company a dependant: a
# **mono-client** risk to reduce. For key accounts the article describes the routine of a key
# account manager: a client file (dossier) kept up to date, and a rhythm of contacts: a positive
# contact at least every 10 days, a follow-up after a negative one. The framework turns that
# routine into **account-care alerts** from the contact log.
#
# | tier | rule (defaults) | what to do |
# |---|---|---|
# | gold | the smallest group of top spenders that together make **80 %** of revenue | personal account care |
# | silver | the next **15 %** of revenue | grow them towards gold |
# | bronze | the remaining buyers | standard service |
# | false client | never bought; a negotiation open for over **60 days**, postponed again and again | stop spending time |
# | prospect | any other non-buyer | qualify and convert |

# %% [markdown] lang="ru"
# # 04 · Ключевые клиенты и уровни ценности
#
# **Какое решение помогает принять этот урок:** на кого тратить часы менеджеров. Клиенты не
# равноценны: в большинстве бизнесов небольшая группа приносит основную часть денег, и потерять
# одного такого клиента больнее, чем сотню мелких. Ранжирование по ценности подсказывает, кому
# дать персонального менеджера, кого растить, кого обслуживать недорого, а за кем перестать
# гоняться.
#
# Подход собирает советы статьи о видах клиентов организации:
#
# * **Золотые (ключевые) клиенты** — те, сотрудничество с которыми даёт компании основную часть
#   оборота и прибыли, обычно после долгих лет совместной работы. Они должны быть максимально
#   довольны; на них сосредоточены основная работа и контроль. Известное правило «80/20» (статья
#   ссылается на Gartner: пятая часть клиентов даёт четыре пятых прибыли) — проверка того,
#   насколько сконцентрирован бизнес; к тому же удержать клиента, по приводимым данным, в разы
#   дешевле, чем привлечь нового.
# * К **серебряным** клиентам стоит присмотреться: среди них часто прячется будущий золотой
#   партнёр, который как раз активно растёт.
# * **Бронзовые** клиенты с минимальными оборотами получают стандартное недорогое обслуживание.
# * **Ложные клиенты** «тянут резину»: обещают вот-вот подписать договор и раз за разом
#   откладывают. Совет статьи прямой: не тратить на них время.
#
# Ключевым на практике называют клиента, который приносит от 10 до 50 % прибыли; клиент, дающий
# больше половины, делает компанию зависимой — это риск **моноклиента**, который нужно снижать.
# Для ключевых клиентов статья описывает работу менеджера по ключевым клиентам: досье, которое
# постоянно пополняется, и ритм контактов — позитивный контакт не реже раза в 10 дней и реакция
# после негативного. Классификация превращает этот распорядок в **сигналы по ведению** из журнала
# контактов.
#
# | уровень | правило (по умолчанию) | что делать |
# |---|---|---|
# | золотой | наименьшая группа самых крупных клиентов, вместе дающих **80 %** выручки | персональное ведение |
# | серебряный | следующие **15 %** выручки | растить до золотого |
# | бронзовый | остальные покупатели | стандартное обслуживание |
# | ложный клиент | не покупал; переговоры идут дольше **60 дней** и раз за разом откладываются | не тратить время |
# | потенциальный покупатель | прочие, кто ещё не покупал | квалифицировать и довести до покупки |

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

from clientlib import exercises, frameworks, lessons, messages, plots, segment
from clientlib.features import customer_facts
from clientlib.frameworks.value_tiers import pareto

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
# ## The Pareto curve
#
# Rank the buyers from the biggest spender down and plot the running share of revenue against
# the running share of customers. The further the curve bulges above the diagonal, the more the
# revenue is concentrated, and the more a single lost customer costs.

# %% [markdown] lang="ru"
# ## Кривая Парето
#
# Упорядочим покупателей от самого крупного и отложим накопленную долю выручки против
# накопленной доли клиентов. Чем сильнее кривая выгибается над диагональю, тем сильнее выручка
# сосредоточена у немногих — и тем дороже обходится потеря одного клиента.

# %%
curve = pareto(facts)
plots.pareto_curve(curve, x="customer_share", y="revenue_share", lang=lang)
plt.show()

# %%
top20 = curve.loc[curve["customer_share"] >= 0.2 - 1e-12, "revenue_share"].iloc[0]
n80 = int((curve["revenue_share"] < 0.8 - 1e-12).sum()) + 1
lessons.say("lessons.l04_pareto", lang, top20=messages.percent(top20, lang),
            n=messages.number(n80, lang), share=messages.percent(n80 / len(curve), lang))

# %% [markdown] lang="en"
# ## Tiers
#
# The rulebook, in the order the rules are tried, and the tiers of this business with their share
# of revenue:

# %% [markdown] lang="ru"
# ## Уровни
#
# Свод правил в порядке проверки и уровни этого бизнеса с их долей выручки:

# %%
rules = pd.DataFrame(frameworks.load("value_tiers").describe(lang)).set_index("id")
lessons.localize(rules, lang)

# %%
segments, skipped = segment.segment(facts, ["value_tiers"], lang=lang)
lessons.report_skipped(skipped, lang)
tiers = segments.sort_values("customer_id", ignore_index=True)
spend = facts_df.set_index("customer_id")["total_spend"]
tiers["total_spend"] = tiers["customer_id"].map(spend)
summary = tiers.groupby(["class", "label"]).agg(
    customers=("customer_id", "size"), revenue=("total_spend", "sum")).reset_index()
summary["revenue_share"] = summary["revenue"] / summary["revenue"].sum()
summary["revenue"] = summary["revenue"].round(0)
summary = summary.sort_values("revenue", ascending=False, ignore_index=True)
lessons.localize(lessons.as_percent(summary.set_index("label").drop(columns="class"),
                                    ["revenue_share"], lang), lang)

# %% [markdown] lang="en"
# **Worked example: where the gold line falls.** Rank the buyers by revenue. For each customer,
# the rule looks at the share of revenue of everyone ranked *above* them (`revenue_share_before`).
# While that share is below 80 %, the customer is gold; the customer who carries the running total
# across the line is still gold, the next one is silver. So "gold" is the smallest group that
# covers the target share, and its size depends on the business: a shop with a long tail of small
# buyers has a thin gold tier, a wholesaler with a few large accounts may have three gold customers
# out of thirty. Silver repeats the same cut for the next 15 %. Non-buyers never enter the
# ranking: they are false clients when a negotiation has been open too long and keeps being
# postponed, and prospects otherwise. Note what the tiers do not see: revenue is not profit (pass
# a profit column when you have one), and a single very large order can make a one-off buyer
# gold, so read the gold list with the account managers before acting on it.

# %% [markdown] lang="ru"
# **Разберём, где проходит граница золота.** Упорядочим покупателей по выручке. Для каждого
# клиента правило смотрит на долю выручки всех, кто стоит *выше* него (`revenue_share_before`).
# Пока эта доля меньше 80 %, клиент золотой; тот, на ком накопленная сумма переходит черту, тоже
# золотой, следующий — уже серебряный. Значит, «золото» — наименьшая группа, которая покрывает
# заданную долю, и её размер зависит от бизнеса: у магазина с длинным хвостом мелких покупателей
# золотой слой тонкий, у оптовика с несколькими крупными клиентами золотыми могут оказаться трое
# из тридцати. Серебро повторяет тот же разрез для следующих 15 %. Те, кто не покупал, в рейтинг
# не попадают: это ложные клиенты, если переговоры затянулись и постоянно откладываются, и
# потенциальные покупатели во всех остальных случаях. Помните, чего уровни не видят: выручка — не прибыль
# (передайте столбец прибыли, если он есть), а один очень крупный заказ может сделать золотым
# разового покупателя, поэтому прежде чем действовать, пройдитесь по списку золотых клиентов вместе
# с менеджерами.

# %%
lessons.say("lessons.l04_flags", lang, key=int(tiers["key_account"].sum()),
            mono=int(tiers["mono_client"].sum()),
            largest=messages.percent(spend.max() / spend.sum(), lang))

# %% [markdown] lang="en"
# ## Account-care alerts
#
# For every gold or key account the `alerts` column lists what the contact log says is overdue:
# no positive contact for too long, a negative contact nobody followed up, a client file not
# reviewed. Counting each alert shows where the account managers fall behind.

# %% [markdown] lang="ru"
# ## Сигналы по ведению
#
# Для каждого золотого или ключевого клиента столбец `alerts` перечисляет, что по журналу
# контактов просрочено: давно не было позитивного контакта, после негативного никто не
# отреагировал, досье давно не обновлялось. Подсчёт сигналов показывает, где менеджеры не
# успевают.

# %%
def alert_text(ids):
    return ", ".join(messages.text(f"lessons.alert_{a}", lang) for a in str(ids or "").split())


flagged = tiers.loc[tiers["alerts"].fillna("") != ""]
alert_counts = None
if len(flagged):
    alerts = flagged["alerts"].str.split().explode().map(alert_text)
    alert_counts = alerts.value_counts().rename("customers").rename_axis("alert").to_frame()
    alert_counts = lessons.localize(alert_counts, lang)
else:
    lessons.say("lessons.l04_no_alerts", lang)
alert_counts

# %%
gold = tiers.loc[tiers["class"] == "gold"].sort_values(["total_spend", "customer_id"],
                                                        ascending=[False, True]).head(5)
gold = gold.assign(alerts=gold["alerts"].map(alert_text), total_spend=gold["total_spend"].round(0))
lessons.localize(lessons.as_percent(
    gold.set_index("customer_id")[["total_spend", "revenue_share", "alerts"]],
    ["revenue_share"], lang, 2), lang)

# %% [markdown] lang="en"
# ## Organising the work with key clients
#
# The article is practical about the organisation. How many key accounts one manager can carry is
# decided by the revenue they bring, not by their number. A key client deserves a dossier beyond
# the usual CRM card: who decides and who influences, their plans, the competitors courting them,
# with access limited to the manager and their head. The head of sales checks in the early months
# that the manager uses all of the company's resources and follows a plan; the manager sums up
# regularly and keeps the dossier current. And the warning that closes the section: do not relax
# when things go well, because competitors keep trying to take the client away. The alerts above
# are that warning turned into a weekly list.

# %% [markdown] lang="ru"
# ## Как организовать работу с ключевыми клиентами
#
# Статья практична и в организации. Сколько ключевых клиентов может вести один менеджер, решает
# приносимая ими выручка, а не их число. На ключевого клиента заводят досье сверх обычной
# карточки в CRM: кто принимает решения и кто на них влияет, планы клиента, конкуренты, которые
# его обхаживают; доступ к досье — только у менеджера и его руководителя. Руководитель отдела
# продаж в первые месяцы проверяет, задействовал ли менеджер все ресурсы компании и работает ли по
# плану; менеджер регулярно подводит итоги и пополняет досье. И предупреждение, которым
# заканчивается раздел: не расслабляйтесь, когда всё хорошо, — конкуренты продолжают попытки
# увести клиента. Сигналы выше — это предупреждение, превращённое в еженедельный список.

# %% [markdown] lang="en"
# ## For discussion

# %% [markdown] lang="ru"
# ## Для обсуждения

# %%
is_gold = tiers["class"] == "gold"
unattended = tiers.loc[is_gold & tiers["alerts"].fillna("").str.contains("no_positive_contact")]
lessons.say("lessons.l04_gold_unattended", lang, n=messages.number(len(unattended), lang),
            revenue=messages.percent(unattended["total_spend"].sum() / spend.sum(), lang))
smallest_gold = tiers.loc[is_gold, "total_spend"].min()
rising = tiers.loc[(tiers["class"] == "silver") & (tiers["total_spend"] >= smallest_gold / 2)]
lessons.say("lessons.l04_silver_rising", lang, n=messages.number(len(rising), lang))
lessons.say("lessons.l04_false", lang,
            n=messages.number(int((tiers["class"] == "false_client").sum()), lang))

# %% [markdown] lang="en"
# ## Exercises
#
# Use `curve` (the Pareto table), `tiers` and
# `segment.segment(facts, ["value_tiers"], params={"value_tiers": {...}})`.

# %% [markdown] lang="ru"
# ## Упражнения
#
# Используйте `curve` (таблица Парето), `tiers` и
# `segment.segment(facts, ["value_tiers"], params={"value_tiers": {...}})`.

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %% [markdown] lang="en"
# ### Exercise 1: the 80/20 check
#
# What share of revenue do the **top 20 %** of buyers bring? Give a share between 0 and 1.

# %% [markdown] lang="ru"
# ### Упражнение 1: проверка 80/20
#
# Какую долю выручки приносят **20 %** самых крупных покупателей? Ответьте долей от 0 до 1.

# %% lang="en"
answer = None  # your answer: a share from 0 to 1, e.g. answer = 0.25

# %% lang="ru"
answer = None  # ваш ответ: доля от 0 до 1, например answer = 0.25

# %%
exercises.check("key_top20_revenue", answer, facts=facts, lang=lang)

# %%
lessons.localize(exercises.sweep(facts, "value_tiers", "gold_share", [0.5, 0.6, 0.7, 0.8, 0.9], "gold", lang), lang)

# %% [markdown] lang="en"
# ### Exercise 2: a narrower gold
#
# If gold covers only **50 %** of revenue (`gold_share`), how many gold customers are there?

# %% [markdown] lang="ru"
# ### Упражнение 2: узкое золото
#
# Сколько будет золотых клиентов, если золото покрывает только **50 %** выручки (`gold_share`)?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("key_gold_half", answer, facts=facts, lang=lang)

# %%
from clientlib.exercises import l04_key_clients as l04

lessons.localize(l04.alerts_by_class(tiers, lang), lang)

# %% [markdown] lang="en"
# ### Exercise 3: accounts needing care
#
# How many **gold** customers have at least one account-care alert?

# %% [markdown] lang="ru"
# ### Упражнение 3: клиенты без внимания
#
# У скольких **золотых** клиентов есть хотя бы один сигнал по ведению?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("key_gold_alerts", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4 (open): the dependence risk
#
# Look at the share of revenue of the largest customers and at the gold tier's size. How exposed
# is this business? Write what would happen to revenue if the largest customer left, how many
# accounts one manager can look after (the article: count by revenue, not by number of
# customers), and two measures that reduce the risk without neglecting the gold clients.

# %% [markdown] lang="ru"
# ### Упражнение 4 (открытое): риск зависимости
#
# Посмотрите на долю выручки самых крупных клиентов и на размер золотого уровня. Насколько бизнес
# уязвим? Напишите, что будет с выручкой, если уйдёт самый крупный клиент, сколько клиентов может
# вести один менеджер (статья советует считать по выручке, а не по числу клиентов) и две меры,
# которые снижают риск, не забрасывая золотых клиентов.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("key_dependence_plan", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# Tiers need only orders with amounts; false clients and account-care alerts need a contact log
# with negotiations and contact sentiment:
#
# ```bash
# papermill notebooks/en/04_key_clients.ipynb my_04.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# If your business is one of a few large accounts, change `gold_share` (and say why in the
# rulebook): with thirty customers, "80 % of revenue" may be three of them. Then compare the gold
# list with the list your managers would write from memory.
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
# Уровням достаточно заказов с суммами; ложным клиентам и сигналам по ведению нужен журнал
# контактов с переговорами и оценкой тональности:
#
# ```bash
# papermill notebooks/ru/04_key_clients.ipynb my_04.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# Если ваш бизнес держится на нескольких крупных клиентах, поменяйте `gold_share` (и запишите в
# своде правил почему): при тридцати клиентах «80 % выручки» могут давать трое. Потом сравните
# список золотых клиентов с тем, что менеджеры напишут по памяти.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
