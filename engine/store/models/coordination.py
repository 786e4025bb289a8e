"""What the indicators group cases by: the values of the form fields a pathway declares as indicators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base


class CaseFactRow(Base):
    """The latest value of one indicator dimension of a case (sex, age group, source...), as the pathway names it;
    or one of its values, for a dimension a pathway declares on several yes/no fields (its vulnerabilities).

    Written in the step that completes the task whose form field carries `aiguillage.indicator`;
    the same value is kept in that step's history line. Only coarse values are kept (an age group,
    never the age), so the row tells no more than the aggregate it feeds.
    """

    __tablename__ = "case_facts"
    __table_args__ = (Index("ix_case_facts_name_value", "name", "value", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The form field the value came from, so pages can show the pathway's label of the value.
    field_id: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime]
