"""The writing layer: documents leave raci-gen, and only through here.

:mod:`.output` builds a project's documents in memory and writes them (or compares them with the disk for
``build --check``) through :mod:`raci_gen.runtime.confined`, the one writer, which never leaves the project's
folders; :mod:`.provenance` reads back what a document on disk records it was built from
(:mod:`raci_gen.documents.stamp` writes it); :mod:`.inject` puts a section into an existing page;
:mod:`.codeowners_file` puts the generated block into the CODEOWNERS file; :mod:`.scaffold` writes a new project;
:mod:`.preview_server` serves the HTML document to a local browser.
May import every layer below it: model, runtime, input, checks, documents, importers.
"""
