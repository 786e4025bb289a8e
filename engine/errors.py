"""One error hierarchy for the engine; each error says what is wrong in the user's terms."""


class AiguillageError(Exception):
    """Root of every error the engine raises on purpose."""

    # A stable name for the kind of error: interfaces show their own words for it, in any language,
    # while the message stays English for logs and API clients.
    code = "error"


class ExpressionError(AiguillageError):
    """An expression is not in the safe language, or failed when evaluated."""

    def __init__(self, message: str, expression: str = "", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.line = line


class PathwayError(AiguillageError):
    """A pathway folder or file cannot be loaded or used."""


class PathwayInvalid(PathwayError):
    """A pathway was refused because validation found problems; `problems` lists them all."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class NotFound(AiguillageError):
    """The requested object does not exist (or is not visible to the caller)."""

    code = "not_found"


class Conflict(AiguillageError):
    """The object changed since it was read; the caller should reload and retry."""

    code = "conflict"


class CaseMovedOn(Conflict):
    """Another step of the same case committed first (its version moved on); nothing of this step was kept."""


class TaskClosed(Conflict):
    """The task was done or cancelled before this request reached it; `case_id` is the case that moved on, so
    that a page can lead to what is next instead of a dead end."""

    def __init__(self, message: str, case_id: int):
        super().__init__(message)
        self.case_id = case_id


class EscalationMovedOn(Conflict):
    """The escalation was taken up or resolved before this request reached it."""


class AccessDenied(AiguillageError):
    """The user may not do this."""

    code = "access_denied"


class ConsentRequired(AiguillageError):
    """No valid consent covers this sharing of personal data."""

    code = "consent_required"


class InvalidData(AiguillageError):
    """Submitted data failed validation; `errors` maps field names to lists of problems.

    Each problem is English text; an `engine.field_problems.FieldProblem` also carries a stable
    `code` and its `params`, from which interfaces write it in the reader's language.
    """

    code = "invalid_data"

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.errors = errors or {}

    def problem_lines(self) -> list[str]:
        """One `field: problem` line per problem, fields in name order; the message alone without any."""
        lines = [
            f"{name}: {found}"
            for name, problems in sorted(self.errors.items(), key=lambda item: str(item[0]))
            for found in (problems if isinstance(problems, (list, tuple)) else [problems])
        ]
        return lines or [str(self)]


class DurationError(AiguillageError, ValueError):
    """A duration or deadline cannot be computed: not ISO 8601, negative, or meaningless in working days."""


class NotificationError(AiguillageError):
    """A notification cannot be built: unknown event or language, a missing field, a broken template."""


class DeliveryError(AiguillageError):
    """A channel could not deliver a message; `temporary` says whether a retry may succeed."""

    temporary = True


class TemporaryDeliveryError(DeliveryError):
    """The channel is down or busy (connection refused, timeout, 4xx): retry later."""

    temporary = True


class PermanentDeliveryError(DeliveryError):
    """The receiver refused this message for good (5xx recipient refused, 4xx webhook): do not retry."""

    temporary = False
