"""`tdkt-demo`: the seed letter against running services (`make run`), then what happened and which events."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from tdkt_demo.api import Endpoints
from tdkt_demo.events import ScenarioError
from tdkt_demo.scenario import run_demo
from tdkt_shared.auth import signing_problem
from tdkt_shared.settings import load_settings

app = typer.Typer(help="Play the TĐKT seed letter end to end.")
console = Console()
errors = Console(stderr=True)


@app.command()
def demo(
    registry: Annotated[str, typer.Option(help="registry base URL")] = "http://127.0.0.1:8001",
    reporting: Annotated[str, typer.Option(help="reporting base URL")] = "http://127.0.0.1:8002",
    awards: Annotated[str, typer.Option(help="awards base URL")] = "http://127.0.0.1:8003",
    notify: Annotated[str, typer.Option(help="notify base URL")] = "http://127.0.0.1:8004",
    smtp_port: Annotated[
        int, typer.Option(help="serve SMTP here for notify's mail (its SMTP_PORT in the Procfile); 0: do not")
    ] = 2525,
) -> None:
    """Play the seed letter against running services (`make run`) and print what happened and which events."""
    if (problem := signing_problem("the demo")) is not None:
        errors.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    bootstrap = load_settings("registry").kafka_bootstrap_servers
    endpoints = Endpoints(registry, reporting, awards, notify, bootstrap)
    try:
        asyncio.run(run_demo(endpoints, console, smtp_port or None))
    except ScenarioError as exc:
        errors.print(f"[red]the scenario stopped: {exc}[/red]")
        raise typer.Exit(1) from None
