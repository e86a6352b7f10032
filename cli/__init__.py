"""The `coverplan` command line: a face on top of geo and planner, like the web app."""
