"""A circuit breaker per endpoint, kept in each worker's memory.

Why: a receiver that is down answers every attempt with an error (or a timeout, which holds a
sender thread for `WEBHOOK_TIMEOUT_SECONDS`). Each delivery already waits for its own retry
(`next_attempt_at`), but new events keep arriving for that endpoint; without a breaker every
one of them would first be tried against the dead receiver. After
`WEBHOOK_BREAKER_THRESHOLD` consecutive failures the circuit *opens*: the worker stops claiming
that endpoint's deliveries (they stay pending, nothing is lost or counted as an attempt) for a
cool-down that doubles on each reopening, from `WEBHOOK_BREAKER_COOLDOWN_SECONDS` up to
`WEBHOOK_BREAKER_MAX_COOLDOWN_SECONDS`. Then it is *half-open*: one delivery is tried; success
closes the circuit, failure opens it again.

Per process, not shared: each worker learns on its own within `threshold` attempts, which
bounds the waste without a shared store.
"""

import time
from dataclasses import dataclass

from django.conf import settings


@dataclass
class _State:
    failures: int = 0
    open_until: float = 0.0
    cooldown: float = 0.0


class CircuitBreakers:
    def __init__(self, clock=time.monotonic):
        self._states: dict[str, _State] = {}
        self._clock = clock

    def record(self, endpoint_id: str, ok: bool) -> None:
        """Count one attempt's outcome (sender threads call this; callers hold a lock)."""
        if ok:
            self._states.pop(endpoint_id, None)
            return
        state = self._states.setdefault(endpoint_id, _State())
        now = self._clock()
        if state.open_until and now < state.open_until:
            return  # a send started before the circuit opened: already counted as down
        state.failures += 1
        trial_failed = bool(state.open_until)  # half-open: the one trial failed
        if trial_failed or state.failures >= settings.WEBHOOK_BREAKER_THRESHOLD:
            base = settings.WEBHOOK_BREAKER_COOLDOWN_SECONDS
            state.cooldown = min(
                settings.WEBHOOK_BREAKER_MAX_COOLDOWN_SECONDS,
                state.cooldown * 2 if state.cooldown else base,
            )
            state.open_until = now + state.cooldown

    def state(self, endpoint_id: str) -> str:
        state = self._states.get(endpoint_id)
        if state is None or not state.open_until:
            return "closed"
        return "open" if self._clock() < state.open_until else "half-open"

    def open_endpoints(self) -> set[str]:
        now = self._clock()
        return {e for e, s in self._states.items() if s.open_until and now < s.open_until}

    def half_open_caps(self) -> dict[str, int]:
        """Endpoints whose cool-down is over: one trial delivery each."""
        now = self._clock()
        return {e: 1 for e, s in self._states.items() if s.open_until and now >= s.open_until}
