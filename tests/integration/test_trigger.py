"""The Firestore trigger: at-least-once delivery, agent failures, history."""

from __future__ import annotations

import threading

from .support import GUIDE_CONVERSATION


def test_duplicate_delivery_of_each_event_changes_nothing(client):
    """Cloud Functions may deliver an event twice: re-deliver every user turn
    of a finished conversation (one by one and concurrently) and count."""
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        client.recv(ws)
        received = [client.say(ws, text) for text in GUIDE_CONVERSATION]
    mission = received[-1]["mission"]
    before = client.turns(session_id)
    handler = client.turn_handler()
    user_turns = [t for t in before if t["role"] == "user"]

    outcomes = [handler.handle(session_id, turn) for turn in user_turns]
    assert outcomes == ["duplicate"] * len(user_turns)

    final = user_turns[-1]
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(handler.handle(session_id, final))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["duplicate"] * 4

    assert client.turns(session_id) == before
    assert client.count("missions", creator_id="user123", id=mission["id"]) == 1
    assert client.count("enrollments", mission_id=mission["id"]) == 1
    assert client.doc("missions", mission["id"]) == mission


def test_concurrent_first_deliveries_produce_one_reply(client):
    """The emulator's own delivery races three more deliveries of the same event."""
    session_id = client.create_session()
    handler = client.turn_handler()
    from mission_commander.schema import utc_now

    plan = client.store.add_user_turn(session_id, "user123", "I want to learn Rust", utc_now(), 120)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(handler.handle(session_id, plan.turn)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reply = client.wait_for_turn(session_id, plan.seq + 1)
    assert results.count("replied") <= 1 and set(results) <= {"replied", "duplicate"}
    turns = client.turns(session_id)
    assert [t["seq"] for t in turns] == [1, 2]
    assert "motivation" in reply["content"] and reply["kind"] == "message"
    assert client.session_doc(session_id)["pending_turn"] is None


def test_agent_failure_becomes_an_error_and_the_learner_can_send_again(client):
    session_id = client.create_session()
    with client.connect(session_id) as ws:
        client.recv(ws)
        assert client.say(ws, "I want to learn Python")["type"] == "agent_message"
        # Corrupt what the agent reads so it fails for real inside the trigger.
        sessions = client.db.collection("sessions")
        good_profile = client.session_doc(session_id)["profile"]
        sessions.document(session_id).update({"profile.stage": "no-such-stage"})
        failed = client.say(ws, "I want a new job")
        assert failed["type"] == "error" and failed["code"] == "agent_error"
        assert "try sending it again" in failed["message"]
        # The session is still usable: repaired, the same message goes through.
        sessions.document(session_id).update({"profile": good_profile})
        retried = client.say(ws, "I want a new job")
        assert retried["type"] == "agent_message" and "experience" in retried["content"].lower()
    turns = client.turns(session_id)
    assert [(t["role"], t["kind"]) for t in turns] == [
        ("user", "message"), ("agent", "message"),
        ("user", "message"), ("agent", "error"),
        ("user", "message"), ("agent", "message")]
    history = client.store.history(session_id, before_seq=100)
    assert [h.text for h in history if h.role == "user"] == ["I want to learn Python", "I want a new job"]
    assert client.session_doc(session_id)["profile"]["motivation"] == "I want a new job"
