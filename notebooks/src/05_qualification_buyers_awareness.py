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
# # 05 · Worth the effort? Qualification, buyer types, awareness stages, "fast, good, cheap"
#
# ## Why it matters
#
# A sales team always has more names than hours. The four frameworks of this lesson each settle one
# question about where the next hour goes:
#
# | framework | the decision it drives | what it reads |
# |---|---|---|
# | **qualification by five criteria** (John Mendocha) | call this prospect now, keep warming them up, or park them in the database | survey / CRM answers |
# | **four buyer types** (Nick Reese) | whom the offer and the price are built for, and whom you can afford to lose | the orders |
# | **awareness stages** | which message a prospect needs: education, an application, a quote, or a rescue | survey / CRM answers |
# | **fast, good, cheap: pick two** | which service process, and which price, fits the customer | the orders |
#
# The common idea comes from the article the first two frameworks are taken from. Its author contrasts
# two ways of selling. In the first, a seller learns fifty to eighty "types of customer" so as to sell
# to whoever walks in. In the second, the business decides *before* it sells which customers it wants,
# attracts those, and works with a handful of types at most. These four frameworks are the filters of
# that second way.

# %% [markdown] lang="ru"
# # 05 · Стоит ли тратить силы? Квалификация, типы покупателей, стадии осведомлённости, «быстро, качественно, дёшево»
#
# ## Зачем это нужно
#
# Имён в базе у отдела продаж всегда больше, чем рабочих часов. Каждая из четырёх классификаций этого
# урока отвечает на один вопрос — куда потратить следующий час:
#
# | классификация | какое решение она подсказывает | на чём основана |
# |---|---|---|
# | **квалификация по пяти критериям** (Джон Мендоза) | звонить сейчас, дать клиенту дозреть или отложить в базу | ответы анкеты / данные CRM |
# | **четыре типа покупателей** (Ник Рис) | под кого строить предложение и цену, а кого не жалко потерять | заказы |
# | **стадии осведомлённости** | какое сообщение нужно: просвещать, показать применение, дать цену или спасать | ответы анкеты / данные CRM |
# | **быстро, качественно, дёшево: выберите любые два** | какой процесс обслуживания и какая цена подходят клиенту | заказы |
#
# Общая мысль взята из статьи, откуда пришли первые две классификации. Автор противопоставляет два
# подхода к продажам. «Советский»: продавец заучивает 50–80 типов клиентов, чтобы продать любому,
# кто зашёл в магазин. «Капиталистический»: ещё до продажи бизнес решает, с какими клиентами ему
# интересно работать, привлекает именно их и имеет дело максимум с несколькими типами. Четыре
# классификации урока — это фильтры второго подхода.

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

# %%
import ibis
import matplotlib.pyplot as plt
import pandas as pd

from clientlib import exercises, frameworks, lessons, plots, segment
from clientlib.exercises import l05_qualification_buyers_awareness as l05
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

# %% [markdown] lang="en"
# The cell above read the orders (and, for the workshop shop, the survey answers and the event log)
# and built one row of facts per customer. Now every framework of the lesson runs once; a framework
# whose columns are absent from the data is listed as not applicable, with the columns it needs.

# %% [markdown] lang="ru"
# Ячейка выше прочитала заказы (а для учебного магазина — ещё ответы анкеты и журнал событий) и
# собрала по строке фактов на каждого клиента. Теперь запускаем все классификации урока; если в данных
# нет нужных столбцов, классификация помечается как неприменимая, с перечнем того, чего не хватает.

# %%
NAMES = ["qualification", "buyer_types", "awareness", "fast_good_cheap"]
segments, _ = segment.segment(facts, NAMES, lang=lang)
ran = l05.frameworks_that_apply(segments, facts_df, NAMES, lang=lang)

