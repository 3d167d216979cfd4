"""bench/first_delta.py runs end to end (real SDK, local Gemini wire server) and renders its
section; no timing is asserted here (figures come from the benchmark itself)."""

from bench import first_delta


def test_first_delta_bench_runs_and_renders():
    result = first_delta.run(samples=2, json_ms=50, ttft_ms=20, log=lambda _m: None)
    for key in ("model_ttft_ms", "before_ms", "after_ms"):
        assert result[key]["count"] == 2 and result[key]["p50"] > 0
    section = first_delta.render(result)
    assert section.startswith("## Gemini: time to first streamed text")
    assert "| before: understand, then stream the reply |" in section
