"""Pathways: ordered or unordered steps towards a destination (issue 6).

For now only the pure completion evaluator; models and pages come with the rest of issue 6.
"""