# %% [markdown] lang="en"
# ## 1. Qualification by five criteria
#
# Mendocha's test picks, out of everyone who might buy, the few worth a salesperson's time today. It
# asks five questions; the examples are the article's, told briefly.
#
# 1. **Do they have the money?** A shop selling phones and laptops handed out leaflets with its
#    cheapest items (earphones for 49 roubles, a flash drive for 160) and told its sellers to turn
#    each visitor into a smartphone sale on credit. Almost nobody upgraded: people who come for the
#    cheapest earphones rarely leave with a smartphone. The shop put mid-range phones and laptops on
#    the leaflets instead and started drawing visitors who could afford a bigger purchase.
# 2. **Do they have a problem that must be solved soon?** People buy to get rid of a pain or to get a
#    pleasure; the pain sells faster.
# 3. **Do they like what makes your offer different** (the unique selling proposition)? Why should
#    they buy this from you and not from a competitor?
# 4. **Can the person you talk to decide?** In furniture and interior work the choice is often made
#    by one partner and paid by the other: in the article a kitchen was designed to the wife's taste,
#    the husband refused to pay, and a week of design work was lost. In B2B the same happens with a
#    contact who cannot say "yes" without their boss.
# 5. **Are your terms acceptable to them?** A patient agrees to heart surgery only when there is no
#    other way to go on living; a product should not ask the customer for extra sacrifices or
#    uncomfortable conditions.
#
# All five true: **qualified**, sell now. At least `nurture_min` of them (3 by default): **nurture**,
# keep in touch until the prospect is ready. Fewer: **defer**, keep the contact in the database for
# later.

# %% [markdown] lang="ru"
# ## 1. Квалификация по пяти критериям
#
# Тест Джона Мендозы выбирает из всех, кто в принципе мог бы купить, тех немногих, на кого стоит
# потратить время продавца сегодня. Вопросов пять; примеры — из статьи, пересказанные коротко.
#
# 1. **Есть ли у них деньги на покупку?** Магазин телефонов и ноутбуков раздавал листовки с самыми
#    дешёвыми товарами (наушники за 49 рублей, флешка за 160), а продавцам велел «дотягивать»
#    каждого посетителя до смартфона в кредит. Почти никто не дотягивался: пришедший за самыми
#    дешёвыми наушниками редко уходит со смартфоном. Магазин поставил на листовки смартфоны и
#    ноутбуки среднего класса — и пошли покупатели, которым крупная покупка по карману.
# 2. **Есть ли проблема, которую нужно срочно решить?** Покупают, чтобы избавиться от боли или
#    получить удовольствие; боль продаёт быстрее.
# 3. **Нравится ли им ваше уникальное торговое предложение?** Почему купить нужно у вас, а не у
#    конкурента?
# 4. **Может ли собеседник принять решение?** В мебели и отделке часто выбирает один, а платит
#    другой: в статье кухню спроектировали по вкусу жены, муж платить отказался, и неделя работы
#    над макетом пропала. В B2B то же самое бывает с контактом, который не может сказать «да» без
#    начальника.
# 5. **Приемлемо ли для них ваше предложение?** На операцию на сердце пациент соглашается, только
#    когда иначе не выжить; продукт не должен требовать от клиента лишних жертв и неудобных условий.
#
# Все пять «да» — **перспективный клиент**, продавать сейчас. Хотя бы `nurture_min` из пяти (по
# умолчанию 3) — **дозревает**: поддерживать контакт, пока клиент не созреет. Меньше — **отложить в
# базу** до лучших времён.

# %%
l05.rules_table("qualification", lang)

# %% [markdown] lang="en"
# ### Worked example: who goes on this week's call list?
#
# The counts per class, then the qualified prospects split by whether they have already bought:
# a qualified prospect with no purchase yet is the first name on a call list.

# %% [markdown] lang="ru"
# ### Разбор на примере: кого включить в список звонков на эту неделю?
#
# Сначала число клиентов в каждом классе, затем перспективные клиенты — купившие и ещё не купившие.
# Перспективный клиент без единой покупки — первая строка в списке звонков.

