"""`make chat`: the terminal client runs the guide's conversation to the mission."""

from __future__ import annotations

import subprocess
import sys

from tools.local_stack import ROOT

from .support import GUIDE_CONVERSATION


def test_terminal_chat_shows_each_reply_and_the_mission(stack):
    result = subprocess.run(
        [sys.executable, "-m", "tools.chat", "--api", stack.front_url, "--token", "test-token"],
        input="\n".join(GUIDE_CONVERSATION) + "\n", capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "functions"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Agent: ") == 4, out  # one answer per message, none shown late or twice
    assert "Mission created successfully!" in out and "Checkpoints:" in out
    assert "motivation" in out.split("Agent: ")[1].split("You:")[0].lower()
