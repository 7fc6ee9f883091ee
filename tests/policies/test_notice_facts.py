"""Every fee, window, contact and threshold of every notice, typed from the notice texts in
../shared/notices/ — not read back from the YAML — so a wrong data file fails here."""

import datetime as dt

import pytest

from policies import load_notices

JY = "jianyang-2020-engineering-senior"
HZ = "huzhou-2020-enterprise-innovation-engineer"
PL = "pingliang-2022-engineering-mid-senior"
CZ = "changzhi-2022-engineering-mid-junior"
CQ = "chongqing-2024-engineering-senior-nonpublic-sme"


@pytest.fixture(scope="module")
def index():
    return load_notices()


def test_the_five_notices_are_indexed(index):
    assert sorted(n.id for n in index.all()) == sorted([JY, HZ, PL, CZ, CQ])


IDENTITY = [
    # id, document number, region code, levels, year
    (JY, "简人社职〔2020〕33号", "jianyang", ["senior_engineer"], 2020),
    (HZ, "湖职指发〔2020〕2号", "huzhou", ["engineer"], 2020),
    (PL, "平工信发〔2022〕138号", "pingliang", ["engineer", "senior_engineer"], 2022),
    (CZ, "长工信〔2022〕139号", "changzhi", ["technician", "assistant_engineer", "engineer"], 2022),
    (CQ, "渝经信职改办〔2024〕16号", "chongqing", ["senior_engineer"], 2024),
]


@pytest.mark.parametrize("nid,doc,region,levels,year", IDENTITY)
def test_identity(index, nid, doc, region, levels, year):
    n = index.get(nid)
    assert n.doc_number == doc
    assert n.region.code == region
    assert sorted(n.levels) == sorted(levels)
    assert n.year == year


@pytest.mark.parametrize(
    "nid,published",
    [(JY, dt.date(2020, 8, 11)), (HZ, dt.date(2020, 8, 27)), (PL, dt.date(2022, 8, 26)), (CQ, dt.date(2024, 9, 3))],
)
def test_publication_dates(index, nid, published):
    assert index.get(nid).published == published


FEES = [
    # id, level, stated, amount, clause, basis document (None where the notice names none)
    (JY, "senior_engineer", True, 320, "七", None),
    (HZ, "engineer", False, None, "五", "浙价费〔2002〕229号"),
    (PL, "engineer", False, None, None, None),
    (PL, "senior_engineer", False, None, None, None),
    (CZ, "engineer", True, 300, "八", "长发改费管发〔2016〕34号"),
    (CZ, "assistant_engineer", True, 260, "八", "长发改费管发〔2016〕34号"),
    (CZ, "technician", True, 260, "八", "长发改费管发〔2016〕34号"),
    (CQ, "senior_engineer", True, 420, "五（四）", "渝价〔2015〕123号"),
]


@pytest.mark.parametrize("nid,level,stated,amount,clause,basis", FEES)
def test_fees(index, nid, level, stated, amount, clause, basis):
    fee = index.get(nid).fee_for(level)
    assert fee is not None, f"{nid} has no fee entry for {level}"
    assert fee.stated is stated
    assert fee.amount == amount
    if clause:
        assert fee.clause == clause
    if basis:
        assert fee.basis == basis


WINDOWS = [
    # id, window id, kind, start, start time, end, end time
    (JY, "online_application", "application", dt.date(2020, 8, 17), "10:00", dt.date(2020, 9, 7), "17:00"),
    (JY, "exceptional_route_submission", "exceptional_route", None, None, dt.date(2020, 8, 20), None),
    (JY, "department_submission", "materials", None, None, dt.date(2020, 9, 10), None),
    (JY, "payment", "payment", None, None, dt.date(2020, 9, 11), "17:00"),
    (HZ, "online_application", "application", dt.date(2020, 8, 31), None, dt.date(2020, 10, 10), None),
    (HZ, "unit_review", "unit_review", dt.date(2020, 8, 31), None, dt.date(2020, 10, 10), None),
    (PL, "online_application", "application", None, None, dt.date(2022, 9, 30), "24:00"),
    (PL, "unit_review", "unit_review", None, None, dt.date(2022, 9, 30), None),
    (PL, "online_review", "committee_review", None, None, dt.date(2022, 10, 31), None),
    (PL, "defence", "defence", None, None, dt.date(2022, 12, 20), None),
    (CZ, "materials_submission", "materials", dt.date(2022, 7, 25), None, dt.date(2022, 8, 25), None),
    (CQ, "online_application", "application", dt.date(2024, 9, 3), None, dt.date(2024, 10, 10), None),
    (CQ, "committee_review", "committee_review", dt.date(2024, 10, 11), None, dt.date(2024, 10, 25), None),
    (CQ, "payment", "payment", dt.date(2024, 10, 28), None, dt.date(2024, 11, 11), None),
]