# %%
if l05.applies("qualification", ran, lang):
    display(l05.show(l05.bought_table(segments, facts_df, "qualification", lang=lang), lang))
    l05.say_call_list(segments, facts_df, lang=lang)

# %% [markdown] lang="en"
# **Discuss.** The printed line names the prospects who pass all five tests and have never bought.
# Who calls them, and with which offer? And the nurture group: which single criterion fails most
# often there (look at the criteria table below), and is it one your marketing can change — the
# offer's terms, say — or one it cannot, such as the money?

# %% [markdown] lang="ru"
# **Обсудите.** В напечатанной строке — клиенты, прошедшие все пять проверок и ни разу не купившие.
# Кто им позвонит и с каким предложением? А в группе «дозревает»: какой критерий проваливается чаще
# всего (см. таблицу критериев ниже) и можно ли на него повлиять — например, условиями
# предложения, — или нельзя, как в случае с деньгами?

# %%
if l05.applies("qualification", ran, lang):
    display(l05.show(l05.criteria_table(facts_df, segments, lang=lang), lang))
    l05.say_weakest_criterion(facts_df, segments, lang=lang)

# %% [markdown] lang="en"
# ## 2. Four buyer types
#
# Nick Reese sorts buyers by what they come for:
#
# * **freeloaders** want something for nothing; the advice is plain: avoid them;
# * **discount hunters** are not far from them: always looking for a promotion, buying at the lowest
#   price they can find. Almost every new business meets them at the start and then tries to be rid of
#   them;
# * **seekers** look for the best balance of price and quality: the golden middle, the type the
#   article calls the favourite of nearly any business — easy to serve, and loyal to a supplier they
#   value;
# * **result-focused** buyers pay for the outcome; they appear once you are the best in your town or
#   your trade.
#
# The advice that comes with the types: set up sales so that seekers flow to you, and do not be afraid
# to **raise the price**. You will lose customers, but from the first two types, who bring no profit
# and take time and nerves. Reese tells how, working in e-mail marketing, his most troublesome clients
# were exactly those he had signed at his competitors' rates, well below his own; he let them go. A
# price concession tells the customer you need them badly; offer a bonus for accepting your terms, or
# less work for less money, instead.
#
# From orders, the types read as shares: a freeloader has at least half of the orders free or at 80 %
# off or more; a discount hunter buys at least 60 % of orders on discount; a result-focused buyer
# takes the premium option in at least half of the orders and almost never waits for a discount; the
# remaining buyers are seekers. Customers who never bought get a class of their own, so that "seeker"
# always means a real buyer.

# %% [markdown] lang="ru"
# ## 2. Четыре типа покупателей
#
# Ник Рис делит покупателей по тому, за чем они приходят:
#
# * **халявщики** хотят получить что-то даром; совет простой — избегать;
# * **любители скидок** недалеко от них ушли: постоянно ищут акции и покупают по самой низкой цене,
#   какую найдут. Почти каждый предприниматель натыкается на них на старте, а потом старается от них
#   избавиться;
# * **искатели** ищут идеальное соотношение «цена — качество»: золотая середина, любимый тип почти
#   любого бизнеса — их легко обслуживать, и они ценят своего поставщика;
# * **сосредоточенные на результате** платят за итог; они появляются, когда вы лучшие в своём
#   городе, области или отрасли.
#
# Рекомендация к типам: настроить продажи так, чтобы к вам шёл поток искателей, и не бояться
# **поднять цену**. Клиентов вы потеряете, но из первых двух типов — тех, кто прибыли не приносит, а
# отнимает время и нервы. Рис рассказывает, как в email-маркетинге самыми «тяжёлыми» оказались
# клиенты, с которыми он работал по ценам конкурентов, заметно ниже своих; он с ними расстался.
# Уступка в цене говорит клиенту, что вы в нём отчаянно нуждаетесь; лучше дайте бонус за работу на
# ваших условиях или уменьшите объём работ вместе с ценой.
#
# По заказам типы видны как доли: у халявщика не меньше половины заказов бесплатные или со скидкой
# от 80 %; любитель скидок берёт со скидкой не меньше 60 % заказов; сосредоточенный на результате
# выбирает премиальный вариант хотя бы в половине заказов и почти не ждёт скидок; остальные
# покупатели — искатели. Кто ещё ничего не купил, получает свой класс, чтобы «искатель» всегда
# означал настоящего покупателя.

