"""Placing the laureates of a call for experimenters in its innovation districts: the solver
(``solver``, pure) and what staff do with it (``service``)."""
