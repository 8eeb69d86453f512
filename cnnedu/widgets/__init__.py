"""Live widgets for the notebooks, one module per widget.

Each widget only wires ipywidgets controls to plain, tested functions of the package, and
draws with :mod:`cnnedu.viz.render` (PNG bytes into an ``ipywidgets.Image``) to stay fast.
Import the one you need, e.g. ``from cnnedu.widgets.filter_explorer import FilterExplorer``.
"""
