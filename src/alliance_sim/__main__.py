"""``python -m alliance_sim`` runs the command line (:mod:`alliance_sim.cli`)."""

import sys

from .cli import main

sys.exit(main())
