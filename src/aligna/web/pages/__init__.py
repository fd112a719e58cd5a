"""The HTML pages: routers that build view models and render templates."""
