"""The ops server: /healthz, /livez and /metrics, on OPS_LISTEN or mounted on another listener.

`ops_routes(services)` gives the routes for any aiohttp application (the webhook listener
mounts them there); `start_ops_server`/`stop_ops_server` run them on a port of their own for
any process, from the Application's start-up and shut-down, when OPS_LISTEN is set.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops.health import Limits, fetch_state, report
from bot.ops.metrics import exposition

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
SERVER_KEY = "ops_server"  # where the running server is kept in the Application's bot_data


def ops_routes(services: Services, limits: Limits | None = None) -> list[web.RouteDef]:
    """The routes: /healthz (deployment health), /livez (this process answers), /metrics."""
    limits = limits or Limits()

    async def healthz(_request: web.Request) -> web.Response:
        state = await fetch_state(services, limits.database_timeout)
        status, body = report(state, services, limits)
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    async def livez(_request: web.Request) -> web.Response:
        # For a load balancer: /healthz reports the whole deployment, and taking every web
        # process out because a worker is stuck would only add an outage to the problem.
        return web.json_response({"status": "ok"})

    async def metrics(_request: web.Request) -> web.Response:
        state = await fetch_state(services, limits.database_timeout)
        response = web.Response(body=exposition(state))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return [web.get("/healthz", healthz), web.get("/livez", livez), web.get("/metrics", metrics)]


def build_ops_app(services: Services, limits: Limits | None = None) -> web.Application:
    """Build an aiohttp application serving only the ops routes."""
    app = web.Application()
    app.add_routes(ops_routes(services, limits))
    return app


class OpsServer:
    """The ops app listening on a host and port of its own."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.runner = web.AppRunner(app, access_log=None)
        self.host, self.port = host, port

    async def start(self) -> OpsServer:
        """Bind and serve; port 0 takes a free port, then `port` says which."""
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, self.port).start()
        self.port = int(self.runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop listening."""
        await self.runner.cleanup()


async def start_ops_server(application: Any) -> None:
    """Serve the ops routes on OPS_LISTEN for this Application's lifetime, if it is set."""
    services: Services = application.bot_data["services"]
    listen = services.settings.ops_listen
    if listen is None:
        return
    server = await OpsServer(build_ops_app(services), listen.host, listen.port).start()
    application.bot_data[SERVER_KEY] = server
    log.info("health and metrics on http://%s:%d/healthz and /metrics", listen.host, server.port)


async def stop_ops_server(application: Any) -> None:
    """Stop the ops server started for this Application, if any."""
    server: OpsServer | None = application.bot_data.pop(SERVER_KEY, None)
    if server is not None:
        await server.stop()
