"""The control API under ``/api/``: personas act, chats are read, faults are switched.

JSON in, JSON out. Errors answer ``{"error": "..."}`` with status 400 (bad input) or 404
(unknown persona, message or file). Reads of a chat take ``after_seq`` (only changes after it)
and ``wait`` (seconds to long-poll for the first change, at most 60).

    GET  /api/status                         bot alive?, mode, getMe, webhook info, seq
    GET  /api/personas                       {"personas": [persona]}
    POST /api/personas                       {name, language_code, username?, user_id?, title?}
    POST /api/personas/batch                 {"personas": [...]}
    GET  /api/personas/{id}                  persona + seq
    POST /api/personas/{id}/messages         {text, reply_to_message_id?}  → {message, seq}
    POST /api/personas/{id}/stickers         {emoji?}
    POST /api/personas/{id}/photos           {caption?} or multipart (file, caption)
    POST /api/personas/{id}/voices           {duration?}
    POST /api/personas/{id}/documents        {file_name?, content?, mime_type?, caption?}
                                             or multipart (file, caption)
    POST /api/personas/{id}/contacts         {phone_number?}: share their own number
    POST /api/personas/{id}/press            {message_id, callback_data} → {callback_query_id}
    POST /api/personas/{id}/open_url         {url}: a t.me/<bot>?start=… button → /start …
    POST /api/personas/{id}/block            {blocked: bool}
    GET  /api/personas/{id}/chat             ?after_seq&wait → chat view
    GET  /api/personas/{id}/commands         {commands, scope, language_code}
    GET  /api/channel, /api/chats/{chat_id}  ?after_seq&wait → chat view
    GET|PUT /api/faults                      flood limits, faults, blocked users (PUT: partial)
    GET  /api/stats, /api/deliveries?chat_id counters; log of delivered bot messages
    POST /api/reset                          {commands?: bool, webhook?: bool}
    GET  /api/files/{file_id}                the file's bytes, for the page
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.sandbox.limits import FloodConfig, config_dict, update_dataclass
from bot.sandbox.state import CHANNEL_ID, World, WorldError

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False)
    )


def guarded(handler: Handler) -> Handler:
    """Turn WorldError / bad input into JSON error answers."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except WorldError as e:
            return reply({"error": str(e)}, e.status)
        except (ValueError, TypeError, KeyError) as e:
            return reply({"error": f"bad request: {e}"}, 400)

    return wrapper


async def json_body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise WorldError(400, "body must be JSON") from None
    if not isinstance(body, dict):
        raise WorldError(400, "body must be a JSON object")
    return body


async def body_and_file(
    request: web.Request,
) -> tuple[dict[str, Any], tuple[str, bytes, str] | None]:
    """JSON body, or a multipart form with an optional ``file`` part (from the page)."""
    if not request.content_type.startswith("multipart/"):
        return await json_body(request), None
    form = await request.post()
    fields: dict[str, Any] = {}
    upload = None
    for key, value in form.items():
        if isinstance(value, web.FileField):
            upload = (value.filename, value.file.read(), value.content_type)
        else:
            fields[key] = value
    return fields, upload


def query_number(request: web.Request, name: str, default: float = 0) -> float:
    raw = request.query.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise WorldError(400, f"{name} must be a number") from None


