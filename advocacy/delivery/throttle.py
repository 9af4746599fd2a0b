"""Per-channel limits inside a worker: requests in flight and requests started per second (CWC, SMTP).

A worker runs many sends at once (see worker.py); a `ChannelGate` keeps what one channel receives from
this process within what the other side accepts. The clock and the sleep are injectable, for tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ChannelGate:
    """At most `max_in_flight` sends at a time (0: no limit) and at most `per_second` started per second
    (0: no limit), paced evenly: the n-th send in a busy second starts n/per_second seconds in."""

    def __init__(
        self,
        max_in_flight: int = 0,
        per_second: float = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.slots = threading.BoundedSemaphore(max_in_flight) if max_in_flight > 0 else None
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self.lock = threading.Lock()
        self.next_start = 0.0

    @contextmanager
    def passage(self) -> Iterator[None]:
        if self.slots is not None:
            self.slots.acquire()
        try:
            self._pace()
            yield
        finally:
            if self.slots is not None:
                self.slots.release()

    def _pace(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = self.clock()
            start = max(now, self.next_start)
            self.next_start = start + self.interval
        if start > now:
            self.sleep(start - now)


OPEN = ChannelGate()


def gates_from_options(option: Callable[[str], object]) -> dict[str, ChannelGate]:
    """The gates of one worker process, by channel name, from the DELIVERY_* options."""
    return {
        "cwc": ChannelGate(int(option("DELIVERY_CWC_MAX_IN_FLIGHT")), float(option("DELIVERY_CWC_PER_SECOND"))),
        "email": ChannelGate(int(option("DELIVERY_SMTP_MAX_IN_FLIGHT")), float(option("DELIVERY_SMTP_PER_SECOND"))),
    }
