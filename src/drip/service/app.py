"""The wiring a use case needs, opened once per process from the typed configuration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drip import config, content, errors, ingest, rendering, sequences, sequences_yaml, store


@dataclass(frozen=True, kw_only=True)
class App:
    config: config.Config
    plan: sequences.Plan
    article: content.Article
    renderer: rendering.Renderer
    store: store.Store

    @property
    def keys(self) -> tuple[str, ...]:
        """The secret keys that mint and read links (the current one first); ConfigError when
        none is configured. Asked for only by what mints or reads a link."""
        return self.config.signing_keys()

    @property
    def base_url(self) -> str:
        return self.config.base_url or self.plan.clinic.base_url.rstrip("/")

    def close(self) -> None:
        """Return the database connections; a command's last act."""
        self.store.dispose()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_plan(cfg: config.Config) -> tuple[sequences.Plan, content.Article]:
    """Read sequences.yaml and its article; raises ContentError with located problems."""
    path = cfg.sequences
    if not path.exists():
        raise errors.ConfigError(
            f"{path}: no such file (run `drip generate ARTICLE -o {path}`, or set DRIP_SEQUENCES)"
        )
    loaded: list[content.Article] = []

    def load_article(relative: str) -> content.Article:
        loaded.append(ingest.read_article(path.parent / relative))
        return loaded[-1]

    plan = sequences_yaml.load(
        _read_sequences(path),
        file=str(path),
        article=load_article,
        templates=rendering.available(cfg.templates),
    )
    return plan, loaded[0]


def _read_sequences(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise errors.ConfigError(
            f"DRIP_SEQUENCES: {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8, "
            "or point DRIP_SEQUENCES at your sequences.yaml"
        ) from None
    except OSError as exc:
        raise errors.ConfigError(
            f"DRIP_SEQUENCES: cannot read {path} ({exc.strerror or exc}): point DRIP_SEQUENCES "
            "at your sequences.yaml file"
        ) from None


def open_app(cfg: config.Config, *, database_url: str | None = None) -> App:
    plan, article = load_plan(cfg)
    renderer = rendering.Renderer(plan=plan, article=article, templates=cfg.templates)
    db = store.Store(database_url or cfg.database_url, suppression_key=cfg.suppression_key)
    return App(
        config=cfg,
        plan=plan,
        article=article,
        renderer=renderer,
        store=db,
    )
