"""Decision tables as Camunda Modeler writes them: FEEL unary tests in input cells.

SpiffWorkflow's DMN engine treats an input cell as a Python fragment: ``"high"`` becomes
``(risk) == ("high")`` and ``< 18`` becomes ``age< 18``, but ``"medical","shelter"`` (any of),
``[18..60]`` (ranges), ``not("closed")`` and ``< 5, > 10`` come out silently wrong. Each cell is
first rewritten into the ``?`` form by `engine.expressions.dmn.dmn_input_test`, which Spiff's
engine evaluates with the input value in place of ``?``, through our safe script engine.
"""

from __future__ import annotations

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine

from engine.expressions.dmn import dmn_input_test


class FeelDecisionEngine(DMNEngine):
    """Spiff's DMN engine, reading FEEL unary tests in input cells."""

    def evaluate(self, input_expr, match_expr, task):
        if match_expr is None:
            return True
        test = dmn_input_test(match_expr)
        if test is None or test == "True":
            return True
        return super().evaluate(input_expr, test, task)
