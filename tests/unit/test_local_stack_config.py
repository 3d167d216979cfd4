"""What `make dev` makes of its environment: extra allowed origins, and the web config inlined
into the front door's nginx configuration."""

import json

import pytest

from tools.local_stack import LocalStack, Ports, StackError, dev_origins, nginx_inline_json, origins_from_env


def test_extra_origins_from_the_environment_are_added_to_the_defaults():
    extra = origins_from_env({"ALLOW_ORIGINS": "http://localhost:3000, http://localhost:5173/",
                              "EXTRA_ALLOWED_ORIGINS": "https://me.example"})
    origins = dev_origins(Ports(), extra)
    assert origins[:4] == ["http://localhost:8000", "http://127.0.0.1:8000", "http://localhost:5000",
                           "http://127.0.0.1:5000"]
    assert origins[4:] == ["http://localhost:3000", "http://localhost:5173", "https://me.example"]
    assert dev_origins(Ports(), ("http://localhost:8000",)) == dev_origins(Ports())  # no duplicates


def test_the_stack_passes_them_to_every_process(tmp_path):
    stack = LocalStack(run_dir=tmp_path, extra_origins=("http://localhost:3000",))
    assert stack.extra_env["ALLOW_ORIGINS"].split(",")[-1] == "http://localhost:3000"


def test_the_web_config_is_inlined_as_valid_json_for_nginx():
    text = nginx_inline_json({"apiUrl": "", "note": "it's \\ here", "é": 1})
    assert "'" not in text.replace("\\'", "")  # every single quote escaped for nginx
    unescaped = text.replace("\\'", "'").replace("\\\\", "\\")
    assert json.loads(unescaped) == {"apiUrl": "", "note": "it's \\ here", "é": 1}
    with pytest.raises(StackError):
        nginx_inline_json({"apiUrl": "$host"})
