"""The scenario's steps, grouped by the stage of the seed letter; each asserts its effects and its events."""
