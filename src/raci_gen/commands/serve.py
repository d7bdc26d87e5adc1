"""raci-gen serve: the HTML document previewed at a local address, rebuilt on every saved change."""

from __future__ import annotations

import click

from raci_gen.commands.options import config_option, project_dir_argument
from raci_gen.commands.projects import project_root


@click.command()
@project_dir_argument
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on: an IP address of this machine (not 0.0.0.0 nor ::).")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port; 0 takes a free one.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.pass_context
def serve(ctx: click.Context, project_dir: str, config: str | None, host: str, port: int,
          open_browser: bool) -> None:
    """Preview the HTML document at a local address, rebuilt in memory on every saved change.

    The open page updates itself in place; while the project does not load it shows every problem over the
    last good matrix. The PDF and the workbook are downloads from the page. Nothing is written; Ctrl+C stops
    it (exit 0).
    """
    import ipaddress

    from raci_gen.writing.preview_server import serve as serve_preview

    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise click.BadParameter(f"{host!r} is not an IP address", param_hint="--host") from None
    if address.is_unspecified:
        raise click.BadParameter("listen on one address, not all of them (the preview has no password)",
                                 param_hint="--host")
    ctx.exit(serve_preview(project_root(project_dir, config, required=True), config, str(address), port,
                           open_browser))
