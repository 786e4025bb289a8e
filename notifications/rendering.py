"""Render a notification in one language: subject, plain text and HTML, from Jinja2 templates.

Each event has one template per language, `templates/<event>.<lang>.j2`, with three blocks:
`subject`, `text` and `html`. The same file is read by two environments: the HTML block is
rendered with autoescaping, the subject and text blocks without (they are not HTML). The HTML
block is then placed in `templates/_layout.<lang>.html`, and the text gets `_footer.<lang>.txt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateError, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from engine.errors import NotificationError
from notifications.context import EVENTS, LANGUAGES, NotificationContext, canonical_event
from notifications.labels import code_label

TEMPLATES = Path(__file__).parent / "templates"
LOCAL_ZONE = ZoneInfo("Africa/Douala")
_DEADLINE_FORMAT = {
    "fr": "EEEE d MMMM y 'à' HH:mm '(heure de Douala)'",
    "en": "EEEE d MMMM y 'at' HH:mm '(Douala time)'",
}
_SHORT_FORMAT = {"fr": "d MMM y HH:mm", "en": "d MMM y HH:mm"}


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for any channel."""

    subject: str
    text: str
    html: str
    language: str


@pass_context
def _when(context, moment: datetime | None, style: str = "long") -> str:
    """A deadline on the Douala clock, written the way the recipient's language writes dates."""
    if moment is None:
        return ""
    return _written(moment, style, context["language"])


@lru_cache(maxsize=4096)
def _written(moment: datetime, style: str, language: str) -> str:
    # The same deadline is written in the text and the HTML of a message, and in many messages.
    pattern = (_DEADLINE_FORMAT if style == "long" else _SHORT_FORMAT)[language]
    return format_datetime(moment, pattern, tzinfo=LOCAL_ZONE, locale=language)


@pass_context
def _label(context, code: str | None, kind: str) -> str:
    """The recipient's word for a priority, outcome or reason code."""
    return code_label(context["language"], kind, code)


@lru_cache(maxsize=16)
def _environment(templates: Path, autoescape: bool) -> Environment:
    # One per folder and process: the scheduler builds its channels (and a Renderer) for every
    # pass, and each template is compiled once, not once a pass. Templates ship with the code, so
    # they are not looked at again on disk for changes (`auto_reload`, a stat per template used).
    environment = Environment(
        loader=FileSystemLoader(templates),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    environment.filters["when"] = _when
    environment.filters["label"] = _label
    return environment


class Renderer:
    """Renders notifications whose links start with the installation's base URL."""

    def __init__(self, base_url: str, templates: Path = TEMPLATES):
        self.base_url = base_url.rstrip("/")
        self._plain = _environment(templates, autoescape=False)
        self._html = _environment(templates, autoescape=True)

    def render(self, event: str, language: str, context: NotificationContext) -> RenderedMessage:
        """Subject, text and HTML of `event` in `language`; NotificationError if anything is missing."""
        event = canonical_event(event)
        if event not in EVENTS:
            raise NotificationError(f"unknown notification event {event!r}")
        if language not in LANGUAGES:
            raise NotificationError(f"notification {event!r}: no templates in language {language!r}")
        if context.event != event:
            raise NotificationError(f"notification {event!r}: context was built for {context.event!r}")
        return self._compose(f"{event}.{language}.j2", language, self._variables(language, context))

    def _compose(self, name: str, language: str, variables: dict) -> RenderedMessage:
        try:
            plain = self._plain.get_template(name)
            plain_context = plain.new_context(variables)  # one for both plain blocks: they only read it
            subject = " ".join(self._block(plain, "subject", plain_context).split())
            text = self._block(plain, "text", plain_context).strip()
            html_template = self._html.get_template(name)
            body = self._block(html_template, "html", html_template.new_context(variables)).strip()
            footer = self._plain.get_template(f"_footer.{language}.txt").render(variables).strip()
            html = self._html.get_template(f"_layout.{language}.html").render(
                variables, subject=subject, body=Markup(body)
            )
        except (TemplateError, TypeError, ValueError, LookupError) as error:
            # A template mistake surfaces here, per message, instead of stopping a batch.
            raise NotificationError(f"template {name}: {type(error).__name__}: {error}") from error
        if not subject or not text or not body:
            raise NotificationError(f"template {name}: the subject, text and html blocks must not be empty")
        return RenderedMessage(subject=subject, text=f"{text}\n\n-- \n{footer}\n", html=html, language=language)

    def render_digest(self, language: str, messages: list[tuple[RenderedMessage, str | None]]) -> RenderedMessage:
        """One email gathering a digest user's held notifications: each subject with its link."""
        variables = {
            "language": language,
            "home": f"{self.base_url}/",
            "count": len(messages),
            "entries": [{"subject": message.subject, "link": link} for message, link in messages],
        }
        return self._compose(f"_digest.{language}.j2", language, variables)

    def _variables(self, language: str, context: NotificationContext) -> dict:
        def step_label(step):
            return (step.get(language) or next(iter(step.values()))) if step else None

        return {
            "language": language,
            "event": context.event,
            "case_reference": context.case_reference,
            "step": step_label(context.step),
            "deadline": context.deadline,
            "link": f"{self.base_url}{context.path}" if context.path else None,
            "home": f"{self.base_url}/",
            "provider": context.provider,
            "redirected_to": context.redirected_to,
            "level": context.level,
            "priority": context.priority,
            "outcome": context.outcome,
            "reason": context.reason,
            "group": context.group,
            "waiting_step": step_label(context.waiting_step),
            "waiting_since": context.waiting_since,
            "alerted_before": context.alerted_before,
            "opened_step": step_label(context.opened_step),
            "total": context.total if context.total is not None else len(context.items),
            "counts_by_level": dict(sorted(context.counts_by_level.items())),
            "counts_by_provider": dict(sorted(context.counts_by_provider.items())),
            "items": [
                {
                    "case_reference": item.case_reference,
                    "step": step_label(item.step),
                    "deadline": item.deadline,
                    "provider": item.provider,
                    "level": item.level,
                }
                for item in context.items
            ],
        }

    @staticmethod
    def _block(template: Template, block: str, context: Context) -> str:
        if block not in template.blocks:
            raise NotificationError(f"template {template.name}: no {block!r} block")
        return "".join(template.blocks[block](context))


def render(event: str, language: str, context: NotificationContext, base_url: str) -> RenderedMessage:
    """Render one notification (builds a Renderer; keep one Renderer when rendering many)."""
    return Renderer(base_url).render(event, language, context)
