"""The only place that touches SpiffWorkflow: parse pathways, run cases, save and restore them.

Modules (import from them directly; this package imports nothing at load time):

- `specs`: ``load_specs(files, main, process_id=None) -> PathwaySpecs`` (cached by content hash;
  ``PathwayError`` on failure) and ``describe_validation_error``.
- `parser`: ``PathwayParser`` (Camunda parser + assignment attributes, properties, operaton:,
  clock-aware timers, service tasks calling registered operations), ``read_as_camunda``.
- `script_engine`: ``SafeScriptEngine(clock, calendar=None, operations=None)``: every
  expression through `engine.expressions`, time from ``clock``.
- `operations`: ``OperationRegistry`` (``register(name, fn)``) for service tasks.
- `timers`: timer event definitions driven by the engine's clock and working calendar.
- `serializer`: ``dumps(workflow) -> str`` (no spec inside), ``loads(text, specs, script_engine)``,
  ``SERIALIZER_VERSION``, ``CaseStateError``.
- `case_runtime`: the facade: ``start``, ``advance``, ``ready_human_tasks``, ``complete_task``,
  ``cancel_tasks``, ``pending_timers``, ``is_completed``, ``find_task``, ``failures``;
  ``TaskFailure``, ``PendingTimer``.
- `human_tasks`: ``HumanTask``, the inbox view of a ready task.
- `escalation_chains`: drawn escalation timers, the tasks they open, and what is left of a chain.
- `task_data`: ``plain_data`` keeps case data plain JSON (dates become ISO text).
"""
