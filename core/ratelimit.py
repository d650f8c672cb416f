"""A per-account (or per-address) request limit: fixed one-minute windows, per process.

Several server processes each count on their own, so the effective limit is the setting
times the number of processes behind the balancer; a shared limit needs a shared store.
"""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._windows: dict[str, tuple[int, int]] = {}

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one request of ``key``; False once the minute's budget is spent."""
        if self.per_minute <= 0:
            return True
        minute = int((time.monotonic() if now is None else now) // 60)
        window, count = self._windows.get(key, (minute, 0))
        if window != minute:
            window, count = minute, 0
        if count >= self.per_minute:
            return False
        self._windows[key] = (window, count + 1)
        if len(self._windows) > 50_000:  # forget finished windows
            self._windows = {k: v for k, v in self._windows.items() if v[0] == minute}
        return True
