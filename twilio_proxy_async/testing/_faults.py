"""Fault injection settings and the seeded per-request draw that applies them."""

from __future__ import annotations

import random
from collections.abc import Iterable

import attrs

RATE_FIELDS = (
    "rate_429",
    "rate_500",
    "rate_html_502",
    "rate_reset",
    "rate_reset_mid_body",
    "rate_truncated_json",
)


def _methods(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(m.upper() for m in value)


def _probability(instance: Faults, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be within [0, 1], got {value}")


def _non_negative(instance: Faults, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


def _limit(instance: Faults, attribute: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"{attribute.name} must be >= 1 or None, got {value}")


@attrs.frozen(kw_only=True)
class Faults:
    """Failure modes the emulator injects, each drawn per request from ``seed``.

    The ``rate_*`` probabilities are exclusive outcomes of one draw, so they must sum
    to at most 1. ``methods`` and ``path_prefix`` restrict every fault, latency
    included, to the matching requests. ``Emulator.stats.faults_injected`` counts each
    firing under the field's name (``latency`` or ``stall`` for delayed requests).

    Attributes:
        latency: seconds added before every matching answer, 0 or more. Default 0.
        latency_jitter: up to this many more seconds, drawn uniformly per request, 0 or more.
            Default 0.
        concurrency_limit: the most requests in flight before the rest get a 429 with Twilio's
            error 20429, like an account's allowance; 1 or more. Default None: no limit.
        rate_429: the probability, in [0, 1], that a request gets a 429 Too Many Requests.
        retry_after: the ``Retry-After`` header value sent with injected 429s, e.g. ``"1"``.
            Default None: no header.
        rate_500: the probability, in [0, 1], of a JSON 500 or 503 error answer.
        rate_html_502: the probability, in [0, 1], of a 502 with an HTML page (a gateway's).
        rate_reset: the probability, in [0, 1], that the connection is reset before any answer.
        rate_reset_mid_body: the probability, in [0, 1], that the connection is cut midway
            through the body.
        rate_truncated_json: the probability, in [0, 1], of a 200 whose JSON body is cut short.
        stall: seconds a matching request hangs before its answer (woken by ``stop``), 0 or
            more; for client timeouts. Default 0.
        methods: the HTTP methods faults apply to, any case (stored upper case). Default None:
            every method.
        path_prefix: only requests whose path starts with this get faults. Default None: every
            path.
        seed: the seed of the per-request draws, so a run replays exactly. Default 0.
    """

    latency: float = attrs.field(default=0.0, validator=_non_negative)
    latency_jitter: float = attrs.field(default=0.0, validator=_non_negative)
    concurrency_limit: int | None = attrs.field(default=None, validator=_limit)
    rate_429: float = attrs.field(default=0.0, validator=_probability)
    retry_after: str | None = None
    rate_500: float = attrs.field(default=0.0, validator=_probability)
    rate_html_502: float = attrs.field(default=0.0, validator=_probability)
    rate_reset: float = attrs.field(default=0.0, validator=_probability)
    rate_reset_mid_body: float = attrs.field(default=0.0, validator=_probability)
    rate_truncated_json: float = attrs.field(default=0.0, validator=_probability)
    stall: float = attrs.field(default=0.0, validator=_non_negative)
    methods: frozenset[str] | None = attrs.field(default=None, converter=_methods)
    path_prefix: str | None = None
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        total = sum(getattr(self, name) for name in RATE_FIELDS)
        if total > 1.0 + 1e-9:
            raise ValueError(f"the rate_* probabilities sum to {total}, more than 1")

    def applies_to(self, method: str, path: str) -> bool:
        """Whether faults apply to a request, by ``methods`` and ``path_prefix``.

        Args:
            method: the request's HTTP method, in any case.
            path: the request's path, without the query (``/v1/Services``).
        """
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


@attrs.frozen
class FaultDraw:
    """What one request gets: an outcome (a ``rate_*`` name or None) and a delay."""

    outcome: str | None
    server_unavailable: bool
    delay: float


class FaultInjector:
    """Draws the same three numbers per matching request, so outcomes depend only on
    the seed and the order requests arrive in, not on which rates are switched on."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def draw(self) -> FaultDraw:
        faults = self.faults
        roll = self._rng.random()
        server_unavailable = self._rng.random() < 0.5
        jitter = self._rng.random() * faults.latency_jitter
        outcome = None
        threshold = 0.0
        for name in RATE_FIELDS:
            rate: float = getattr(faults, name)
            threshold += rate
            if rate and roll < threshold:
                outcome = name
                break
        return FaultDraw(outcome, server_unavailable, faults.latency + jitter + faults.stall)
