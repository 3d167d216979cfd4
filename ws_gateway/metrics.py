"""The gateway's metrics, in the Prometheus text format (prometheus_client).

Served at /metrics only when METRICS_ENABLED is set: it is for the operator's
scraper, not the public. Relay overhead is the time from a reply's commit in
Firestore (its inbox document's update time, written by the trigger's completing
transaction) to its frame being sent; exposed as summaries with quantiles over
the most recent samples.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Callable, Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from mission_commander import schema
from mission_commander.latency_stats import LatencyWindow, percentile

from .inbox import GatewayInbox

__all__ = ["GatewayMetrics"]

QUANTILES = (0.5, 0.95, 0.99)
PENDING_LIMIT = 10000


class GatewayMetrics:
    def __init__(self, inbox: GatewayInbox, connections: Callable[[], int]) -> None:
        self._inbox = inbox
        self._connections = connections
        self.relay_overhead = LatencyWindow()
        """Milliseconds from a reply's commit to its frame being sent."""
        self.gateway_overhead = LatencyWindow()
        """The part of that spent in this process: listener callback to frame sent."""
        self._pending: dict[tuple[str, int], tuple[datetime, float]] = {}
        self._registry = CollectorRegistry()
        self._registry.register(_Collector(self))

    def reply_received(self, doc: dict[str, Any]) -> None:
        if len(self._pending) < PENDING_LIMIT:
            self._pending[(doc["session_id"], int(doc["seq"]))] = (doc["_committed"], doc["_received"])

    def frame_sent(self, session_id: str, seq: int) -> None:
        timing = self._pending.pop((session_id, seq), None)
        if timing is None:
            return
        committed, received = timing
        self.relay_overhead.add((schema.utc_now() - committed).total_seconds() * 1000)
        self.gateway_overhead.add((time.perf_counter() - received) * 1000)

    def reset(self) -> None:
        self.relay_overhead.clear()
        self.gateway_overhead.clear()
        self._pending.clear()

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self._registry), CONTENT_TYPE_LATEST


class _Collector:
    def __init__(self, metrics: GatewayMetrics) -> None:
        self._m = metrics

    def collect(self) -> Iterable[Metric]:
        m = self._m
        info = GaugeMetricFamily("mc_gateway_info", "This process's gateway id (its inbox)", labels=["gateway_id"])
        info.add_metric([m._inbox.gateway_id], 1)
        yield info
        yield GaugeMetricFamily("mc_gateway_connections", "Open WebSocket connections", value=m._connections())
        yield GaugeMetricFamily("mc_gateway_relay_healthy", "1 if the inbox listener is active",
                                value=1 if m._inbox.healthy() else 0)
        yield CounterMetricFamily("mc_gateway_inbox_events", "Inbox documents received by this process",
                                  value=m._inbox.events_received)
        yield CounterMetricFamily("mc_gateway_inbox_events_own", "Inbox documents for a session held here",
                                  value=m._inbox.events_for_own_sessions)
        yield CounterMetricFamily("mc_gateway_inbox_renewals", "Inbox listeners renewed by the watchdog",
                                  value=m._inbox.renewals)
        for name, window, text in (
                ("mc_gateway_relay_overhead_ms", m.relay_overhead, "Reply committed to frame sent (ms)"),
                ("mc_gateway_in_process_overhead_ms", m.gateway_overhead, "Listener callback to frame sent (ms)")):
            values = sorted(window.values())
            summary = SummaryMetricFamily(name, text, count_value=len(values), sum_value=sum(values))
            for q in QUANTILES:
                summary.add_sample(name, {"quantile": str(q)}, percentile(values, q * 100) or 0.0)
            yield summary
