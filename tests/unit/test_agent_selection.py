from mission_commander.agent import ChatEntry, estimate_tokens, history_window
from mission_commander.gemini_agent import next_step
from mission_commander.profile import LearnerProfile, Level
from mission_commander.services import select_agent
from mission_commander.settings import Settings


def test_no_gemini_settings_means_the_offline_interviewer():
    settings = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "demo-x"})
    assert settings.agent_kind == "offline"
    assert select_agent(settings).describe() == {"agent": "offline"}


def test_api_key_or_vertex_selects_gemini_and_the_key_never_shows():
    keyed = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "demo-x", "GEMINI_API_KEY": "secret-key-123",
                               "GEMINI_MODEL": "gemini-2.5-pro"})
    agent = select_agent(keyed)
    assert agent.describe() == {"agent": "gemini", "model": "gemini-2.5-pro"}
    assert "secret-key-123" not in repr(keyed)
    vertex = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "GOOGLE_GENAI_USE_VERTEXAI": "true",
                                "GOOGLE_CLOUD_LOCATION": "europe-west4"})
    assert vertex.agent_kind == "gemini" and vertex.location == "europe-west4"


def test_history_window_keeps_the_newest_turns_in_order_starting_with_the_learner():
    history = [ChatEntry("user" if i % 2 == 0 else "agent", f"{i} " + "z" * 100) for i in range(30)]
    window = history_window(history, max_tokens=200)
    assert window and window[0].role == "user" and window[-1] is history[-1]
    assert sum(estimate_tokens(e.text) for e in window) <= 200
    assert [int(e.text.split()[0]) for e in window] == list(range(30 - len(window), 30))
    assert history_window(history, max_tokens=10) == []


def test_next_step_asks_for_the_first_missing_thing_then_summarises():
    assert "what subject" in next_step(LearnerProfile())
    assert "motivation for learning chess" in next_step(LearnerProfile(subject="chess"))
    done = LearnerProfile(subject="chess", motivation="fun", level=Level.BEGINNER, weekly_hours=2)
    assert "Summarise it back" in next_step(done) and "about 2 hours per week" in next_step(done)
