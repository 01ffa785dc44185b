"""The command line: orgs, invites, listing, revocation, and one-line errors with exit code 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from bot.settings import PROJECT_ROOT
from storage import queries
from storage.db import Database
from storage.models import AuditEntry
from tests.conftest import TEST_DATA_KEY
from tests.support.seed import seed_region


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_LOCALE", "en")
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)


def test_cli__org_add_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["org", "add", "--code", "350000", "--name", "福建省", "--level", "province"]) == 0
    assert (
        main(
            [
                "org",
                "add",
                "--code",
                "350100",
                "--name",
                "福州市",
                "--level",
                "city",
                "--parent",
                "350000",
            ]
        )
        == 0
    )
    assert main(["org", "list", "--under", "350100"]) == 0
    out = capsys.readouterr().out
    assert "Added 350000 福建省 (province)." in out
    assert "350100\tcity\t福州市\t350000" in out


def test_cli__org_import_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text("code,name,level,parent\n350000,福建省,province,\n", encoding="utf-8")
    assert main(["org", "import", str(csv_file)]) == 0
    assert "Imported 1 units." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "org",
                "add",
                "--code",
                "350200",
                "--name",
                "厦门市",
                "--level",
                "city",
                "--parent",
                "359999",
            ],
            "No unit has the division code 359999.",
        ),
        (["org", "add", "--code", "12", "--name", "x", "--level", "province"], "wrong length"),
        (
            ["staff", "invite", "--role", "director", "--org", "350121100"],
            "A director cannot belong to 350121100",
        ),
        (
            ["staff", "invite", "--role", "director", "--org", "350121100201", "--phone", "555"],
            "phone number is not valid",
        ),
        (["staff", "revoke", "999"], "No staff member has the id 999."),
        (["org", "import", "missing.csv"], "Cannot read missing.csv"),
    ],
)
def test_cli__bad_input__one_line_and_exit_2(
    db: Database, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    seed_region(db)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err


def test_cli__invite__prints_deep_link_when_username_known(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_region(db)
    db.call(lambda s: queries.set_meta(session=s, key="bot_username", value="guanai_bot"))
    assert (
        main(
            [
                "staff",
                "invite",
                "--role",
                "director",
                "--org",
                "350121100201",
                "--name",
                "王芳",
                "--phone",
                "13812345678",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert re.search(r"https://t\.me/guanai_bot\?start=[A-Za-z0-9_-]{16}", out)


def test_cli__invite__prints_code_alone_when_username_unknown(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_region(db)
    assert main(["staff", "invite", "--role", "supervisor", "--org", "350121100"]) == 0
    out = capsys.readouterr().out
    assert "t.me" not in out
    assert re.search(r"/start [A-Za-z0-9_-]{16}", out)


def test_cli__staff_list_masks_phones_and_revoke(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_region(db)
    main(
        ["staff", "invite", "--role", "director", "--org", "350121100201", "--phone", "13812345678"]
    )
    capsys.readouterr()
    assert main(["staff", "list", "--org", "350121100"]) == 0
    listing = capsys.readouterr().out
    assert "138****5678" in listing and "13812345678" not in listing
    assert main(["staff", "revoke", "1"]) == 0
    main(["staff", "list"])
    assert "revoked" in capsys.readouterr().out


def test_cli__run_without_token__exits_nonzero_naming_the_variable(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "HOME": "/tmp"},
    )
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli__remind_dry_run__prints_digests_and_sends_nothing(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date

    from bot.people.access import identify
    from bot.people.enrollment import ThrottlePolicy, redeem_invite
    from storage.outbox_models import OutboxMessage
    from tests.support.children import file_child
    from tests.support.seed import NOW, VILLAGE, invite

    seed_region(db)
    issued = invite(db, "director", VILLAGE, name="王芳")
    db.call(
        lambda s: redeem_invite(
            session=s,
            code=issued.code,
            telegram_user_id=1001,
            locale="en",
            now=NOW,
            policy=ThrottlePolicy(),
        )
    )
    caller = db.call(lambda s: identify(session=s, telegram_user_id=1001)).caller
    assert caller is not None
    file_child(
        db,
        caller,
        name="中小明",
        tier="medium",
        sequence="113",
        filed_on=date(2026, 6, 1),
        today=date(2026, 11, 26),
    )
    assert main(["remind", "--as-of", "2026-11-26", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "== director 1 王芳 ==" in out and "中小明: home visit due by 2026-11-30" in out
    assert "Preview: 1 digests for 2026-11-26" in out
    assert db.call(lambda s: len(s.exec(select(OutboxMessage)).all())) == 0
    # The preview printed children's names: a read, in the audit log.
    printed = db.read(
        lambda s: s.exec(
            select(AuditEntry).where(AuditEntry.action == "sweep.dry_run_printed")
        ).one()
    )
    assert printed.actor_label == "cli" and printed.record_id == "2026-11-26"
    assert main(["remind", "--as-of", "2026-11-26"]) == 0
    assert main(["remind", "--as-of", "2026-11-26"]) == 0
    assert "were already sent" in capsys.readouterr().out
    assert db.call(lambda s: len(s.exec(select(OutboxMessage)).all())) == 1


def test_cli__remind_bad_date__exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["remind", "--as-of", "26/11/2026"])
    assert caught.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
