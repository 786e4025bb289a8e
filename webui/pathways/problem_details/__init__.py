"""The validator's details as templates for the catalogs (`%(name)s` where a value goes), most frequent
first, and the fixed words a detail may name: what `engine.pathways.rules` and the other checks of a
pathway write in English, worded in the reader's language by `webui.pathways.problem_texts`."""

from __future__ import annotations

from webui.pathways.problem_details.diagram import DIAGRAM_DETAILS
from webui.pathways.problem_details.fields import FIELD_DETAILS
from webui.pathways.problem_details.folder import FOLDER_DETAILS
from webui.pathways.problem_details.marks import N_


# The validator's details (engine.pathways.rules), most frequent first; the values are kept as found. Read in
# this order: the first template that fits a detail words it.
DETAILS = (*DIAGRAM_DETAILS, *FIELD_DETAILS, *FOLDER_DETAILS)

# What a detail says it is about (a condition, a due date, a label...): fixed English words of the validator, the
# only values a template's %(what)s takes, put in the reader's language.
WHATS = (
    N_("condition"), N_("completion condition"), N_("loop condition"), N_("loop cardinality"), N_("priority"),
    N_("multi-instance collection"), N_("script"), N_("timer"), N_("dueDate"), N_("followUpDate"),
    N_("service parameter %(id)s"), N_("the name"), N_("the documentation"), N_("the field label"),
    N_("the option label"), N_("the form section heading"), N_("the form field"), N_("the enum value"),
)

# Other fixed words and phrases the validator puts where a template has a value (a cron field, where a cell sits
# in a decision table, what a list holds when it is empty), put in the reader's language wherever they stand.
# A language's name (English) is worded from Babel's locale data instead.
VALUES = (
    # A cron timer's fields, as "the hours" names them ("le champ des heures").
    N_("seconds"), N_("minutes"), N_("hours"), N_("day of month"), N_("month"), N_("day of week"), N_("year"),
    N_("none"), N_("activity"), N_("event"),
    N_("input column %(index)s"), N_("input column %(index)s (%(label)s)"),
    N_("output column %(index)s"), N_("output column %(index)s (%(label)s)"),
    N_("decision %(decision)s, rule %(row)s, %(label)s"),
    N_("decision %(decision)s, input column %(column)s: input expression"),
    N_("<%(tag)s> without a namespace"), N_("<%(tag)s> in namespace %(namespace)s"),
    # What a marked step's field holds (engine.pathways.step_fields), and the types it may be.
    N_("whether consent was given"), N_("who gave consent"), N_("how consent was given"),
    N_("the language consent was explained in"), N_("what consent lets providers receive"),
    N_("whether the child assented"), N_("whether an override is requested"), N_("why an override is requested"),
    N_("the override's justification"), N_("whether the override is approved"), N_("the note on the withdrawal"),
    N_("what was done about the escalation"), N_("the note on the escalation"),
    N_("the provider the referral goes to"), N_("enum or string"), N_("string or enum"),
    N_("who acknowledged the referral"), N_("the day the referral was acknowledged"), N_("date or string"),
)
