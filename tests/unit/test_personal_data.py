"""Personal data at rest: encrypted columns, ID blind index, key rotation, read audit, retention."""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot import keys
from bot.care.children import answers_of, load_file, open_card, update_child
from bot.care.escalations import EscalationPolicy, Report, raise_escalation
from bot.cli import main
from bot.forms import drafts, engine
from bot.forms.registry import get_form
from bot.people.access import Caller
from bot.settings import Settings, SettingsError
from storage import child_queries, crypto, migrate
from storage.child_models import Child, FormSession
from storage.db import Database, make_engine
from storage.models import AuditEntry
from tests.conftest import TEST_DATA_KEY
from tests.support.database import POSTGRES_URL, using_postgres
from tests.support.formdriver import NOW, FormDriver
from tests.support.intake import CHILD_ID, LEFT_BEHIND, MULTI_CHOICE
from tests.support.seed import NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE, enrol_caller, seed_region

FATHER_PHONE = "13812345678"
HOME_ADDRESS = LEFT_BEHIND["home_address"][1]
# The mother's and the caregiver's phones: the father's is also the seeded director's, and staff
# phones are not among the encrypted columns.
SECRETS = (CHILD_ID, "13912345678", HOME_ADDRESS, "15012345678", "厦门市湖里区")


@pytest.fixture
def director(db: Database) -> Caller:
    seed_region(db)
    return enrol_caller(db, "director", VILLAGE, 1001)


def file_child(db: Database, director: Caller) -> int:
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    driver.press("保存")
    child = db.read(lambda s: child_queries.child_by_id_number(session=s, id_number=CHILD_ID))
    assert child is not None and child.id is not None
    return child.id


