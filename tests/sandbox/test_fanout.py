"""Round-robin webhook delivery to several replicas: each update once, spread over them, a
dead replica's share retried on the other; the control API sets the replicas."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from aiohttp import web

from bot.sandbox import WORLD_KEY, create_sandbox_app
from bot.sandbox.fanout import chat_of, delivered_to


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve(received: list[int]) -> tuple[web.AppRunner, str]:
    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/hook"


async def test_updates_go_round_robin_and_around_a_dead_replica() -> None:
    app = create_sandbox_app("123:T")
    world = app[WORLD_KEY]
    sandbox = web.AppRunner(app)
    await sandbox.setup()
    port = free_port()
    await web.TCPSite(sandbox, "127.0.0.1", port).start()
    api = f"http://127.0.0.1:{port}"
    first: list[int] = []
    second: list[int] = []
    runners = [await serve(first), await serve(second)]
    # A port held bound but not listening: connection refused, and no other test's server can
    # take it meanwhile (a free port released at once could be, and might never answer).
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{held.getsockname()[1]}/hook"
    urls = [runners[0][1], dead, runners[1][1]]
    try:
        async with aiohttp.ClientSession() as http:
            async with http.put(f"{api}/api/webhook/replicas", json={"urls": urls}) as resp:
                assert resp.status == 200
            async with http.put(f"{api}/api/webhook/replicas", json={"urls": "x"}) as resp:
                assert resp.status == 400
            async with http.post(
                f"{api}/bot123:T/setWebhook", json={"url": "https://balancer/hook"}
            ) as resp:
                assert (await resp.json())["ok"]
            world.add_personas({"name": f"P{i}", "user_id": 500 + i} for i in range(10))
            for i in range(40):
                world.send_text(500 + i % 10, f"step {i}")
            async with asyncio.timeout(90):  # a bound on waiting (a loaded machine), not a timing
                while len(first) + len(second) < 40:
                    await world.update_signal.wait(0.2)
            async with http.get(f"{api}/api/webhook/replicas") as resp:
                info = await resp.json()
        ids = first + second
        assert len(ids) == len(set(ids)) == 40  # each once
        assert first and second  # spread over the live ones
        assert info["urls"] == urls and dead not in info["delivered_to"]
        assert delivered_to(world) == info["delivered_to"]
    finally:
        held.close()
        for runner, _ in runners:
            await runner.cleanup()
        await sandbox.cleanup()


def test_an_update_is_keyed_by_its_sender() -> None:
    message = {"update_id": 1, "message": {"from": {"id": 7}, "chat": {"id": 7}}}
    press = {"update_id": 2, "callback_query": {"from": {"id": 8}, "message": {}}}
    assert chat_of(message) == 7 and chat_of(press) == 8 and chat_of({"update_id": 3}) is None
