"""Insights: the city dashboards (issue 7).

For now only the pure small-number suppression core; selectors, views and exports come with the
rest of issue 7.
"""
