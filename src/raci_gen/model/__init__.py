"""The model layer: the RACI matrix as plain, immutable data, and the words used to talk about it.

Imports nothing else of raci-gen. :mod:`.matrix` holds the matrix (roles, phases, activities, cells, the
project's settings); :mod:`.errors` the errors every layer raises, each with a ``FILE:LINE:COL``;
:mod:`.patterns` the forms of ids and cells; :mod:`.variants` the built-in letter sets (RACI, RASCI, DACI...).
"""
