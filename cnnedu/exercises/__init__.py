"""The exercises: check functions (:mod:`cnnedu.exercises.checks`) and reference
solutions (:mod:`cnnedu.exercises.solutions`), one module per notebook each.
"""
