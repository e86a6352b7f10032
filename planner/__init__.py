"""Coverage analysis and site selection on top of geo. Never imports web or cli."""
