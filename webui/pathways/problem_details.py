"""The validator's details as templates for the catalogs (`%(name)s` where a value goes), most frequent
first, and the fixed words a detail may name: what `engine.pathways.rules` and the other checks of a
pathway write in English, worded in the reader's language by `webui.pathways.problem_texts`."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks a template for the catalogs; worded later, once its values are known."""
    return text


# The validator's details (engine.pathways.rules), most frequent first; the values are kept as found.
DETAILS = (
    N_("the user task has no name; task lists show its id, %(id)s; name it as users should see it (e.g. Assess needs)"),
    N_('Java delegates are not run: use an external task (camunda:type="external") and a registered operation'),
    N_("compensation is not supported: draw the undoing steps as ordinary tasks on the path that needs them"),
    N_("the call activity calls process %(process)s, which is in no file of the pathway (processes found: %(found)s); "
       "add the .bpmn file or fix the id"),
    N_("the process has no end event; as in Camunda 7, it ends when none of its paths has anything left to do; "
       "add an end event where each path finishes to make that visible"),
    N_("the sub-process has no end event; as in Camunda 7, it ends when none of its paths has anything left to do; "
       "add an end event where each path finishes to make that visible"),
    N_("%(language)s scripts are not run here: write the script in the safe language (see the guide)"),
    N_("%(language)s conditions are not run here: remove the language setting and write the condition in the safe "
       "language (see the guide), e.g. consent == True"),
    N_("CMMN cases are not supported: call a BPMN process of the pathway instead"),
    N_("formRef %(reference)s names no form: no .form file of the pathway folder has this id (%(found)s)"),
    N_("errorRef %(reference)s names no <error>; as in Camunda 7, %(code)s is the error code"),
    N_("scripts kept in a resource file are not run here: write the script in the diagram, in the safe language (see the guide)"),
    N_("cron timer %(cron)s fires in the installation's time zone (Africa/Douala), as Camunda 7 does in its server's"),
    N_('no process is executable; set isExecutable="true" on the process to run (in Camunda Modeler: the \'Executable\' box of the process or pool)'),
    N_("the signal event names no signal; choose or create the signal in the modeler (Signal: Global signal reference)"),
    N_("the signal %(signal)s has no id, so no event can refer to it; give it an id in the modeler, or delete it"),
    N_("the signal %(signal)s has no name, and events meet by the signal's name; give the signal a name in the modeler"),
    N_("the sequence flow's target %(element)s does not exist; reconnect the arrow or delete it"),
    N_("the sequence flow's source %(element)s does not exist; reconnect the arrow or delete it"),
    N_("the timer has no time; give it a duration (PT72H), a date (2026-12-01T08:00:00+01:00) or a cycle (R3/P30D)"),
    N_("messageRef %(reference)s names no <message>; as in Camunda 7, %(name)s is the message's name"),
    N_("the process has no start event; add one where the work begins"),
    N_("the sub-process has no start event; add one where the work begins"),
    N_("the business rule task names no decision; set its 'Decision reference' (camunda:decisionRef) to the id of a "
       "decision in a .dmn file of the folder"),
    N_("the file declares a DTD or entities, which are not allowed; remove the <!DOCTYPE>/<!ENTITY> lines (BPMN never needs them)"),
    N_("field %(field)s has no type; as in Camunda 7 it takes text (type string)"),
    N_("field %(field)s has no type; as in Camunda 7 it takes a whole number (type long), because Camunda 7 checks its "
       "min/max limits only on numbers"),
    N_("field %(field)s: this id is used twice in the same form; give each field its own id"),
    N_("field %(field)s: %(type)s is not a form field type; use one of %(types)s"),
    N_("field %(field)s: Camunda Form field %(key)s: %(reason)s"),
    N_("Camunda Form field %(key)s: %(reason)s"),
    N_("this branch of gateway %(gateway)s has no condition and is not the default; add a condition (e.g. decision == "
       "'accepted') or mark it as the default flow"),
    N_("the %(kind)s has %(count)s outgoing flows (to %(targets)s); as in Camunda 7 it takes all of them at once; draw a "
       "gateway after it to make the choice or the split visible"),
    N_("this flow goes back to %(step)s and closes a loop (%(names)s); as in Camunda 7 it runs, but a case may go round it "
       "at most %(bound)s times and then stops with an error (the process property %(property)s changes that, up to "
       "%(most)s); for follow-ups that repeat, a loop marker or a cycle timer (R3/P30D) has no such limit"),
    N_("the file has %(count)s executable processes (%(ids)s); Camunda 7 deploys each, here one pathway runs the first, "
       "%(main)s, and the others only through call activities; to run another, name it with process: in pathway.yaml"),
    N_("this flow repeats %(flow)s (line %(line)s): same source, target and condition; it is ignored here (after an "
       "activity Camunda 7 would run the next step twice); delete one of them"),
    N_("the id %(id)s is reserved by the engine for its own step; this element runs as %(runs_as)s (rename it in the "
       "modeler to keep the names alike)"),
    # Who does what, drawn escalations and referral steps (engine.pathways.rules.assignment, rules.referrals).
    N_("when this timer fires it opens '%(names)s' for the same people as the task it sits on, and sends no alert "
       "(no escalation is recorded, no one is told); to escalate, lead it to a task for other people (a Supervisor "
       "or Coordination lane, or their candidate group), or give the timer the property %(property)s with its level "
       "(1 reminder, 2 supervisor, 3 coordinator)"),
    N_("candidate group %(group)s is no role (%(roles)s); only users an administrator gives the group %(same_group)s "
       "will see this task; to offer it to a role, say which in pathway.yaml (groups: {%(name)s: {role: "
       "provider_focal_point, organisation: provider}})"),
    N_("the task sits in lane %(lane)s, which names no role, and has no candidate group; it will be offered to "
       "caseworkers; name the lane after a role (Caseworker, Supervisor, Provider, Coordination) or set its candidate groups"),
    N_("assignee %(assignee)s is not a user of this installation; the task will be offered to caseworkers instead"),
    N_("assignee %(assignee)s is not a user of this installation; the task will be offered to %(offered)s instead"),
    N_("%(property)s is %(move)s; it must be one of %(moves)s"),
    # %(needs)s, %(need)s, %(sector)s and %(urgency)s are the variable names of the pathway's need_fields:.
    N_("this %(move)s step serves no need: a referral needs a sector and an urgency. Either draw it inside a "
       "multi-instance sub-process over the case's needs (camunda:collection=\"%(needs)s\", "
       "camunda:elementVariable=\"%(need)s\", each need {%(sector)s, %(urgency)s}), or ask for them in an earlier "
       "form (fields with these ids; the sector takes the directory's sector codes, e.g. health)"),
    N_("this %(move)s step answers a referral, but no step of the process sends one; mark the sending task with "
       "%(property)s = send"),
    N_("%(property)s = %(move)s ends a referral when a timer fires, but this %(element)s is no timer; put it on an "
       "interrupting boundary timer attached to the step (or sub-process) that waits for the provider's answer"),
    N_("this timer is non-interrupting, so the provider's step would stay open on a referral %(property)s = %(move)s "
       "has ended; make it interrupting (cancelActivity true, the Modeler's \"Interrupting\" box)"),
    N_("a timer that ends a referral makes it expire: write %(property)s = %(expire)s on it; %(move)s is for a boundary "
       "event catching what the pathway throws (an escalation or error end event after the answer that withdraws the "
       "referral)"),
    N_("%(property)s = %(move)s ends a referral when a boundary event catches what the pathway throws, but this "
       "%(element)s is no boundary event; put it on an interrupting boundary event (escalation or error) attached to "
       "the step (or sub-process) that waits for the provider's answer"),
    N_("this boundary event is non-interrupting, so the provider's step would stay open on a referral %(property)s = "
       "%(move)s has ended; make it interrupting (cancelActivity true, the Modeler's \"Interrupting\" box)"),
    N_("this decide step's form has no field %(field)s to hold the decision (accepted, declined or redirected); add it, "
       "or name the form field that holds it with %(property)s"),
    N_("field %(field)s holds the decision, but its option %(value)s is none of %(decisions)s, so the engine would "
       "refuse it; give the options these ids"),
    N_("%(property)s names %(field)s, which is no field of this step's form; name the form field whose option says "
       "why the referral was declined"),
    N_("%(property)s names %(field)s, which is no field of this step's form; name the form field that holds the "
       "appointment's date"),
    N_("field %(field)s holds the appointment's date, but it is of type %(type)s; make it a date field"),
    N_("this outcome step's form has no field %(field)s to hold whether the service was delivered; add it (a boolean), "
       "or name the form field that holds it with %(property)s"),
    N_("field %(field)s holds whether the service was delivered, but it is of type %(type)s; make it a boolean field"),
    N_("%(property)s names %(field)s, which is no field of this step's form; name the form field that holds the note "
       "on the outcome"),
    N_("field %(field)s holds the note on the outcome, but it is of type %(type)s; make it a string field"),
    N_("this unmet step's form has no field %(field)s to hold why the need is left unmet (left empty, the need is sent "
       "on); add it, or name the form field that holds it with %(property)s"),
    N_("field %(field)s holds why the need is left unmet, but it is of type %(type)s; make it an enum field"),
    N_("field %(field)s holds why the need is left unmet, but its option %(value)s is none of %(reasons)s, so the "
       "engine would refuse it; give the options these ids"),
    N_("%(property)s names %(field)s, which is no field of this step's form; name the form field that holds the note "
       "on the unmet need"),
    N_("field %(field)s holds the note on the unmet need, but it is of type %(type)s; make it a string field"),
    # The fields a consent step, an escalation task or a send step reads (engine.pathways.rules.step_fields).
    N_("this step's form has no field %(field)s to hold %(holds)s; add it, or name the form field that holds it with "
       "%(property)s"),
    N_("%(property)s names %(field)s, which is no field of this step's form; name the form field that holds %(holds)s"),
    N_("field %(field)s holds %(holds)s, but it is of type %(type)s; make it a %(expected)s field"),
    N_("field %(field)s holds %(holds)s, but it is of type %(type)s; make it an %(expected)s field"),
    N_("field %(field)s holds %(holds)s, but it is of type %(type)s; make it a field of type %(types)s"),
    N_("field %(field)s holds %(holds)s, but its option %(value)s is none of %(accepted)s, so the engine would refuse "
       "it; give the options these ids"),
    # What diagrams from other tools most often bring (the files of the BPMN MIWG suite, Camunda 8, jBPM, Flowable).
    N_("the service task names no operation; set its implementation to 'External' with the operation's name as topic "
       "(or the property aiguillage.operation)"),
    N_("Camunda 8 settings (%(settings)s) are not run here: this engine runs diagrams made for Camunda 7; set the step up "
       "as in Camunda 7 (in Camunda Modeler, a 'BPMN diagram (Camunda 7)': an external task with a topic for a job "
       "worker, form fields for a form, candidate groups for an assignment)"),
    N_("%(what)s %(expression)s is a Camunda 8 (FEEL) expression, which is not run here: write it in the safe language, "
       "without the leading '=' (e.g. approved == False)"),
    N_("the %(what)s is empty; write one, e.g. attempts >= 3"),
    N_("the call activity does not say which process it calls; set 'Called element' to the id of a process in this folder"),
    N_("the multi-instance says neither how many times to run nor over which list; set 'Collection' (e.g. needs) or "
       "'Loop cardinality' (e.g. 3)"),
    N_("the loop has no maximum; set loopMaximum (e.g. 3, at most %(most)s) so it cannot repeat forever"),
    N_("loopMaximum %(value)s must be a whole number from 1 to %(most)s"),
    N_("the BPMN 2.0 schema refuses this: %(reason)s; open and save the file in a BPMN 2.0 modeler, or fix it at this line"),
    N_("id %(id)s is already used on line %(line)s (%(element)s); give each element its own id"),
    N_("the sequence flow's target %(element)s is not a task, event or gateway of the same process or sub-process; "
       "connect it inside the same pool"),
    N_("the sequence flow's source %(element)s is not a task, event or gateway of the same process or sub-process; "
       "connect it inside the same pool"),
    N_("the boundary event is attached to %(element)s, which is not a task or sub-process of the same process; attach "
       "it to the border of a task"),
    N_("the script task has no script; write the assignments it should make, e.g. score = len(needs)"),
    N_("the business rule task refers to decision %(decision)s, which is in no .dmn file of the pathway (decisions "
       "found: %(found)s); add the DMN file or fix the id"),
    N_("formKey %(key)s names %(name)s, which is not a .form file of the pathway folder; put the form next to the diagram"),
    N_("the form %(key)s is an HTML form kept outside the diagram, which is not shown here: draw its fields as form "
       "fields (camunda:formData) or as a Camunda Form (.form file)"),
    N_("parameter %(name)s uses a script, list or map; write a single expression over the case data instead"),
    # Other engines' task settings (engine.pathways.rules.unsupported, unsupported.foreign).
    N_("%(setting)s (%(tool)s) says who does the task, which is not read here: set its candidate groups "
       "(camunda:candidateGroups) or draw it in a lane named after a role"),
    N_("%(setting)s (%(tool)s) runs a script with the step, which is not run here: draw a script task before or after "
       "it, with the script in the safe language"),
    N_('%(setting)s (%(tool)s) says what the task does, which is not run here: make it an external task '
       '(camunda:type="external") with a registered operation as topic'),
    N_("%(setting)s (%(tool)s) runs business rules, which are not run here: use a business rule task with a DMN "
       "decision table (camunda:decisionRef)"),
    N_("%(setting)s (%(tool)s) gives the task a form, which is not shown here: draw its fields as form fields "
       "(camunda:formData) or as a Camunda Form (.form file)"),
    N_("%(setting)s (%(tool)s) says when the task is late and what happens then, which is not read here: draw a timer "
       "boundary event on the task (a duration such as P2D) leading to the reminder or escalation step"),
    N_("the step's data inputs and outputs (%(names)s) are not read here, as Camunda 7 does not read them: every step "
       "reads and writes the case's variables under their own names; use the variable names in the form fields and "
       "conditions, or input/output parameters (camunda:inputOutput)"),
    N_("this branch of gateway %(gateway)s has no condition and is not the default; as in Camunda 7 it counts as always "
       "true: it is taken unless a branch before it in the file holds, and the branches after it never are; add a "
       "condition (e.g. decision == 'accepted') or mark it as the default flow"),
    N_("the default flow %(flow)s is not one of this gateway's outgoing flows; mark one of its own outgoing flows as default"),
    # Variables a condition reads that nothing sets (engine.pathways.rules.variables).
    N_("the condition %(condition)s of flow %(flow)s reads %(name)s (did you mean %(close)s?), which no form field, "
       "script or other step of this pathway sets; check the name, unless the value comes from outside the pathway"),
    N_("the condition %(condition)s of flow %(flow)s reads %(name)s, which no form field, script or other step of this "
       "pathway sets; check the name, unless the value comes from outside the pathway"),
    N_("the default flow of a gateway is taken when no other condition holds, so it must not have a condition; remove "
       "the condition or unmark it as default"),
    N_("the file holds only a collaboration (pools without content); draw the process inside a pool and mark it executable"),
    # Messages no step sends (engine.pathways.rules.messages).
    N_("the event waits for message %(message)s, which no step of this pathway sends: a case would wait here for ever; "
       "nothing outside the pathway can deliver a message to a case here, as Camunda 7's REST API does; draw a user "
       "task where a person records the answer, or send the message from a step of the pathway"),
    N_("the receive task waits for message %(message)s, which no step of this pathway sends: a case would wait here "
       "for ever; nothing outside the pathway can deliver a message to a case here, as Camunda 7's REST API does; draw "
       "a user task where a person records the answer, or send the message from a step of the pathway"),
    N_("the boundary event waits for message %(message)s, which no step of this pathway sends, so it never fires; "
       "nothing outside the pathway can deliver a message to a case here, as Camunda 7's REST API does; draw a user "
       "task where a person records the answer, or send the message from a step of the pathway"),
    # The file itself (engine.pathways.xml, documents): the XML parser's own reason is kept as it says it.
    N_("the file is empty; save the diagram again from the modeler"),
    N_("the file is not UTF-8 text (it holds NUL bytes: UTF-16 without a declaration, or binary data); save it as UTF-8"),
    N_("the file is not well-formed XML: %(reason)s; open and save the file again in the modeler, or fix the XML at that line"),
    N_("this is a DMN decision file, not a BPMN diagram; rename it with the .dmn extension"),
    N_("this decision file is DMN %(version)s, which is not read here (as in Camunda 7, decisions are DMN 1.1 to 1.3); "
       "save it as DMN 1.3 XML"),
    N_("this is not a DMN decision file: it starts with %(seen)s; export the decision table as DMN 1.1, 1.2 or 1.3 XML"),
    N_("this is a BPMN diagram, not a DMN decision file; rename it with the .bpmn extension"),
    N_("this is not a BPMN 2.0 diagram: it starts with %(seen)s, not <bpmn:definitions> in namespace %(namespace)s; "
       "export the diagram as BPMN 2.0 XML"),
    # The BPMN 2.0 schema's refusals (engine.pathways.rules.schema): the frequent ones in words of ours, any other
    # with libxml2's own reason.
    N_("the BPMN 2.0 schema refuses this: %(detail)s; open and save the file in a BPMN 2.0 modeler, or fix it at this line"),
    N_("element %(element)s is not allowed here; expected one of %(expected)s"),
    N_("element %(element)s is not allowed here; expected %(expected)s"),
    N_("element %(element)s is not allowed here"),
    N_("element %(element)s lacks a child element; expected %(expected)s"),
    N_("element %(element)s lacks its required attribute %(attribute)s"),
    N_("attribute %(attribute)s is not allowed on element %(element)s"),
    N_("attribute %(attribute)s of element %(element)s: %(value)s is not a valid %(type)s"),
    N_("%(count)s more schema errors not shown; fix the ones above first"),
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
