"""Demo data of the smart government affairs plugin (智慧政务) for Xuzhou (叙州区).

The catalogue: about sixty service items (事项) of the district's departments, picked by
the department's type — each with its legal basis, conditions, legal and promised working
days, fee, channel (全程网办, 最多跑一次, 窗口办理), place and materials; a few revised
during the year (version 2 published, version 1 kept) and a few withdrawn.

A year of applications (办件) up to the demo's day, about one per twenty residents: each
for a resident (declared as their person record) of an age the item fits, a quarter
filed by the grid worker of their grid as agent (代办帮办), the rest by the resident —
with a citizen account of the demo where there is one to give. Their lives: a few not
accepted (不予受理), about one in ten paused for 补正, most completed (办结), mostly on
time, the rest open at every step. Dates follow the State Council's calendar
(``gov_holiday``) by the very rules the API uses (``workdays.Calendar``): the deadline is
the promised working days after acceptance moved on by the working days of a pause,
``on_time`` is completion on or before it. Every step is in the trace as the API writes
it (``applications.StepName``, notes naming materials by number, a 补正 asked before the
review or during it and back to where it came from); the materials handed in are
recorded without a stored file (the demo has no storage: seen at the window); visits are
none online or through an agent, at most one for 最多跑一次. Most completed applications
are rated (好差评), and every bad rating has its rectification, most closed with a
call-back.

Fast by design (it runs for every demo test and for benchmarks of 750,000 persons): the
applicants are drawn by one ordered SELECT (a hash of the person's id under a seed of the
demo), everything else is planned in Python from generators of its own and written with
binary COPY, the tables' foreign keys and secondary indexes dropped meanwhile.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, Generic, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.demo.bulk import Copier, bulk_load
from core.demo.context import DemoContext
from core.demo.population import DEMO_TZ
from plugins.e_governance.applications import StepName, materials_note
from plugins.e_governance.models import (
    BAD_GRADES,
    GRADE_SCORE,
    RECTIFICATION_DAYS,
    ApplicationStatus,
    Channel,
    Decision,
    Grade,
    ItemStatus,
    MaterialForm,
    RectificationStatus,
)
from plugins.e_governance.workdays import Calendar, load_calendar

S = ApplicationStatus
T = TypeVar("T")
ORIGINAL, COPY, ELECTRONIC = MaterialForm.ORIGINAL, MaterialForm.COPY, MaterialForm.ELECTRONIC
ONLINE, ONE_VISIT, WINDOW = Channel.ONLINE, Channel.ONE_VISIT, Channel.WINDOW

# --- the catalogue ---------------------------------------------------------------------


class Mat(NamedTuple):
    """A material an item asks for."""

    name: str
    required: bool = True
    form: MaterialForm = ORIGINAL
    copies: int = 1


def opt(name: str, form: MaterialForm = COPY, copies: int = 1) -> Mat:
    """An optional material (其他证明材料, 如有)."""
    return Mat(name, False, form, copies)


ID = Mat("申请人居民身份证")
HUKOU = Mat("居民户口簿")
BANK = opt("本人社会保障卡或银行卡")


@dataclass(frozen=True, slots=True)
class Revision:
    """What version 2 of an item changed (the reform it followed)."""

    promised: int | None = None
    channel: Channel | None = None
    materials: tuple[Mat, ...] | None = None


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    basis: str  # 设定依据
    conditions: str  # 受理条件
    legal: int  # 法定办结时限 (working days)
    promised: int  # 承诺办结时限 (working days)
    channel: Channel
    materials: tuple[Mat, ...]
    weight: float = 1.0  # how often it is applied for, relative to the others
    ages: tuple[int, int] = (18, 120)  # the applicants' ages it fits
    fee: str = "0"
    revised: Revision | None = None
    withdrawn: bool = False


#: Items by department type: those of a type no department has are left out.
CATALOGUE: dict[str, tuple[Spec, ...]] = {
    "civil_affairs": (
        Spec(
            "最低生活保障申请",
            "《社会救助暂行办法》第九条、第十一条；《四川省最低生活保障工作规程》",
            "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定",
            30,
            20,
            ONE_VISIT,
            (
                ID,
                HUKOU,
                Mat("最低生活保障申请书"),
                Mat("家庭经济状况核对授权书"),
                opt("家庭成员收入证明"),
                opt("残疾证或病历等证明材料"),
            ),
            weight=3.0,
            revised=Revision(
                promised=15,
                materials=(
                    ID,
                    HUKOU,
                    Mat("最低生活保障申请书"),
                    Mat("家庭经济状况核对授权书", form=ELECTRONIC),
                    opt("残疾证或病历等证明材料"),
                ),
            ),
        ),
        Spec(
            "临时救助申请",
            "《社会救助暂行办法》第四十七条、第四十八条",
            "因火灾、交通事故等意外事件或家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难",
            20,
            10,
            ONE_VISIT,
            (
                ID,
                HUKOU,
                Mat("临时救助申请书"),
                Mat("困难情况证明材料（医疗票据、事故证明等）", form=COPY),
            ),
            weight=2.0,
        ),
        Spec(
            "困难残疾人生活补贴和重度残疾人护理补贴申请（残疾人两项补贴）",
            "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
            "持有第二代中华人民共和国残疾人证，属低保家庭的残疾人或残疾等级为一、二级且需长期照护的重度残疾人",
            20,
            15,
            ONLINE,
            (ID, HUKOU, Mat("中华人民共和国残疾人证"), Mat("残疾人两项补贴申请审批表"), BANK),
            weight=2.0,
        ),
        Spec(
            "高龄津贴申领",
            "《四川省〈中华人民共和国老年人权益保障法〉实施办法》；《宜宾市高龄津贴发放管理办法》",
            "具有本区户籍、年满80周岁的老年人",
            20,
            10,
            ONLINE,
            (ID, HUKOU, Mat("高龄津贴申请表"), BANK),
            weight=2.0,
            ages=(80, 120),
        ),
        Spec(
            "特困人员救助供养申请",
            "《社会救助暂行办法》第十四条、第十五条；《特困人员认定办法》",
            "无劳动能力、无生活来源且无法定赡养、抚养、扶养义务人，或者其法定义务人无履行义务能力的老年人、残疾人以及未成年人",
            30,
            20,
            WINDOW,
            (
                ID,
                HUKOU,
                Mat("特困人员救助供养申请书"),
                Mat("家庭经济状况核对授权书"),
                opt("残疾证"),
            ),
            weight=1.0,
            ages=(60, 120),
        ),
        Spec(
            "内地居民婚姻登记",
            "《婚姻登记条例》第四条、第七条",
            "男女双方均无配偶、达到法定婚龄、自愿结婚，且无禁止结婚的亲属关系，双方亲自到场",
            1,
            1,
            WINDOW,
            (
                Mat("男女双方居民身份证"),
                Mat("男女双方居民户口簿"),
                Mat("双方近期半身免冠合影照片", copies=3),
            ),
            weight=2.0,
            ages=(20, 45),
        ),
        Spec(
            "惠民殡葬补贴申领",
            "《殡葬管理条例》；《四川省基本殡葬服务费用减免办法》",
            "具有本区户籍的逝者，其遗体在本区殡仪馆火化",
            15,
            5,
            ONE_VISIT,
            (
                ID,
                Mat("逝者居民死亡医学证明（推断）书", form=COPY),
                Mat("火化证明", form=COPY),
                BANK,
            ),
            weight=1.0,
            ages=(30, 120),
        ),
        Spec(
            "养老机构备案",
            "《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》第九条",
            "已依法登记为法人，具有与服务内容和规模相适应的场所、设施设备和人员",
            5,
            3,
            ONLINE,
            (
                Mat("养老机构备案书"),
                Mat("养老机构备案承诺书"),
                Mat("法人登记证书", form=COPY),
                Mat("服务场所使用权证明", form=COPY),
            ),
            weight=0.2,
            ages=(30, 65),
        ),
    ),
    "health": (
        Spec(
            "出生医学证明补发",
            "《中华人民共和国母婴保健法》第二十三条；《出生医学证明管理办法》",
            "在本区助产机构出生，《出生医学证明》遗失且已登报声明作废",
            20,
            10,
            WINDOW,
            (
                Mat("父母双方居民身份证"),
                Mat("出生医学证明补发申请表"),
                Mat("分娩机构出具的住院分娩证明", form=COPY),
                opt("遗失声明登报原件", form=ORIGINAL),
            ),
            weight=1.0,
            ages=(20, 45),
        ),
        Spec(
            "母婴保健服务人员资格认定",
            "《中华人民共和国母婴保健法》第三十三条；《中华人民共和国母婴保健法实施办法》第三十五条",
            "取得相应医师或护士执业资格，经母婴保健专业技术培训并考核合格",
            20,
            10,
            ONE_VISIT,
            (
                ID,
                Mat("母婴保健技术服务人员资格认定申请表"),
                Mat("执业证书", form=COPY),
                Mat("培训考核合格证明", form=COPY),
            ),
            weight=0.3,
            ages=(22, 55),
        ),
        Spec(
            "免费孕前优生健康检查申请",
            "《中华人民共和国母婴保健法》第七条；《国家免费孕前优生健康检查项目试点工作技术服务规范》",
            "计划怀孕的夫妇，至少一方具有本区户籍或在本区居住半年以上",
            5,
            3,
            ONLINE,
            (Mat("夫妻双方居民身份证"), opt("结婚证")),
            weight=1.0,
            ages=(20, 45),
        ),
        Spec(
            "生育登记",
            "《中华人民共和国人口与计划生育法》；《四川省人口与计划生育条例》第十九条",
            "夫妻双方或一方户籍在本区，或在本区居住",
            1,
            1,
            ONLINE,
            (Mat("夫妻双方居民身份证"), opt("结婚证")),
            weight=3.0,
            ages=(20, 45),
        ),
        Spec(
            "计划生育家庭特别扶助金申领",
            "《中华人民共和国人口与计划生育法》第三十一条；《全国独生子女伤残死亡家庭扶助制度试点方案》",
            "独生子女死亡或伤残（三级以上）后未再生育或收养子女的夫妻，女方年满49周岁",
            30,
            20,
            ONE_VISIT,
            (
                ID,
                HUKOU,
                Mat("计划生育家庭特别扶助对象申报表"),
                Mat("子女死亡或伤残证明", form=COPY),
            ),
            weight=0.5,
            ages=(49, 120),
        ),
        Spec(
            "医师执业注册",
            "《中华人民共和国医师法》第十三条；《医师执业注册管理办法》",
            "取得医师资格，拟在本区医疗机构执业",
            20,
            10,
            ONLINE,
            (
                ID,
                Mat("医师执业注册申请审核表"),
                Mat("医师资格证书", form=COPY),
                Mat("近6个月内的健康体检证明"),
                Mat("拟执业医疗机构聘用证明"),
            ),
            weight=0.5,
            ages=(23, 60),
            revised=Revision(
                promised=5,
                materials=(
                    ID,
                    Mat("医师执业注册申请审核表", form=ELECTRONIC),
                    Mat("医师资格证书", form=ELECTRONIC),
                    Mat("近6个月内的健康体检证明"),
                ),
            ),
        ),
    ),
    "human_resources": (
        Spec(
            "城乡居民基本养老保险参保登记",
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
            "年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的城乡居民",
            5,
            1,
            ONLINE,
            (ID, opt("城乡居民基本养老保险参保登记表", form=ORIGINAL)),
            weight=2.0,
            ages=(18, 59),
        ),
        Spec(
            "城乡居民基本养老保险待遇申领",
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）第六条",
            "年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇",
            15,
            5,
            ONE_VISIT,
            (ID, HUKOU, Mat("城乡居民基本养老保险待遇领取申请表"), BANK),
            weight=2.0,
            ages=(60, 120),
        ),
        Spec(
            "失业保险金申领",
            "《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条、第十六条",
            "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，已办理失业登记并有求职要求",
            10,
            5,
            ONLINE,
            (ID, Mat("解除或终止劳动合同证明", form=COPY), BANK),
            weight=2.0,
            ages=(18, 59),
        ),
        Spec(
            "就业创业证申领",
            "《就业服务与就业管理规定》第六十三条",
            "在法定劳动年龄内、有劳动能力和就业要求的城乡劳动者",
            5,
            1,
            ONLINE,
            (ID, opt("近期免冠照片", form=ELECTRONIC)),
            weight=2.0,
            ages=(18, 59),
        ),
        Spec(
            "社会保障卡申领",
            "《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》",
            "已参加社会保险的人员",
            10,
            1,
            WINDOW,
            (ID, Mat("社会保障卡申领登记表"), opt("近期免冠彩色照片", form=ORIGINAL)),
            weight=3.0,
            revised=Revision(channel=ONE_VISIT, materials=(ID, Mat("社会保障卡申领登记表"))),
        ),
        Spec(
            "灵活就业人员参保登记",
            "《中华人民共和国社会保险法》第十条、第二十三条",
            "无雇工的个体工商户、未在用人单位参加社会保险的非全日制从业人员以及其他灵活就业人员",
            5,
            1,
            ONLINE,
            (ID, opt("灵活就业人员参保登记表", form=ORIGINAL)),
            weight=1.0,
            ages=(18, 59),
        ),
        Spec(
            "职业技能提升补贴申领",
            "《失业保险条例》；《关于失业保险支持参保职工提升职业技能有关问题的通知》（人社部发〔2017〕40号）",
            "参加失业保险累计缴费满1年，取得职业资格证书或职业技能等级证书",
            30,
            20,
            ONLINE,
            (ID, Mat("职业资格证书或职业技能等级证书", form=COPY), BANK),
            weight=1.0,
            ages=(18, 59),
        ),
        Spec(
            "劳动人事争议仲裁申请",
            "《中华人民共和国劳动争议调解仲裁法》第二十八条、第二十九条",
            "发生劳动人事争议，在仲裁时效期间内，属于本委员会管辖范围",
            45,
            30,
            WINDOW,
            (
                ID,
                Mat("劳动人事争议仲裁申请书", copies=2),
                Mat("劳动关系证明材料", form=COPY),
                opt("证据材料及清单"),
            ),
            weight=0.5,
            ages=(18, 65),
        ),
    ),
    "housing": (
        Spec(
            "公共租赁住房申请",
            "《公共租赁住房管理办法》第七条；《宜宾市公共租赁住房管理办法》",
            "在本区无住房或住房面积低于规定标准，收入、财产低于规定标准",
            30,
            20,
            ONE_VISIT,
            (ID, HUKOU, Mat("公共租赁住房申请表"), Mat("家庭收入证明"), opt("婚姻状况证明")),
            weight=1.5,
            ages=(18, 80),
        ),
        Spec(
            "农村危房改造补助申请",
            "《中华人民共和国乡村振兴促进法》；《农村危房改造补助资金管理暂行办法》",
            "农村低收入群体等重点对象，住房经鉴定为C级或D级危房",
            30,
            20,
            ONE_VISIT,
            (ID, HUKOU, Mat("农村危房改造申请表"), opt("房屋危险性鉴定结论", form=COPY)),
            weight=1.0,
            ages=(30, 120),
        ),
        Spec(
            "城镇住房保障家庭租赁补贴申请",
            "《国务院关于解决城市低收入家庭住房困难的若干意见》（国发〔2007〕24号）",
            "本区城镇户籍低收入住房困难家庭，租住市场住房",
            30,
            20,
            ONE_VISIT,
            (ID, HUKOU, Mat("租赁补贴申请表"), Mat("房屋租赁合同", form=COPY), BANK),
            weight=1.0,
        ),
        Spec(
            "建筑工程施工许可证核发",
            "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
            "已办理用地、规划批准手续，施工企业已确定，有满足施工需要的资金安排和技术资料",
            7,
            3,
            ONLINE,
            (
                Mat("建筑工程施工许可证申请表"),
                Mat("建设工程规划许可证", form=COPY),
                Mat("中标通知书或直接发包批准文件", form=COPY),
                Mat("建设资金已落实承诺书"),
            ),
            weight=0.3,
            ages=(25, 65),
        ),
        Spec(
            "房屋建筑和市政基础设施工程竣工验收备案",
            "《建设工程质量管理条例》第四十九条；《房屋建筑和市政基础设施工程竣工验收备案管理办法》",
            "工程已竣工验收合格",
            15,
            5,
            ONLINE,
            (Mat("竣工验收备案表"), Mat("工程竣工验收报告"), Mat("工程质量保修书", form=COPY)),
            weight=0.3,
            ages=(25, 65),
        ),
    ),
    "market_regulation": (
        Spec(
            "个体工商户设立登记",
            "《中华人民共和国市场主体登记管理条例》第十九条；《促进个体工商户发展条例》",
            "有经营能力的公民，经营场所符合规定，经营范围不属于禁止类",
            3,
            1,
            ONLINE,
            (ID, Mat("个体工商户登记（备案）申请书"), Mat("经营场所使用证明", form=COPY)),
            weight=3.0,
            ages=(18, 65),
            revised=Revision(
                materials=(
                    ID,
                    Mat("个体工商户登记（备案）申请书"),
                    Mat("住所（经营场所）信息申报承诺书"),
                )
            ),
        ),
        Spec(
            "个体工商户变更登记",
            "《中华人民共和国市场主体登记管理条例》第二十四条",
            "已登记的个体工商户，登记事项发生变更",
            3,
            1,
            ONLINE,
            (ID, Mat("个体工商户变更登记申请书"), Mat("营业执照正、副本")),
            weight=1.0,
            ages=(18, 70),
        ),
        Spec(
            "个体工商户注销登记",
            "《中华人民共和国市场主体登记管理条例》第三十一条、第三十三条",
            "已登记的个体工商户，无未结清的债权债务",
            3,
            1,
            ONLINE,
            (ID, Mat("个体工商户注销登记申请书"), Mat("营业执照正、副本")),
            weight=1.0,
            ages=(18, 80),
        ),
        Spec(
            "食品经营许可",
            "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
            "有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和规章制度",
            20,
            5,
            ONE_VISIT,
            (
                ID,
                Mat("食品经营许可申请书"),
                Mat("营业执照", form=COPY),
                Mat("经营场所平面图和设备布局图"),
                Mat("食品安全管理制度"),
                opt("委托代理人身份证明及授权委托书"),
            ),
            weight=1.5,
            ages=(18, 65),
        ),
        Spec(
            "食品小经营店登记",
            "《四川省食品小作坊、小经营店及摊贩管理条例》第二十条",
            "从事食品经营的小经营店，有固定经营场所",
            15,
            5,
            ONE_VISIT,
            (ID, Mat("食品小经营店登记申请表"), Mat("从业人员健康证明", form=COPY)),
            weight=1.0,
            ages=(18, 65),
            withdrawn=True,
        ),
        Spec(
            "有限责任公司设立登记",
            "《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》",
            "股东符合法定人数，有符合公司章程规定的出资，有公司名称、住所和组织机构",
            3,
            1,
            ONLINE,
            (
                Mat("公司登记（备案）申请书"),
                Mat("公司章程"),
                Mat("股东主体资格证明", form=COPY),
                Mat("住所使用证明", form=COPY),
            ),
            weight=1.0,
            ages=(20, 65),
        ),
    ),
    "public_security": (
        Spec(
            "居住证申领",
            "《居住证暂行条例》第二条、第九条",
            "离开常住户口所在地，到本区居住半年以上，有合法稳定就业、合法稳定住所或连续就读",
            15,
            7,
            ONE_VISIT,
            (ID, Mat("居住证申领登记表"), Mat("合法稳定住所或就业、就读证明", form=COPY)),
            weight=1.0,
            ages=(18, 70),
        ),
        Spec(
            "无犯罪记录证明开具",
            "《公安机关办理无犯罪记录证明工作规定》（公通字〔2021〕10号）",
            "中国公民因就业、出国等需要，申请开具本人在国内的无犯罪记录证明",
            3,
            1,
            ONLINE,
            (ID, opt("授权委托书及受托人身份证")),
            weight=2.0,
            ages=(18, 65),
        ),
        Spec(
            "户口迁移（准予迁入）审批",
            "《中华人民共和国户口登记条例》第十条；《四川省户口迁移管理办法》",
            "符合本区落户条件：投靠亲属、合法稳定住所、就业或人才引进",
            20,
            10,
            WINDOW,
            (ID, HUKOU, Mat("户口迁移申请表"), Mat("落户条件证明材料", form=COPY)),
            weight=1.5,
        ),
        Spec(
            "居民身份证换领",
            "《中华人民共和国居民身份证法》第五条、第十一条",
            "居民身份证有效期满、登记事项变更或严重损坏不能辨认",
            40,
            15,
            WINDOW,
            (Mat("原居民身份证"), HUKOU),
            weight=2.0,
            fee="20.00",
        ),
        Spec(
            "普通护照签发",
            "《中华人民共和国护照法》第五条、第六条",
            "中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国",
            15,
            7,
            WINDOW,
            (ID, Mat("中国公民出入境证件申请表"), opt("原护照")),
            weight=1.0,
            ages=(18, 75),
            fee="120.00",
        ),
    ),
    "education": (
        Spec(
            "义务教育阶段学生转学",
            "《中华人民共和国义务教育法》第十二条；《中小学生学籍管理办法》第十四条",
            "义务教育阶段在校学生，因家庭住址变动等原因申请转入本区学校",
            10,
            5,
            ONE_VISIT,
            (Mat("监护人居民身份证"), HUKOU, Mat("学生转学申请表"), opt("居住证明", form=COPY)),
            weight=1.0,
            ages=(28, 50),
        ),
        Spec(
            "教师资格认定",
            "《中华人民共和国教师法》第十一条；《教师资格条例》第十三条",
            "具备规定学历，普通话水平达到标准，体检合格，思想品德良好",
            30,
            20,
            ONLINE,
            (
                ID,
                Mat("学历证书", form=COPY),
                Mat("普通话水平测试等级证书", form=COPY),
                Mat("体检合格证明"),
                Mat("个人承诺书"),
            ),
            weight=0.7,
            ages=(20, 40),
        ),
        Spec(
            "家庭经济困难学生认定",
            "《关于做好家庭经济困难学生认定工作的指导意见》（教财〔2018〕16号）",
            "在本区就读的学生，家庭经济困难",
            20,
            10,
            ONLINE,
            (
                Mat("监护人居民身份证"),
                Mat("家庭经济困难学生认定申请表"),
                opt("低保证、残疾证等证明", form=COPY),
            ),
            weight=1.0,
            ages=(28, 55),
        ),
        Spec(
            "校外培训机构办学许可",
            "《中华人民共和国民办教育促进法》第十八条；《校外培训机构设置标准》",
            "有规范的名称、章程、办学场所和与办学规模相适应的教学人员",
            60,
            40,
            WINDOW,
            (
                Mat("办学许可申请书"),
                Mat("举办者资格证明", form=COPY),
                Mat("办学章程"),
                Mat("办学场所使用证明", form=COPY),
                Mat("教学人员名单及资格证明"),
            ),
            weight=0.1,
            ages=(25, 65),
        ),
    ),
    "agriculture": (
        Spec(
            "农村宅基地和村民住宅建设审批",
            "《中华人民共和国土地管理法》第六十二条；《四川省农村宅基地审批管理办法》",
            "本区农村集体经济组织成员，符合一户一宅，住宅建设符合村庄规划",
            20,
            15,
            ONE_VISIT,
            (
                ID,
                HUKOU,
                Mat("农村宅基地和建房（规划许可）申请表"),
                Mat("农村宅基地使用承诺书"),
                Mat("村民小组会议记录", form=COPY),
            ),
            weight=1.5,
            ages=(22, 75),
        ),
        Spec(
            "耕地地力保护补贴申报",
            "《财政部 农业部关于全面推开农业“三项补贴”改革工作的通知》（财农〔2016〕26号）",
            "拥有耕地承包权的种地农民，耕地未改变用途且未撂荒",
            30,
            20,
            ONLINE,
            (ID, Mat("农村土地承包经营权证", form=COPY), BANK),
            weight=1.5,
            ages=(25, 85),
        ),
        Spec(
            "农机购置与应用补贴申请",
            "《中华人民共和国农业机械化促进法》第二十七条；《农机购置与应用补贴实施指导意见》",
            "从事农业生产的个人和组织，购置列入补贴范围的农业机械",
            30,
            15,
            ONLINE,
            (
                ID,
                Mat("农机购置补贴申请表"),
                Mat("购机发票", form=COPY),
                Mat("人机合影照片", form=ELECTRONIC),
                BANK,
            ),
            weight=1.0,
            ages=(20, 75),
        ),
        Spec(
            "动物防疫条件合格证核发",
            "《中华人民共和国动物防疫法》第二十五条；《动物防疫条件审查办法》",
            "选址、布局和设施设备符合动物防疫条件，有与其规模相适应的执业兽医或者动物防疫技术人员",
            20,
            10,
            ONE_VISIT,
            (
                ID,
                Mat("动物防疫条件审查申请表"),
                Mat("场所地理位置图、平面布局图"),
                Mat("动物防疫制度"),
            ),
            weight=0.3,
            ages=(25, 70),
        ),
    ),
    "natural_resources": (
        Spec(
            "不动产转移登记（国有建设用地使用权及房屋所有权）",
            "《不动产登记暂行条例》第十四条、第二十条；《不动产登记暂行条例实施细则》",
            "不动产已经首次登记，因买卖、赠与、继承等原因权利发生转移",
            30,
            5,
            WINDOW,
            (
                ID,
                Mat("不动产登记申请书"),
                Mat("不动产权属证书"),
                Mat("转移登记原因证明材料", form=COPY),
                Mat("完税凭证", form=COPY),
            ),
            weight=2.5,
            ages=(20, 90),
            fee="80.00",
            revised=Revision(promised=3),
        ),
        Spec(
            "不动产抵押权首次登记",
            "《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》",
            "以不动产设定抵押，已订立抵押合同",
            30,
            3,
            ONE_VISIT,
            (
                ID,
                Mat("不动产登记申请书"),
                Mat("不动产权属证书"),
                Mat("主债权合同及抵押合同", form=COPY),
            ),
            weight=1.0,
            ages=(22, 70),
        ),
        Spec(
            "乡村建设规划许可证核发",
            "《中华人民共和国城乡规划法》第四十一条",
            "在乡、村庄规划区内进行农村村民住宅建设，符合乡村规划",
            20,
            10,
            ONE_VISIT,
            (ID, Mat("乡村建设规划许可申请表"), Mat("建设工程设计方案")),
            weight=0.5,
            ages=(22, 75),
            withdrawn=True,
        ),
    ),
    "transport": (
        Spec(
            "道路运输从业人员从业资格证核发",
            "《中华人民共和国道路运输条例》第九条、第二十三条；《道路运输从业人员管理规定》",
            "取得相应的机动车驾驶证，年龄不超过60周岁，经考试合格",
            10,
            5,
            ONLINE,
            (ID, Mat("机动车驾驶证", form=COPY), Mat("道路运输从业人员从业资格考试申请表")),
            weight=0.8,
            ages=(21, 60),
        ),
        Spec(
            "巡游出租汽车驾驶员从业资格注册",
            "《出租汽车驾驶员从业资格管理规定》第二十条",
            "取得巡游出租汽车驾驶员从业资格证，与出租汽车经营者签订劳动合同",
            10,
            5,
            ONE_VISIT,
            (ID, Mat("从业资格证"), Mat("劳动合同", form=COPY)),
            weight=0.4,
            ages=(21, 60),
            withdrawn=True,
        ),
        Spec(
            "道路货物运输经营许可",
            "《中华人民共和国道路运输条例》第二十一条、第二十四条",
            "有与其经营业务相适应并经检测合格的车辆，有符合规定的驾驶人员和安全生产管理制度",
            20,
            10,
            ONLINE,
            (
                ID,
                Mat("道路货物运输经营申请表"),
                Mat("车辆技术等级评定证明", form=COPY),
                Mat("安全生产管理制度文本"),
            ),
            weight=0.5,
            ages=(22, 65),
        ),
    ),
    "justice": (
        Spec(
            "法律援助申请",
            "《中华人民共和国法律援助法》第三十一条、第四十三条",
            "经济困难且因依法请求给予社会保险待遇、劳动报酬等事项需要代理，或者属于免予核查经济困难的情形",
            7,
            3,
            ONE_VISIT,
            (
                ID,
                Mat("法律援助申请表"),
                Mat("经济困难状况说明表"),
                Mat("与所申请法律援助事项有关的材料", form=COPY),
            ),
            weight=1.5,
        ),
        Spec(
            "基层法律服务工作者执业核准",
            "《基层法律服务工作者管理办法》第十一条",
            "拥护宪法，具有高等学校法律专业本科以上学历，品行良好，身体健康",
            20,
            10,
            ONLINE,
            (ID, Mat("执业申请表"), Mat("学历证书", form=COPY), Mat("实习鉴定材料")),
            weight=0.2,
            ages=(22, 65),
        ),
        Spec(
            "社区矫正对象外出审批",
            "《中华人民共和国社区矫正法》第二十七条；《中华人民共和国社区矫正法实施办法》第二十六条",
            "因就医、就学、参与诉讼、处理家庭或工作重要事务等正当理由确需外出",
            3,
            1,
            WINDOW,
            (ID, Mat("外出申请书"), Mat("外出事由证明材料", form=COPY)),
            weight=0.3,
            ages=(18, 70),
        ),
    ),
    "emergency": (
        Spec(
            "危险化学品经营许可证（不带储存设施）核发",
            "《危险化学品安全管理条例》第三十三条、第三十五条",
            "有符合国家标准的经营场所，从业人员经专业技术培训并考核合格，有健全的安全管理制度",
            30,
            15,
            ONE_VISIT,
            (
                Mat("危险化学品经营许可证申请书"),
                Mat("营业执照", form=COPY),
                Mat("安全生产管理制度和岗位操作规程"),
                Mat("主要负责人和安全管理人员培训合格证明", form=COPY),
            ),
            weight=0.3,
            ages=(22, 65),
        ),
        Spec(
            "烟花爆竹经营（零售）许可证核发",
            "《烟花爆竹安全管理条例》第十八条、第十九条",
            "零售经营场所符合安全要求，主要负责人经过安全知识教育",
            20,
            10,
            ONE_VISIT,
            (
                ID,
                Mat("烟花爆竹经营（零售）许可证申请书"),
                Mat("零售经营场所证明", form=COPY),
                Mat("安全知识培训合格证明", form=COPY),
            ),
            weight=0.8,
            ages=(22, 70),
        ),
    ),
    "ecology_environment": (
        Spec(
            "建设项目环境影响报告表审批",
            "《中华人民共和国环境影响评价法》第二十二条",
            "建设项目可能造成轻度环境影响，已编制环境影响报告表",
            30,
            15,
            ONLINE,
            (
                Mat("建设项目环境影响报告表审批申请书"),
                Mat("环境影响报告表", form=ELECTRONIC),
                Mat("建设单位信用承诺书"),
            ),
            weight=0.3,
            ages=(25, 65),
        ),
        Spec(
            "排污许可证核发",
            "《排污许可管理条例》第八条、第十二条",
            "纳入排污许可分类管理名录的排污单位，污染物排放符合标准",
            20,
            10,
            ONLINE,
            (Mat("排污许可证申请表"), Mat("污染防治设施材料", form=ELECTRONIC), Mat("守法承诺书")),
            weight=0.2,
            ages=(25, 65),
        ),
    ),
    "water": (
        Spec(
            "取水许可",
            "《中华人民共和国水法》第四十八条；《取水许可和水资源费征收管理条例》第十条",
            "取水符合水资源规划和用水总量控制要求，已编制建设项目水资源论证报告",
            45,
            20,
            ONLINE,
            (
                Mat("取水许可申请书"),
                Mat("建设项目水资源论证报告", form=ELECTRONIC),
                Mat("取水用途证明", form=COPY),
            ),
            weight=0.2,
            ages=(25, 65),
        ),
        Spec(
            "生产建设项目水土保持方案审批",
            "《中华人民共和国水土保持法》第二十五条",
            "在山区、丘陵区等水土流失易发区开办可能造成水土流失的生产建设项目",
            20,
            10,
            ONLINE,
            (Mat("水土保持方案审批申请文件"), Mat("水土保持方案报告书", form=ELECTRONIC)),
            weight=0.2,
            ages=(25, 65),
        ),
    ),
    "urban_management": (
        Spec(
            "城市建筑垃圾处置核准",
            "《国务院对确需保留的行政审批项目设定行政许可的决定》第101项；《城市建筑垃圾管理规定》",
            "有建筑垃圾分类处置方案和消纳场地，运输车辆符合要求",
            20,
            5,
            ONE_VISIT,
            (
                ID,
                Mat("建筑垃圾处置核准申请表"),
                Mat("建筑垃圾处置方案"),
                Mat("运输合同", form=COPY),
            ),
            weight=0.5,
            ages=(22, 65),
        ),
        Spec(
            "临时占用城市道路审批",
            "《城市道路管理条例》第三十一条",
            "因特殊情况需要临时占用城市道路，不影响交通安全和市容",
            20,
            5,
            WINDOW,
            (ID, Mat("临时占用城市道路申请表"), Mat("占道平面示意图")),
            weight=0.5,
            ages=(20, 70),
        ),
    ),
}

#: where the items are handled, by department type (叙州区政务服务中心)
HALL = "叙州区政务服务中心"
COUNTERS: dict[str, str] = {
    "civil_affairs": "一楼民政窗口（A01—A04）",
    "health": "二楼卫生健康窗口（B05）",
    "human_resources": "一楼人社综合窗口（A08—A12）",
    "housing": "二楼住房城乡建设窗口（B01）",
    "market_regulation": "一楼市场准入窗口（A15—A20）",
    "public_security": "一楼公安综合窗口（A21—A24）",
    "education": "二楼教育体育窗口（B08）",
    "agriculture": "二楼农业农村窗口（B10）",
    "natural_resources": "三楼不动产登记窗口（C01—C06）",
    "transport": "二楼交通运输窗口（B12）",
    "justice": "一楼公共法律服务窗口（A25）",
    "emergency": "二楼应急管理窗口（B14）",
    "ecology_environment": "二楼生态环境窗口（B15）",
    "water": "二楼水务窗口（B16）",
    "urban_management": "二楼综合执法窗口（B18）",
}


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    spec: Spec
    promised: int
    channel: Channel
    materials: tuple[Mat, ...]
    published_at: datetime


@dataclass(slots=True)
class Item:
    id: int
    code: str
    department: str
    type: str  # the department's
    spec: Spec
    versions: list[Version]
    withdrawn_at: datetime | None = None

    def version_at(self, at: datetime) -> Version:
        """The version in force at ``at``: the newest published by then."""
        return [v for v in self.versions if v.published_at <= at][-1]

    def open_at(self, at: datetime) -> bool:
        return self.versions[0].published_at <= at and (
            self.withdrawn_at is None or at < self.withdrawn_at
        )


def build_catalogue(
    rng: random.Random,
    departments: dict[str, str],
    start: date,
    first_id: int,
) -> list[Item]:
    """The items of the departments' types (``departments``: type → department code).
    Version 1 is published before the demo's year (``start``), a revision within its
    first half, a withdrawal within its second."""
    zone = ZoneInfo(DEMO_TZ)
    items: list[Item] = []
    for typ, specs in CATALOGUE.items():
        department = departments.get(typ)
        if department is None:
            continue
        for n, spec in enumerate(specs, start=1):
            first = _at(start - timedelta(days=rng.randint(60, 900)), rng, zone)
            versions = [Version(1, spec, spec.promised, spec.channel, spec.materials, first)]
            if spec.revised is not None:
                r = spec.revised
                versions.append(
                    Version(
                        2,
                        spec,
                        r.promised or spec.promised,
                        r.channel or spec.channel,
                        r.materials or spec.materials,
                        _at(start + timedelta(days=rng.randint(60, 180)), rng, zone),
                    )
                )
            withdrawn = (
                _at(start + timedelta(days=rng.randint(190, 300)), rng, zone)
                if spec.withdrawn
                else None
            )
            code = f"{department}-{n:02d}".upper()
            items.append(
                Item(first_id + len(items), code, department, typ, spec, versions, withdrawn)
            )
    return items


def _at(day: date, rng: random.Random, zone: ZoneInfo) -> datetime:
    """A moment of office hours on ``day``."""
    return datetime.combine(day, time(9), zone) + timedelta(minutes=rng.randint(0, 480))


# --- applicants and the shape of the year ----------------------------------------------

APPLICATIONS_PER_PERSON = 1 / 20  # a year
MIN_APPLICATIONS = 40  # however small the demo
NOT_ACCEPTED = 0.03
OPEN = 0.12
#: the open ones by the step they wait at
OPEN_STAGES: tuple[tuple[ApplicationStatus, float], ...] = (
    (S.SUBMITTED, 0.15),
    (S.ACCEPTED, 0.25),
    (S.CORRECTING, 0.2),
    (S.REVIEWING, 0.25),
    (S.DECIDED, 0.15),
)
PAUSED = 0.10  # of the completed, and the chance of an open one
LATE = 0.08  # of the completed, and the chance of an open one
DENIED = 0.03  # of the decisions
RATED = 0.70  # of the completed
BAD = 0.03  # of the ratings
#: the chance of filing through the grid worker, by the applicant's age (from)
AGENT_BY_AGE: tuple[tuple[int, float], ...] = ((75, 0.6), (65, 0.4), (50, 0.22), (0, 0.12))
ACCOUNT_SHARE = 0.4  # of the applications at most, those of the citizen accounts
TRIES = 60  # draws of a submission that lands at the wanted step by the demo's day

REJECTIONS = (
    "申请事项不属于本部门职权范围，已告知向有关行政机关申请",
    "申请人不符合受理条件，已出具不予受理通知书",
    "申请事项依法不需要取得行政许可，已当场告知",
)
DENIALS = ("经审查不符合办理条件，不予许可", "经核查申请材料反映的情况与实际不符，不予批准")
CORRECTIONS = (
    "复印件不清晰，请重新提交",
    "材料已过有效期，请提供有效材料",
    "签名不完整，请本人签字后重新提交",
    "所填信息与身份证明不一致，请核对后重新提交",
)
BAD_COMMENTS = (
    "办理时间太长，超过了承诺时限",
    "材料要求反复补正，没有一次性告知",
    "窗口工作人员态度不好",
    "网上申报系统操作复杂，多次提交失败",
)
GOOD_COMMENTS = ("办事效率高，点赞", "工作人员耐心细致", "一次就办好了")
AGENT_COMMENT = "网格员上门代办，省心省力"
MEASURES = (
    "已约谈窗口负责人，对相关工作人员批评教育并组织服务规范培训",
    "优化内部审批流程，压缩流转环节，明确各环节办理时限",
    "修订一次性告知单，补正材料一次性告知到位",
    "安排专人协助申请人办理，并完善网上申报操作指引",
)
CALLBACKS = (
    (True, "电话回访，申请人对整改情况表示满意"),
    (True, "上门回访，申请人表示认可"),
    (False, "电话回访，申请人表示理解但仍不满意"),
)


class Odds(Generic[T]):
    """Values drawn by weight: ``random.choices`` with its cumulative weights made once
    (a year of applications draws from the same few lists many times)."""

    def __init__(self, values: Sequence[T], weights: Sequence[float]) -> None:
        self.values = list(values)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] + 0.0

    def draw(self, rng: random.Random) -> T:
        return self.values[bisect_right(self.cum, rng.random() * self.total, 0, len(self.cum) - 1)]


#: online submissions (and ratings) by the hour of the day (local)
HOURS = Odds(range(24), (1, 1, 0, 0, 0, 0, 1, 3, 6, 10, 11, 9, 6, 6, 9, 10, 9, 8, 7, 8, 9, 8, 5, 2))
#: working days from filing online to acceptance: filed in office hours, after them
SAME_DAY = Odds((0, 1, 2), (45, 40, 15))
NEXT_DAYS = Odds((1, 2), (70, 30))
#: working days from the decision to the completion (delivery of the result)
GAP = Odds((0, 1), (70, 30))
#: working days the applicant takes to bring what a 补正 asks for
WAIT = Odds((1, 2, 3, 4, 5, 7, 10), (20, 25, 20, 12, 10, 8, 5))
#: days from the completion to the rating
RATED_AFTER = Odds((0, 1, 2, 3), (55, 25, 12, 8))
BAD_GRADE = Odds((Grade.DISSATISFIED, Grade.VERY_DISSATISFIED), (60, 40))
GOOD_GRADE = Odds((Grade.VERY_SATISFIED, Grade.SATISFIED, Grade.NEUTRAL), (72, 21, 7))
GOOD_GRADE_LATE = Odds((Grade.VERY_SATISFIED, Grade.SATISFIED, Grade.NEUTRAL), (20, 40, 40))
CALLBACK = Odds(CALLBACKS, (60, 25, 15))


class Applicant(NamedTuple):
    """A resident drawn to apply: the person record and the grid worker's account."""

    person_id: int
    name: str
    id_number: str
    phone: str | None
    region_code: str
    birth_date: date
    worker_id: int | None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Days:
    """The calendar's answers, memoised: a year of applications asks the same few
    thousand questions many times (the answers are the calendar's own)."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self._add: dict[tuple[date, int], date] = {}

    def add(self, start: date, n: int) -> date:
        key = (start, n)
        day = self._add.get(key)
        if day is None:
            day = self._add[key] = self.calendar.add(start, n)
        return day

    def between(self, start: date, end: date) -> int:
        return self.calendar.between(start, end)


class Numbered(NamedTuple):
    """A material as a trace note names it."""

    seq: int
    name: str


def _numbered(materials: tuple[Mat, ...], seqs: Sequence[int]) -> list[Numbered]:
    return [Numbered(n, materials[n - 1].name) for n in seqs]


@dataclass(slots=True)
class Step:
    step: StepName
    before: ApplicationStatus | None
    after: ApplicationStatus
    day: date
    by_applicant: bool  # else the department's staff
    note: str | None = None
    at: datetime | None = None


@dataclass(slots=True)
class Plan:
    """What an application is to become: drawn before its dates are."""

    applicant: Applicant
    account_id: int | None
    agent: bool
    outcome: ApplicationStatus  # COMPLETED, NOT_ACCEPTED, or the open step it waits at
    paused: bool = False
    late: bool = False
    denied: bool = False
    rate: bool | None = None  # forced either way, else by the share


@dataclass(slots=True)
class Application:
    plan: Plan
    item: Item
    version: Version
    submitted_at: datetime
    steps: list[Step]
    handed: list[int]  # the materials handed in with the filing (their numbers)
    corrected: int | None  # the material a 补正 asks for
    #: the working days of the 补正 (once the materials came) and the deadline
    paused_days: int = 0
    deadline: date | None = None
    id: int = 0
    visits: int = 0
    handed_in: list[tuple[int, datetime]] = field(default_factory=list)  # (seq, when)
    rating: tuple[Any, ...] | None = None
    rectification: tuple[Any, ...] | None = None

    @property
    def status(self) -> ApplicationStatus:
        return self.steps[-1].after

    def taken(self, step: StepName) -> Step | None:
        return next((s for s in self.steps if s.step == step), None)


class Planner:
    """The year of applications, drawn deterministically from one generator."""

    def __init__(
        self,
        rng: random.Random,
        days: Days,
        today: date,
        items: list[Item],
        staff: dict[str, int],
    ) -> None:
        self.rng, self.days, self.today, self.items, self.staff = rng, days, today, items, staff
        self.zone = ZoneInfo(DEMO_TZ)
        #: the moments the open items change (a first publication, a withdrawal), and the
        #: items to draw from, by the changes passed and the applicant's age
        self.changes = sorted(
            {i.versions[0].published_at for i in items}
            | {i.withdrawn_at for i in items if i.withdrawn_at is not None}
        )
        self._choices: dict[tuple[int, int], tuple[list[Item], list[float]]] = {}

    # the plans ---------------------------------------------------------------------

    def plans(self, pool: Sequence[Applicant], accounts: Sequence[int], count: int) -> list[Plan]:
        """``count`` plans: the outcomes by their shares (each rare one at least once);
        the account holders (the first of the pool, the demo's ``citizen`` first) with
        one to three applications each, the others drawn from the rest of the pool."""
        rng = self.rng
        holders = list(zip(accounts, pool, strict=False))
        per_holder = [3] + [rng.randint(1, 2) for _ in holders[1:]]
        budget = int(count * ACCOUNT_SHARE)
        who: list[tuple[Applicant, int | None]] = []
        for (holder, person), n in zip(holders, per_holder, strict=False):
            take = min(n, budget - len(who))
            if take <= 0:
                break
            who += [(person, holder)] * take
        rest = list(pool[len(holders) :]) or list(pool)
        who += [(rng.choice(rest), None) for _ in range(count - len(who))]
        outcomes = self._outcomes(count)
        # the demo's citizen: one to rate, one rated, one under way
        if accounts and who and who[0][1] == accounts[0]:
            for i, wanted in enumerate((S.COMPLETED, S.COMPLETED, S.REVIEWING)[: min(3, count)]):
                j = outcomes.index(wanted, i) if wanted in outcomes[i:] else i
                outcomes[i], outcomes[j] = outcomes[j], outcomes[i]
        plans = []
        for (person, account), outcome in zip(who, outcomes, strict=True):
            agent = person.worker_id is not None and rng.random() < self._agent_chance(
                person, account
            )
            plans.append(Plan(person, account, agent, outcome))
        if len(plans) > 1 and accounts and plans[1].account_id == accounts[0]:
            plans[0].rate, plans[1].rate = False, True
        self._flags(plans)
        return plans

    def _agent_chance(self, person: Applicant, account: int | None) -> float:
        if account is not None:
            return 0.1  # who has the app mostly uses it
        age = age_on(person.birth_date, self.today)
        return next(p for since, p in AGENT_BY_AGE if age >= since)

    def _outcomes(self, count: int) -> list[ApplicationStatus]:
        rejected = max(1, round(count * NOT_ACCEPTED))
        waiting = max(len(OPEN_STAGES), round(count * OPEN))
        out = [S.NOT_ACCEPTED] * rejected
        for stage, share in OPEN_STAGES:
            out += [stage] * max(1, round(waiting * share))
        out += [S.COMPLETED] * max(0, count - len(out))
        out = out[:count]
        self.rng.shuffle(out)
        return out

    def _flags(self, plans: list[Plan]) -> None:
        """补正, late and denied: exact shares of the completed (each at least once), a
        chance of the open."""
        rng = self.rng
        done = [p for p in plans if p.outcome == S.COMPLETED]
        for attr, share in (("paused", PAUSED), ("late", LATE), ("denied", DENIED)):
            for p in rng.sample(done, min(len(done), max(1, round(len(done) * share)))):
                setattr(p, attr, True)
        for p in plans:
            if p.outcome == S.CORRECTING:
                p.paused = True
            elif p.outcome in (S.ACCEPTED, S.REVIEWING, S.DECIDED):
                p.paused = rng.random() < PAUSED
                p.late = rng.random() < LATE
                p.denied = rng.random() < DENIED

    # one application ----------------------------------------------------------------

    def application(self, plan: Plan) -> Application | None:
        """Draw submissions until the trace, cut at the demo's day, stops at the wanted
        step (the last draw if none does): the steps after the demo's day are not taken."""
        found: Application | None = None
        for _ in range(TRIES):
            app = self._attempt(plan)
            if app is None:
                continue
            found = app
            if app.status == plan.outcome:
                break
        return found

    def _attempt(self, plan: Plan) -> Application | None:
        rng = self.rng
        day = self._day(plan.outcome)
        age = age_on(plan.applicant.birth_date, day)
        at0 = datetime.combine(day, time(12), self.zone)
        item = self._item(at0, age)
        if item is None:
            return None
        channel = item.version_at(at0).channel
        at_office = plan.agent or channel != ONLINE
        if at_office and not self.days.calendar.is_working(day):
            day = self.days.add(day, 1)
            if day > self.today:
                return None
        if at_office:
            submitted = datetime.combine(day, time(8, 30), self.zone) + timedelta(
                seconds=rng.randint(0, 8 * 3600)
            )
        else:
            hour = HOURS.draw(rng)
            submitted = datetime.combine(day, time(hour), self.zone) + timedelta(
                seconds=rng.randint(0, 3599)
            )
        if not item.open_at(submitted):
            return None
        version = item.version_at(submitted)
        steps, handed, corrected = self._trace(plan, version, submitted)
        kept = [s for s in steps if s.day <= self.today]
        app = Application(plan, item, version, submitted, kept, handed, corrected)
        self._clock(app)
        return app

    def _clock(self, app: Application) -> None:
        """The deadline as the calendar sets it: the promised working days after
        acceptance, moved on by the working days of a 补正 once the materials came."""
        accept, asked, supplied = (
            app.taken(s)
            for s in (StepName.ACCEPT, StepName.REQUEST_CORRECTION, StepName.SUPPLY_CORRECTION)
        )
        if asked is not None and supplied is not None:
            app.paused_days = self.days.between(asked.day, supplied.day)
        if accept is not None:
            app.deadline = self.days.add(accept.day, app.version.promised + app.paused_days)

    def _day(self, outcome: ApplicationStatus) -> date:
        """The day of the submission: any of the year for what has ended, recent for what
        is still under way."""
        back = {
            S.SUBMITTED: 2,
            S.ACCEPTED: 5,
            S.CORRECTING: 25,
            S.REVIEWING: 20,
            S.DECIDED: 15,
        }.get(outcome, 364)
        return self.today - timedelta(days=self.rng.randint(0, back))

    def _item(self, at: datetime, age: int) -> Item | None:
        """An item open at ``at`` that fits the age, by how often each is applied for."""
        epoch = bisect_right(self.changes, at)
        key = (epoch, age)
        choice = self._choices.get(key)
        if choice is None:
            open_items = [i for i in self.items if i.open_at(at)]
            fits = [i for i in open_items if i.spec.ages[0] <= age <= i.spec.ages[1]]
            fits = fits or open_items
            choice = self._choices[key] = (fits, list(accumulate(i.spec.weight for i in fits)))
        fits, weights = choice
        return self.rng.choices(fits, cum_weights=weights)[0] if fits else None

    def _trace(
        self, plan: Plan, version: Version, submitted: datetime
    ) -> tuple[list[Step], list[int], int | None]:
        """The whole life planned, dated by working days after acceptance; the materials
        handed in with the filing (every required one: acceptance needs them) and the one
        a 补正 asks for again (or, now and then, an optional one not handed in)."""
        rng, days = self.rng, self.days
        day = submitted.date()
        materials = version.materials
        handed = [n for n, m in enumerate(materials, 1) if m.required or rng.random() < 0.5]
        steps = [
            Step(
                StepName.SUBMIT,
                None,
                S.SUBMITTED,
                day,
                True,
                materials_note(StepName.SUBMIT, _numbered(materials, handed), None),
                at=submitted,
            )
        ]
        channel = version.channel
        if channel == WINDOW or (plan.agent and channel == ONE_VISIT):
            offset = 0  # accepted on the spot
        elif days.calendar.is_working(day) and submitted.hour < 15:
            offset = SAME_DAY.draw(rng)
        else:
            offset = NEXT_DAYS.draw(rng)
        accepted = days.add(day, offset)
        if plan.outcome == S.NOT_ACCEPTED:
            reason = rng.choice(REJECTIONS)
            steps.append(
                Step(StepName.REFUSE, S.SUBMITTED, S.NOT_ACCEPTED, accepted, False, reason)
            )
            return self._timed(steps), handed, None
        steps.append(Step(StepName.ACCEPT, S.SUBMITTED, S.ACCEPTED, accepted, False))
        promised = version.promised
        if plan.late:
            used = promised + rng.randint(1, max(2, promised // 3))
        else:  # most finish well before the promise; 即办 items on the day or the next
            low = 0 if promised == 1 else 1
            used = max(low, min(promised, round(promised * rng.triangular(0.2, 1.0, 0.7))))

        def on(t: int) -> date:
            return days.add(accepted, t)

        gap = rng.randint(1, 3) if plan.outcome == S.DECIDED else GAP.draw(rng)
        if not plan.paused:
            decided = max(0, used - gap)
            reviewed = rng.randint(0, min(3, decided))
            steps.append(Step(StepName.START_REVIEW, S.ACCEPTED, S.REVIEWING, on(reviewed), False))
            return self._ending(steps, plan, on, decided, used), handed, None
        # 补正: asked on working day k after acceptance (before the review or during it),
        # brought ``wait`` working days later; the clock stops for those days
        k = rng.randint(0, min(3, max(0, used - 1)))
        used = max(used, k + 1)
        wait = rng.randint(5, 25) if plan.outcome == S.CORRECTING else WAIT.draw(rng)
        asked_on = on(k)
        supplied_on = days.add(asked_on, wait)
        paused = days.between(asked_on, supplied_on)
        corrected = self._corrected(materials, handed)
        named = _numbered(materials, [corrected])
        during_review = rng.random() < 0.5
        back = S.REVIEWING if during_review else S.ACCEPTED
        pause = [
            Step(
                StepName.REQUEST_CORRECTION,
                back,
                S.CORRECTING,
                asked_on,
                False,
                materials_note(StepName.REQUEST_CORRECTION, named, rng.choice(CORRECTIONS)),
            ),
            Step(
                StepName.SUPPLY_CORRECTION,
                S.CORRECTING,
                back,
                supplied_on,
                True,
                materials_note(StepName.SUPPLY_CORRECTION, named, None),
            ),
        ]
        done = used + paused
        decided = max(k + paused, done - gap)
        if during_review:
            review = Step(
                StepName.START_REVIEW, S.ACCEPTED, S.REVIEWING, on(rng.randint(0, k)), False
            )
            steps += [review, *pause]
        else:
            reviewed = k + paused + rng.randint(0, min(3, decided - k - paused))
            steps += [
                *pause,
                Step(StepName.START_REVIEW, S.ACCEPTED, S.REVIEWING, on(reviewed), False),
            ]
        return self._ending(steps, plan, on, decided, done), handed, corrected

    def _ending(
        self, steps: list[Step], plan: Plan, on: Any, decided: int, done: int
    ) -> list[Step]:
        """决定 and 办结 on these working days after acceptance (the reason of a denial)."""
        reason = self.rng.choice(DENIALS) if plan.denied else None
        steps += [
            Step(StepName.DECIDE, S.REVIEWING, S.DECIDED, on(decided), False, reason),
            Step(StepName.COMPLETE, S.DECIDED, S.COMPLETED, on(done), False),
        ]
        return self._timed(steps)

    def _corrected(self, materials: tuple[Mat, ...], handed: list[int]) -> int:
        """The material a 补正 asks for: mostly a required one handed in but wanting (not
        the identity card, if another is required), sometimes an optional one not given."""
        rng = self.rng
        required = [n for n, m in enumerate(materials, 1) if m.required]
        extra = [n for n, m in enumerate(materials, 1) if not m.required and n not in handed]
        if extra and rng.random() < 0.2:
            return rng.choice(extra)
        return rng.choice(required[1:] or required)

    def _timed(self, steps: list[Step]) -> list[Step]:
        """Each step a moment of its day, after the one before (office hours if the day
        is new)."""
        rng = self.rng
        prev = steps[0].at
        assert prev is not None
        for s in steps[1:]:
            if s.day == prev.date():  # later that day, however late it is already
                room = (datetime.combine(s.day, time(23, 59), self.zone) - prev).total_seconds()
                s.at = prev + timedelta(seconds=min(rng.randint(180, 5400), max(1.0, room / 2)))
            else:
                s.at = datetime.combine(s.day, time(8, 30), self.zone) + timedelta(
                    seconds=rng.randint(0, 8 * 3600 + 1800)
                )
            prev = s.at
        return steps

    # after the year ---------------------------------------------------------------

    @staticmethod
    def materials(app: Application) -> None:
        """The materials handed in, as seen at the window (no stored file): those of the
        filing, and what a 补正 asked for when it was brought (replacing the earlier)."""
        supplied = app.taken(StepName.SUPPLY_CORRECTION)
        brought = app.corrected if supplied is not None and supplied.at is not None else None
        for seq in sorted({*app.handed, *([brought] if brought else [])}):
            at = supplied.at if seq == brought and supplied and supplied.at else app.submitted_at
            app.handed_in.append((seq, at))

    def visits(self, app: Application) -> int:
        """跑动次数: none online or through the agent; at most one for 最多跑一次; at the
        window the visit to apply, another to bring what the 补正 asked for (or, now and
        then, to collect the result)."""
        plan, rng = app.plan, self.rng
        if app.version.channel == ONLINE or plan.agent:
            return 0
        if app.version.channel == ONE_VISIT:
            return int(rng.random() < 0.65)
        again = app.taken(StepName.SUPPLY_CORRECTION) is not None or (
            app.status == S.COMPLETED and rng.random() < 0.35
        )
        return 1 + int(again)

    def ratings(self, apps: list[Application]) -> None:
        """好差评 of the completed: ``RATED`` of them, ``BAD`` of those bad (the late more
        likely so), each bad one with its rectification."""
        rng = self.rng
        done = [a for a in apps if a.status == S.COMPLETED]
        forced = [a for a in done if a.plan.rate is not None]
        free = [a for a in done if a.plan.rate is None]
        want = round(len(done) * RATED) - sum(1 for a in forced if a.plan.rate)
        rated = [a for a in forced if a.plan.rate] + rng.sample(free, max(0, min(len(free), want)))
        rated.sort(key=lambda a: a.id)
        bad_count = max(1, round(len(rated) * BAD)) if rated else 0
        keyed = sorted(rated, key=lambda a: rng.random() * (0.25 if a.plan.late else 1.0))
        bad = {a.id for a in keyed[:bad_count]}
        for app in rated:
            self._rate(app, app.id in bad)

    def _rate(self, app: Application, bad: bool) -> None:
        """The rating by the applicant's side (their account, else the agent; neither: the
        hall's rating device or a text message, no account)."""
        rng = self.rng
        complete = app.taken(StepName.COMPLETE)
        assert complete is not None and complete.at is not None
        later = RATED_AFTER.draw(rng)
        day = complete.at.date() + timedelta(days=later)
        if later == 0 or day > self.today:  # soon after, on the day
            rated_at = complete.at + timedelta(minutes=rng.randint(5, 240))
        else:
            hour = HOURS.draw(rng)
            rated_at = datetime.combine(day, time(hour), self.zone) + timedelta(
                seconds=rng.randint(0, 3599)
            )
        if bad:
            grade = BAD_GRADE.draw(rng)
            comment: str | None = rng.choice(BAD_COMMENTS)
        else:
            grade = (GOOD_GRADE_LATE if app.plan.late else GOOD_GRADE).draw(rng)
            comment = None
            if rng.random() < 0.3:
                comment = AGENT_COMMENT if app.plan.agent else rng.choice(GOOD_COMMENTS)
        plan = app.plan
        by = plan.account_id or (plan.applicant.worker_id if plan.agent else None)
        app.rating = (app.id, grade.value, GRADE_SCORE[grade], comment, by, rated_at)
        if grade in BAD_GRADES:
            app.rectification = self._rectify(app, rated_at)

    def _rectify(self, app: Application, rated_at: datetime) -> tuple[Any, ...]:
        """差评整改: due ``RECTIFICATION_DAYS`` working days after the rating's day; closed
        with the call-back when that day has come (most within the time)."""
        rng, days = self.rng, self.days
        opened = rated_at  # in the rating's transaction
        due = days.add(opened.date(), RECTIFICATION_DAYS)
        within = rng.random() < 0.9
        k = rng.randint(2, RECTIFICATION_DAYS) if within else rng.randint(16, 22)
        close_day = days.add(opened.date(), k)
        measures: str | None = rng.choice(MEASURES)
        if close_day > self.today:  # under way: the measures recorded after a few days
            if days.between(opened.date(), self.today) < 3:
                measures = None
            return (app.id, RectificationStatus.OPEN.value, opened, due, measures) + (None,) * 6
        callback = datetime.combine(close_day, time(9), self.zone) + timedelta(
            minutes=rng.randint(0, 480)
        )
        satisfied, note = CALLBACK.draw(rng)
        closed = callback + timedelta(minutes=rng.randint(5, 60))
        return (
            app.id,
            RectificationStatus.CLOSED.value,
            opened,
            due,
            measures,
            callback,
            self.staff.get(app.item.department),
            note,
            satisfied,
            closed,
            closed.date() <= due,
        )


# --- the load ----------------------------------------------------------------------------

TABLES = (
    "gov_service_item",
    "gov_service_version",
    "gov_service_material",
    "gov_application",
    "gov_application_step",
    "gov_application_material",
    "gov_rating",
    "gov_rectification",
)
STEPS = 5  # of the progress task

APPLICANTS_SQL = """
WITH drawn AS (
    SELECT id, name, id_number, phone, region_code, birth_date, grid_id
    FROM person
    WHERE id_number IS NOT NULL AND grid_id IS NOT NULL AND birth_date <= :adult
    ORDER BY hashint8extended(id, :seed), id
    LIMIT :n
)
SELECT d.id, d.name, d.id_number, d.phone, d.region_code, d.birth_date, w.id AS worker_id
FROM drawn d
JOIN grid g ON g.id = d.grid_id
LEFT JOIN account w ON w.username = 'gw-' || g.code
ORDER BY hashint8extended(d.id, :seed), d.id
"""


def application_count(persons: int) -> int:
    return max(MIN_APPLICATIONS, round(persons * APPLICATIONS_PER_PERSON))


def plan_year(
    planner: Planner, pool: Sequence[Applicant], accounts: Sequence[int], count: int, first_id: int
) -> list[Application]:
    """The year's applications, numbered in the order they were submitted, with their
    visits, ratings and rectifications."""
    apps = [a for a in map(planner.application, planner.plans(pool, accounts, count)) if a]
    apps.sort(key=lambda a: a.submitted_at)
    for i, app in enumerate(apps):
        app.id = first_id + i
        app.visits = planner.visits(app)
        planner.materials(app)
    planner.ratings(apps)
    return apps


async def load_demo(session: AsyncSession, demo: DemoContext) -> None:
    """The catalogue and the year of applications (the ``gridgov_demo_load`` hook):
    read what the demo has (departments, their staff, the citizen accounts, the calendar,
    the applicants), plan in Python, write with COPY."""
    today = demo.today
    task = (
        demo.progress.add_task("e-governance", total=STEPS) if demo.progress is not None else None
    )

    def advance() -> None:
        if task is not None:
            demo.progress.advance(task)

    departments = await _departments(session)
    staff = await _staff(session)
    accounts = list(
        await session.scalars(
            text(
                "SELECT id FROM account WHERE role = 'citizen' "
                "ORDER BY username <> 'citizen', username"
            )
        )
    )
    calendar = await load_calendar(session)
    first = today - timedelta(days=364)
    days = Days(calendar)
    item_base = await _next_id(session, "gov_service_item")
    items = build_catalogue(demo.rng("e_governance:catalogue"), departments, first, item_base)
    advance()
    count = application_count(demo.persons)
    pool = await _applicants(session, demo, count + len(accounts))
    advance()
    planner = Planner(demo.rng("e_governance:applications"), days, today, items, staff)
    apps = (
        plan_year(planner, pool, accounts, count, await _next_id(session, "gov_application"))
        if pool and items
        else []
    )
    advance()
    copier = Copier(session)
    try:
        async with bulk_load(session, TABLES):
            await _write_catalogue(copier, items, staff)
            advance()
            await _write_applications(copier, apps, staff)
        for table in ("gov_service_item", "gov_application", "gov_application_step"):
            await copier.sync_identity(table)
    finally:
        await copier.close()
    await session.execute(text(f"ANALYZE {', '.join(TABLES)}"))
    advance()


async def _departments(session: AsyncSession) -> dict[str, str]:
    """A department of each type (the first by code)."""
    rows = await session.execute(text("SELECT type, code FROM department ORDER BY code"))
    out: dict[str, str] = {}
    for typ, code in rows:
        out.setdefault(typ, code)
    return out


async def _staff(session: AsyncSession) -> dict[str, int]:
    """The account that acts for each department (its first staff account)."""
    rows = await session.execute(
        text(
            "SELECT department_code, min(id) FROM account "
            "WHERE role = 'department_staff' AND department_code IS NOT NULL "
            "GROUP BY department_code"
        )
    )
    return {code: account for code, account in rows}


async def _next_id(session: AsyncSession, table: str) -> int:
    return int(await session.scalar(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")) or 1)


async def _applicants(session: AsyncSession, demo: DemoContext, count: int) -> list[Applicant]:
    """Adults with an identity number, in an order of their own (a hash of their id):
    enough for the year's applications, some of them applying twice."""
    try:
        adult = demo.today.replace(year=demo.today.year - 18)
    except ValueError:  # 29 February
        adult = demo.today.replace(year=demo.today.year - 18, day=28)
    rows = await session.execute(
        text(APPLICANTS_SQL),
        {
            "adult": adult,
            "seed": demo.rng("e_governance:sql").getrandbits(62),
            "n": int(count * 1.3) + 10,
        },
    )
    return [Applicant(*row) for row in rows]


async def _write_catalogue(copier: Copier, items: list[Item], staff: dict[str, int]) -> None:
    await copier.copy(
        "gov_service_item",
        ("id", "code", "department_code", "status", "version", "created_at", "updated_at"),
        [
            (
                i.id,
                i.code,
                i.department,
                (ItemStatus.WITHDRAWN if i.withdrawn_at else ItemStatus.PUBLISHED).value,
                i.versions[-1].number,
                i.versions[0].published_at,
                i.withdrawn_at or i.versions[-1].published_at,
            )
            for i in items
        ],
    )
    versions, materials = [], []
    for i in items:
        for v in i.versions:
            versions.append(
                (
                    i.id,
                    v.number,
                    v.spec.name,
                    v.spec.basis,
                    v.spec.conditions,
                    v.spec.legal,
                    v.promised,
                    Decimal(v.spec.fee),
                    v.channel.value,
                    _place(i, v),
                    v.published_at,
                    staff.get(i.department),
                )
            )
            materials += [
                (i.id, v.number, seq, m.name, m.required, m.form.value, m.copies)
                for seq, m in enumerate(v.materials, start=1)
            ]
    await copier.copy(
        "gov_service_version",
        (
            "item_id",
            "version",
            "name",
            "legal_basis",
            "conditions",
            "legal_days",
            "promised_days",
            "fee",
            "channel",
            "place",
            "published_at",
            "published_by",
        ),
        versions,
    )
    await copier.copy(
        "gov_service_material",
        ("item_id", "version", "seq", "name", "required", "form", "copies"),
        materials,
    )


def _place(item: Item, version: Version) -> str:
    counter = f"{HALL}{COUNTERS.get(item.type, '综合窗口')}"
    if version.channel == ONLINE:
        return f"四川政务服务网全程网办；线下可至{counter}"
    return counter


async def _write_applications(
    copier: Copier, apps: list[Application], staff: dict[str, int]
) -> None:
    rows, steps, handed = [], [], []
    for app in apps:
        rows.append(application_row(app))
        steps += _steps(app, staff)
        handed += [(app.id, seq, None, None, at) for seq, at in app.handed_in]
    await copier.copy("gov_application", APPLICATION_COLUMNS, rows)
    await copier.copy(
        "gov_application_step",
        (
            "application_id",
            "step",
            "from_status",
            "to_status",
            "actor_id",
            "as_agent",
            "note",
            "at",
        ),
        steps,
    )
    await copier.copy(
        "gov_application_material",
        ("application_id", "seq", "key", "filename", "handed_in_at"),
        handed,
    )
    await copier.copy(
        "gov_rating",
        ("application_id", "grade", "score", "comment", "rated_by", "rated_at"),
        [a.rating for a in apps if a.rating is not None],
    )
    await copier.copy(
        "gov_rectification",
        (
            "application_id",
            "status",
            "opened_at",
            "due_on",
            "measures",
            "callback_at",
            "callback_by",
            "callback_note",
            "callback_satisfied",
            "closed_at",
            "on_time",
        ),
        [a.rectification for a in apps if a.rectification is not None],
    )


APPLICATION_COLUMNS = (
    "id",
    "item_id",
    "item_version",
    "department_code",
    "applicant_name",
    "id_number",
    "phone",
    "person_id",
    "region_code",
    "applicant_account_id",
    "agent_id",
    "channel",
    "visits",
    "status",
    "submitted_at",
    "accepted_on",
    "deadline_on",
    "paused_days",
    "paused_since",
    "decision",
    "decided_at",
    "completed_at",
    "completed_on",
    "on_time",
    "revision",
    "created_at",
    "updated_at",
)


def application_row(app: Application) -> tuple[Any, ...]:
    """The application as its trace leaves it (``APPLICATION_COLUMNS``)."""
    plan, person = app.plan, app.plan.applicant
    accept, asked, supplied, decide, complete = (
        app.taken(s)
        for s in (
            StepName.ACCEPT,
            StepName.REQUEST_CORRECTION,
            StepName.SUPPLY_CORRECTION,
            StepName.DECIDE,
            StepName.COMPLETE,
        )
    )
    decision = None
    if decide is not None:
        decision = (Decision.DENIED if plan.denied else Decision.APPROVED).value
    return (
        app.id,
        app.item.id,
        app.version.number,
        app.item.department,
        person.name,
        person.id_number,
        person.phone,
        person.person_id,
        person.region_code,
        plan.account_id,
        person.worker_id if plan.agent else None,
        app.version.channel.value,
        app.visits,
        app.status.value,
        app.submitted_at,
        accept.day if accept else None,
        app.deadline,
        app.paused_days,
        asked.day if asked is not None and supplied is None else None,
        decision,
        decide.at if decide else None,
        complete.at if complete else None,
        complete.day if complete else None,
        (complete.day <= app.deadline) if complete and app.deadline else None,
        len(app.steps),
        app.submitted_at,
        app.steps[-1].at,
    )


def _steps(app: Application, staff: dict[str, int]) -> list[tuple[Any, ...]]:
    plan = app.plan
    agent = plan.applicant.worker_id if plan.agent else None
    applicant_side = agent or plan.account_id
    out = []
    for s in app.steps:
        actor = applicant_side if s.by_applicant else staff.get(app.item.department)
        out.append(
            (
                app.id,
                s.step,
                s.before.value if s.before else None,
                s.after.value,
                actor,
                s.by_applicant and agent is not None,
                s.note,
                s.at,
            )
        )
    return out
