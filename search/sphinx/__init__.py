"""The cluster backend: SphinxQL (Sphinx 2.2 here, Manticore in production)."""
from .cluster import ClusterError, down, status, up
from .connection import SphinxQueryFailed, SphinxUnavailable
from .reader import SphinxIndex

__all__ = ["SphinxIndex", "SphinxUnavailable", "SphinxQueryFailed", "ClusterError",
           "up", "down", "status"]