# %% [markdown] lang="en"
# ### Worked example: what would a price rise cost?
#
# Customers, orders and revenue per buyer type. The last line answers the article's question with your
# numbers: if a price rise drove away every freeloader and discount hunter, how much revenue would
# leave with them, and how many orders would the team no longer have to handle?

# %% [markdown] lang="ru"
# ### Разбор на примере: во что обойдётся повышение цены?
#
# Клиенты, заказы и выручка по типам покупателей. Последняя строка отвечает на вопрос статьи вашими
# цифрами: если после повышения цены уйдут все халявщики и любители скидок, сколько выручки уйдёт с
# ними и сколько заказов команде больше не придётся обрабатывать?

# %%
if l05.applies("buyer_types", ran, lang):
    display(l05.show(l05.class_table(segments, "buyer_types", facts_df, lang=lang), lang))
    l05.say_price_rise(segments, facts_df, lang=lang)

# %% [markdown] lang="en"
# **Discuss.** Is the share of revenue above worth the orders it takes? The article assumes these
# customers bring no profit; your margins decide whether that holds. Which of your current
# promotions mostly feed the discount hunters?
#
# The workshop shop knows each customer's hidden *persona* (the generator planted bargain hunters,
# freeloaders, premium buyers…). Where it is known, a crosstab shows whether the rules find them:

# %% [markdown] lang="ru"
# **Обсудите.** Стоит ли эта доля выручки тех заказов, которые она требует? Статья исходит из того,
# что прибыли эти клиенты не приносят; так ли это у вас, решает ваша маржа. Какие из нынешних акций
# кормят в основном любителей скидок?
#
# Учебный магазин знает скрытую *персону* каждого клиента (генератор заложил охотников за скидками,
# халявщиков, любителей премиума…). Если персона известна, таблица сопряжённости показывает,
# находят ли их правила:

# %%
if l05.applies("buyer_types", ran, lang):
    display(l05.show(l05.persona_crosstab(segments, facts_df, "buyer_types", lang=lang), lang))

# %% [markdown] lang="en"
# ## 3. Awareness stages
#
# The third framework asks how much a prospect knows about what you sell. The article's author works
# in IT sales and counts five states:
#
# 1. **Knows nothing of the product.** The old story of the shoe salesman sent to Africa, who cabled
#    the factory to send more shoes because everyone there walked barefoot: you are first, the market is
#    yours, but you have to change people's habits. Today this is rare; ads and articles reach almost
#    everyone.
# 2. **Knows the product, not how to apply it.** A step further, and a more grateful prospect. Here the
#    job is not to educate but to fit the product to their business, which needs homework before the
#    first meeting. The author once presented unified communications to a chain of luxury stores; what
#    caught the client's interest was not cheaper calls or telephony but distance learning: the chain
#    kept opening stores and kept training new sellers on a changing range.
# 3. **Knows the product and its use, and is looking for a vendor.** The ideal case, and a rare one.
#    Usually a prospect is grown from the first or second stage to the third, and when they are ready
#    you want to be the one already in touch — and to have the ad ready for the day someone needs the
#    thing "yesterday".
# 4. **Tried on their own (or with another vendor) and hit technical problems.** Also a good case. No
#    need to advertise the product; advertise yourself, your specialists, and build trust — and sell the
#    work again, because the old setup has to be redone.
# 5. **Did it all in-house.** Not your customer for now: leave them alone, watch from a distance, and
#    remind them of you with an occasional newsletter, because after playing with it for a while they
#    may slide into stage 4.
#
# The rules check the two side branches first (in-house and happy; tried and hit problems), then
# "seeking a vendor", then "knows the product"; everyone else knows nothing yet.

