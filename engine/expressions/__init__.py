"""The safe expression language: every condition, script, timer and DMN cell of a pathway.

Texts are parsed with `ast`, checked against a whitelist and run by our own interpreter,
never by Python's eval/exec; see pathways/README.md, "The safe expression language".
"""

from engine.expressions.dmn import check_dmn_input, dmn_input_test
from engine.expressions.evaluation import check_expression, check_script, evaluate, run_script
from engine.expressions.functions import SAFE_FUNCTIONS
from engine.expressions.juel import translate_juel
from engine.expressions.timers import check_timer, evaluate_timer, timer_kind

__all__ = [
    "SAFE_FUNCTIONS",
    "check_dmn_input",
    "check_expression",
    "check_script",
    "check_timer",
    "dmn_input_test",
    "evaluate_timer",
    "evaluate",
    "run_script",
    "timer_kind",
    "translate_juel",
]
