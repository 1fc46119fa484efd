"""One worker thread that runs the data plane's slow work (starting servers, backup tools,
restores) outside the cloud's lock, in submission order, and keeps each result until the
cloud collects it (`deliver`, under its lock), so every status change happens inside a cloud
operation like any other."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from trovemock.dataplane.protocol import DataError

Work = Callable[[], Any]
Done = Callable[[Any], None]


class Jobs:
    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Work, Done | None, bool] | None] = queue.Queue()
        self._finished: list[tuple[Done, Any]] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        # The thread that starts every server: Linux's parent-death signal follows the
        # thread that forked, so it lives as long as the data plane.
        self._thread = threading.Thread(target=self._run, name="trovemock-dataplane",
                                        daemon=True)
        self._thread.start()

    def submit(self, work: Work, done: Done | None = None, *,
               background: bool = False) -> None:
        """Queue `work`. A `background` job (making a spare copy ahead of need) is not
        waited for by `settle`: the manual clock does not wait for it."""
        with self._lock:
            if not background:
                self._pending += 1
        self._queue.put((work, None if background else done, background))

    def call(self, work: Work, timeout: float | None = None) -> Any:
        """Run `work` on the worker and wait for its result (what must run on the thread
        that owns the servers: starting and stopping them)."""
        if threading.current_thread() is self._thread:
            return work()
        box: dict[str, Any] = {}
        ready = threading.Event()

        def wrapped() -> None:
            try:
                box["value"] = work()
            except BaseException as error:  # noqa: BLE001 - handed back to the caller
                box["error"] = error
            finally:
                ready.set()

        self.submit(wrapped)
        if not ready.wait(timeout):
            raise DataError("the data plane's worker did not answer in time")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            work, done, background = item
            try:
                result: Any = work()
            except DataError as error:
                result = error
            except Exception as error:  # noqa: BLE001 - a bug becomes a failed job
                result = DataError(f"{type(error).__name__}: {error}")
            with self._lock:
                if done is not None:
                    self._finished.append((done, result))
                if not background:
                    self._pending -= 1
                self._idle.notify_all()

    def deliver(self) -> None:
        with self._lock:
            finished, self._finished = self._finished, []
        for done, result in finished:
            done(result)

    def deliver_none(self) -> None:
        """Forget finished jobs' callbacks (the cloud they would tell was emptied)."""
        with self._lock:
            self._finished = []

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or running; False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
