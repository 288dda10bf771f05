"""drip: email nurture drips for health clinics.

Layers (docs/architecture.md; enforced by import-linter, `[tool.importlinter]` in
pyproject.toml):

    shells     cli · daemon · demo            parse input, call the service, format output
    use cases  service                        subscribe, confirm, dispatch, check, render, ...
    adapters   store · rendering · mailer · ingest · sequences_yaml · generate
    core       sequences · planning · tokens · content · delivery · contacts · durations (pure)
    leaves     config · mail_url · clock · errors · logs · redact
"""

__version__ = "0.1.0"