class ControlApi:
    """aiohttp handlers over one world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def routes(self) -> list[web.AbstractRouteDef]:
        p = "/api/personas/{user_id:\\d+}"
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/api/status", self.status),
            ("GET", "/api/personas", self.list_personas),
            ("POST", "/api/personas", self.create_persona),
            ("POST", "/api/personas/batch", self.create_personas),
            ("GET", p, self.get_persona),
            ("POST", p + "/messages", self.send_text),
            ("POST", p + "/stickers", self.send_sticker),
            ("POST", p + "/photos", self.send_photo),
            ("POST", p + "/voices", self.send_voice),
            ("POST", p + "/documents", self.send_document),
            ("POST", p + "/contacts", self.send_contact),
            ("POST", p + "/press", self.press),
            ("POST", p + "/open_url", self.open_url),
            ("POST", p + "/block", self.block),
            ("GET", p + "/chat", self.persona_chat),
            ("GET", p + "/commands", self.commands),
            ("GET", "/api/channel", self.channel),
            ("GET", "/api/chats/{chat_id:-?\\d+}", self.chat),
            ("GET", "/api/faults", self.get_faults),
            ("PUT", "/api/faults", self.set_faults),
            ("POST", "/api/faults", self.set_faults),
            ("GET", "/api/stats", self.stats),
            ("GET", "/api/deliveries", self.deliveries),
            ("POST", "/api/reset", self.reset),
            ("GET", "/api/files/{file_id}", self.file),
        ]
        return [web.route(method, path, guarded(handler)) for method, path, handler in table]

    def user_id(self, request: web.Request) -> int:
        user_id = int(request.match_info["user_id"])
        self.world.persona(user_id)
        return user_id

    def sent(self, stored: Any) -> web.Response:
        return reply({"message": self.world.message_view(stored), "seq": self.world.seq}, 201)

    async def status(self, request: web.Request) -> web.StreamResponse:
        return reply(self.world.status())

    async def list_personas(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        return reply({"personas": [world.persona_json(p) for p in world.personas.values()]})

    def _persona_args(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = body.get("user_id")
        return {
            "name": str(body.get("name") or ""),
            "language_code": str(body.get("language_code") or body.get("lang") or "zh-hans"),
            "username": body.get("username"),
            "user_id": int(user_id) if user_id not in (None, "") else None,
            "title": str(body.get("title") or ""),
            "last_name": body.get("last_name"),
        }

    async def create_persona(self, request: web.Request) -> web.StreamResponse:
        args = self._persona_args(await json_body(request))
        persona = self.world.add_persona(args.pop("name"), args.pop("language_code"), **args)
        return reply({**self.world.persona_json(persona), "seq": self.world.seq}, 201)

    async def create_personas(self, request: web.Request) -> web.StreamResponse:
        items = (await json_body(request)).get("personas")
        if not isinstance(items, list):
            raise WorldError(400, "personas must be a list")
        created = self.world.add_personas([self._persona_args(item) for item in items])
        return reply({"personas": [self.world.persona_json(p) for p in created]}, 201)

    async def get_persona(self, request: web.Request) -> web.StreamResponse:
        persona = self.world.persona(self.user_id(request))
        return reply({**self.world.persona_json(persona), "seq": self.world.seq})

    async def send_text(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        reply_to = body.get("reply_to_message_id")
        stored = self.world.send_text(
            self.user_id(request),
            str(body.get("text") or ""),
            reply_to_message_id=int(reply_to) if reply_to else None,
        )
        return self.sent(stored)

    async def open_url(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        return self.sent(self.world.open_link(self.user_id(request), str(body.get("url") or "")))

    async def send_sticker(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        return self.sent(self.world.send_sticker(self.user_id(request), body.get("emoji") or "👍"))

    async def send_photo(self, request: web.Request) -> web.StreamResponse:
        fields, upload = await body_and_file(request)
        data = upload[1] if upload else None
        caption = fields.get("caption") or None
        return self.sent(self.world.send_photo(self.user_id(request), data, caption))

    async def send_voice(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        duration = int(body.get("duration") or 3)
        return self.sent(self.world.send_voice(self.user_id(request), duration))

    async def send_document(self, request: web.Request) -> web.StreamResponse:
        fields, upload = await body_and_file(request)
        if upload:
            name, data, mime = upload
        else:
            name = str(fields.get("file_name") or "document.txt")
            data = str(fields.get("content") or "sandbox document\n").encode()
            mime = str(fields.get("mime_type") or "text/plain")
        stored = self.world.send_document(
            self.user_id(request), data, name, mime, fields.get("caption") or None
        )
        return self.sent(stored)

    async def send_contact(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        phone = body.get("phone_number")
        stored = self.world.send_contact(self.user_id(request), str(phone) if phone else None)
        return self.sent(stored)

    async def press(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        data = body.get("callback_data")
        if not isinstance(data, str):
            raise WorldError(400, "callback_data must be a string")
        query_id = self.world.press_button(self.user_id(request), int(body["message_id"]), data)
        return reply({"callback_query_id": query_id, "seq": self.world.seq}, 201)

    async def block(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        user_id = self.user_id(request)
        self.world.set_blocked(user_id, bool(body.get("blocked", True)))
        return reply(self.world.persona_json(self.world.persona(user_id)))

    async def _chat(self, request: web.Request, chat_id: int) -> web.StreamResponse:
        view = await self.world.wait_chat(
            chat_id, int(query_number(request, "after_seq")), query_number(request, "wait")
        )
        return reply(view)

    async def persona_chat(self, request: web.Request) -> web.StreamResponse:
        return await self._chat(request, self.user_id(request))

    async def channel(self, request: web.Request) -> web.StreamResponse:
        return await self._chat(request, CHANNEL_ID)

    async def chat(self, request: web.Request) -> web.StreamResponse:
        chat_id = int(request.match_info["chat_id"])
        if self.world.resolve_chat(chat_id) is None:
            raise WorldError(404, f"no chat {chat_id}")
        return await self._chat(request, chat_id)

    async def commands(self, request: web.Request) -> web.StreamResponse:
        commands, scope, lang = self.world.commands_for(self.user_id(request))
        return reply({"commands": commands, "scope": scope, "language_code": lang})

    def _faults(self) -> dict[str, Any]:
        world = self.world
        return config_dict(world.flood_config, world.faults.config, world.blocked)

    async def get_faults(self, request: web.Request) -> web.StreamResponse:
        return reply(self._faults())

    async def set_faults(self, request: web.Request) -> web.StreamResponse:
        """Partial update: only the keys given change."""
        world = self.world
        body = await json_body(request)
        flood = body.pop("flood", None)
        blocked = body.pop("blocked_users", None)
        seed = body.pop("seed", None)
        # Validate everything on copies first so a bad key changes nothing.
        if flood is not None:
            trial_flood = FloodConfig(**vars(world.flood_config))
            update_dataclass(trial_flood, dict(flood))
        trial = type(world.faults.config)(**vars(world.faults.config))
        update_dataclass(trial, body)
        if blocked is not None and not all(isinstance(b, int) for b in blocked):
            raise WorldError(400, "blocked_users must be a list of user ids")
        if flood is not None:
            update_dataclass(world.flood_config, dict(flood))
            world.flood.reset()
        update_dataclass(world.faults.config, body)
        if seed is not None:
            world.faults.reseed(int(seed))
        if blocked is not None:
            wanted = set(blocked)
            for user_id in sorted(world.blocked ^ wanted):
                if user_id in world.personas:
                    world.set_blocked(user_id, user_id in wanted)
                elif user_id in wanted:
                    world.blocked.add(user_id)
                else:
                    world.blocked.discard(user_id)
        return reply(self._faults())

    async def stats(self, request: web.Request) -> web.StreamResponse:
        world = self.world
        return reply(
            {
                **world.counters.as_dict(),
                "delivered_messages": len(world.deliveries),
                "pending_updates": len(world.updates),
                "seq": world.seq,
            }
        )

    async def deliveries(self, request: web.Request) -> web.StreamResponse:
        chat_id = request.query.get("chat_id")
        log = self.world.deliveries
        if chat_id:
            log = [d for d in log if d["chat_id"] == int(chat_id)]
        return reply({"deliveries": log})

    async def reset(self, request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        world = self.world
        world.reset(commands=bool(body.get("commands")), webhook=bool(body.get("webhook")))
        world.faults.reseed(world.faults.config.seed)
        return reply({"ok": True, "seq": world.seq})

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise WorldError(404, "no such file")
        headers = {}
        if stored.kind == "document" and stored.file_name:
            headers["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
            )
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )
