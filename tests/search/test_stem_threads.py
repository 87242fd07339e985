"""Stemming from several threads at once (gunicorn threads) gives the same stems as one
thread, and no error: a Snowball stemmer is not shareable between threads."""

from __future__ import annotations

import random
import sys
import threading

from mediane.search.query import stem

WORDS = [
    "".join(random.Random(i).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3 + i % 12))
    + suffix
    for i in range(2000)
    for suffix in ("ement", "ations", "euses")
]


def test_threads_stem_like_one_thread():
    expected = [stem.__wrapped__(word) for word in WORDS]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            results[n] = [stem.__wrapped__(word) for word in WORDS]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:3]
    assert all(results[n] == expected for n in range(6))
