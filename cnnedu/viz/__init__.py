"""Drawing only: the figure style, plotting helpers, PNG rendering for live widgets, and the
figures of each topic.
"""
