"""`drip preview`: every email of every sequence as each sample patient gets it, and when.

    site = preview.build(cfg, start=start, live=False)    # never raises for a user's mistake
    preview.write(site, Path("preview-out"))               # the static site; drip preview serves it

Each step is rendered once (`drip.rendering.Renderer.step`) and composed for every sample
patient (`drip.rendering.compose`, the one place personal values enter an email), with the
preview's sample links; its send time comes from `simulation.steps`, the daemon's planning
calls. `drip check`'s problems and warnings head the index, each at its file and line; a step
that cannot be rendered shows why in its place. When the project is a git checkout, each step
is also rendered as git's HEAD holds it (`revisions`): a step whose email or delay changed
links to a page with both, side by side. No database, no mail server.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from drip import config, content, durations, errors, planning, rendering, sequences, sequences_yaml
from drip.service import app as app_module
from drip.service import check_report, checking, revisions, shown, simulation, simulation_report
from drip.service import preview_pages as pages
from drip.service import samples as samples_module

Sample = samples_module.Sample


@dataclass(frozen=True, kw_only=True)
class Site:
    files: dict[str, bytes]  # path in the site ("muscle-injury/…", with "/") → its bytes
    version: str  # of the files it was built from: a page reloads when it changes
    problems: int  # drip check's problems, shown in the index


def inputs(cfg: config.Config) -> list[Path]:
    """What the preview is built from: sequences.yaml, the article it names, every template,
    samples.yaml, and the files a git commit rewrites (a commit changes the comparison)."""
    found = [cfg.sequences, cfg.samples]
    try:
        located = sequences_yaml.locate(cfg.sequences.read_text(encoding="utf-8"), "article")
    except (OSError, UnicodeDecodeError):
        located = None
    if located is not None and located.text:
        found.append(cfg.sequences.parent / located.text.strip())
    if cfg.templates.is_dir():
        found += sorted(p for p in cfg.templates.rglob("*") if p.is_file())
    return [*found, *revisions.watched(cfg.sequences.resolve().parent)]


def version_of(paths: list[Path]) -> str:
    """A short hash of the files' names, sizes and modification times."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
        except OSError:
            digest.update(f"{path}\0-\n".encode())
    return digest.hexdigest()[:16]


def build(cfg: config.Config, *, start: datetime, live: bool) -> Site:
    """The whole site for sample patients who confirm at `start`; `live` adds the reloader."""
    version = version_of(inputs(cfg))
    with tempfile.TemporaryDirectory(prefix="drip-preview-") as tmp:
        return _Build(cfg, start=start, live=live, version=version, scratch=Path(tmp)).site()


def write(site: Site, out_dir: Path) -> int:
    """Write the site under `out_dir`; returns the number of files."""
    for name, data in site.files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return len(site.files)


@dataclass(frozen=True, kw_only=True)
class _World:
    """A sequences.yaml loaded with its article, and its renderer."""

    plan: sequences.Plan
    renderer: rendering.Renderer


