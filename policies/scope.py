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
from policies.places import major_places, place_names
from policies.text import normalize

FRAUD = re.compile(
    r"代评|包过|包通过|代办|代报|代理申报|买职称|买个职称|买证|买.{0,6}(证书|职称|工程师证|高工证)|花(钱|几万|\d+万|[一两三四五六七八九十]+万).{0,6}(买|办|找人|拿证|直接|包)|挂靠|包拿证|保过|"
    r"交钱.{0,8}(不用|直接|就能|拿证)|找人(改|办|弄|搞)|假证|办证|改.{0,4}(日期|时间|年限)|"
    r"挂(出去|证|靠)|改.{0,3}(早|晚)一|打点|送礼|红包|塞钱|(卖|买).{0,8}(证|职称)|"
    r"内部渠道|走关系|找关系|托关系|不用.{0,4}(论文|材料).{0,4}(也能|就能)|代写论文|论文代写|代发论文|"
    # asking someone to make a record false, or to get round a check
    r"(帮|让|找|请).{0,6}(改成|改一下|改个|ps|p一下|p个|编个|编一个|代写|弄个假)|骗过|蒙混|糊弄|"
    r"编.{0,2}(个|一个|些)?.{0,3}(专利号|证书号|业绩|项目|数据)|随便写写|不认识我|"
    # buying or borrowing what must be one's own, and forging
    r"枪手|代笔|代签|冒签|找人签|(替|帮)我签|辛苦费|(证书|职称|证)[^，。？?]{0,6}(能|可以|能不能|可不可以|哪里|哪儿|去哪)[^，。？?]{0,4}买|买(论文|版面|专利|业绩|奖)|挂名|借(别人|他人|同事)的?(业绩|论文|专利|证)|冒用|虚报|"
    r"假(章|公章|盖章)|私刻|刻(个|一个)?章|刷(业绩|数据)|(改|调)(一下|下)?(年份|证书|学历|考核结果)|"
    # someone else in the asker's place, a document made up ("毕业证能P一个本科的吗")
    r"找人替|替我(视频)?(答辩|考|参加|面试)|替考|代(答辩|考试)|(?<![a-z])p(一个|一张|个|张)"
)
# Making a record false or someone else in one's place ("P一个本科", "刻个章", "找人替我答辩"): a fraud
# reply then says what the notices do to false materials, not their warning about agents.
FORGING = re.compile(r"假|伪造|刻.{0,2}章|私刻|p(?:一|个|张)|ps|改成|编.{0,3}(?:个|一个)|替我|找人替|枪手|代笔|冒")
FORGERY = "弄虚作假"
# Making something false (fraud) — unless the question asks what happens to those who did.
FAKE = re.compile(r"假(?:的[^，。？?,]{0,8}?|职称)?(证|学历|材料|文凭|证明|记录|合同|发票)|做假|造假|伪造")
CONSEQUENCE = re.compile(r"处理|后果|会怎样|会怎么|查出|被查|查到|处罚|追责|取消|几年不能")
SALARY = re.compile(
    r"年薪|月薪|薪资|薪水|薪酬|待遇|补贴|津贴|退休金|养老金|涨(多少|工资|薪|钱)|多拿|加薪|能拿多少钱|挣多少|"
    r"工资.{0,4}(多少|高|能拿|涨|一个月|每月|水平|标准|几千|多钱|怎么调|套改)|奖金|薪级|绩效工资|加工资|"
    r"(补贴|布贴|津贴).{0,6}(多少|几百|几千)|(个人|年|月)收入(多少|高)|(多少钱|几千|几万)一个月|一个月(多少钱|几千|拿多少)|"
    r"月工资|工资(啊|呢)?怎么算|退休工资"
)
QUALIFICATION = re.compile(
    r"一建|二建|[12]建|建造师|监理工程师|监理师|造价工程师|造价师|安全工程师|安全评价师|消防工程师|注册.{0,6}(工程师|师)|"
    r"一级工程师|二级工程师|结构工程师|岩土工程师|环评工程师|咨询工程师|测绘师|设备监理师|"
    r"计算机考试|职称计算机|职称英语|职称外语考试|英语考试|计算机等级|软考|系统架构师|系统分析师|"
    r"网络工程师|信息系统项目管理师|bim|pmp|cad|cpa|注会"
)
EXAM_ASK = re.compile(
    r"报名|报考|考试|考点|成绩|准考证|真题|难度|通过率|题库|复习|培训班|考几科|几科|科目|多少分|分数|及格|教材|"
    r"年薪|工资|挂靠|怎么考|好考|考过|出分|查分|注册证|电子证|打印|领取|延续|继续教育|份考|时候考|几月考|考$"
)
TITLE_ASK = re.compile(r"职称|评|申报|对应|转|抵|代替|高工|副高|中级|初级|助工|工程师(?!报名|考试)")
CIVIL_SERVICE = re.compile(
    r"科员|副科|正科|副处|正处|处级|科级|职级并行|职级晋升|公务员考试|国考|省考|遴选|选调|公务员.{0,3}(职级|晋升|工资)|"
    r"事业编|考编|编制考试|事业单位(招聘|考试)|综合应用能力|职业能力倾向|行测|申论|面试真题|"
    # 事业单位岗位等级 and administrative ranks (七级进六级, 八级职员相当于…)
    r"[一二三四五六七八九十\d]+级(岗|职员|管理|进|升|到)|相当于.{0,8}(级别|职级|行政级)|公务员什么级别"
)
# Taking an exam (not the title evaluation): registration, subjects, scores, revision.
EXAM = re.compile(
    r"(参加|报名|准备|报|去)考试|考试(时间|科目|报名|难|几门|内容|范围|费|地点|安排)|考几门|几门|考几科|复习|备考|考场|"
    r"真题|题库|教材|分数线|及格|成绩.{0,3}(出|查)|好考|难考|怎么考|报考|准考证|主观题|客观题|刷题"
)
# Whether the evaluation requires an exam ("计算机考试是必备的吗") is the notices' to say.
REQUIRED = re.compile(r"必备|必须|必需|必要|要不要|需不需要|用不用|还要考|要考.{0,8}[吗么嘛]|需要考|有.{0,4}要求")
EVALUATION = re.compile(
    r"评审|职称评|申报|破格|转评|转系列|考核|答辩|评委|论文|业绩|继续教育|要不要考|需要考|必须考|还要考|赋分|量化|"
    r"不是必备|必备条件|(外语|英语|计算机).{0,4}(成绩|证).{0,4}(要|需|必)"
)
OTHER_SERIES = re.compile(
    r"教师|中小学|中学|小学|幼儿园|卫生系列|卫生职称|护士|护师|医生|医师|主治|主任医|药师|会计师|会计系列|会计职称|"
    r"(初级|中级|高级)会计|经济师|经济系列|审计师|统计师|律师|公证员|农艺师|农技|畜牧师|兽医|记者|新闻出版|"
    r"播音|讲师|副教授|(?:评|报|申报|升|晋升|评上|当)个?教授(?!级)|馆员|翻译系列|翻译职称|政工师|工艺美术师|工艺美术系列|体育教练|教练员|社会工作师|社工|"
    r"实验师|档案系列|档案专业|图书资料|文物博物|群众文化|群文|演员|演奏员"
)
TRANSFER = re.compile(r"转|换系列|跨系列|改评|工程系列|(?<!注册)(?<!电气)工程师|高工|助工|技术员")
# Income tax deductions (a title's certificate may be deducted): not what the notices govern.
TAX = re.compile(r"专项附加扣除|抵(扣)?个税|个税.{0,8}(扣除|抵扣|抵)|(扣除|抵扣).{0,6}个税")
# Opinions and translations: no notice answers them, whatever title words they carry.
OPINION = re.compile(r"含金量|哪个(更)?(值钱|吃香|有用)|英文(怎么|叫|名)|英语怎么说|怎么翻译|翻译成英")
# The full senior title (正高级): none of the notices evaluates it (a 正高工 may recommend).
FULL_SENIOR = re.compile(
    r"(评|报|申报|申请|升|晋|考)(个)?(?:正高|教授级)|(?:正高(级)?|教授级)(高工|高级工程师|工程师|职称)?.{0,3}(怎么|如何|咋|啥|条件|要求|申报|评审|能评|能报|几年)"
)
OFF_TOPIC = re.compile(
    r"天气|下雨|下雪|气温|刮风|个税(怎么|咋)?(填|报|退)|股票|基金|彩票|考研|考公|高考|中考|笑话|吃什么|房价|买房|贷款|结婚|驾照|签证|户口|落户|"
    r"退税|医保报销|失业金|公积金|景点|好玩|旅游|地铁|公交|末班车|美食|酒店|天气"
)


