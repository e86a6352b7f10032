"""The Flask web app (application factory in web.app)."""
