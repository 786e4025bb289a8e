"""The validator's details about a diagram: who does what, referral steps, escalations, what other tools
bring, variables, messages, the file and the BPMN schema; most frequent first."""

from __future__ import annotations

from webui.pathways.problem_details.marks import N_

DIAGRAM_DETAILS = (
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
)
