"""The intake contract: the columns of an intake sheet, their headers and how each value is read.

(The columns of what a review produces — results and problems — are described in :mod:`.columns`.)

One :class:`Column` per field, in template order. A header matches a column when, ignoring case,
spaces, line breaks, full-/half-width forms, ``_``/``-`` and ``*``, it equals the Chinese header,
the English header, the canonical key or one of the listed alternatives — or when its first line
does (the template's headers are "中文\\nEnglish").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..vocab import DEGREES, EMPLOYER_TYPES, HOLDER_TYPES, LEVELS

__all__ = [
    "BASIC_REQUIREMENT_COLUMNS",
    "COLUMNS",
    "COLUMN_BY_KEY",
    "REQUIRED",
    "Column",
    "header_key",
    "match_header",
]


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str  # text | list | code | yes_no | date | years
    required: bool = False
    vocab: str | None = None  # for kind == "code": holder | degree | series | level | employer
    help_zh: str = ""
    help_en: str = ""
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def accepted_headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.key, *self.aliases)


def _codes(vocab: dict[str, tuple[str, str]]) -> str:
    return "、".join(f"{zh}（{code}）" for code, (zh, _en) in vocab.items())


def _codes_en(vocab: dict[str, tuple[str, str]]) -> str:
    return ", ".join(f"{en} ({code})" for code, (_zh, en) in vocab.items())


_YN_ZH = "填“是”或“否”（也接受 Y/N、yes/no、true/false、1/0）"
_YN_EN = "是 (yes) or 否 (no); Y/N, yes/no, true/false and 1/0 are accepted too"
_DATE_ZH = "日期：Excel日期，或 2025-03-04、2025/3/4、2025.3.4、2025年3月4日"
_DATE_EN = "A date: an Excel date, or 2025-03-04, 2025/3/4, 2025.3.4, 2025年3月4日"

COLUMNS: tuple[Column, ...] = (
    Column(
        "application_id",
        "申请编号",
        "Application ID",
        "text",
        required=True,
        help_zh="每位申请人一个编号，本表内不得重复（必填）",
        help_en="One ID per applicant, unique within the sheet (required)",
        aliases=("编号", "申请号", "ID", "Application No", "Application number"),
    ),
    Column(
        "full_name",
        "姓名",
        "Full name",
        "text",
        required=True,
        help_zh="申请人姓名（必填）",
        help_en="Applicant's name (required)",
        aliases=("Name", "申请人姓名", "申请人"),
    ),
    Column(
        "holder_type",
        "人员类别",
        "Holder type",
        "code",
        vocab="holder",
        help_zh="可选：" + _codes(HOLDER_TYPES),
        help_en="One of: " + _codes_en(HOLDER_TYPES),
        aliases=("人员身份", "身份", "Holder", "Nationality type"),
    ),
    Column(
        "shanghai_hukou",
        "上海户籍",
        "Shanghai hukou",
        "yes_no",
        help_zh="是否有上海户籍：" + _YN_ZH,
        help_en="Has a Shanghai hukou: " + _YN_EN,
        aliases=("本市户籍", "沪籍", "Hukou"),
    ),
    Column(
        "date_of_birth",
        "出生日期",
        "Date of birth",
        "date",
        help_zh=_DATE_ZH,
        help_en=_DATE_EN,
        aliases=("生日", "DOB", "Birth date"),
    ),
    Column(
        "qualifications",
        "境外职业资格证书",
        "Overseas qualifications",
        "list",
        required=True,
        help_zh="证书名称或缩写（如 FCCA）；多个证书用“；”“;”“、”或换行分隔（必填）",
        help_en="Certificate name or abbreviation (e.g. FCCA); separate several with ；, ;, 、 or line breaks (required)",
        aliases=(
            "证书",
            "证书名称",
            "职业资格证书",
            "境外职业资格",
            "Qualification",
            "Qualifications",
            "Certificate",
            "Certificates",
            "Overseas qualification",
        ),
    ),
    Column(
        "certificate_numbers",
        "证书编号",
        "Certificate numbers",
        "list",
        help_zh="证书编号，多个用“；”分隔，与证书顺序一致",
        help_en="Certificate numbers, in the order of the certificates",
        aliases=("Certificate number", "Certificate No", "证书号"),
    ),
    Column(
        "verified",
        "平台核验",
        "Verified on platform",
        "yes_no",
        help_zh="证书是否已在上海市境外职业资格证书核验平台完成核验：" + _YN_ZH,
        help_en="Verified on the city's overseas-qualification verification platform: " + _YN_EN,
        aliases=("已核验", "核验", "是否核验", "Verified", "Platform verification"),
    ),
    Column(
        "degree",
        "最高学历学位",
        "Highest degree",
        "code",
        vocab="degree",
        help_zh="可选：" + _codes(DEGREES),
        help_en="One of: " + _codes_en(DEGREES),
        aliases=("学历", "学位", "学历学位", "最高学历", "最高学位", "Degree"),
    ),
    Column(
        "science_or_engineering_degree",
        "理工科学位",
        "Science or engineering degree",
        "yes_no",
        help_zh="学位是否属理工科（申报工程技术系列必填）：" + _YN_ZH,
        help_en="Whether the degree is in science or engineering (needed for engineering titles): " + _YN_EN,
        aliases=("是否理工科", "理工科", "Science degree", "STEM degree"),
    ),
    Column(
        "title_series",
        "申报职称系列",
        "Title series",
        "code",
        vocab="series",
        help_zh="C类证书申报职称的系列，如 工程、经济、会计",
        help_en="Series of the title applied for, e.g. engineering, economics, accounting",
        aliases=("职称系列", "系列", "Series"),
    ),
    Column(
        "title_level",
        "申报级别",
        "Title level",
        "code",
        vocab="level",
        help_zh="可选：" + _codes(LEVELS) + "；留空 = 按可申报的最高级别评估",
        help_en="One of: " + _codes_en(LEVELS) + "; blank = propose the highest open level",
        aliases=("职称级别", "级别", "Level"),
    ),
    Column(
        "relevant_since",
        "相关工作起始日期",
        "Relevant work since",
        "date",
        help_zh="从事与证书相关工作的起始日期（或填相关工作年限）。" + _DATE_ZH,
        help_en="Start of work related to the certificate (or give the years). " + _DATE_EN,
        aliases=("相关工作起始", "Relevant since"),
    ),
    Column(
        "relevant_years",
        "相关工作年限",
        "Years of relevant work",
        "years",
        help_zh="相关工作年限（数字，可带小数；或填起始日期）",
        help_en="Years of relevant work (a number; or give the start date)",
        aliases=("相关工作年数", "Relevant years"),
    ),
    Column(
        "shanghai_since",
        "在沪工作起始日期",
        "Work in Shanghai since",
        "date",
        help_zh="在本市从事相关工作的起始日期（或填在沪工作年限）。" + _DATE_ZH,
        help_en="Start of the relevant work in Shanghai (or give the years). " + _DATE_EN,
        aliases=("在沪工作起始", "Shanghai since"),
    ),
    Column(
        "shanghai_years",
        "在沪工作年限",
        "Years in Shanghai",
        "years",
        help_zh="在本市从事相关工作的年限（数字；或填起始日期）",
        help_en="Years of relevant work in Shanghai (a number; or give the start date)",
        aliases=("在沪年限", "Shanghai years", "Years of work in Shanghai"),
    ),
    Column(
        "employer",
        "用人单位",
        "Employer",
        "text",
        help_zh="用人单位名称",
        help_en="Employer's name",
        aliases=("单位", "工作单位", "单位名称", "Employer name"),
    ),
    Column(
        "employer_type",
        "单位性质",
        "Employer type",
        "code",
        vocab="employer",
        help_zh="可选：" + _codes(EMPLOYER_TYPES),
        help_en="One of: " + _codes_en(EMPLOYER_TYPES),
        aliases=("单位类型", "Employer kind"),
    ),
    Column(
        "recommended_by_authority",
        "主管部门推荐",
        "Recommended by authority",
        "yes_no",
        help_zh="事业单位人员是否已经主管部门推荐：" + _YN_ZH,
        help_en="For public-institution staff: recommended by the supervising authority: " + _YN_EN,
        aliases=("主管部门推荐意见", "Authority recommendation", "Recommended"),
    ),
    Column(
        "previous_round",
        "曾参加往期认定",
        "Took part in a previous round",
        "yes_no",
        help_zh="是否参加过往期职称认定：" + _YN_ZH,
        help_en="Took part in an earlier title round: " + _YN_EN,
        aliases=("往期认定", "参加过往期", "Previous round"),
    ),
    # The officer's ticks on the basic requirements (optional; the items and their clauses are
    # data/policy/basic_requirements.yaml; the key after "basic_" is the item's code).
    Column(
        "basic_law",
        "基本条件：遵守宪法法律",
        "Basic: complies with the law",
        "yes_no",
        help_zh="经办人核对：遵守中华人民共和国宪法和法律法规。" + _YN_ZH + "；留空为尚待核对",
        help_en="Officer's check: complies with the Constitution and laws of China. "
        + _YN_EN
        + "; blank = still to check",
        aliases=("遵守宪法法律", "Basic law"),
    ),
    Column(
        "basic_ethics",
        "基本条件：职业道德",
        "Basic: professional ethics",
        "yes_no",
        help_zh="经办人核对：具有良好的职业道德、敬业精神，作风端正。" + _YN_ZH + "；留空为尚待核对",
        help_en="Officer's check: good professional ethics, dedication and proper conduct. "
        + _YN_EN
        + "; blank = still to check",
        aliases=("职业道德", "Basic ethics"),
    ),
    Column(
        "basic_competence",
        "基本条件：履职能力",
        "Basic: competence",
        "yes_no",
        help_zh="经办人核对：认真履行岗位职责，具备相应的专业能力。" + _YN_ZH + "；留空为尚待核对",
        help_en="Officer's check: commits to the post's responsibilities and has shown the competence. "
        + _YN_EN
        + "; blank = still to check",
        aliases=("履职能力", "Basic competence"),
    ),
    Column(
        "basic_overseas_experience",
        "基本条件：境外相关经历",
        "Basic: overseas experience",
        "yes_no",
        help_zh="经办人核对：具有相应领域的境外相关工作经历或从事境外相关业务。"
        + _YN_ZH
        + "；留空为尚待核对",
        help_en="Officer's check: relevant overseas experience, or overseas business, in the field. "
        + _YN_EN
        + "; blank = still to check",
        aliases=("境外相关经历", "Basic overseas experience"),
    ),
    Column(
        "basic_public_institution_posts",
        "基本条件：事业单位岗位管理",
        "Basic: public-institution post management",
        "yes_no",
        help_zh="仅事业单位人员：一般应符合事业单位岗位管理要求。" + _YN_ZH + "；留空为尚待核对",
        help_en="Public-institution staff only: generally follows public institutions' post management. "
        + _YN_EN
        + "; blank = still to check",
        aliases=("事业单位岗位管理", "Basic post management"),
    ),
    Column(
        "publicity_start",
        "公示开始日期",
        "Publicity start",
        "date",
        help_zh="用人单位公示开始日期（公示结束日期可留空，由工具计算）。" + _DATE_ZH,
        help_en="Start of the employer's publicity (the end may be left blank: the toolkit computes it). "
        + _DATE_EN,
        aliases=("公示开始", "公示起始日期", "Publicity from"),
    ),
    Column(
        "publicity_end",
        "公示结束日期",
        "Publicity end",
        "date",
        help_zh="公示结束日期（填写则核对是否满足工作日要求）。" + _DATE_ZH,
        help_en="End of the publicity (if given, checked against the working-day requirement). " + _DATE_EN,
        aliases=("公示结束", "公示截止日期", "Publicity to", "Publicity until"),
    ),
)

COLUMN_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# the intake columns holding the officer's ticks on the basic requirements: column key → item code
BASIC_REQUIREMENT_COLUMNS: dict[str, str] = {
    c.key: c.key.removeprefix("basic_") for c in COLUMNS if c.key.startswith("basic_")
}
REQUIRED: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)

_STRIP = re.compile(r"[\s_\-.*:：/\\()（）\[\]【】]+")


def header_key(text: object) -> str:
    """Normalise a header for matching: NFKC, lower case, no spaces/line breaks/``*``/punctuation."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return _STRIP.sub("", s)


def _build_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for c in COLUMNS:
        for h in c.accepted_headers():
            out.setdefault(header_key(h), c.key)
        out.setdefault(header_key(c.zh + c.en), c.key)
    return out


_INDEX = _build_index()


def match_header(text: object) -> str | None:
    """The canonical key a header stands for, or None (an extra column)."""
    if text is None:
        return None
    raw = str(text)
    k = header_key(raw)
    if not k:
        return None
    if k in _INDEX:
        return _INDEX[k]
    for part in re.split(r"[\r\n/|]+", raw):  # "中文\nEnglish", "中文 / English"
        pk = header_key(part)
        if pk in _INDEX:
            return _INDEX[pk]
    return None
