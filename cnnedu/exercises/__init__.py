"""The exercises: check functions (:mod:`cnnedu.exercises.checks`) and reference
solutions (:mod:`cnnedu.exercises.solutions`), one module per notebook each.

The frame every notebook's exercises follow:

- **Build, don't recall.** The learner writes the notebook's central computation, from
  small to complete (one window, then one map, then the whole batch).
- **Checks that name the mistake.** Each check runs the learner's function on small,
  non-square, non-symmetric cases chosen so each classic mistake gives a different answer,
  and passes ``mistakes={"the kernel is flipped": array, ...}`` to
  :func:`~cnnedu.exercises._core.compare` or :func:`~cnnedu.exercises._core.compare_value`:
  a wrong answer equal to one of them is named ("this is what you get when the kernel is
  flipped") and ``verdict.mistake`` says which (tests use it).
- **Point back to the work.** Wrap the call in
  :func:`~cnnedu.exercises._core.watch_calls` with the package functions the exercise asks
  the learner to write; a learner who called them passes, with a note saying so.
- **Never stuck, never crashed.** Call the learner's code only through
  :func:`~cnnedu.exercises._core.call` (stubs give NOT YET; exceptions, endless loops,
  recursion and ``exit()`` give WRONG; prints are captured), and turn answers into arrays
  with :func:`~cnnedu.exercises._core.as_array` or compare them with ``compare*``
  (wrong types, NaN, inf, complex, strings and booleans are refused with a clear line).
- **Tests** (``tests/test_checks_nbNN.py``): the reference passes, a stub gives NOT YET, and
  one mutant solution per listed mistake gets the verdict naming it;
  ``tests/test_checks_frame.py`` runs every notebook's checks against stubs, bad answers
  and an endless loop (under :func:`~cnnedu.exercises._core.capped_time_limit`).
"""
