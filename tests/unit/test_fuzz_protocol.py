"""Property-based fuzzing of the pure protocol parser: never a crash, always
a typed message or a ProtocolError with a code and a readable message."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mission_commander import protocol
from mission_commander.errors import ErrorCode, ProtocolError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20)
frames = st.one_of(
    st.text(max_size=5000),
    st.binary(max_size=500),
    json_values.map(json.dumps),
    st.fixed_dictionaries({"type": st.sampled_from(["user_message", "ping", "pong", "", "USER_MESSAGE"])},
                          optional={"content": json_values | st.text(max_size=3000)}).map(json.dumps),
)


@settings(max_examples=1500, deadline=None)
@given(frames)
def test_any_frame_parses_or_fails_clearly(frame):
    try:
        message = protocol.parse_client_frame(frame, max_content_chars=2000)
    except ProtocolError as exc:
        assert isinstance(exc.code, ErrorCode) and exc.message and len(exc.message) < 200
    else:
        assert isinstance(message, (protocol.UserMessage, protocol.Ping))
        if isinstance(message, protocol.UserMessage):
            assert message.content and message.content == message.content.strip()
            assert len(message.content) <= 2000


@given(st.text(min_size=1, max_size=2000).filter(lambda s: s.strip()))
def test_every_real_message_is_accepted_with_its_text(text):
    frame = json.dumps({"type": "user_message", "content": text}, ensure_ascii=False)
    assert protocol.parse_client_frame(frame, max_content_chars=2000).content == text.strip()
