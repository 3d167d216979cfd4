"""The benchmark harness, in its smoke size, so it cannot rot. No timing is
asserted here: the numbers live in docs/performance.md (make bench)."""

from __future__ import annotations

from bench.__main__ import PROFILES, run


def test_bench_smoke_produces_a_complete_report(stack):
    report = run(stack, PROFILES["smoke"], log=lambda _m: None, tokens=["test-token", "other-token"],
                 token="test-token", user_id="user123", live_tokens=["bench-token"])
    assert report["bare_trigger"]["errors"] == 0
    assert report["bare_trigger"]["round_trip_ms"]["count"] == PROFILES["smoke"]["bare_samples"]
    for row, n in zip(report["conversations"], PROFILES["smoke"]["concurrency"]):
        rounds = row["rounds"]
        assert row["errors"] == 0 and row["conversations_completed"] == n * rounds
        assert row["turn_latency_ms"]["count"] == 5 * n * rounds
        assert row["first_turn_latency_ms"]["count"] == n * rounds
        assert row["relay_overhead_ms"]["count"] >= 5 * n * rounds
    live = report["live_sessions"]
    assert live["connected"] == PROFILES["smoke"]["live_sessions"] and live["connect_failures"] == 0
    assert live["replies_at_top"]["answered"] == live["replies_at_top"]["probed"] > 0
    assert report["seeded"]["replies"] == PROFILES["smoke"]["seed_replies"]
    for row in report["after_seed"]:
        assert row["errors"] == 0 and row["relay_overhead_ms"]["count"] >= 5
    for row in report["emulator_floor"]:  # a bare listener saw the same reply documents (timing not asserted)
        assert row["errors"] == 0 and row["bare_listener_ms"]["count"] >= row["concurrency"], row["bare_listener_ms"]
    for row in report["guide_clients"]:
        assert row["errors"] == 0 and not row["tracks_seq"] and row["relay_overhead_ms"]["count"] >= 5
    routed = report["routed"]
    assert routed["conversations"]["errors"] == 0
    assert all(p["events_for_own_sessions"] >= 5 for p in routed["processes"])
    assert report["conversations"][0]["trigger_phases_ms"]["agent"]["count"] >= 5
    assert report["conversations"][0]["ack_latency_ms"]["count"] == 5 * PROFILES["smoke"]["single_rounds"]
    assert report["e2e_over_bare_p50"] is not None and set(report["targets"]) == {
        "live_sessions_10000", "kib_per_connection_le_24", "replies_at_top", "relay_overhead_p99_le_10ms",
        "e2e_p50_le_1_2x_bare", "every_turn_completes_at_top_concurrency", "routed_events_ratio_le_1_05",
        "session_creation_under_limit_all_200", "session_creation_under_limit_p50_le_200ms",
        "session_creation_over_limit_exactly_the_allowance", "session_creation_retry_after_honest"}
    creation = report["session_creation"]
    assert creation["targets"]["under_limit_all_200"] and creation["targets"]["over_limit_exactly_the_allowance"]
    assert report["first_delta"]["after_ms"]["count"] == PROFILES["smoke"]["first_delta_samples"]