@pytest.mark.parametrize("nid,wid,kind,start,start_time,end,end_time", WINDOWS)
def test_windows(index, nid, wid, kind, start, start_time, end, end_time):
    w = index.get(nid).window(wid)
    assert w is not None, f"{nid} lacks window {wid}"
    assert (w.kind, w.start, w.start_time, w.end, w.end_time) == (kind, start, start_time, end, end_time)


@pytest.mark.parametrize("nid,wid", [(JY, "defence"), (PL, "defence")])
def test_defence_dates_are_tentative(index, nid, wid):
    assert index.get(nid).window(wid).tentative is True


@pytest.mark.parametrize(
    "nid,counting,achievements",
    [
        (JY, dt.date(2020, 12, 31), None),
        (HZ, dt.date(2020, 12, 31), None),
        (PL, dt.date(2022, 12, 31), dt.date(2022, 9, 30)),
        (CQ, dt.date(2024, 12, 31), None),
    ],
)
def test_counting_dates(index, nid, counting, achievements):
    n = index.get(nid)
    assert n.counting_date.date == counting
    assert (n.achievements_until.date if n.achievements_until else None) == achievements


CONTACT_PHONES = [
    (JY, "27028373"),  # 专技科, clause 八
    (JY, "27028362"),  # 监督电话, clause 九
    (HZ, "2033099"),  # 市职业资格指导服务中心
    (HZ, "2289377"),  # 吴兴
    (HZ, "3013686"),  # 南浔
    (HZ, "8367490"),  # 德清
    (HZ, "6038432"),  # 长兴
    (HZ, "5031286"),  # 安吉
    (HZ, "0571-88808880"),  # system technical support
    (PL, "0933-8232911"),  # 王琼
    (CZ, "0355-3036240"),  # 市工信局编制人事科
    (CQ, "023-63899976"),  # 杨老师
    (CQ, "15923960007"),
]


def _digits(s):
    return "".join(ch for ch in s if ch.isdigit())


@pytest.mark.parametrize("nid,phone", CONTACT_PHONES)
def test_contact_phones(index, nid, phone):
    phones = {_digits(p) for c in index.get(nid).contacts for p in c.phones}
    assert _digits(phone) in phones


def test_main_contacts_come_first(index):
    # The first contact is the one answers send applicants to when a notice is silent.
    assert _digits(index.get(JY).contacts[0].phones[0]) == "27028373"
    assert _digits(index.get(HZ).contacts[0].phones[0]) == "2033099"
    assert _digits(index.get(PL).contacts[0].phones[0]) == "09338232911"
    assert _digits(index.get(CZ).contacts[0].phones[0]) == "03553036240"
    assert _digits(index.get(CQ).contacts[0].phones[0]) == "02363899976"


def test_contact_addresses(index):
    addresses = lambda nid: " ".join(c.address or "" for c in index.get(nid).contacts)  # noqa: E731
    assert "松林路333号" in addresses(JY) and "322室" in addresses(JY)
    assert "市民服务中心5号楼810" in addresses(HZ)
    assert "云杉南路12号" in addresses(CQ)


def test_changzhi_emails_without_password(index):
    n = index.get(CZ)
    emails = {c.email for c in n.contacts if c.email}
    assert "czsjxwzpwzy@163.com" in emails
    dumped = n.json(ensure_ascii=False)
    assert "cz123456" not in dumped  # the mailbox password is not republished


PLAGIARISM = [
    # id, max percent, a word that identifies which papers
    (PL, 15, "核心"),
    (PL, 25, "省级"),
    (CZ, 25, "论文"),
]


@pytest.mark.parametrize("nid,pct,word", PLAGIARISM)
def test_plagiarism_thresholds(index, nid, pct, word):
    rules = index.get(nid).plagiarism
    assert any(r.max_percent == pct and word in r.applies_to for r in rules), rules


def test_plagiarism_only_where_stated(index):
    for nid in (JY, HZ, CQ):
        assert index.get(nid).plagiarism == []


def test_continuing_education_hours(index):
    h = index.get(JY).continuing_education_hours
    assert (h.public_hours, h.professional_hours) == (30, 60)
    hz = index.get(HZ).continuing_education_hours
    assert hz is not None and "2017" in hz.period and "2019" in hz.period


DELEGATES = [
    # id, document deferred to, a topic it must be cited for
    (HZ, "浙价费〔2002〕229号", None),
    (PL, "甘人社通〔2021〕252号", "conditions"),
    (CQ, "重庆市职称申报标准条件索引", "conditions"),
]


@pytest.mark.parametrize("nid,doc,topic", DELEGATES)
def test_delegated_documents(index, nid, doc, topic):
    n = index.get(nid)
    if topic is None:
        assert n.fee_for(n.levels[0]).basis == doc
    else:
        assert any(doc in d.doc or doc in (d.title or "") for d in n.delegates_for(topic))


def test_changzhi_excluded_groups(index):
    text = " ".join(i.text for i in index.get(CZ).who_may_not_apply)
    for word in ("公务员", "退休", "政务处分", "党纪处分", "职业资格考试"):
        assert word in text, word
