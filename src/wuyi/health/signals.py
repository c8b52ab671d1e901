"""Signals of the health app, for the apps above it (access) that must act in the same transaction.

``colours_recomputed`` is sent after stored colours were written: ``person_ids`` names the people recomputed, or
is None after a city-wide recompute. A receiver compares what it holds against ``PersonColour`` itself, set-based
(access revokes every outstanding code whose colour is no longer its holder's).
"""

from django.dispatch import Signal

colours_recomputed = Signal()
