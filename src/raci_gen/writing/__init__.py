"""The writing layer: documents leave raci-gen, and only through here.

:mod:`.output` builds a project's documents in memory and writes them (or compares them with the disk for
``build --check``); :mod:`.confined` is the one writer, which never leaves the project's folders;
:mod:`.provenance` records what a document was built from; :mod:`.inject` puts a section into an existing page;
:mod:`.scaffold` writes a new project; :mod:`.preview_server` serves the HTML document to a local browser.
May import every layer below it: model, input, checks, documents.
"""
