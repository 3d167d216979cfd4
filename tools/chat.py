"""A terminal chat client: the guide's Python client as a tool.

    .venv/bin/python -m tools.chat                 # signs up an Auth-emulator user, then chats
    .venv/bin/python -m tools.chat --token test-token
    .venv/bin/python -m tools.chat --api https://api.example.com --token "$FIREBASE_ID_TOKEN"

Type your answers; Ctrl-D or /quit leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from urllib.parse import urlsplit

import aiohttp
import websockets


async def sign_up_emulator_user(auth_emulator: str) -> str:
    url = f"http://{auth_emulator}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=local"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"returnSecureToken": True}) as resp:
            resp.raise_for_status()
            return (await resp.json())["idToken"]


async def create_session(api: str, token: str) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{api}/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}) as resp:
            data = await resp.json(content_type=None)
            if resp.status != 200:
                raise SystemExit(f"Session creation failed ({resp.status}): {data}")
            return data["session_id"]


def ws_base(api: str) -> str:
    parts = urlsplit(api)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}"


async def read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def chat(api: str, token: str) -> int:
    session_id = await create_session(api, token)
    uri = f"{ws_base(api)}/api/v1/mission-commander/ws?session_id={session_id}&token={token}"
    async with websockets.connect(uri) as ws:
        data = json.loads(await ws.recv())
        print(f"System: {data.get('message')}")
        while True:
            text = await read_line("You: ")
            if text is None or text.strip() == "/quit":
                return 0
            if not text.strip():
                continue
            await ws.send(json.dumps({"type": "user_message", "content": text}))
            try:
                data = json.loads(await ws.recv())
                while data["type"] in ("ack", "agent_message_delta", "pong"):  # not answers: read on
                    data = json.loads(await ws.recv())
            except websockets.ConnectionClosed as closed:
                print(f"Connection closed ({closed.rcvd.code if closed.rcvd else '?'})")
                return 1
            if data["type"] == "agent_message":
                print(f"Agent: {data['content']}")
            elif data["type"] == "mission_created":
                mission = data["mission"]
                print(f"\n{data['message']}\nTitle: {mission['title']}\nID: {mission['id']}\n"
                      f"Level: {mission['level']}\nGoal: {mission['learning_goal']}\n\nCheckpoints:")
                for i, checkpoint in enumerate(mission["byte_size_checkpoints"], 1):
                    print(f"  {i}. {checkpoint}")
                return 0
            elif data["type"] == "error":
                print(f"Error: {data['message']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", default="http://localhost:8000", help="front door URL (default: %(default)s)")
    parser.add_argument("--token", help="a Firebase ID token (or a local dev token such as test-token)")
    parser.add_argument("--auth-emulator", default="127.0.0.1:9099",
                        help="Auth emulator to sign up a user on when no --token is given")
    args = parser.parse_args(argv)

    async def run() -> int:
        token = args.token or await sign_up_emulator_user(args.auth_emulator)
        return await chat(args.api.rstrip("/"), token)

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        return 130
    except (OSError, aiohttp.ClientError) as exc:
        print(f"Could not reach Mission Commander at {args.api}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