def sqlite_bytes(db: Database) -> bytes:
    path = Path(db.url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def raw_child(db: Database) -> dict[str, object]:
    with db.engine.connect() as connection:
        row = connection.execute(
            text("SELECT id_number, home_address, id_number_hash FROM child")
        ).one()
    return dict(row._mapping)


@pytest.mark.skipif(using_postgres(), reason="reads the SQLite file's bytes")
def test_intake__numbers_phones_addresses__not_in_the_database_file(
    db: Database, director: Caller
) -> None:
    file_child(db, director)
    # A second director's open draft holds the same answers, unsaved.
    open_draft = FormDriver(db, enrol_caller(db, "director", VILLAGE, 1002))
    open_draft.begin()
    open_draft.fill(LEFT_BEHIND, MULTI_CHOICE)
    stored = sqlite_bytes(db)
    assert "张小明".encode() in stored  # names stay clear: the sweep reads them
    for secret in SECRETS:
        assert secret.encode() not in stored, secret


@pytest.mark.skipif(not using_postgres() or not shutil.which("pg_dump"), reason="pg_dump")
def test_intake__numbers_phones_addresses__not_in_a_pg_dump(db: Database, director: Caller) -> None:
    file_child(db, director)
    dump = subprocess.run(
        ["pg_dump", "--data-only", POSTGRES_URL], capture_output=True, check=True
    ).stdout
    assert "张小明".encode() in dump
    for secret in SECRETS:
        assert secret.encode() not in dump, secret


def test_intake__stored_as_versioned_ciphertext__read_back_clear(
    db: Database, director: Caller
) -> None:
    child_id = file_child(db, director)
    raw = raw_child(db)
    prefix = f"v1:{crypto.keyring().current.key_id}:"
    assert str(raw["id_number"]).startswith(prefix)
    assert str(raw["home_address"]).startswith(prefix)
    assert raw["id_number_hash"] == crypto.keyring().blind_index(CHILD_ID)
    file = db.read(lambda s: load_file(session=s, caller=director, child_id=child_id))
    assert file is not None
    assert file.child.id_number == CHILD_ID and file.child.home_address == HOME_ADDRESS
    assert {g.phone for g in file.guardians} == {"+8613812345678", "+8613912345678"}


def test_blind_index__same_id_again__found_as_a_duplicate(db: Database, director: Caller) -> None:
    child_id = file_child(db, director)
    found = db.read(lambda s: child_queries.child_by_id_number(session=s, id_number=CHILD_ID))
    assert found is not None and found.id == child_id
    second = FormDriver(db, enrol_caller(db, "director", VILLAGE, 1002))
    second.begin()
    review = second.fill(LEFT_BEHIND, MULTI_CHOICE)
    assert [p.key for p in review.problems] == ["duplicate.id"]


def test_rotation__interrupted_after_one_batch__rerun_finishes__new_key_alone_reads(
    db: Database, director: Caller
) -> None:
    child_id = file_child(db, director)
    old = crypto.keyring()
    new_key = crypto.parse_key(crypto.new_key_text())
    during = crypto.Keyring(new_key, [old.current])
    crypto.use_keyring(during)
    # Reads and the duplicate check keep working with both keys before anything is rotated.
    assert db.read(lambda s: child_queries.child_by_id_number(session=s, id_number=CHILD_ID))

    first = keys.rotate_keys(db=db, keyring=during, batch=1, max_batches=1)
    assert first == 1
    assert str(raw_child(db)["id_number"]).startswith(during.prefix)
    rest = keys.rotate_keys(db=db, keyring=during, batch=1)
    assert rest > 1  # guardians, caregiver and the draft were still under the old key
    assert keys.rotate_keys(db=db, keyring=during) == 0

    crypto.use_keyring(crypto.Keyring(new_key))
    file = db.read(lambda s: load_file(session=s, caller=director, child_id=child_id))
    assert file is not None and file.child.id_number == CHILD_ID
    assert {g.phone for g in file.guardians} == {"+8613812345678", "+8613912345678"}
    found = db.read(lambda s: child_queries.child_by_id_number(session=s, id_number=CHILD_ID))
    assert found is not None and found.id == child_id
    crypto.use_keyring(old)
    with pytest.raises(Exception, match="neither DATA_KEY"):
        db.read(lambda s: load_file(session=s, caller=director, child_id=child_id))


def test_settings__no_data_key__refused_saying_how_to_make_one(
    make_settings: Callable[..., Settings],
) -> None:
    with pytest.raises(SettingsError, match=r"python -m bot keys new"):
        make_settings(data_key="").require_keyring()
    with pytest.raises(SettingsError, match="base64"):
        make_settings(data_key="not a key!").require_keyring()


def test_settings__key_in_a_file__read(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    key_file = tmp_path / "data.key"
    key_file.write_text(TEST_DATA_KEY + "\n")
    keyring = make_settings(data_key="", data_key_file=str(key_file)).require_keyring()
    assert keyring.current.key_id == crypto.load_keyring(key=TEST_DATA_KEY).current.key_id


def test_edit__phone_and_id_changed__audit_holds_masked_values_only(
    db: Database, director: Caller
) -> None:
    child_id = file_child(db, director)

    def edit(session: Session) -> None:
        file = load_file(session=session, caller=director, child_id=child_id)
        assert file is not None
        answers = answers_of(file)
        answers["father_phone"] = "+8613800001111"
        answers["home_address"] = "闽侯县白沙镇新村 8 号"
        update_child(
            session=session,
            caller=director,
            child_id=child_id,
            answers=answers,
            now=NOW,
            today=NOW.date(),
        )

    db.call(edit)
    rows = db.read(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.edit")).all()
    )
    logged = " ".join(f"{r.old_value} {r.new_value}" for r in rows)
    assert "138****5678" in logged and "138****1111" in logged
    for secret in ("13812345678", "13800001111", HOME_ADDRESS, "闽侯县白沙镇新村 8 号"):
        assert secret not in logged


def test_card__opened__read_recorded_and_shown_by_audit_show(
    db: Database,
    director: Caller,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    child_id = file_child(db, director)
    assert db.call(lambda s: open_card(session=s, caller=director, child_id=child_id, now=NOW))
    reads = db.read(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.read")).all()
    )
    assert [(r.actor_staff_id, r.record_id) for r in reads] == [(director.staff_id, str(child_id))]

    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.chdir(tmp_path)  # no .env
    assert main(["audit", "show", "--child", str(child_id)]) == 0
    shown = capsys.readouterr().out
    assert f"staff:{director.staff_id}\tchild.read\tchild:{child_id}" in shown
    assert "child.create" in shown
    assert main(["audit", "show", "--staff", str(director.staff_id)]) == 0
    assert "child.read" in capsys.readouterr().out


def test_keys_new__prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "new"]) == 0
    printed = capsys.readouterr().out.strip()
    assert crypto.load_keyring(key=printed).current.key_id


def test_draft_retention__old_finished_deleted__open_and_recent_kept(
    db: Database, director: Caller
) -> None:
    form = get_form("intake")
    staff_id = director.staff_id

    def make(status: str, age: timedelta) -> int:
        def work(session: Session) -> int:
            draft = drafts.create_draft(
                session=session,
                staff_id=staff_id,
                form="intake",
                state=engine.start(form),
                now=NOW - age,
            )
            draft.status = status
            assert draft.id is not None
            return draft.id

        return db.call(work)

    old_saved = make("saved", timedelta(days=31))
    old_discarded = make("discarded", timedelta(days=40))
    recent_saved = make("saved", timedelta(days=2))
    old_open = make("open", timedelta(days=60))
    deleted = keys.delete_old_drafts(db=db, now=NOW, retention=timedelta(days=30))
    assert deleted == 2
    left = db.read(lambda s: set(s.exec(select(FormSession.id)).all()))
    assert left == {recent_saved, old_open}
    assert old_saved not in left and old_discarded not in left


@pytest.mark.skipif(using_postgres(), reason="SQLite files only")
def test_sqlite_file__created_readable_by_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "guanai.db"
    engine_ = make_engine(f"sqlite:///{path}")
    with engine_.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine_.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(using_postgres(), reason="takes the shared PostgreSQL schema down")
def test_migration_0008__rows_without_key_stop__with_key_encrypt(
    db: Database, director: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_child(db, director)
    db.dispose()
    migrate.downgrade(db.url, "0007_form_asking")
    assert raw_child_0007(db)["id_number"] == CHILD_ID  # decrypted on the way down
    keyring = crypto.keyring()
    crypto.use_keyring(None)
    for name in ("DATA_KEY", "DATA_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="needs the data key"):
        migrate.upgrade(db.url)
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    migrate.upgrade(db.url)
    crypto.use_keyring(keyring)
    raw = raw_child(db)
    assert str(raw["id_number"]).startswith(keyring.prefix)
    assert raw["id_number_hash"] == keyring.blind_index(CHILD_ID)
    assert db.read(lambda s: s.exec(select(Child)).one().home_address) == HOME_ADDRESS


def raw_child_0007(db: Database) -> dict[str, object]:
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT id_number, home_address FROM child")).one()
    return dict(row._mapping)


def test_no_keyring__encrypted_column_refuses_with_how_to_make_one() -> None:
    crypto.use_keyring(None)
    with pytest.raises(crypto.MissingDataKey, match="python -m bot keys new"):
        crypto.EncryptedText().process_bind_param("x", None)


def test_environment_keys__previous_list_reads_old_values() -> None:
    old, new = crypto.new_key_text(), crypto.new_key_text()
    sealed = crypto.load_keyring(key=old).encrypt("13812345678")
    both = crypto.keyring_from_environment({"DATA_KEY": new, "DATA_KEY_PREVIOUS": f"{old}"})
    assert both.decrypt(sealed) == "13812345678"
    assert not both.is_current(sealed)
    assert both.is_current(both.encrypt("x"))


def test_duplicate_id__transfer_button__request_audited_and_director_told(
    db: Database, director: Caller
) -> None:
    child_id = file_child(db, director)
    newcomer = enrol_caller(db, "director", NEIGHBOUR_VILLAGE, 1002)
    driver = FormDriver(db, newcomer)
    driver.begin()
    review = driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    assert [p.key for p in review.problems] == ["duplicate.id"]
    assert "保存" not in driver.buttons()
    screen = driver.press("申请转入本村")
    assert screen.info == {"notice": "duplicate.transfer_requested"}
    requests = db.read(
        lambda s: s.exec(
            select(AuditEntry).where(AuditEntry.action == "child.transfer_requested")
        ).all()
    )
    assert [(r.actor_staff_id, r.record_id) for r in requests] == [
        (newcomer.staff_id, str(child_id))
    ]
    assert NEIGHBOUR_VILLAGE in str(requests[0].new_value)


def test_escalation__full_numbers_shown_to_supervisor__display_audited_masked(
    db: Database, director: Caller
) -> None:
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    file_child(db, director)

    def work(session: Session) -> None:
        raise_escalation(
            session=session,
            child=session.exec(select(Child)).one(),
            raised_by=director.staff_id,
            urgent=True,
            reason="test",
            report=Report(note="test"),
            now=NOW,
            policy=EscalationPolicy(urgent_sla=timedelta(hours=1), normal_sla=timedelta(days=1)),
        )

    db.call(work)
    shown = db.read(
        lambda s: s.exec(
            select(AuditEntry).where(AuditEntry.action == "escalation.full_numbers_shown")
        ).all()
    )
    child_id = db.read(lambda s: s.exec(select(Child)).one().id)
    # The report shows the family's and the director's numbers in full: one audit row for the
    # supervisor who is shown them, on the child's record, the numbers masked.
    assert [(r.actor_staff_id, r.table_name, r.record_id) for r in shown] == [
        (supervisor.staff_id, "child", str(child_id))
    ]
    assert "138****5678" in str(shown[0].new_value)
    assert "13812345678" not in str(shown[0].new_value)


def test_run__no_data_key__refused_at_start_up_in_one_sentence(
    db: Database,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST-token")
    for name in ("DATA_KEY", "DATA_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == crypto.KEY_HELP
