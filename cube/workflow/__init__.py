"""The workflow: the engine that moves work orders through statuses, its admin settings, defaults and views."""