# %% [markdown] lang="ru"
# ## 3. Стадии осведомлённости
#
# Третья классификация спрашивает, сколько клиент знает о том, что вы продаёте. Автор статьи продаёт
# ИТ-решения и различает пять состояний:
#
# 1. **Ничего не знает о продукте.** Старая байка про продавца обуви, которого послали в Африку: «шлите
#    больше обуви, здесь все ходят босиком». Вы первый и рынок ваш, но придётся менять привычки людей.
#    Сегодня это редкость: реклама и статьи доходят почти до всех.
# 2. **Знает о продукте, но не знает, как применить.** Шаг уже пройден, клиент благодарнее. Здесь нужно
#    не просвещать, а приложить продукт к его бизнесу — а для этого готовиться к первой встрече.
#    Однажды автор рассказывал сети магазинов для богатых об объединённых коммуникациях; клиента
#    зацепила не экономия на межгороде и не телефония, а дистанционное обучение: сеть постоянно
#    открывала новые магазины и обучала новых продавцов под меняющийся ассортимент.
# 3. **Знает продукт и как его применить, ищет подрядчика.** Идеальный и редкий случай. Обычно клиента
#    долго растят с первой-второй стадии до третьей, и в момент «отмашки» хочется быть тем, кто уже на
#    связи, — а рекламу держать наготове для того, кому понадобилось «уже вчера».
# 4. **Пробовал сам (или с другим подрядчиком) и столкнулся с техническими проблемами.** Тоже неплохо.
#    Рекламировать продукт уже не нужно — рекламируйте себя и своих специалистов, создавайте доверие и
#    продавайте работу ещё раз: старое придётся переделывать.
# 5. **Всё сделал сам.** Пока не ваш клиент: аккуратно оставить, наблюдать со стороны и изредка
#    напоминать о себе рассылкой — наигравшись, он может перейти в пункт 4.
#
# Правила сначала проверяют две боковые ветви («сделал сам и доволен», «пробовал и столкнулся с
# проблемами»), затем «ищет подрядчика», затем «знает о продукте»; остальные пока ничего не знают.

# %% [markdown] lang="en"
# ### Worked example: awareness meets qualification
#
# Each stage needs a different message, and qualification says whether the prospect is worth the
# message now. The crosstab puts the two side by side.

# %% [markdown] lang="ru"
# ### Разбор на примере: осведомлённость и квалификация вместе
#
# Каждой стадии нужно своё сообщение, а квалификация говорит, стоит ли тратить его на клиента прямо
# сейчас. Таблица сопряжённости ставит их рядом.

# %%
if l05.applies(["awareness", "qualification"], ran, lang):
    display(l05.show(l05.crosstab(segments, "awareness", "qualification", lang=lang), lang))
    l05.say_failed_diy(segments, lang=lang)

# %% [markdown] lang="en"
# **Discuss.** Stage 4 prospects need specialists, not brochures. How many of them can your support
# team take on this quarter? And the in-house group: what would tell you that one of them is sliding
# into stage 4?

# %% [markdown] lang="ru"
# **Обсудите.** Клиентам четвёртой стадии нужны специалисты, а не буклеты. Сколько таких клиентов
# ваша поддержка потянет в этом квартале? И группа «всё сделал сам»: по каким признакам понять, что
# кто-то из них скатывается в пункт 4?

