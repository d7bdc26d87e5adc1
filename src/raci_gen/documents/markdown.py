"""GitHub-flavoured Markdown, for GitHub, GitLab and Azure DevOps wikis."""

from __future__ import annotations

import dataclasses

from raci_gen.documents.document import Document
from raci_gen.model.errors import RenderError
from raci_gen.documents.templating import render_template, template_blocks

TEMPLATE = "raci.md.j2"


def render_markdown_text(document: Document) -> str:
    text = render_template(document, TEMPLATE, autoescape=False)
    # One trailing newline, whatever the template's whitespace control left.
    return text.rstrip("\n") + "\n"


def sections(document: Document) -> list[str]:
    """What can be injected: the whole ``document``, or one block of the Markdown template."""
    return ["document", *template_blocks(document, TEMPLATE)]


def built_in_sections() -> list[str]:
    """:func:`sections` of the built-in template, without a project (for ``--help``): read from the
    template's source, so that a block added there is listed with no list to keep in step."""
    import os

    import jinja2
    import jinja2.nodes

    from raci_gen.input.templatefolder import built_in_folder

    with open(os.path.join(built_in_folder(), TEMPLATE), encoding="utf-8") as fh:
        source = fh.read()
    return ["document", *(block.name for block in jinja2.Environment().parse(source).find_all(jinja2.nodes.Block))]


def render_markdown_section(document: Document, section: str = "document") -> str:
    """One part of the Markdown (a block of the template), or the whole document."""
    if section == "document":
        return render_markdown_text(document)
    available = sections(document)
    if section not in available:
        raise RenderError(f"unknown section {section!r}; choose from {', '.join(available)}")
    # A section stands alone on its page: it links to no role section, which it may not hold.
    document = dataclasses.replace(document, role_links=False)
    return render_template(document, TEMPLATE, autoescape=False, block=section).strip("\n") + "\n"


def render_markdown(document: Document) -> bytes:
    return render_markdown_text(document).encode("utf-8")
