"""The figures of each topic (one module per idea).
"""