# %% [markdown] lang="en"
# ## 4. Fast, good, cheap: pick two
#
# The old joke "fast, good, cheap: choose any two" is, as its article says, a ready-made grouping.
# It gives at least three kinds of customer, each needing its own offer:
#
# * **fast and cheap**, so quality comes second;
# * **fast and good**, so it costs more;
# * **good and cheap**, so it takes time — companies that buy through tenders, for example, with half
#   a year of unhurried correspondence; they are ready just as the busy season ends.
#
# The author has met plenty of all three and suspects your firm already serves mostly one, or switches
# with the season: speed in the high season, expensive clients in the slow one. The lesson: each group
# needs not only its own offer but its own **service process**. A customer who came for fast and cheap
# did not pay for a seller's time or for premium service; treat a quality buyer the same way and you
# will never see the money they were ready to spend.
#
# From the orders: mostly express and premium reads "fast and good"; express and discounted reads
# "fast and cheap"; premium and discounted reads "good and cheap". Everyone else shows no clear pair
# yet.

# %% [markdown] lang="ru"
# ## 4. Быстро, качественно, дёшево: выберите любые два
#
# Старая шутка «быстро, качественно, дёшево — выберите любые два пункта» — по словам автора статьи,
# готовое основание для деления. Она даёт как минимум три категории клиентов, и каждой нужно своё
# предложение:
#
# * **дёшево и быстро** — значит, качество на втором месте;
# * **быстро и качественно** — значит, дорого;
# * **качественно и дёшево** — значит, небыстро: например, компании, которые закупают через тендеры,
#   с неспешной перепиской на полгода; они дозревают как раз к концу высокого сезона.
#
# Автор встречал много клиентов всех трёх групп и подозревает, что ваша фирма уже заточена под одну
# — или меняет её по сезону: летом работает на скорость, в спад ищет дорогих клиентов. Вывод: каждой
# группе нужно не только своё предложение, но и свой **процесс обслуживания**. Клиент, пришедший за
# «быстро и дёшево», не должен отнимать много времени продавца и претендовать на премиальный сервис —
# он за это не платил. Обойдитесь так же с клиентом, которому важно качество, — и денег, с которыми он
# готов был расстаться, вы не увидите.
#
# По заказам: в основном срочные и премиальные — «быстро и качественно»; срочные со скидкой —
# «дёшево и быстро»; премиальные со скидкой — «качественно и дёшево». У остальных явной пары пока нет.

# %% [markdown] lang="en"
# ### Worked example: how much is each pair worth?
#
# The sizes of the groups and what an order is worth in each: a "fast and good" order should be
# worth more than a "fast and cheap" one, or the premium service is given away.

# %% [markdown] lang="ru"
# ### Разбор на примере: сколько стоит каждая пара?
#
# Размер групп и средний чек в каждой: заказ «быстро и качественно» должен стоить дороже заказа
# «дёшево и быстро», иначе премиальный сервис раздаётся даром.

# %%
if l05.applies("fast_good_cheap", ran, lang):
    display(l05.show(l05.class_table(segments, "fast_good_cheap", facts_df, lang=lang), lang))
    l05.say_pairs(segments, facts_df, lang=lang)
    fgc = segments[segments["framework"] == "fast_good_cheap"]
    plots.segment_sizes(fgc["label"].value_counts(), lang=lang)
    plt.show()

# %% [markdown] lang="en"
# **Discuss.** Which of the three pairs is your business really built for, and which pair gets a
# process designed for another one? Most customers may show no clear pair: would you ask them
# (a one-question survey), or leave them alone?

# %% [markdown] lang="ru"
# **Обсудите.** Под какую из трёх пар на самом деле заточен ваш бизнес и какая пара получает процесс,
# придуманный для другой? У большинства клиентов явной пары может не быть: спросить их (анкета из
# одного вопроса) или оставить как есть?

# %% [markdown] lang="en"
# ## Exercises
#
# Four exercises, from a parameter change to an open question. Use `frameworks.classify(facts, name,
# params=...)` and the `segments` table. Wherever a class is asked, answer with its id (`"nurture"`)
# or its label in either language (`"Nurture"`, `"дозреть"`).

