"""The ladder outside chat: the weekly roll-up, the message's size, and stored reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.care.escalation.rollup import weekly_rollups
from bot.care.escalations import EscalationPolicy, Report, raise_escalation
from bot.i18n import default_i18n
from bot.notify.notification import read_payload
from bot.notify.render import Renderer
from storage import child_queries
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.support.children import file_child
from tests.support.seed import CITY, COUNTY, PROVINCE, VILLAGE, enrol_caller, seed_region

POLICY = EscalationPolicy()
MONDAY_9 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def rollups(db: Database) -> list[OutboxMessage]:
    return db.call(
        lambda s: list(
            s.exec(select(OutboxMessage).where(OutboxMessage.key.startswith("rollup:"))).all()  # type: ignore[attr-defined]
        )
    )


def test_weekly_rollup__city_and_province_admins_once_a_week_with_their_areas_counts(
    db: Database,
) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    enrol_caller(db, "admin", COUNTY, 3001)
    city = enrol_caller(db, "admin", CITY, 3002)
    enrol_caller(db, "admin", PROVINCE, 3003)
    child_id = file_child(
        db,
        director,
        name="张小明",
        tier="high",
        sequence="113",
        # Filed in September: the first visit was owed by the end of October.
        filed_on=date(2026, 9, 1),
        today=date(2026, 9, 1),
    )

    def raise_one(session):  # type: ignore[no-untyped-def]
        child = child_queries.child_by_id(session=session, child_id=child_id)
        raise_escalation(
            session=session,
            child=child,
            raised_by=director.staff_id,
            urgent=True,
            reason="urgent:missing",
            report=Report(situations=["choice.urgent.missing"], note="昨晚未归"),
            now=MONDAY_9 - timedelta(days=1),
            policy=POLICY,
        )

    db.call(raise_one)
    assert (
        db.call(
            lambda s: weekly_rollups(session=s, now=MONDAY_9 - timedelta(hours=1), policy=POLICY)
        )
        == 0
    )
    assert db.call(lambda s: weekly_rollups(session=s, now=MONDAY_9, policy=POLICY)) == 2
    assert (
        db.call(
            lambda s: weekly_rollups(session=s, now=MONDAY_9 + timedelta(days=2), policy=POLICY)
        )
        == 0
    )
    rows = rollups(db)
    assert sorted(r.recipient_staff_id for r in rows) == sorted([city.staff_id, city.staff_id + 1])
    text = Renderer(default_i18n()).render(read_payload(rows[0].payload).content, "zh_Hans").text
    assert "福州市" in text or "福建省" in text
    assert "未认领的上报：1 件（其中紧急 1 件）" in text and "超过时限：1 件" in text
    assert "逾期未走访的儿童：1 名" in text
    assert (
        db.call(
            lambda s: weekly_rollups(session=s, now=MONDAY_9 + timedelta(days=7), policy=POLICY)
        )
        == 2
    )


def test_report_message__long_notes_and_history__sent_in_parts_within_telegrams_limit() -> None:
    from bot.notify.notification import Notification
    from bot.telegram.chat_text import MESSAGE_LIMIT, text_length

    params = {
        "esc_id": 7,
        "urgent": True,
        "reason": "escalation.not_acknowledged",
        "child": {
            "name": "张小明",
            "id": "3501**********1239",
            "category": "left_behind",
            "risk": "high",
            "age": 11,
            "village": "溪头村",
            "address": "闽侯县白沙镇溪头村 12 号",
        },
        "situations": ["choice.urgent.missing"],
        "note": "孩子<昨晚>没有回家。" * 300,
        "problems": [["choice.problem.safety", "电线裸露" * 200]],
        "measures": "已联系村委会" * 100,
        "people": [["ladder.person.father", "张大山", "13812345678"]],
        "director": ["王芳", "13812345678"],
        "raised": "2026-11-02 09:00",
        "told": [["ladder.role.supervisor", "李督导"]],
        "acknowledged": "",
        "informed": [["police", "2026-11-02 09:05"]],
        "history": [
            ["ladder.history.asked", "ladder.role.supervisor", "李督导", "09:10", "在哪？"]
        ],
    }
    reply = Renderer(default_i18n()).render(Notification("escalation.report", params), "zh_Hans")
    parts = reply.parts()
    assert len(parts) > 1
    assert all(text_length(part.text) <= MESSAGE_LIMIT for part in parts)
    assert parts[-1].buttons and not parts[0].buttons  # the buttons under the last part
    whole = "".join(part.text for part in parts)
    assert "&lt;昨晚&gt;" in whole and "13812345678" in whole and "✅ 已报警（110）" in whole


def test_policy_from_settings__each_level_its_own_time_and_the_follow_up(
    make_settings,  # type: ignore[no-untyped-def]
) -> None:
    settings = make_settings(
        escalation_urgent_sla_minutes=15,
        escalation_sla_county_urgent_minutes=30,
        escalation_sla_city_normal_hours=48,
        escalation_followup_urgent_days=2,
    )
    policy = EscalationPolicy.from_settings(settings)
    assert policy.sla(True) == timedelta(minutes=15)
    assert policy.sla(True, "county") == timedelta(minutes=30)
    assert policy.sla(False, "city") == timedelta(hours=48)
    assert policy.sla(True, "province") == timedelta(minutes=60)
    assert policy.followup(True) == timedelta(days=2)
    assert policy.followup(False) == timedelta(days=14)
