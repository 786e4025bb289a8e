"""The validator's details about form fields, their rules, timers and the safe expression language; most
frequent first."""

from __future__ import annotations

from webui.pathways.problem_details.marks import N_

FIELD_DETAILS = (
    # Form fields (engine.pathways.rules.form_fields): the field, then what is wrong with it.
    N_("field %(field)s: %(detail)s"),
    N_("a field without id: %(detail)s"),
    N_("default value %(value)s is not a valid %(type)s"),
    N_("default value %(value)s is an expression this engine does not fill in, so the field starts empty; it fills in "
       "${currentUser()} on a text field (the signed-in person's name), ${now()} on a date, time or date-and-time field "
       "and ${today()} on a date field"),
    N_("default value %(value)s is a FEEL expression this engine does not fill in, so the field starts empty; in a "
       "Camunda Form it fills in =now() on a date, time or date-and-time field, =today() on a date field and "
       "${currentUser()} on a text field (the signed-in person's name)"),
    N_("constraint %(constraint)s: %(detail)s"),
    N_("%(name)s applies only to string fields"),
    N_("%(name)s applies only to long and date fields"),
    N_("%(name)s needs a whole number, e.g. %(example)s"),
    N_("%(name)s needs a whole number of characters, e.g. %(example)s"),
    N_("%(low)s (%(low_value)s) is greater than %(high)s (%(high_value)s)"),
    N_("a field cannot be both required and read-only: nobody could fill it"),
    N_("a field id must be a name of letters, digits, _ and - starting with a letter (e.g. risk_level), because "
       "conditions use it"),
    N_("conditions reach this field as %(name)s, like another field of the form; rename one of them"),
    N_("%(found)s is not a form field type; use one of %(types)s"),
    # A field's rules (engine.pathways.rules.form_rules), after "field 'id': ".
    N_("aiguillage.required_when is empty; write a condition over this form's fields, e.g. decision == 'declined'"),
    N_("aiguillage.required_when: %(detail)s"),
    N_("aiguillage.hidden_when: %(detail)s"),
    N_("aiguillage.default_from must name one field of an earlier step (e.g. priority), not %(source)s"),
    N_("aiguillage.default_from names %(source)s, its own id (did you mean %(close)s?); name the field of an earlier "
       "step whose value it takes"),
    N_("aiguillage.default_from names %(source)s, its own id; name the field of an earlier step whose value it takes"),
    N_("aiguillage.default_from names %(source)s, not a field of any form of this pathway (did you mean %(close)s?); "
       "name the field of an earlier step whose value it takes"),
    N_("aiguillage.default_from names %(source)s, not a field of any form of this pathway; name the field of an "
       "earlier step whose value it takes"),
    N_("aiguillage.history=%(value)s is not understood; write aiguillage.history=keep or remove it"),
    N_("aiguillage.history=keep on a sensitive field: its value is never kept in the history; remove one of the two"),
    N_("aiguillage.section must be the section's heading as readers see it, 1 to %(most)s characters (e.g. Identité)"),
    N_("aiguillage.required_when on a read-only field: nobody can fill it; remove the rule or the constraint"),
    N_("aiguillage.required_when reads %(name)s, which is not a field of this form (did you mean %(close)s?); a "
       "condition reads the fields of its own form"),
    N_("aiguillage.required_when reads %(name)s, which is not a field of this form; a condition reads the fields of "
       "its own form"),
    N_("an enum value has no id; give each value an id such as high"),
    N_("enum value %(value)s is listed twice"),
    N_("a required enum field needs values to choose from, or nobody could fill it; add them in the modeler (Values: "
       "id and name)"),
    N_("this enum field has no values, so it can only stay empty (Camunda 7 shows an empty choice too); add them in "
       "the modeler (Values: id and name)"),
    N_("constraint %(name)s is not supported; use %(constraints)s"),
    N_("constraint validator=%(validator)s runs Java code; Java delegates are not run: check the value with "
       "min/max/minlength/maxlength or a gateway condition"),
    N_("%(value)s is not a date; write it YYYY-MM-DD, e.g. 2026-03-02"),
    N_("pattern applies only to string fields"),
    N_("a pattern must have 1 to %(most)s characters"),
    N_("%(pattern)s is not a regular expression (%(reason)s)"),
    N_("the pattern is nested too deeply"),
    N_("a pattern cannot refer back to a group (\\1)"),
    N_("a repetition inside a repetition, such as (a+)*, can take very long to check; write it without"),
    N_("alternatives inside a repetition, such as (a|ab)*, can take very long to check; use a character class [ab]"),
    # Timers (engine.expressions.iso8601, timers).
    N_("timer %(timer)s is not an ISO 8601 duration; write for example PT72H (72 hours), P3D (3 days) or P1W (1 week)"),
    N_("timer %(timer)s is not an ISO 8601 date; write for example 2026-12-01T08:00:00+01:00 or 2026-12-01"),
    N_("timer %(timer)s is not a real date; write for example 2026-12-01T08:00:00+01:00 or 2026-12-01"),
    N_("timer %(timer)s is not an ISO 8601 cycle; write for example R3/P30D (3 times, every 30 days) or R/P1D (every day)"),
    N_("timer %(timer)s is not an ISO 8601 duration, date or cycle; write for example PT72H, P3D or R3/P30D"),
    N_("timer %(timer)s is a duration, but this timer needs a date"),
    N_("timer %(timer)s is a duration, but this timer needs a cycle"),
    N_("timer %(timer)s is a date, but this timer needs a duration"),
    N_("timer %(timer)s is a date, but this timer needs a cycle"),
    N_("timer %(timer)s is a cycle, but this timer needs a duration"),
    N_("timer %(timer)s is a cycle, but this timer needs a date"),
    N_("timer %(timer)s is a cycle, but this timer needs a date (or a duration)"),
    N_("timer %(timer)s is longer than a hundred years"),
    N_("timer %(timer)s repeats more than %(most)s times"),
    N_("timer %(timer)s: only the last part of a duration may have a fraction"),
    N_("timer %(timer)s: week dates are not supported; write for example 2026-12-01T08:00:00+01:00 or 2026-12-01"),
    N_("timer %(timer)s: a cycle needs a period such as P1D; write for example R3/P30D (3 times, every 30 days) or "
       "R/P1D (every day)"),
    N_("timer %(timer)s: a cycle needs one start (or end) date and one period; write for example R3/P30D (3 times, "
       "every 30 days) or R/P1D (every day)"),
    N_("timer %(timer)s: the period of a cycle must be longer than zero"),
    N_("the timer date %(timer)s is a duration; as in Camunda 7 it counts from when the timer is reached"),
    N_("timer %(timer)s is a cron expression, which only a cycle (timeCycle) may be; write an ISO 8601 duration (PT72H) "
       "or date here"),
    # The safe expression language's refusals (engine.expressions.checker), after the expression they are about:
    # Python's own reason for a syntax error is kept as it says it.
    N_('%(what)s "%(expression)s": %(detail)s'),
    N_("line %(line)s: %(detail)s"),
    N_("the expression is not valid: %(reason)s (column %(column)s)"),
    N_("the expression is not valid: %(reason)s"),
    N_("the script is not valid: %(reason)s"),
    N_("the expression is empty"),
    N_("the script is empty"),
    N_("the expression is nested too deeply"),
    N_("the script is nested too deeply"),
    N_("the expression is nested too deeply (more than %(most)s levels)"),
    N_("the expression is too long (%(count)s characters; limit %(most)s)"),
    N_("the script is too long (%(count)s characters; limit %(most)s)"),
    N_("the expression is too long (more than %(most)s parts)"),
    N_("the expression contains a NUL character"),
    N_("the script contains a NUL character"),
    N_("%(name)s: names starting with '_' are not allowed"),
    N_("%(name)s is a constant and cannot be assigned"),
    N_("calls to %(name)s are not allowed (did you mean %(close)s?); allowed functions: %(functions)s"),
    N_("calls to %(name)s are not allowed; allowed functions: %(functions)s"),
    N_("%(function)s() does not accept the argument %(argument)s; it accepts %(accepted)s"),
    N_("%(function)s() does not accept the argument %(argument)s"),
    N_("%(method)s is not an allowed method of str; allowed methods: %(methods)s"),
    N_("%(method)s is not an allowed method; allowed methods: %(methods)s"),
    N_("only the allowed functions and methods can be called"),
    N_("only names can be unpacked into: a, b = 1, 2"),
    N_("only variables and their items can be assigned: x = ..., x['key'] = ..."),
    N_("a script may only assign values (x = ...); this line computes a value and drops it"),
    N_("the number is too large (more than about 10**100)"),
    N_("the %% operator cannot format texts; join texts with +"),
    N_("%(kind)s is not allowed in the safe expression language"),
    N_("%(kind)s literals are not allowed"),
    N_("lambda functions are not allowed"),
    N_("comprehensions are not allowed; use functions such as compact(), pluck(), any(), all()"),
    N_("f-strings are not allowed; join texts with +"),
    N_("imports are not allowed"),
    N_("loops are not allowed in scripts"),
    N_("defining functions is not allowed"),
    N_("defining classes is not allowed"),
    N_("with blocks are not allowed"),
    N_("try blocks are not allowed"),
    N_("match statements are not allowed"),
    N_("annotated assignments are not allowed; write x = value"),
    N_("* unpacking is not allowed"),
    N_("** unpacking is not allowed"),
    N_("the %(operator)s operator is not allowed; use %(instead)s"),
    N_("the %(operator)s operator is not allowed"),
    # A Python keyword (del, global, raise, return...) or a forbidden attribute, named as written.
    N_("%(keyword)s is not allowed"),
    N_("Java expressions are not run here (%(detail)s); write it over the case data in the safe language (see the guide)"),
    N_("XPath expressions are not run here (%(function)s); write it over the case data in the safe language (see the guide)"),
)
