"""Answers for a whole intake, field by field, usable by service tests and chat tests."""

from __future__ import annotations

from tests.support.ids import resident_id

CHILD_ID = resident_id(birth="20150305", sequence="123")  # a boy born 2015-03-05

# field name -> ("text", typed text) or ("press", button label in zh_Hans)
LEFT_BEHIND: dict[str, tuple[str, str]] = {
    "child_name": ("text", "张小明"),
    "child_id": ("text", CHILD_ID),
    "child_id_confirm": ("press", "是"),
    "ethnicity": ("press", "汉族"),
    "home_address": ("text", "闽侯县白沙镇溪头村 12 号"),
    "hukou": ("press", "农村户"),
    "category": ("press", "农村留守儿童"),
    "single_parent": ("press", "否"),
    "schooling": ("press", "小学"),
    "boarding": ("press", "非寄宿生"),
    "guardianship": ("press", "一般"),
    "health": ("press", "健康"),
    "need_kinds": ("press", "学业辅导"),
    "visited_today": ("press", "否"),
    "psychology": ("press", "跳过"),
    "assistance": ("press", "无"),
    "education_aid": ("press", "跳过"),
    "medical_aid": ("press", "跳过"),
    "other_aid": ("press", "跳过"),
    "father_name": ("text", "张大山"),
    "father_id": ("press", "跳过"),
    "father_phone": ("text", "13812345678"),
    "father_address": ("text", "厦门市湖里区"),
    "father_health": ("press", "健康"),
    "father_special": ("press", "无"),
    "father_away": ("press", "是"),
    "father_away_months": ("text", "8个月"),
    "father_work_place": ("text", "厦门某电子厂，电话 0592-5551234"),
    "mother_name": ("text", "李秀英"),
    "mother_id": ("press", "跳过"),
    "mother_phone": ("text", "13912345678"),
    "mother_address": ("text", "泉州市丰泽区"),
    "mother_health": ("press", "健康"),
    "mother_special": ("press", "无"),
    "mother_away": ("press", "是"),
    "mother_away_months": ("text", "6"),
    "mother_work_place": ("text", "泉州某服装厂"),
    "income_per_capita": ("text", "12000元"),
    "family_subsidies": ("press", "无"),
    "social_support": ("press", "跳过"),
    "caregiver_relation": ("press", "祖父母、外祖父母"),
    "caregiver_name": ("text", "张老汉"),
    "caregiver_phone": ("text", "15012345678"),
    "caregiver_address": ("press", "跳过"),
    "caregiver_reason": ("press", "父母双方同时外出"),
    "entrusted_from": ("text", "2024-03-01"),
    "entrusted_until": ("text", "2027-02-28"),
    "risk_tier": ("press", "中风险"),
    "helper_name": ("press", "跳过"),
    "helper_phone": ("press", "跳过"),
    "helper_unit": ("press", "跳过"),
    "care_needs": ("text", "需要课业辅导"),
    "notes": ("press", "跳过"),
}

ORPHAN: dict[str, tuple[str, str]] = {
    **{
        k: v
        for k, v in LEFT_BEHIND.items()
        if (
            not k.startswith(("caregiver", "entrusted"))
            and "_away" not in k
            and not k.endswith("work_place")
            # Both parents died: nothing more is asked of them than name, ID and situation.
            and not k.startswith(("father_", "mother_"))
        )
        or k.endswith(("_name", "_id", "_special"))
    },
    "child_name": ("text", "陈小红"),
    "child_id": ("text", resident_id(birth="20120710", sequence="246")),
    "category": ("press", "困境儿童"),
    "difficulty_type": ("press", "孤儿"),
    "guardian_name": ("text", "陈秀兰"),
    "guardian_kinship": ("press", "其他亲属"),
    "guardian_phone": ("text", "13712345678"),
    "difficulty_detail": ("text", "父母均已去世，由姑姑照顾"),
    "assistance": ("press", "孤儿"),
    "father_special": ("press", "死亡"),
    "mother_special": ("press", "死亡"),
    "risk_tier": ("press", "高风险"),
}
MULTI_CHOICE = {
    "assistance",
    "father_special",
    "mother_special",
    "family_subsidies",
    "difficulty_type",
    "health",
    "need_kinds",
}


def completes_at_once(form: str, field: str, label: str) -> bool:
    """Whether pressing `label` (zh_Hans) answers a multiple choice with no Done to press:
    "none", "healthy" and the like stand alone."""
    from bot.forms.registry import get_form
    from bot.forms.types import exclusive_choices
    from bot.i18n import I18n

    t = I18n().translator("zh_Hans")
    f = get_form(form).field(field)
    return any(t.plain(c.label) == label and c.value in exclusive_choices(f) for c in f.choices)


def in_form_order(answers: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Order answers as the intake asks its questions (chat tests answer in this order)."""
    from bot.forms.intake import INTAKE

    order = [f.name for f in INTAKE.fields]
    return dict(sorted(answers.items(), key=lambda item: order.index(item[0])))


LEFT_BEHIND = in_form_order(LEFT_BEHIND)
ORPHAN = in_form_order(ORPHAN)
