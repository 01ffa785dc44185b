"""Two web processes behind a load balancer and two workers on one PostgreSQL, killed with -9:
every answer is applied once and answered, every escalation raised and sent once, and the
waiting worker takes over the jobs within seconds."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.audit import Actor
from bot.people.access import Caller, identify
from bot.people.orgs import OrgInput, add_org
from bot.settings import PROJECT_ROOT
from storage.db import Database
from storage.inbox_models import InboxUpdate
from storage.visit_models import Escalation
from tests.conftest import TEST_DATA_KEY, TEST_TOKEN
from tests.e2e.test_chat_visits import step
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotProcess
from tests.support.children import file_child
from tests.support.database import using_postgres
from tests.support.roundrobin import RoundRobinProxy
from tests.support.seed import TOWNSHIP, invite

pytestmark = pytest.mark.skipif(
    not using_postgres(),
    reason="web and worker processes share one PostgreSQL (set GUANAI_TEST_DATABASE_URL)",
)

DIRECTORS = 20
SECRET = "load-balanced_secret"
TAKEOVER_SECONDS = 5.0
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
CHILDREN = [f"{surname}小明" for surname in SURNAMES]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(condition: object, what: str, timeout: float = 30.0) -> float:
    """Wait until condition() is true; return how long it took."""
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def village(i: int) -> str:
    return f"{TOWNSHIP}{300 + i}"


@pytest.fixture
def proxy() -> Iterator[RoundRobinProxy]:
    balancer = RoundRobinProxy([]).start()
    yield balancer
    balancer.stop()


@pytest.fixture
def cluster_env(fake: FakeTelegram, database_url: str, proxy: RoundRobinProxy) -> dict[str, str]:
    fake.act_as_local_server()  # the fake calls http://127.0.0.1, as a local Bot API server may
    return {
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "BOT_LOCALE": "zh_Hans",
        "WEBHOOK_URL": f"{proxy.url}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "OUTBOX_POLL_SECONDS": "0.5",
        "DATA_KEY": TEST_DATA_KEY,
    }


@pytest.fixture
def processes() -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        process.kill()


def start(
    env: dict[str, str], role: str, tmp_path: Path, started: list[BotProcess], **extra: str
) -> BotProcess:
    environment = env | extra
    log = tmp_path / f"{role}{len(started)}.log"
    process = BotProcess(environment, log, args=("run", "--role", role)).start()
    started.append(process)
    return process


def count_with(user: FakeUser, text: str) -> int:
    return sum(text in m.text for m in user.messages())


def file_urgent_visit(director: FakeUser, child: str, note: str) -> None:
    director.send("走访报告")
    director.wait_for_text("请选择要记录走访的儿童", timeout=60)
    director.press(next(label for label, _ in director.last().buttons() if child in label))
    director.wait_for_text("走访方式", timeout=60)
    step(director, "kind", "入户走访")
    step(director, "visited_on", "今天")
    step(director, "urgent", "失踪")
    director.send(note)
    # The report going up is said by the outbox; the 110/120 notice comes with the next question,
    # and again with it if the web process died before replying and the answer is run again.
    director.wait_for_text("110", timeout=60)
    director.wait_for_text("上报给", timeout=60)


def test_two_webs_two_workers__web_then_worker_killed__nothing_lost_nothing_twice(
    fake: FakeTelegram,
    region: Database,
    cluster_env: dict[str, str],
    proxy: RoundRobinProxy,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    ports = [free_port(), free_port()]
    proxy.backends.extend(f"http://127.0.0.1:{port}" for port in ports)
    webs = [
        start(cluster_env, "web", tmp_path, processes, WEBHOOK_LISTEN=f"127.0.0.1:{port}")
        for port in ports
    ]
    first_worker = start(cluster_env, "worker", tmp_path, processes)
    wait_for(lambda: "holding the worker lock" in first_worker.output(), "the first worker")
    standby = start(cluster_env, "worker", tmp_path, processes)
    wait_for(lambda: "waiting to take over" in standby.output(), "the standby worker")
    for port in ports:
        wait_for(lambda p=port: listening(p), "a web process")
    registered = subprocess.run(
        [sys.executable, "-m", "bot", "webhook", "set"],
        cwd=PROJECT_ROOT,
        env=cluster_env | {"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert registered.returncode == 0, registered.stderr
    assert fake.webhook_url() == cluster_env["WEBHOOK_URL"]

    # Twenty villages of one township, a director and a child in each, one supervisor.
    def villages(session: object) -> None:
        for i in range(DIRECTORS):
            data = OrgInput(village(i), f"第{i + 1}村", "village", TOWNSHIP)
            add_org(session=session, data=data, actor=Actor.cli())  # type: ignore[arg-type]

    region.call(villages)
    supervisor = fake.user(2001, first_name="李强")
    now = datetime.now(UTC)
    supervisor.send(f"/start {invite(region, 'supervisor', TOWNSHIP, name='李强', now=now).code}")
    directors = []
    for i in range(DIRECTORS):
        user = fake.user(1001 + i, first_name="王芳")
        user.send(f"/start {invite(region, 'director', village(i), name='王芳', now=now).code}")
        directors.append(user)
    for user in [supervisor, *directors]:
        user.wait_for_text("欢迎您", timeout=60)
    for i, user in enumerate(directors):
        caller = region.call(lambda s, u=user: identify(session=s, telegram_user_id=u.id)).caller
        assert isinstance(caller, Caller)
        today = datetime.now(UTC).date()
        file_child(
            region,
            caller,
            name=CHILDREN[i],
            tier="high",
            sequence=f"{100 + 2 * i + 1}",
            filed_on=today,
            today=today,
        )
    notes = [f"孩子{i + 1}号昨晚没有回家" for i in range(DIRECTORS)]

    # The first half file urgent visits while one web process is killed mid-way.
    half = DIRECTORS // 2
    with ThreadPoolExecutor(max_workers=half) as pool:
        running = [
            pool.submit(file_urgent_visit, directors[i], CHILDREN[i], notes[i]) for i in range(half)
        ]
        time.sleep(1.0)
        webs[0].kill()
        for future in running:
            future.result()
    wait_for(lambda: count_with(supervisor, "紧急上报") >= half, "the first alerts", 60)

    # The working worker dies; the standby takes the lock and sends the second half's alerts.
    first_worker.kill()
    took = wait_for(lambda: "holding the worker lock" in standby.output(), "the takeover")
    assert took < TAKEOVER_SECONDS
    with ThreadPoolExecutor(max_workers=half) as pool:
        for future in [
            pool.submit(file_urgent_visit, directors[i], CHILDREN[i], notes[i])
            for i in range(half, DIRECTORS)
        ]:
            future.result()
    wait_for(lambda: count_with(supervisor, "紧急上报") >= DIRECTORS, "every alert", 60)
    time.sleep(1.5)  # room for a late duplicate to show itself

    escalations = region.call(lambda s: s.exec(select(Escalation)).all())
    assert len(escalations) == DIRECTORS
    assert len({e.child_id for e in escalations}) == DIRECTORS
    # Every alert arrives. A message Telegram took in the instant before its worker was killed,
    # before the worker could record it, is sent again by the standby (Telegram has no key to
    # send a message only once): at most one such row per chat the killed worker was sending to.
    twice = [note for note in notes if count_with(supervisor, note) == 2]
    for note in notes:
        assert 1 <= count_with(supervisor, note) <= 2, supervisor.transcript()
    assert len(twice) <= 1, supervisor.transcript()
    for user in directors:
        assert 1 <= count_with(user, "上报给") <= 2, user.transcript()
        # At least once; twice only if a web process died after replying, before marking it done.
        assert 1 <= count_with(user, "110") <= 2, user.transcript()
        refused = [(c.method, c.description, c.args) for c in fake.calls() if c.error_code]
        assert count_with(user, "抱歉") == 0, (user.transcript(), refused)
    left = region.call(
        lambda s: s.exec(select(InboxUpdate).where(InboxUpdate.state != "done")).all()
    )
    assert left == []
    for process in [webs[1], standby]:
        assert "Traceback" not in process.output()
    statuses = {status for _, status in proxy.forwarded}
    assert 502 in statuses  # the dead web process was in the rotation, and Telegram retried
