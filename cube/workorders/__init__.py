"""The workorders blueprint: the work order lifecycle."""
