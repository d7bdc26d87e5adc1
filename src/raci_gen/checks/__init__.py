"""The checks layer: a loaded matrix judged the way an experienced project manager would.

The lint engine (:mod:`.analysis`) runs the rules of :mod:`.rules` (one module each, registered in
``rules/__init__.py``) and returns :class:`~.findings.Finding` values; :mod:`.reports` turns them into text, JSON,
annotations and SARIF; :mod:`.workload` counts what each role holds; :mod:`.portfolio` judges many projects at once.
May import the model, runtime and input layers.
"""
