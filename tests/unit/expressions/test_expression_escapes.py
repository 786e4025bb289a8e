"""Every known way out of the sandbox is refused when checked and when run."""

import pytest

from engine.errors import ExpressionError
from engine.expressions import (
    check_dmn_input, check_expression, check_script, check_timer, dmn_input_test, evaluate, run_script, timer_kind,
    translate_juel,
)

DATA = {"x": "text", "d": {"a": 1}, "consent": True, "items": [1, 2, 3]}

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "__import__('os').system('id')",
    "getattr(x, '__class__')",
    "'{0.__class__}'.format(x)",
    "'{x.__class__}'.format_map(d)",
    "(lambda: 1)()",
    "[c for c in ().__class__.__bases__]",
    "9**9**9",
    "'a'*10**10",
    "[1]*10**9",
    "'%999999999d' % 1",
    "f'{x:>999999999}'",
    "'x'.ljust(10**10)",
    "'x'.center(10**10)",
    "'x'.zfill(10**10)",
    "(" * 10000 + ")" * 10000,
    "-" * 5000 + "1",
    "not " * 2000 + "x",
    "[" * 1000 + "]" * 1000,
    "1" * 20000,
    "9" * 500,
    "type(x)",
    "vars()",
    "globals()",
    "locals()",
    "open('/etc/passwd')",
    "x.__dict__",
    "d.__class__",
    "exec('import os')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "breakpoint()",
    "help()",
    "input()",
    "[[y for y in items] for x in items]",
    "{k: v for k, v in d.items()}",
    "(i for i in items)",
    "{i for i in items}",
    "(y := 1)",
    "x.upper.__self__",
    "d.get.__call__",
    "str.mro()",
    "items.__len__()",
    "x.encode()",
    "b'bytes'",
    "x.format()",
    "1 << 10**6",
    "2 ** 10**6",
    "10 ** 400",
    "'abc' * -1 + 'a' * 999999",
    "[1] * 100001",
    "len([[1] * 50000] * 3)",
    "str([[1] * 50000] * 3)",
    "max(*items)",
    "dict(**d)",
    "sorted(items, key=len)",
    "round(5, -10**9)",
    "int('9' * 5000)",
    "' '.join(['a' * 60000, 'b' * 60000])",
    "('a' * 60000).replace('a', 'bb')",
    "items[0].__class__",
    "x if True else __import__('os')",
]


def evaluate_on_sample_data(text):
    return evaluate(text, DATA)


def run_on_a_copy_of_sample_data(text):
    data = dict(DATA)
    try:
        run_script(text, data)
    finally:
        assert data == DATA, "a refused script must not change the data"


@pytest.mark.parametrize("text", ESCAPES)
@pytest.mark.parametrize("refuse", [check_expression, evaluate_on_sample_data], ids=["checked", "evaluated"])
def test_escape_is_refused_when_checked_and_when_evaluated(refuse, text):
    with pytest.raises(ExpressionError):
        refuse(text)


SCRIPT_ESCAPES = [
    "import os",
    "from os import system",
    "while True: pass",
    "for i in items: pass",
    "def f(): pass",
    "class A: pass",
    "with open('x') as f: pass",
    "try:\n    x = 1\nexcept Exception:\n    pass",
    "del x",
    "global x",
    "exec('import os')",
    "eval('1')",
    "__builtins__ = {}",
    "_hidden = 1",
    "x.__class__ = 1",
    "x = ().__class__",
    "x = (lambda: 1)()",
    "d['k'] = 9**9**9",
    "x = 'a' * 10**10",
    "items[0:1] = [1]",
    "x.attr = 1",
    "raise ValueError('x')",
    "assert False",
    "print('x')",
    "x",
    "true = 1",
    "x: int = 1",
    "async def f(): pass",
    "x = [1] * 60000 + [1] * 60000",
]


@pytest.mark.parametrize("text", SCRIPT_ESCAPES)
@pytest.mark.parametrize("refuse", [check_script, run_on_a_copy_of_sample_data], ids=["checked", "run"])
def test_script_escape_is_refused_when_checked_and_when_run(refuse, text):
    with pytest.raises(ExpressionError):
        refuse(text)


def test_unbounded_work_through_data_is_stopped_by_the_step_budget():
    data = {"big": ["a"] * 90000}
    with pytest.raises(ExpressionError, match="too much work|too large"):
        evaluate("[big, big, big, big, big, big, big, big, big, big, big, big]", data)


def test_escape_messages_name_the_offending_part():
    with pytest.raises(ExpressionError, match="'__import__': names starting with '_' are not allowed"):
        check_expression("__import__('os').system('id')")
    with pytest.raises(ExpressionError, match="calls to 'getattr' are not allowed; allowed functions: .*len"):
        check_expression("getattr(x, 'y')")
    with pytest.raises(ExpressionError, match="'format' is not an allowed method of str"):
        check_expression("'{0}'.format(x)")
    with pytest.raises(ExpressionError, match=r"the expression is too long \(12,345 characters; limit 10,000\)"):
        check_expression("1" + " " * 12344)


def test_growth_through_variables_is_stopped_at_run_time():
    with pytest.raises(ExpressionError, match="too large"):
        run_script("x = [1] * 60000\ny = x + x", {})
    with pytest.raises(ExpressionError, match="too large"):
        run_script("x = 'a' * 60000\ny = [x, x]", {})


def test_the_evaluator_never_hands_text_to_python_itself():
    import re
    from pathlib import Path

    import engine.expressions

    package = Path(engine.expressions.__file__).parent
    for source in package.glob("*.py"):
        code = source.read_text(encoding="utf-8")
        assert not re.search(r"(?<![.\w])(eval|exec|compile|__import__)\(", code), source.name


@pytest.mark.parametrize(
    "call, text",
    [
        (translate_juel, "${" + "(" * 3000 + "a" + ")" * 3000 + "}"),
        (translate_juel, "${" + "!" * 5000 + "a}"),
        (translate_juel, "x" * 1_000_000 + "${a}"),
        (dmn_input_test, "not(" * 1000 + "1" + ")" * 1000),
        (check_dmn_input, "[" * 3000 + "1..2" + "]" * 3000),
        (check_timer, "${" + "(" * 3000 + "a" + ")" * 3000 + "}"),
        (check_script, "x = " + "(" * 3000 + ")" * 3000),
    ],
)
def test_deep_or_huge_text_is_refused_by_every_entry_point(call, text):
    with pytest.raises(ExpressionError, match="too long|too deeply|too many|too large"):
        call(text)
    assert timer_kind(text) is None
