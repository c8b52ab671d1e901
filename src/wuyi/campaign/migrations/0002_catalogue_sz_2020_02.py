"""Seed the measures catalogue ``sz-2020-02``: Shenzhen's 19 measures of 2020-02-07, only as far as POLICY.md §1
documents them. The five 100% (English official translation; the Chinese labels are descriptive, not verbatim),
rules 1–4 of the ten "without exception" rules (verbatim) and rule 5 (a third-party paraphrase). Rules 6–10 and the
four key points were not recovered and are not written here: the catalogue's note says so.
"""

import datetime as dt

from django.db import migrations

SZ_GOV = "http://www.sz.gov.cn/szzt2010/yqfk2020/szzxd/content/post_6723983.html"
EYESHENZHEN = "http://www.eyeshenzhen.com/content/2020-02/08/content_22841790.htm"
SHEKOU = "http://shekoudaily.com/blog/important-announcement-virus-prevention-community-lockdowns.html"
ISSLER = "http://isslerlaw.com/propertymanagement/iyzvulybtz.html"
IDOLS = "http://4idols.com/PublicInterestSMS/frvxycfphs.html"

DESCRIPTIVE = ("The Chinese text of the five 100% was not recovered (the official page gives them in English only): "
               "this Chinese label is descriptive, not verbatim.")

FIVE_100 = [
    ("小区100%封闭式管理", "100% of residential areas under closed management (community management must be able to "
     "monitor and control 100% of those coming in or out)."),
    ("过去14天到过疫情重点地区的人员100%居家隔离", "100% home quarantine for people who have been in the epidemic "
     "key areas in the past 14 days."),
    ("与确诊病人有密切接触史的人员100%集中隔离", "100% centralized quarantine for people with a history of close "
     "contact with confirmed patients."),
    ("居民出入100%测量体温", "100% of residents have their body temperature measured when entering and leaving."),
    ("房东、租户100%告知并登记信息、明确责任", "100% of landlords and tenants informed, with their information "
     "registered and responsibilities made clear."),
]

TEN_RULES = [
    ("所有小区、城中村在出入口处一律设立检查登记卡，尽量减少出入口",
     "Checkpoints with registration at every entrance of every compound and urban village; reduce the number of "
     "entrances.", "confirmed", SZ_GOV, "Verbatim."),
    ("对目前仍在湖北的小区住户，社区一律会同相关单位通知其暂不返深，已经返深的要严格执行居家隔离措施",
     "Residents still in Hubei: the community notifies them not to return to Shenzhen for now; those already back "
     "must strictly do home quarantine.", "confirmed", SZ_GOV, "Verbatim."),
    ("发现发热病人一律第一时间向社区报告，登记身份信息、联系电话，及时送到医院就医",
     "Any fever patient found: report to the community at once, register ID and phone, send to hospital promptly.",
     "confirmed", SZ_GOV, "Verbatim."),
    ("外来人员和车辆一律不得进入小区，特殊情况经住户同意进入的要做好登记备案；所有社区小区居住人员应通过微信小程序"
     "“深i您—自主申报”、“i深圳”微信公众号、APP等……",
     "Outside people and vehicles may not enter the compound; in special cases, with a resident's consent, entry is "
     "registered and filed. All residents must self-declare through the WeChat mini-program 深i您—自主申报, the "
     "i深圳 official account or app.", "confirmed", SZ_GOV,
     "Verbatim as far as the source goes: the page available was cut off inside this rule."),
    ("（意译）对从外地旅行、探亲返深的居民一律进行排查，询问其过去14天的居住、旅行和接触史",
     "Screen every resident who returned to Shenzhen from travel or family visits outside the city and ask about "
     "their residence, travel and contact history in the past 14 days.", "partial", f"{ISSLER}\n{IDOLS}",
     "Paraphrase from a third-party English translation; the Chinese original was not recovered."),
]

NOTE = (
    "Shenzhen's 19 measures are five 100%, ten rules without exception and four key points (5 + 10 + 4). Only the "
    "beginning of the official text could be read: the five 100% (in English), rules 1–4 (verbatim) and rule 5 "
    "(paraphrased) are here. Rules 6–10 (rule 6 survives only as a fragment, probably closing off the building of a "
    "confirmed case) and the four key points were not recovered, so they are not in this catalogue: they will be "
    "added from the primary source, never guessed."
)


def seed(apps, schema_editor):
    MeasureCatalogue = apps.get_model("campaign", "MeasureCatalogue")
    Measure = apps.get_model("campaign", "Measure")
    catalogue = MeasureCatalogue.objects.create(
        code="sz-2020-02",
        title="深圳市关于建立健全社区联防联控机制的若干措施（十九条）",
        issued_on=dt.date(2020, 2, 7),
        effective_from=dt.date(2020, 2, 7),
        sources="\n".join([SZ_GOV, SHEKOU, EYESHENZHEN]),
        note=NOTE,
    )
    rows = []
    position = 0
    for number, (text, text_en) in enumerate(FIVE_100, start=1):
        position += 1
        rows.append(Measure(catalogue=catalogue, position=position, group="five_100", number=number, text=text,
                            text_en=text_en, status="confirmed", source=f"{SZ_GOV}\n{EYESHENZHEN}\n{SHEKOU}",
                            note=DESCRIPTIVE))
    for number, (text, text_en, status, source, note) in enumerate(TEN_RULES, start=1):
        position += 1
        rows.append(Measure(catalogue=catalogue, position=position, group="ten_rules", number=number, text=text,
                            text_en=text_en, status=status, source=source, note=note))
    Measure.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("campaign", "MeasureCatalogue").objects.filter(code="sz-2020-02").delete()


class Migration(migrations.Migration):
    dependencies = [("campaign", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