# %%
exercises.collect(answers, participant)  # each answer goes to the trainer's folder, if named

# %%
if l05.applies("qualification", ran, lang):
    display(l05.show(exercises.sweep(facts, "qualification", "nurture_min", [2, 3, 4, 5], "nurture", lang), lang))

# %% [markdown] lang="en"
# ### Exercise 1 (warm-up): a stricter nurture
#
# If nurturing needs **4** of the 5 criteria (`nurture_min`), how many customers are in `nurture`?

# %% [markdown] lang="ru"
# ## Упражнения
#
# Четыре упражнения — от смены параметра до открытого вопроса. Пользуйтесь
# `frameworks.classify(facts, name, params=...)` и таблицей `segments`. Где спрашивается класс,
# отвечайте его id (`"nurture"`) или названием на любом из двух языков (`"Nurture"`, `"дозреть"`).

# %% [markdown] lang="ru"
# ### Упражнение 1 (разминка): строже к «дозреть»
#
# Если для класса «дозреть» нужно **4** критерия из 5 (`nurture_min`), сколько в нём клиентов?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("qualification_nurture4", answer, facts=facts, lang=lang)

# %%
if l05.applies("buyer_types", ran, lang):
    display(l05.show(exercises.sweep(
        facts, "buyer_types", "hunter_min_discount_share", [0.3, 0.4, 0.5, 0.6, 0.7],
        "discount_hunter", lang), lang))

# %% [markdown] lang="en"
# ### Exercise 2: a looser hunter
#
# With a discount-hunter threshold of **50 %** discounted orders (`hunter_min_discount_share`), how
# many discount hunters are there?

