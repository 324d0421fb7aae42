"""Control API for several replicas (beside `bot.sandbox.control_api`):

GET  /api/webhook/replicas   {"urls": [...], "delivered_to": {url: count}}
PUT  /api/webhook/replicas   {"urls": [...]}: deliver round robin to them ([]: stop)
GET  /api/sends              {"sends": [[time, chat_id], ...]}: every admitted send
"""

from __future__ import annotations

from aiohttp import web

from bot.sandbox.fanout import delivered_to, replicas, set_replicas
from bot.sandbox.send_log import sends
from bot.sandbox.state import World


def fanout_routes(world: World) -> list[web.AbstractRouteDef]:
    async def get_replicas(_: web.Request) -> web.Response:
        return web.json_response({"urls": replicas(world), "delivered_to": delivered_to(world)})

    async def put_replicas(request: web.Request) -> web.Response:
        body = await request.json()
        urls = body.get("urls") if isinstance(body, dict) else None
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            return web.json_response({"error": "urls must be a list of URLs"}, status=400)
        set_replicas(world, urls)
        return await get_replicas(request)

    async def get_sends(_: web.Request) -> web.Response:
        return web.json_response({"sends": [list(entry) for entry in sends(world)]})

    return [
        web.get("/api/webhook/replicas", get_replicas),
        web.put("/api/webhook/replicas", put_replicas),
        web.get("/api/sends", get_sends),
    ]
