"""Public hypothesis strategies, property checkers and slow references (needs the ``test`` extra).

* :mod:`alliance_sim.testing.strategies` — hypothesis strategies;
* :mod:`alliance_sim.testing.checkers` — property checkers for a researcher's own tests;
* :mod:`alliance_sim.testing.reference` — slow per-draw reference implementations.
"""
