"""``scripts/redis.sh``: installs when missing, starts and stops idempotently, on loopback only, never others'."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from .conftest import SCRIPT, PrivateRedis, free_port, redis_sh

pytestmark = pytest.mark.integration


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivateRedis]:
    private = PrivateRedis(tmp_path / "redis")
    yield private
    private.stop()


def answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def foreign(tmp_path: Path) -> Iterator[int]:
    """A redis-server started without the script, in the foreground, as another developer's would be."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(100):
        if answers(client):
            break
        time.sleep(0.1)
    yield port
    client.close()
    process.terminate()
    process.wait(10)


def test_start_is_idempotent_and_serves_on_loopback_only(server: PrivateRedis) -> None:
    url = server.start()
    assert url == f"redis://127.0.0.1:{server.port}/0" and server.start() == url
    client = redis.Redis.from_url(url)
    assert client.config_get("bind") == {"bind": "127.0.0.1"}
    assert client.config_get("protected-mode") == {"protected-mode": "yes"}
    assert (server.directory / f"redis-{server.port}.pid").is_file()
    client.close()


def test_stop_is_idempotent(server: PrivateRedis) -> None:
    server.start()
    server.stop()
    server.stop()
    assert redis_sh("stop", free_port()).returncode == 0


def test_it_neither_starts_over_nor_stops_a_server_it_did_not_start(foreign: int, tmp_path: Path) -> None:
    start, stop = redis_sh("start", foreign, tmp_path / "mine"), redis_sh("stop", foreign)
    assert start.returncode == 1 and "did not start" in start.stderr and start.stdout == ""
    assert stop.returncode == 1 and "not stopping it" in stop.stderr
    client = redis.Redis(port=foreign)
    assert answers(client)
    client.close()


def test_it_installs_redis_server_with_apt_get_when_missing(tmp_path: Path) -> None:
    log = tmp_path / "apt-get.log"
    (tmp_path / "id").symlink_to(shutil.which("id") or "/usr/bin/id")
    (tmp_path / "apt-get").write_text(
        f"#!/bin/sh\necho \"$*\" >> {log}\n"
        f"[ \"$1\" = install ] && ln -s /bin/true {tmp_path}/redis-server && ln -s /bin/true {tmp_path}/redis-cli\n"
        "echo apt output\n"
    )
    (tmp_path / "apt-get").chmod(0o755)
    done = subprocess.run(["/bin/bash", str(SCRIPT), "install"], env={**os.environ, "PATH": str(tmp_path)},
                          capture_output=True, text=True, check=False, timeout=30)
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == ["update -qq", "install -y -qq redis-server"]
    assert done.stdout == "" and "apt output" in done.stderr


def test_install_does_nothing_when_redis_server_is_present() -> None:
    done = redis_sh("install", timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("args", "code"),
    [((), 2), (("start", "6390"), 2), (("frob",), 2), (("url", "0"), 1), (("start", "x", "/tmp/d"), 1)],
)
def test_bad_usage_fails_with_a_message(args: tuple[str, ...], code: int) -> None:
    done = redis_sh(*args, timeout=30)
    assert done.returncode == code and done.stderr and done.stdout == ""


def test_url_prints_the_loopback_url() -> None:
    assert redis_sh("url", 6390, timeout=30).stdout == "redis://127.0.0.1:6390/0\n"