# Looking for a job, not a title: interview questions, hiring, résumés ("硬件工程师面试题").
JOB = re.compile(r"面试题|笔试题|招聘|求职|简历|跳槽|offer")


@dataclass(frozen=True)
class Scope:
    kind: str  # "in_scope" | "out_of_scope" | "fraud"
    subject: str = ""  # what is out of scope, in words for the reply: 工资待遇, 北京的职称评审 …
    place: str = ""  # the place with no notice, when that is why

    @property
    def answerable(self) -> bool:
        return self.kind == "in_scope"


IN_SCOPE = Scope("in_scope")


# Words that tie a question to title evaluation at all; a question with none of them and no
# notice in the conversation is about something else ("python怎么读取excel").
ANCHOR = re.compile(
    r"职称|评审|评定|申报|申请|参评|评|报|工程师|高工|副高|正高|中级|初级|助工|技术员|高级|论文|材料|资料|条件|要求|"
    r"破格|继续教育|学时|社保|档案|学历|文凭|毕业|本科|大专|专科|中专|硕士|博士|年限|考核|答辩|评委|推荐人|推荐表|"
    r"举荐|证书|证|业绩|项目|专利|专业|单位|企业|公司|通知|专技|资格|费|缴|截止|时间|电话|查重|公示|转系列|退休|公务员|"
    r"处分|人社|职改|工信|经信|条款|代评|包过|代办|文号|文件|发文|这个文|年龄|岁数|获奖|奖项|(?<!年终)奖(?!金)|"
    r"证明|截图|扫描件|复印件|原件|盖章|公章|"
    # what applicants offer as evidence: standards, books, journals, awards, projects
    r"标准|国标|行标|企标|著作|专著|教材|isbn|出版|期刊|刊号|检索|sci|课题|科研|成果|佐证|鉴定|验收|获奖|审核|主管部门"
)


