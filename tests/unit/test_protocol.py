import json

import pytest

from mission_commander import protocol
from mission_commander.errors import ErrorCode, ProtocolError


def parse(frame, limit=100):
    return protocol.parse_client_frame(frame, max_content_chars=limit)


def test_user_message_and_ping():
    assert parse('{"type": "user_message", "content": "  I want to learn Python  "}') == \
        protocol.UserMessage("I want to learn Python")
    assert parse('{"type": "ping"}') == protocol.Ping()


@pytest.mark.parametrize("frame, code, words", [
    ("not json", ErrorCode.INVALID_JSON, "Invalid JSON"),
    ("", ErrorCode.INVALID_JSON, "Invalid JSON"),
    ("[1, 2]", ErrorCode.INVALID_MESSAGE, "JSON object"),
    ('"user_message"', ErrorCode.INVALID_MESSAGE, "JSON object"),
    ('{"content": "hi"}', ErrorCode.INVALID_MESSAGE, "'type'"),
    ('{"type": 5}', ErrorCode.INVALID_MESSAGE, "'type'"),
    ('{"type": "chat"}', ErrorCode.UNKNOWN_TYPE, "'chat'"),
    ('{"type": "user_message"}', ErrorCode.MISSING_CONTENT, "Missing 'content'"),
    ('{"type": "user_message", "content": null}', ErrorCode.MISSING_CONTENT, "Missing 'content'"),
    ('{"type": "user_message", "content": 42}', ErrorCode.MISSING_CONTENT, "must be a string"),
    ('{"type": "user_message", "content": "   "}', ErrorCode.EMPTY_CONTENT, "Empty"),
    (json.dumps({"type": "user_message", "content": "x" * 101}), ErrorCode.CONTENT_TOO_LONG, "101 characters"),
    (b'{"type": "ping"}', ErrorCode.BINARY_FRAME, "Binary frames"),
    ("[" * 100000, ErrorCode.INVALID_JSON, "Invalid JSON"),
])
def test_bad_frames_name_the_problem(frame, code, words):
    with pytest.raises(ProtocolError) as info:
        parse(frame)
    assert info.value.code is code
    assert words in info.value.message


def test_unknown_type_is_shortened():
    with pytest.raises(ProtocolError) as info:
        parse(json.dumps({"type": "x" * 500}))
    assert len(info.value.message) < 120


def test_server_messages_match_the_guide():
    assert protocol.connected() == {"type": "connected",
                                    "message": "Connected to Mission Commander. Starting your learning journey..."}
    assert protocol.agent_message("Hi") == {"type": "agent_message", "content": "Hi"}
    assert protocol.pong() == {"type": "pong"}
    assert protocol.error("Bad", ErrorCode.INVALID_JSON) == {"type": "error", "message": "Bad", "code": "invalid_json"}
    created = protocol.mission_created({"id": "m"}, {"id": "e"})
    assert created == {"type": "mission_created", "message": "Mission created successfully!",
                       "mission": {"id": "m"}, "enrollment": {"id": "e"}}
    assert json.loads(protocol.encode({"type": "agent_message", "content": "é ✓"}))["content"] == "é ✓"