class _Build:
    def __init__(
        self, cfg: config.Config, *, start: datetime, live: bool, version: str, scratch: Path
    ) -> None:
        self.cfg = cfg
        self.start = start
        self.live = live
        self.version = version
        self.scratch = scratch
        self.commit = ""  # git HEAD's, once read
        self.files: dict[str, bytes] = {"preview.css": pages.CSS.encode()}
        if live:
            self.files["live.js"] = pages.LIVE_JS.encode()

    def site(self) -> Site:
        report = checking.check(sequences_path=self.cfg.sequences, templates_dir=self.cfg.templates)
        problems = list(report.problems)
        now = _world(self.cfg, problems)
        samples = samples_module.load(self.cfg.samples, now.plan if now else None)
        problems += samples.problems
        head, said = self._head()
        views = []
        if now is not None:
            for cause in now.plan.causes:
                if now.plan.sequence(cause.slug) is not None:
                    views.append(self._sequence(now, head, cause, samples.for_cause(cause.slug)))
        index = pages.Index(
            clinic=now.plan.clinic.name if now else "sequences.yaml does not load",
            problems=tuple(problems),
            warnings=tuple(report.warnings),
            summary=check_report.summary(report),
            sequences=tuple(views),
            samples=samples.source,
            window=simulation_report.window_text(now.plan.window) if now else "",
            start=self.start,
            head=said,
        )
        self._page("index.html", "drip preview", pages.index(index), depth=0)
        return Site(files=self.files, version=self.version, problems=len(problems))

    def _head(self) -> tuple[_World | None, str]:
        head = revisions.at_head(
            sequences=self.cfg.sequences, templates=self.cfg.templates, into=self.scratch
        )
        if head.missing:
            return None, f"No comparison with git HEAD: {head.missing}"
        self.commit = head.commit
        cfg = dataclasses.replace(self.cfg, sequences=head.sequences, templates=head.templates)
        world = _world(cfg, [])
        if world is None:
            return (
                None,
                f"No comparison with git HEAD ({head.commit}): its sequences.yaml does not load",
            )
        return world, f"Steps are compared with git HEAD ({head.commit})"

    def _sequence(
        self, now: _World, head: _World | None, cause: sequences.Cause, patients: tuple[Sample, ...]
    ) -> pages.Sequence:
        sequence = now.plan.sequences[cause.slug]
        shown = tuple(
            pages.Patient(id=p.id, name=p.name, zone=p.timezone, about=p.about) for p in patients
        )
        first: tuple[pages.Email, ...] = ()
        for patient in patients:
            emails = self._emails(now, sequence, patient)
            if patient is patients[0]:
                emails = first = self._compared(now, head, sequence, emails, patient)
            view = pages.Sequence(
                cause=cause.slug, label=cause.label, emails=emails, patients=shown
            )
            self._page(
                f"{patient.id}/{cause.slug}.html",
                f"drip preview: {cause.slug}, as {patient.id}",
                pages.sequence_page(view, shown[patients.index(patient)], emails),
                depth=1,
            )
        edits: tuple[str, ...] = ()
        if head is not None:
            before = head.plan.sequence(cause.slug)
            edits = (
                tuple(planning.describe_edit(before, sequence)) if before else ("a new sequence",)
            )
        return pages.Sequence(
            cause=cause.slug, label=cause.label, emails=first, patients=shown, edits=edits
        )

    def _emails(
        self, world: _World, sequence: sequences.Sequence, patient: Sample
    ) -> tuple[pages.Email, ...]:
        timing = {
            step.id: (delayed, at)
            for step, delayed, at in simulation.steps(
                world.plan, sequence.cause, timezone=patient.timezone, confirmed_at=self.start
            )
        }
        emails = [self._opt_in(world, patient)]
        for number, step in enumerate(sequence.steps, 1):
            delayed, at = timing.get(step.id, (None, None))
            email = self._email(
                world,
                sequence.cause,
                step,
                patient,
                mail=f"mail/{patient.id}/{sequence.cause}/{step.id}.html",
            )
            emails.append(
                dataclasses.replace(
                    email,
                    title=f"{number}. {step.id}",
                    at=at,
                    delayed=delayed if delayed != at else None,
                    zone=patient.timezone,
                )
            )
        return tuple(emails)

    def _opt_in(self, world: _World, patient: Sample) -> pages.Email:
        mail = f"mail/{patient.id}/opt-in.html"
        try:
            rendered = world.renderer.confirmation()
        except errors.DripError as exc:
            return pages.Email(key="opt-in", title="Opt-in email", mail=mail, error=str(exc))
        found = self._composed(world, rendered, patient, mail=mail, key="opt-in")
        return dataclasses.replace(
            found, title="Opt-in email", template=world.plan.confirmation_template
        )

    def _email(
        self, world: _World, cause: str, step: sequences.Step, patient: Sample, *, mail: str
    ) -> pages.Email:
        try:
            rendered = world.renderer.step(cause, step.id)
        except errors.DripError as exc:
            return pages.Email(key=step.id, title=step.id, mail=mail, error=str(exc))
        found = self._composed(world, rendered, patient, mail=mail, key=step.id)
        return dataclasses.replace(
            found, after=durations.format_duration(step.after), template=step.template
        )

    def _composed(
        self,
        world: _World,
        rendered: rendering.RenderedStep,
        patient: Sample,
        *,
        mail: str,
        key: str,
    ) -> pages.Email:
        try:
            message = _compose(world, rendered, patient.name, self.cfg.base_url, self.start)
            preheader = rendered.preheader
            if "%%drip:" in preheader:  # personal: filled in as compose fills the subject
                filled = _compose(
                    world, dataclasses.replace(rendered, subject=preheader), patient.name,
                    self.cfg.base_url, self.start,
                )  # fmt: skip
                preheader = shown.text(filled, "Subject")
        except errors.DripError as exc:
            return pages.Email(key=key, title=key, mail=mail, error=str(exc))
        self.files[mail] = _part(message, "html").encode()
        return pages.Email(
            key=key, title=key, mail=mail, subject=shown.text(message, "Subject"),
            preheader=preheader, sender=shown.mailbox(message, "From"),
            to=shown.mailbox(message, "To"), text=_part(message, "plain"),
            zone=patient.timezone,
        )  # fmt: skip

    def _compared(
        self,
        now: _World,
        head: _World | None,
        sequence: sequences.Sequence,
        emails: tuple[pages.Email, ...],
        patient: Sample,
    ) -> tuple[pages.Email, ...]:
        """The emails, each marked new or changed since HEAD (with its comparison page)."""
        before = head.plan.sequence(sequence.cause) if head else None
        if head is None:
            return emails
        marked = [emails[0]]
        for email in emails[1:]:
            old = before.step(email.key) if before else None
            if old is None:
                marked.append(dataclasses.replace(email, change="new"))
            elif self._differs(now, head, sequence.cause, old, email):
                marked.append(self._comparison(head, sequence.cause, old, email, patient))
            else:
                marked.append(email)
        return tuple(marked)

    def _differs(
        self, now: _World, head: _World, cause: str, old: sequences.Step, email: pages.Email
    ) -> bool:
        step = now.plan.sequences[cause].step(email.key)
        if step is None or step.after != old.after:
            return True
        try:
            return head.renderer.step(cause, old.id) != now.renderer.step(cause, step.id)
        except errors.DripError:
            return True

    def _comparison(
        self, head: _World, cause: str, old: sequences.Step, email: pages.Email, patient: Sample
    ) -> pages.Email:
        mail = f"mail/HEAD/{cause}/{old.id}.html"
        before = self._email(head, cause, old, patient, mail=mail)
        path = f"changes/{cause}/{old.id}.html"
        self._page(
            path,
            f"drip preview: {cause}, {old.id}, before and after",
            pages.change_page(
                dataclasses.replace(before, title=email.title), email, commit=self.commit
            ),
            depth=2,
        )
        return dataclasses.replace(email, change="changed", compare=path)

    def _page(self, path: str, title: str, body: str, *, depth: int) -> None:
        html = pages.page(title, body, version=self.version, live=self.live, depth=depth)
        self.files[path] = html.encode()


