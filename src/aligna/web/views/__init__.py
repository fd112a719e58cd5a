"""View models: plain data read for the pages and the API, filtered by what the viewer may see."""
