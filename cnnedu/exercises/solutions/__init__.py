"""Reference solutions to the exercises, one module per notebook (``cnnedu.exercises.solutions.nb01``).

Try the exercise first. The notebooks show each solution in a collapsed block generated
from these modules (``tools/nbframe.py``), and the tests prove every check passes them.
"""