# %% [markdown] lang="ru"
# ### Упражнение 2: мягче к любителям скидок
#
# Если любителем скидок считать того, у кого со скидкой **50 %** заказов
# (`hunter_min_discount_share`), сколько их будет?

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("buyer_hunters_50", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 3: the common pair
#
# Among customers with a clear pair (not `undecided`), which pair is the most common? Answer with the
# class id or its label.

# %% [markdown] lang="ru"
# ### Упражнение 3: самая частая пара
#
# Среди клиентов с явной парой (не `undecided`) какая пара встречается чаще всего? Ответьте id
# класса или его названием.

# %% lang="en"
answer = None  # your answer: a name in quotes, e.g. answer = "..."

# %% lang="ru"
answer = None  # ваш ответ: название в кавычках, например answer = "..."

# %%
exercises.check("fgc_top_pair", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 4: ready and qualified
#
# How many customers are both **qualified** and **looking for a vendor** (`ready_to_buy`)? They
# are the prospects for whom the only open question is whose quote they accept.

# %% [markdown] lang="ru"
# ### Упражнение 4: готов и перспективен
#
# Сколько клиентов одновременно **перспективные** и **ищут подрядчика** (`ready_to_buy`)? Для них
# открыт один вопрос — чьё коммерческое предложение они примут.

# %% lang="en"
answer = None  # your answer: a number, e.g. answer = 1234

# %% lang="ru"
answer = None  # ваш ответ: число, например answer = 1234

# %%
exercises.check("qualified_ready", answer, facts=facts, lang=lang)

# %% [markdown] lang="en"
# ### Exercise 5 (open): Monday's call list
#
# The sales team can make about **50** calls first thing on Monday. Describe the rule that picks
# whom to call, using at least two of the four frameworks: which classes go on the list, in what
# order, and how many customers your rule gives on these data (compute it). Write the answer as text,
# a few sentences. The check lists the points a good answer covers; the trainer discusses it with the
# rubric in `solutions/README.md`.

# %% [markdown] lang="ru"
# ### Упражнение 5 (открытое): список звонков на понедельник
#
# В понедельник с утра отдел продаж успеет сделать около **50** звонков. Опишите правило, по
# которому выбрать, кому звонить, опираясь хотя бы на две классификации из четырёх: какие классы попадают
# в список, в каком порядке и сколько клиентов даёт ваше правило на этих данных (посчитайте). Ответ —
# текстом, в несколько предложений. Проверка перечислит пункты, которые стоит раскрыть; тренер разбирает
# ответ по критериям из `solutions/README.ru.md`.

# %% lang="en"
answer = None  # your answer, as text in quotes: answer = "..."

# %% lang="ru"
answer = None  # ваш ответ текстом в кавычках: answer = "..."

# %%
exercises.check("call_list", answer, lang=lang)

# %% [markdown] lang="en"
# ## Your own data
#
# Rerun this notebook on your export: set `data` to the orders file and `mapping` to the columns:
#
# ```bash
# papermill notebooks/en/05_qualification_buyers_awareness.ipynb my_05.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Client,timestamp=Date,amount=Total"
# ```
#
# * **Buyer types and "fast, good, cheap"** need order attributes: `discount` (the discount on the
#   line, a share or an amount), `is_premium` and `is_express` (yes/no). Without them every buyer is a
#   seeker with no clear pair, and the lesson says the framework tells you nothing on this data.
# * **Qualification and awareness** need answers about each customer: `has_money`, `has_urgent_problem`,
#   `likes_usp`, `has_authority`, `finds_offer_acceptable` and `does_in_house`, `had_problems`,
#   `tried_diy`, `seeking_vendor`, `knows_product` (yes/no, да/нет, 1/0). An order file does not have
#   them; they come from a CRM export or a short survey. Five yes/no questions after a first call are
#   enough to start.
#
# What to look at first: the size of each class (is one class swallowing everybody?), the share of
# revenue per buyer type, and the qualified prospects who never bought.
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
# Запустите этот блокнот на своей выгрузке: укажите в `data` файл заказов, а в `mapping` — столбцы:
#
# ```bash
# papermill notebooks/ru/05_qualification_buyers_awareness.ipynb my_05.ipynb -k clientlib --execution-timeout 600 \
#     -p data orders.csv -p sep ";" -p decimal "," -p dayfirst True -p encoding cp1251 \
#     -p mapping "customer_id=Клиент,timestamp=Дата,amount=Сумма"
# ```
#
# * **Типам покупателей и «быстро, качественно, дёшево»** нужны признаки заказа: `discount` (скидка в
#   строке — долей или суммой), `is_premium` и `is_express` (да/нет). Без них каждый покупатель —
#   искатель без явной пары, и урок так и скажет: на этих данных классификация ничего не различает.
# * **Квалификации и стадиям осведомлённости** нужны ответы о каждом клиенте: `has_money`,
#   `has_urgent_problem`, `likes_usp`, `has_authority`, `finds_offer_acceptable` и `does_in_house`,
#   `had_problems`, `tried_diy`, `seeking_vendor`, `knows_product` (да/нет, yes/no, 1/0). В файле
#   заказов их нет — они берутся из выгрузки CRM или короткой анкеты. Для начала хватит пяти вопросов
#   «да/нет» после первого звонка.
#
# С чего начать: размер каждого класса (не поглотил ли один класс всех?), доля выручки по типам
# покупателей и перспективные клиенты, которые ещё ничего не купили.
#
# Параметры `sep`, `decimal`, `dayfirst` и `encoding` читают типичную выгрузку из 1С или Excel
# (точка с запятой, десятичная запятая, даты вида 31.12.2024, кодировка Windows-1251); уберите те,
# что вашему файлу не нужны. Если есть журнал контактов и анкета, передайте все файлы: `-y 'data:
# {transactions: orders.csv, events: contacts.csv, customers: survey.csv}'`. Если файл не
# читается, урок остановится на первой ячейке и одной строкой скажет, какой параметр поправить;
# `--execution-timeout 600` прервёт ячейку, которая считается дольше десяти минут.