def anchored(text: str) -> bool:
    return bool(ANCHOR.search(normalize(text).lower()))


def classify(text: str, index: NoticeIndex, places: List[str]) -> Scope:
    """Decide whether ``text`` may be answered from the notices at all."""
    t = normalize(text).lower()
    if QUALIFICATION.search(t) and re.search(r"挂", t) and not re.search(r"职称|评审", t):
        return Scope("out_of_scope", "职业资格证书的注册和使用")  # 建造师证挂多少钱: not a title
    if FRAUD.search(t) or (FAKE.search(t) and not CONSEQUENCE.search(t)):
        return Scope("fraud", FORGERY if FORGING.search(t) else "代评、代办")
    if SALARY.search(re.sub(r"岗位工资|工资(流水|表|审批)", "", t)):
        return Scope("out_of_scope", "工资待遇")
    if (
        QUALIFICATION.search(t)
        and EXAM_ASK.search(t)
        and not re.search(r"职称(?!计算机|英语|外语)|评审|对应|抵|转评", t)
        and not REQUIRED.search(t)
    ):
        return Scope("out_of_scope", "职业资格考试的报名和考试")
    if re.search(r"(计算机|英语|外语)(考试)?.{0,4}(报名|考点|成绩|准考证|多少分|难|题)", t):
        return Scope("out_of_scope", "职称外语、计算机考试的报名和考试")
    if EXAM.search(t) and not EVALUATION.search(t):
        return Scope("out_of_scope", "各类资格考试")
    if TAX.search(t):
        return Scope("out_of_scope", "个人所得税的扣除")
    if OPINION.search(t):
        return Scope("out_of_scope", "这类评价或翻译问题")
    if FULL_SENIOR.search(t) and not re.search(r"正高.{0,4}(推荐|专家|签字)", t):
        return Scope("out_of_scope", "正高级工程师的评审")
    if CIVIL_SERVICE.search(t):
        return Scope("out_of_scope", "公务员职级和考试")
    if OTHER_SERIES.search(t) and not TRANSFER.search(t):
        return Scope("out_of_scope", "工程系列以外的职称")
    place = uncovered_place(index, t, places)
    if place:
        return Scope("out_of_scope", f"{place}的职称评审", place)
    if JOB.search(t) and not re.search(r"职称|评审|申报|评委", t):
        return Scope("out_of_scope", "求职招聘")
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
        cities.update([n.region.city, n.region.city.rstrip("市"), *place_names(n.region)])
        provinces.add(n.region.province.rstrip("省市"))
    text = normalize(text)
    if any(c in text for c in cities):
        return None
    major = major_places()
    for name in places:
        if name in text and name.rstrip("省市") not in provinces and name not in cities:
            if name in major or name.endswith(("县", "区", "旗")) or _said_as_place(text, name):
                return name
    return None


# A county's short form (友谊, 平安) is a place only when it is said as one: 在友谊, 友谊的, 友谊县城 …
_BEFORE_PLACE = re.compile(r"(?:在|去|到|回|是|住|来自|老家)$")
_AFTER_PLACE = re.compile(
    r"^(?:的|人|这边|那边|那里|当地|本地|市|县|区|工作|上班|职称|助理|工程师|高工|中级|初级|副高|技术员|[，,。？?\s]|$)"
)


def _said_as_place(text: str, name: str) -> bool:
    at = text.find(name)
    while at >= 0:
        if _BEFORE_PLACE.search(text[:at]) or _AFTER_PLACE.match(text[at + len(name) :]):
            return True
        at = text.find(name, at + 1)
    return False
