"""What every layer may use to run: the one writer (:mod:`.confined`, reads and writes beneath a folder), forked
children (:mod:`.children`), one job per project on every core
(:mod:`.batch`), the terminal (:mod:`.terminal`, :mod:`.progress`), scratch folders (:mod:`.scratch`) and
raci-gen's cache folder (:mod:`.usercache`). Imports nothing above the model layer, except :mod:`.batch`, which
finds project folders with :mod:`raci_gen.input.discovery`.
"""
