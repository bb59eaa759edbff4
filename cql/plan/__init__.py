"""Building blocks every statement planner uses: the plan contract (``base``, a leaf),
terms compiled against their receiver type (``terms``) and WHERE clauses as
partition/clustering/filter restrictions (``restrictions``). No statements here.
"""
