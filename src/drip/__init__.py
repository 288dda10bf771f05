"""drip: email nurture drips for health clinics.

Layers (see DESIGN.md; enforced by import-linter, `[tool.importlinter]` in pyproject.toml):

    shells     cli · daemon                    parse input, call a use case, format output
    use cases  service · checking · demo      subscribe, confirm, dispatch, check, ...
    adapters   store · rendering · mailer · ingest
    core       sequences · planning · tokens · content · generate · delivery   (pure)
    leaves     config · clock · errors
"""

__version__ = "0.1.0"