def _world(cfg: config.Config, problems: list[errors.Problem]) -> _World | None:
    """sequences.yaml with its article and renderer; None (and the reason among `problems`, if
    drip check did not say it already) when it does not load."""
    try:
        plan, article = app_module.load_plan(cfg)
    except errors.DripError as exc:
        if not problems:
            problems.append(
                errors.Problem(
                    file=str(cfg.sequences), line=1, column=1, where="", message=str(exc)
                )
            )
        return None
    return _World(plan=plan, renderer=_renderer(cfg, plan, article))


def _renderer(
    cfg: config.Config, plan: sequences.Plan, article: content.Article
) -> rendering.Renderer:
    return rendering.Renderer(plan=plan, article=article, templates=cfg.templates)


def _compose(
    world: _World, rendered: rendering.RenderedStep, name: str, base_url: str, date: datetime
) -> EmailMessage:
    return rendering.compose(
        rendered,
        clinic=world.plan.clinic,
        recipient=rendering.Recipient(email=rendering.SAMPLE_RECIPIENT.email, first_name=name),
        links=rendering.sample_links(base_url or world.plan.clinic.base_url),
        message_id=rendering.message_id("drip-preview", domain="drip.invalid"),
        date=date,
    )


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None  # compose() always makes both parts
    return str(part.get_content())
