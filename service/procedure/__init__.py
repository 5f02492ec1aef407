"""Review procedures as data: packs (``procedures/<id>/procedure.toml`` and templates), read and checked.

:mod:`.model` is the procedure itself (pure), :mod:`.pack` reads a pack, :mod:`.check` says
what is wrong with one, :mod:`.views` shows one as a table or a graph.
"""
