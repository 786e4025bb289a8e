"""The validator's details about the pathway folder and pathway.yaml, labels, the XML file as a whole, the rarer
rules, cron timers and translated Camunda 7 conditions."""

from __future__ import annotations

from webui.pathways.problem_details.marks import N_

FOLDER_DETAILS = (
    # The pathway folder and pathway.yaml (engine.pathways.folder, groups, sharing, retention, case_summary).
    N_("the folder has no pathway.yaml; add one with id, title and languages (see pathways/README.md)"),
    N_("pathway.yaml must be a mapping of keys (id:, title:, languages:, ...)"),
    N_("pathway.yaml has no '%(key)s:'; add it (see pathways/README.md)"),
    N_("pathway.yaml has an unknown key %(key)s; known keys are %(keys)s"),
    N_("id %(id)s must be lowercase letters, digits and dashes, e.g. cameroon-nrm"),
    N_("languages must be a list of language codes, the diagram's own first, e.g. [fr, en]"),
    N_("languages is a single word; it is read as [%(language)s] (write a list, e.g. [%(same)s, en])"),
    N_("%(language)s is not a language code; write for example fr or en"),
    N_("a language is listed twice in languages"),
    N_("title has no text for %(language)s; add '%(key)s: ...' under title"),
    N_("title must be a text per language, e.g. title: {fr: ..., en: ...}"),
    N_("'%(key)s:' must be a text"),
    N_("main: %(main)s names no file of the folder"),
    N_("the folder has no pathway.bpmn; name the main diagram pathway.bpmn or set main: in pathway.yaml"),
    N_("the file name is not valid UTF-8 text; rename it"),
    N_("symbolic links are not allowed in a pathway; copy the file instead"),
    N_("the folder holds more than %(most)s files; remove what is not part of the pathway"),
    N_("the folder holds more than %(most)s bytes; remove what is not part of the pathway"),
    N_("the file cannot be read (%(reason)s)"),
    N_("the file is %(size)s bytes; the limit is %(most)s bytes"),
    N_("groups.%(group)s has an unknown key %(key)s; known keys are role, organisation"),
    N_("groups.%(group)s needs a role: one of %(roles)s, or an extra group's name"),
    N_("groups.%(group)s.organisation must be case, provider, secretariat or an organisation's slug "
       "(lowercase letters, digits and dashes), not %(value)s"),
    N_("retention.keep_for_statistics must be a list of field ids"),
    N_("anonymise_after_closure %(value)s is not an ISO 8601 duration such as P5Y"),
    N_("provider_access_after_closure %(value)s is not an ISO 8601 duration such as P30D"),
    N_("sharing.scopes.%(scope)s must map sectors (or every_sector) to lists of field ids"),
    N_("sharing.scopes.%(scope)s must be a list of field ids"),
    N_("case_summary.person must be a list of field ids"),
    N_("case_summary.alias must be one field id (the name the person is known by)"),
    N_("case_summary.needs.%(key)s %(value)s must be a field id with %(hole)s once in it, such as need_{sector}"),
    N_("%(where)s names %(name)s, which is not a field of any form"),
    N_("case_summary.needs.needed %(name)s fits no field of any form"),
    N_("case_summary.needs.needed fits field %(field)s, but %(sector)s is not a sector; sectors are %(sectors)s"),
    N_("case_summary.needs.urgency names %(name)s for need %(need)s, which is not a field of any form"),
    N_("case_fields must be a mapping of %(keys)s to field ids"),
    N_("case_fields has an unknown key %(key)s; known keys are %(keys)s"),
    # %(where)s is case_fields.<key>, kept as written in pathway.yaml.
    N_("%(where)s must be one field id"),
    N_("%(where)s names %(name)s, which no form has and no script sets, so the case never takes this value from it"),
    N_("need_fields must be a mapping of %(keys)s to variable names"),
    N_("need_fields has an unknown key %(key)s; known keys are %(keys)s"),
    # %(where)s is need_fields.<key>, kept as written in pathway.yaml.
    N_("%(where)s names %(name)s, which is not a variable name; use letters, digits and underscores, not starting "
       "with a digit, and no word of the language such as and, not or if, e.g. service_sector"),
    N_("need_fields gives %(name)s to more than one of %(keys)s; give each its own name"),
    # Labels and YAML files (engine.pathways.rules.translations, yaml_files, untrusted_yaml).
    N_("languages lists %(language)s but there is no i18n/%(file)s.yaml; add it with the %(name)s labels "
       "(see pathways/README.md)"),
    N_("%(what)s %(text)s has no %(language)s label; add '%(key)s: ...' under %(section)s: in %(file)s"),
    N_("%(what)s %(key)s has no label; give it the text users should read"),
    N_("'%(key)s:' must be a mapping of id: label"),
    N_("the file must be a mapping of keys (key: value), not a list or a single value"),
    N_("the file is not UTF-8 text; save it as UTF-8"),
    N_("the file is not valid YAML: %(reason)s"),
    N_("the file uses %(count)s aliases (*name); the limit is %(most)s"),
    N_("the file's aliases (*name) expand to too much data; write the values out instead"),
    # The XML file and the diagram as a whole (engine.pathways.xml, validation, rules.runtime).
    N_("the file is empty"),
    N_("the file declares a DTD or entities, which are not allowed"),
    N_("the file holds no XML element"),
    N_("the file is not well-formed XML: %(reason)s"),
    N_("the file cannot be read as XML: %(reason)s"),
    N_("the diagram is nested too deeply to be checked; simplify its structure"),
    N_("the engine cannot load this diagram: %(reason)s"),
    # Rarer rule messages (rules.structure, references, services, decisions, expressions, form_fields, layout).
    N_("the %(kind)s has %(count)s outgoing flows (to %(targets)s); as in Camunda 7 it takes at once every flow whose "
       "condition holds (%(conditioned)s of %(total)s have one, the others always); draw a gateway after it to make the "
       "choice or the split visible"),
    N_("the %(kind)s has %(count)s outgoing flows (to %(targets)s); as in Camunda 7 it takes at once every flow whose "
       "condition holds (%(conditioned)s of %(total)s have one), else its default flow; draw a gateway after it to make "
       "the choice or the split visible"),
    N_("this flow leaving %(step)s has an empty condition and is not its default flow; write the condition (e.g. "
       "decision == 'accepted') or remove the empty one"),
    N_("the %(kind)s has %(count)s outgoing flows (to %(targets)s); as in Camunda 7 it takes at once every flow whose "
       "condition holds (%(conditioned)s of %(total)s have one; the case stops with an error if none holds); draw a "
       "gateway after it to make the choice or the split visible"),
    N_("the activity has %(count)s outgoing flows (to %(targets)s); draw a gateway after it: exclusive to "
       "choose one path, parallel to take them all"),
    N_("the file holds no process; draw one with a start event, tasks and an end event"),
    N_("pathway.yaml names process %(process)s, which is not in this file (executable processes: %(found)s)"),
    N_('process %(process)s named in pathway.yaml is not executable; set isExecutable="true" on it (in '
       "Camunda Modeler: the 'Executable' box)"),
    N_("this flow repeats %(flow)s (line %(line)s): same source, target and condition; delete one of them"),
    N_('the call activity calls process %(process)s, which is not executable; set isExecutable="true" on it '
       "(the 'Executable' box in Camunda Modeler)"),
    N_("calledElement %(element)s: %(detail)s"),
    N_("the called process is chosen when the step is reached, by %(expression)s; as in Camunda 7 it must "
       "then name a process, here one of this pathway's executable processes (%(found)s), or the case stops with an error"),
    N_("process id %(id)s is also used in %(file)s; every process of a pathway needs its own id"),
    N_("decision id %(id)s is also used in %(file)s; give each decision its own id"),
    N_("the event refers to message %(reference)s, which the pathway does not define; %(detail)s"),
    N_("the event refers to signal %(reference)s, which the pathway does not define; %(detail)s"),
    N_("the event refers to error %(reference)s, which the pathway does not define; %(detail)s"),
    N_("the event refers to escalation %(reference)s, which the pathway does not define; %(detail)s"),
    N_('write %(attribute)s="%(name)s" without the prefix'),
    N_("define the message in the diagram or pick an existing one (messages found: %(found)s)"),
    N_("define the signal in the diagram or pick an existing one (signals found: %(found)s)"),
    N_("define the error in the diagram or pick an existing one (errors found: %(found)s)"),
    N_("define the escalation in the diagram or pick an existing one (escalations found: %(found)s)"),
    N_("the service task calls operation %(operation)s, which the engine does not provide (known "
       "operations: %(known)s)"),
    N_("parameter %(name)s %(expression)s: %(detail)s"),
    N_("the DMN file holds no decision; add a decision table or remove the file"),
    N_("the file already holds decision %(decision)s; the engine reads one decision per DMN file: move this "
       "one to a file of its own"),
    N_("the decision is not a decision table; only decision tables are run: redraw it as a table"),
    N_("the decision is not a decision table (it is written as %(kinds)s); only decision tables are run: "
       "redraw it as a table"),
    N_("hit policy %(policy)s is not supported; use UNIQUE, FIRST or COLLECT"),
    N_("COLLECT with aggregation %(aggregation)s is not supported; collect the values and add them up in a "
       "script task"),
    N_("the decision holds several tables; keep one table per decision"),
    N_("decision %(decision)s, input column %(column)s: input expression: %(detail)s"),
    N_("decision %(decision)s, rule %(row)s, %(label)s: %(detail)s"),
    N_("cell %(cell)s: %(detail)s"),
    N_("%(where)s: cell %(cell)s cannot be checked (%(reason)s)"),
    N_("DMN cell %(cell)s: %(detail)s"),
    N_("the DMN cell is nested too deeply (more than %(most)s levels)"),
    N_("a DMN cell has an empty alternative between commas"),
    N_("conditions kept in a resource file are not run here; write the condition in the diagram"),
    N_("cannot be checked (%(reason)s)"),
    N_("this id is used twice in the same form; give each field its own id"),
    N_("its label is printed over the label of %(element)s; move one of them"),
    N_("the flow is drawn through %(element)s; route it around"),
    N_("it sits too close to %(element)s on the border of %(activity)s; space them out"),
    # Cron timers (engine.expressions.cron).
    N_('cron timer "%(cron)s" never fires in the next five years'),
    N_('cron timer "%(cron)s" needs 6 or 7 fields (seconds minutes hours day month weekday [year])'),
    N_('cron timer "%(cron)s": the %(field)s "%(value)s" uses L, W or #, which are not supported; list the '
       "days instead"),
    N_('cron timer "%(cron)s": the %(field)s range %(first)s-%(last)s is backwards'),
    N_('cron timer "%(cron)s": the %(field)s "%(value)s" must be from %(low)s to %(high)s'),
    # Timers (engine.expressions.iso8601, timers) and the checker's own limits.
    N_("a timer duration cannot be negative (%(timer)s)"),
    N_("the timer %(timer)s gave %(value)s (%(type)s), not an ISO 8601 text such as PT72H"),
    N_("the timer is empty; write for example PT72H (72 hours) or P3D (3 days)"),
    N_("the expression must be a text, not %(type)s"),
    N_("the script must be a text, not %(type)s"),
    # Camunda 7 ${...} (JUEL) and FEEL conditions, translated to the safe language (engine.expressions.juel, feel):
    # what could not be translated.
    N_("cannot translate the JUEL expression: %(detail)s (column %(column)s)"),
    N_("cannot translate the JUEL expression: %(detail)s"),
    N_("cannot translate the JUEL expression: the %(opening)s at column %(column)s is never closed with '}'"),
    N_("cannot translate the FEEL condition: %(detail)s (column %(column)s)"),
    N_("cannot translate the FEEL condition: %(detail)s"),
    N_("cannot translate the FEEL condition: longer than %(most)s characters"),
    N_("unexpected character %(character)s"),
    N_("expected %(expected)s but found the end"),
    N_("expected %(expected)s but found %(found)s"),
    N_("the expression inside ${...} is empty"),
    N_("'=' assigns; use '==' to compare"),
    N_("unexpected the end of the expression"),
    N_("unexpected 'end'"),
    N_("unexpected %(token)s"),
    N_("too many operators in a row (more than %(most)s)"),
    N_("expected a property name after '.'"),
    N_("the method %(method)s has no equivalent in the safe language"),
    N_("getVariable() needs a variable name in quotes"),
    N_("Camunda's 'execution' object is not available; use the variable's name directly"),
    N_("%(name)s: '$' cannot be used in names"),
    N_("%(name)s cannot be used as a name"),
    N_("the condition is empty"),
    N_("nested too deeply (more than %(most)s levels)"),
    N_("%(word)s cannot be translated"),
    N_("%(token)s cannot be translated; keep to comparisons, and, or, not(...) and list contains"),
    N_("the function %(function)s() cannot be translated; only list contains(...) and not(...) can"),
    N_("the text %(text)s has an escape that cannot be translated"),
)
