"""The per-idea studies the notebooks show, each named for its idea; built on :mod:`cnnedu.nn`.
"""
