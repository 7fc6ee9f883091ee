"""Scope first: questions the notices do not cover are recognised before any notice is chosen.

Salaries, qualification *exams* (their registration, dates, fees, scores), civil-service ranks,
other title series, places without a notice — none of them may be answered with a notice's
figure. Offers of 代评 / 包过 / 代办 get the notices' own warnings instead.

The words here describe how people name those subjects; they state no fact of any notice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from policies.index import NoticeIndex
from policies.text import normalize

FRAUD = re.compile(r"代评|包过|包通过|代办|代报|代理申报|买职称|买个职称|买证|买.{0,6}(证书|职称|工程师证|高工证)|花(钱|几万|\d+万|[一两三四五六七八九十]+万).{0,6}(买|办|找人|拿证|直接|包)|挂靠|包拿证|保过|"
                   r"交钱.{0,8}(不用|直接|就能|拿证)|找人(改|办|弄|搞)|假证|办证|改.{0,4}(日期|时间|年限)|"
                   r"内部渠道|走关系|找关系|托关系|不用.{0,4}(论文|材料).{0,4}(也能|就能)|代写论文|论文代写|代发论文")
SALARY = re.compile(r"年薪|月薪|薪资|薪水|薪酬|待遇|补贴|津贴|退休金|养老金|涨(多少|工资|薪|钱)|多拿|加薪|能拿多少钱|挣多少|"
                    r"工资.{0,4}(多少|高|能拿|涨|一个月|每月|水平|标准|几千|多钱)|"
                    r"(个人|年|月)收入(多少|高)")
QUALIFICATION = re.compile(r"一建|二建|建造师|监理工程师|监理师|造价工程师|造价师|安全工程师|安全评价师|消防工程师|注册.{0,6}(工程师|师)|"
                           r"一级工程师|二级工程师|结构工程师|岩土工程师|环评工程师|咨询工程师|测绘师|设备监理师|"
                           r"计算机考试|职称计算机|职称英语|职称外语考试|英语考试|计算机等级|软考|系统架构师|系统分析师|"
                           r"网络工程师|信息系统项目管理师|bim|pmp|cad|cpa|注会")
EXAM_ASK = re.compile(r"报名|报考|考试|考点|成绩|准考证|真题|难度|通过率|题库|复习|培训班|考几科|几科|科目|多少分|分数|及格|教材|"
                      r"年薪|工资|挂靠|怎么考|好考|考过|出分|查分")
TITLE_ASK = re.compile(r"职称|评|申报|对应|转|抵|代替|高工|副高|中级|初级|助工|工程师(?!报名|考试)")
CIVIL_SERVICE = re.compile(r"科员|副科|正科|副处|正处|处级|科级|职级并行|职级晋升|公务员考试|国考|省考|遴选|选调|公务员.{0,3}(职级|晋升|工资)")
OTHER_SERIES = re.compile(r"教师|中小学|中学|小学|幼儿园|高校|卫生系列|护士|护师|医生|医师|主治|主任医|药师|技师长|会计|经济师|审计师|"
                          r"统计师|律师|公证员|农艺师|农技|畜牧|兽医|记者|编辑|出版|播音|讲师|教授|研究员|馆员|翻译|政工师|"
                          r"工艺美术|体育教练|教练员|社会工作师|社工|实验师|档案系列|档案专业|图书资料|文物博物|群众文化|演员|演奏员")
TRANSFER = re.compile(r"转|换系列|跨系列|改评|工程系列|(?<!注册)(?<!电气)工程师|高工|助工|技术员")
OFF_TOPIC = re.compile(r"天气|股票|基金|彩票|考研|考公|高考|中考|笑话|吃什么|房价|买房|贷款|结婚|驾照|签证|户口|落户|"
                       r"退税|医保报销|失业金|公积金|景点|好玩|旅游|地铁|公交|末班车|美食|酒店|天气")


@dataclass(frozen=True)
class Scope:
    kind: str  # "in_scope" | "out_of_scope" | "fraud"
    subject: str = ""  # what is out of scope, in words for the reply: 工资待遇, 北京的职称评审 …

    @property
    def answerable(self) -> bool:
        return self.kind == "in_scope"


IN_SCOPE = Scope("in_scope")


def classify(text: str, index: NoticeIndex, places: List[str]) -> Scope:
    """Decide whether ``text`` may be answered from the notices at all."""
    t = normalize(text).lower()
    if FRAUD.search(t):
        return Scope("fraud", "代评、代办")
    if SALARY.search(re.sub(r"岗位工资|工资(流水|表|审批)", "", t)):
        return Scope("out_of_scope", "工资待遇")
    if QUALIFICATION.search(t) and EXAM_ASK.search(t) and not re.search(r"职称(?!计算机|英语|外语)|评审|对应|抵|转评", t):
        return Scope("out_of_scope", "职业资格考试的报名和考试")
    if re.search(r"(计算机|英语|外语)(考试)?.{0,4}(报名|考点|成绩|准考证|多少分|难|题)", t):
        return Scope("out_of_scope", "职称外语、计算机考试的报名和考试")
    if CIVIL_SERVICE.search(t):
        return Scope("out_of_scope", "公务员职级和考试")
    if OTHER_SERIES.search(t) and not TRANSFER.search(t):
        return Scope("out_of_scope", "工程系列以外的职称")
    place = uncovered_place(index, t, places)
    if place:
        return Scope("out_of_scope", f"{place}的职称评审")
    if OFF_TOPIC.search(t) and not TITLE_ASK.search(t):
        return Scope("out_of_scope", "与职称评审无关的问题")
    return IN_SCOPE


def uncovered_place(index: NoticeIndex, text: str, places: List[str]) -> Optional[str]:
    """The first place named in ``text`` that no notice covers (None if all named are covered).

    A place named together with a covered city is that city's surroundings (成都简阳, 山西长治):
    the question is about the covered city.
    """
    cities, provinces = set(), set()
    for n in index.all():
        cities.update([n.region.city, n.region.city.rstrip("市"), *n.region.aliases])
        provinces.add(n.region.province.rstrip("省市"))
    text = normalize(text)
    if any(c in text for c in cities):
        return None
    for name in places:
        if name in text and name not in provinces and name not in cities:
            return name
    return None
