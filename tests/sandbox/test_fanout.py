"""Round-robin webhook delivery to several replicas: each update once, spread over them, a
dead replica's share retried on the other; the control API sets the replicas.

Every server and session the test opens is closed by one exit stack, whatever fails and
wherever: a sandbox left running would leave its webhook client session open, and the next
test on this worker would fail on aiohttp's "Unclosed client session" warning. Servers listen
on sockets bound here (port 0), so no other test can take a port between choosing and binding.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import aiohttp
from aiohttp import web

from bot.sandbox import WORLD_KEY, create_sandbox_app
from bot.sandbox.fanout import chat_of, delivered_to


async def serve(stack: contextlib.AsyncExitStack, app: web.Application) -> str:
    """`app` on a port of its own until the stack closes; returns its base URL."""
    sock = bound_socket(stack)  # closed after the server that uses it has stopped (LIFO)
    runner = web.AppRunner(app)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    await web.SockSite(runner, sock).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def bound_socket(stack: contextlib.ExitStack | contextlib.AsyncExitStack) -> socket.socket:
    sock = socket.socket()
    stack.callback(sock.close)
    sock.bind(("127.0.0.1", 0))
    return sock


def replica(received: list[int]) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    return app


async def test_updates_go_round_robin_and_around_a_dead_replica() -> None:
    first: list[int] = []
    second: list[int] = []
    async with contextlib.AsyncExitStack() as stack:
        app = create_sandbox_app("123:T")
        world = app[WORLD_KEY]
        api = await serve(stack, app)
        urls = [f"{await serve(stack, replica(first))}/hook"]
        # A port held bound but not listening: connection refused, and no other test's server
        # can take it meanwhile (a free port released at once could be, and might never answer).
        dead = f"http://127.0.0.1:{bound_socket(stack).getsockname()[1]}/hook"
        urls += [dead, f"{await serve(stack, replica(second))}/hook"]
        http = await stack.enter_async_context(aiohttp.ClientSession())
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
    # An update that met the dead replica went on to the next one: each met it once at most.
    assert 0 < world.counters.webhook_failures <= 40


def test_an_update_is_keyed_by_its_sender() -> None:
    message = {"update_id": 1, "message": {"from": {"id": 7}, "chat": {"id": 7}}}
    press = {"update_id": 2, "callback_query": {"from": {"id": 8}, "message": {}}}
    assert chat_of(message) == 7 and chat_of(press) == 8 and chat_of({"update_id": 3}) is None
