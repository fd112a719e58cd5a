"""The demo organisation: a fictional pump maker, its strategy, scorecards and warehouse."""

from aligna.demo.build import DemoSummary, build_demo_project

__all__ = ["DemoSummary", "build_demo_project"]
