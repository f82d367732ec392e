"""The worker and the scheduler really run, on whichever broker is configured:
the file broker of the embedded default, or Redis when REDIS_URL is set."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

ROOT = Path(__file__).resolve().parent.parent
REAL_REDIS_URL = settings.REDIS_URL


def _real_cache(var_dir: Path):
    if REAL_REDIS_URL:
        return RedisCache(REAL_REDIS_URL, {})
    return FileBasedCache(str(var_dir / "cache"), {})


def test_beat_ticks_and_worker_runs_the_task(tmp_path):
    cache = _real_cache(tmp_path)
    cache.delete("nashgorod:heartbeat")
    env = {**os.environ, "NASHGOROD_VAR_DIR": str(tmp_path), "HEARTBEAT_SECONDS": "1"}
    celery = [sys.executable, "-m", "celery", "-A", "nashgorod"]
    worker = subprocess.Popen(
        [
            *celery,
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=WARNING",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 45
        beat = None
        while time.monotonic() < deadline and beat is None:
            assert worker.poll() is None, worker.stdout.read().decode()
            beat = cache.get("nashgorod:heartbeat")
            time.sleep(0.5)
        assert beat is not None, "no heartbeat from the scheduler through the worker within 45 s"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        cache.delete("nashgorod:heartbeat")
