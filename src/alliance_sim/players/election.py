r"""Election timing: which of Washington's types holds office when a deal is signed.

Washington's preferences depend on its type :math:`\theta \in \{\text{incumbent},
\text{challenger}\}`. The election is decided by a draw,
``challenger_wins`` :math:`= \mathbf 1[v < p]` with :math:`v \sim U(0, 1)` and
:math:`p` the probability that the challenger wins; the winner takes office at
the inauguration :math:`t_I`. For an agreement signed at time :math:`t`
(years since talks opened), the type in office is

.. math::
    \theta(t) = \begin{cases}
        \text{challenger} & \text{if the challenger wins and } t \ge t_I \\
        \text{incumbent}  & \text{otherwise (before the inauguration, or the incumbent wins).}
    \end{cases}

Every *typed* parameter (one value per type, e.g. the weight on payments
``w_incumbent`` / ``w_challenger``) is resolved to the value of :math:`\theta(t)`
under a plain name (``w_US``) that the utility terms read, for both players: the
credibility of the drawdown threat, for instance, enters Tokyo's security term.
In this static engine the type in office at signing also stands for the one that
would carry out the no-deal response; the dynamic engine lets the type switch
inside the game.

References
----------
R. D. Putnam (1988), "Diplomacy and domestic politics: the logic of two-level
games", *International Organization* 42(3), 427–460.
J. D. Fearon (1998), "Bargaining, enforcement, and international cooperation",
*International Organization* 52(2), 269–305 (the shadow of the future).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..parameters import Draws

__all__ = ["ElectionTiming"]


@dataclass(frozen=True)
class ElectionTiming:
    """Resolves Washington's typed parameters for the type in office at signing.

    Parameters
    ----------
    typed : mapping of str to (str, str)
        ``{resolved_name: (incumbent_name, challenger_name)}``.
    challenger_wins : str
        Draw name of the 0/1 election outcome.
    probability : str
        Draw name of the probability that the challenger wins (what the players
        expect before the election).
    inauguration : str
        Draw name of the inauguration time (years since talks opened).

    Examples
    --------
    >>> from alliance_sim.parameters import Draws
    >>> e = ElectionTiming({"w_US": ("w_inc", "w_chal")})
    >>> d = Draws({"w_inc": 1.5, "w_chal": 1.0, "challenger_wins": [0.0, 1.0, 1.0],
    ...            "t_inauguration": 0.25})
    >>> e.resolve(d, [0.3, 0.1, 0.3])["w_US"].tolist()
    [1.5, 1.5, 1.0]
    """

    typed: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    challenger_wins: str = "challenger_wins"
    inauguration: str = "t_inauguration"
    probability: str = "p_challenger"

    def __post_init__(self) -> None:
        typed = dict(self.typed)
        for k, v in typed.items():
            if not (isinstance(v, tuple) and len(v) == 2 and all(isinstance(s, str) for s in v)):
                raise TypeError(
                    f"typed[{k!r}] must be a pair (incumbent_name, challenger_name); got {v!r}"
                )
        object.__setattr__(self, "typed", typed)

    def inputs(self) -> tuple[str, ...]:
        """Draw names this component reads."""
        names = [self.challenger_wins, self.inauguration, self.probability]
        for inc, chal in self.typed.values():
            names += [inc, chal]
        return tuple(names)

    def challenger_in_office(
        self, draws: Mapping[str, NDArray[np.float64]], t: ArrayLike
    ) -> NDArray[np.bool_]:
        """``1[challenger wins and t ≥ t_I]`` per draw."""
        return (draws[self.challenger_wins] > 0.5) & (
            np.asarray(t, dtype=np.float64) >= draws[self.inauguration]
        )

    def resolve_as(self, draws: Draws, challenger: bool | NDArray[np.bool_]) -> Draws:
        """Draws with every typed parameter set to one type's values, whatever the election.

        ``challenger`` is one type for every draw, or a boolean per draw.
        """
        if isinstance(challenger, bool):
            added = {n: draws[c] if challenger else draws[i] for n, (i, c) in self.typed.items()}
            added["challenger_in_office"] = np.full(draws.n, float(challenger))
        else:
            chal = np.asarray(challenger, dtype=bool)
            added = {n: np.where(chal, draws[c], draws[i]) for n, (i, c) in self.typed.items()}
            added["challenger_in_office"] = chal.astype(np.float64)
        return draws.replace(**added)

    def resolve(self, draws: Draws, t: ArrayLike) -> Draws:
        """Draws with each resolved name added and ``challenger_in_office`` (0/1)."""
        chal = self.challenger_in_office(draws, t)
        added = {name: np.where(chal, draws[c], draws[i]) for name, (i, c) in self.typed.items()}
        added["challenger_in_office"] = chal.astype(np.float64)
        return draws.replace(**added)
