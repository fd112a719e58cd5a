"""The web application: pages (Jinja2 + htmx) and the REST API, built by `create_app`."""
