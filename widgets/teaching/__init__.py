"""Teaching material for the attack lab (notebook 07): deliberately careless code.

Nothing in the toolkit's own flows (``widgets.core``, ``widgets.diagnose``, ``widgets.cli``,
``widgets.ui``) imports this package; a test checks it. Use it only to watch an attack work.
"""
