"""The letter sandbox: a locked-down Jinja2 environment, its static work limits and the compiled-template cache.

Organizers write templates; constituents supply values. The sandbox is Jinja2's
`ImmutableSandboxedEnvironment`, narrowed further:
- only the placeholder objects of `placeholders.py` are in the context, never ORM rows;
- attributes: the placeholder fields, a few non-growing `str` methods, nothing on numbers;
  `str.format`/`format_map` and every name starting with `_` are refused;
- filters and tests: a short allowlist; globals: only `range`, limited to 1,000 numbers;
- macros, blocks, includes, imports and recursive loops are refused when the template compiles;
- every loop is charged against a per-render budget, `~`, `+`, `*`, `**` and `%` are checked before
  they build a large value, and the output stops at 20,000 characters;
- a render has a budget in work: loops, calls, filters, tests, operators and `in` pay for the items they
  touch (MAX_RENDER_WORK steps), and a render may use at most MAX_RENDER_CPU seconds of its thread's CPU
  (validating a template against every sample shares MAX_VALIDATION_CPU). Small loops doing big work per
  turn (sorting 20,000 items 1,000 times) are refused after a few turns, not after 30 seconds.
No thread or timer is involved, so a render costs tens of microseconds.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.tests import TESTS
from jinja2.utils import missing
from jinja2.visitor import NodeTransformer

from advocacy.caching import bounded_cache
from advocacy.campaigns.models import MAX_SUBJECT_SOURCE
from advocacy.campaigns.placeholders import (
    FIELD_NAMES,
    PLACEHOLDER_TYPES,
)

MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 20_000
MAX_SUBJECT_CHARS = 250
MAX_RANGE = 1_000
MAX_LOOP_ITERATIONS = 5_000
MAX_INT = 2**63
MAX_CACHED_TEMPLATES = 512
# Work: each loop turn, call, filter, test and operator costs 1 step plus the size of what it reads and builds.
# A letter with loops over its placeholders takes a few hundred steps; the limit is far above any real letter.
MAX_RENDER_WORK = 200_000
MAX_RENDER_CPU = 0.05  # seconds of this thread's CPU for one render: a page or submission never waits longer
MAX_VALIDATION_CPU = 0.25  # for all the sample renders of one save, load or preview together
CLOCK: Callable[[], float] = time.thread_time  # the CPU clock the budget reads (tests inject their own)
# The clock is read once every CLOCK_STEPS steps of work (a system call; an ordinary letter takes fewer steps
# and never reads it): a render's CPU time counts from its first reading, at most CLOCK_STEPS steps in.
CLOCK_STEPS = 2_000
TEMPLATE_FILENAME = "<letter template>"
NESTS_TOO_DEEPLY = "the template nests too deeply (brackets, tags or expressions inside each other); flatten it"

SAFE_STR_METHODS = frozenset(
    {
        "capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdigit", "islower",
        "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
        "rfind", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
        "title", "upper",
    }
)  # fmt: skip
SAFE_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "first", "float", "int", "last", "length", "list", "lower",
    "max", "min", "reverse", "round", "sort", "string", "striptags", "title", "trim", "truncate", "unique",
    "upper", "wordcount",
)  # fmt: skip
SAFE_TESTS = (
    "boolean", "defined", "divisibleby", "eq", "equalto", "even", "false", "ge", "gt", "in", "le", "lower",
    "lt", "ne", "none", "number", "odd", "string", "true", "undefined", "upper",
)  # fmt: skip
REFUSED_TAGS = {
    nodes.Macro: "macros are not available in letters",
    nodes.CallBlock: "call blocks are not available in letters",
    nodes.Block: "blocks are not available in letters",
    nodes.Extends: "a letter cannot extend another template",
    nodes.Include: "a letter cannot include another template",
    nodes.Import: "a letter cannot import templates",
    nodes.FromImport: "a letter cannot import templates",
}


class TemplateProblem(ValueError):
    """A template that cannot be used: what is wrong, where (subject or body) and on which line."""

    def __init__(self, message: str, line: int | None = None, part: str = "body"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.part = part

    def __str__(self) -> str:
        where = self.part if self.line is None else f"{self.part}, line {self.line}"
        return f"{where}: {self.message}"


class _LimitExceeded(SecurityError):
    """Raised inside a render when a static limit is hit."""


class _Budget:
    """What one render may still spend: loop turns, steps of work and CPU time (a deadline on CLOCK)."""

    __slots__ = ("iterations", "work", "next_reading", "deadline", "shared")

    def __init__(self, shared_deadline: float | None = None) -> None:
        self.iterations = MAX_LOOP_ITERATIONS
        self.work = MAX_RENDER_WORK
        self.next_reading = MAX_RENDER_WORK - CLOCK_STEPS  # read the clock when `work` falls below this
        self.deadline: float | None = None  # set at the first reading
        self.shared = shared_deadline  # the deadline shared by several renders (a validation), if any

    def charge(self, steps: int) -> None:
        self.work -= steps
        if self.work < 0:
            raise _LimitExceeded(
                f"the template does too much work (more than {MAX_RENDER_WORK:,} steps of loops, filters and "
                "operations for one letter); make its loops smaller or simpler"
            )
        if self.work < self.next_reading:
            self.next_reading = self.work - CLOCK_STEPS
            self.check_time()

    def check_time(self) -> None:
        now = CLOCK()
        if self.deadline is None:
            self.deadline = now + MAX_RENDER_CPU
        if now > self.deadline:
            raise _LimitExceeded(_too_slow())
        if self.shared is not None and now > self.shared:
            raise _LimitExceeded(_too_slow(shared=True))


def _too_slow(shared: bool = False) -> str:
    if shared:
        return (
            f"the template takes too long to render for every sample writer and office (more than "
            f"{MAX_VALIDATION_CPU * 1000:.0f} ms of processor time together); make its loops smaller or simpler"
        )
    return (
        f"the template takes too long to render (more than {MAX_RENDER_CPU * 1000:.0f} ms of processor time "
        "for one letter); make its loops smaller or simpler"
    )


_budget: ContextVar[_Budget] = ContextVar("letter_render_budget")
# A deadline shared by several renders (validation renders a template for every sample writer and office).
_shared_deadline: ContextVar[float | None] = ContextVar("letter_render_shared_deadline", default=None)


@contextmanager
def shared_time_limit(seconds: float) -> Iterator[None]:
    """Renders inside this block together use at most `seconds` of this thread's CPU (each one its own share too)."""
    deadline = CLOCK() + seconds
    outer = _shared_deadline.get()
    token = _shared_deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _shared_deadline.reset(token)


def _new_budget() -> _Budget:
    return _Budget(_shared_deadline.get())


def _size(value: Any) -> int:
    """How many items a value holds, as the work of reading or building it."""
    if isinstance(value, (str, list, tuple, dict, set, frozenset, range)):
        return len(value)
    return 1


def _charge(steps: int) -> None:
    budget = _budget.get(None)
    if budget is not None:
        budget.charge(steps)


# Filters that call Python code on every item (a sort key, a comparison) cost this many steps per item.
PER_ITEM_WEIGHT = {"sort": 10, "unique": 10, "max": 10, "min": 10}


def _charged(func: Callable, weight: int = 1) -> Callable:
    """A filter or test that pays, before it runs, for the value it reads, and after for the value it returns."""
    takes_first = getattr(func, "jinja_pass_arg", None) is not None  # context, eval context or environment

    @functools.wraps(func)  # keeps jinja_pass_arg, so Jinja still passes what the filter expects
    def charged(*args: Any, **kwargs: Any) -> Any:
        value = args[1] if takes_first and len(args) > 1 else (args[0] if args else None)
        _charge(1 + weight * _size(value))
        result = func(*args, **kwargs)
        _charge(_size(result))
        return result

    return charged


class _LetterUndefined(StrictUndefined):
    """StrictUndefined whose messages speak in placeholders, not Python class names."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        obj, name = self._undefined_obj, self._undefined_name
        if isinstance(obj, PLACEHOLDER_TYPES):
            known = sorted(FIELD_NAMES[type(obj)])
            guess = difflib.get_close_matches(str(name), known, n=1)
            hint = f"; did you mean {obj.PREFIX}.{guess[0]}?" if guess else f"; try one of: {', '.join(known)}"
            return f"{obj.PREFIX}.{name} is not a placeholder{hint}"
        if obj is not missing:
            return f"{type(obj).__name__} value has no attribute or item {name!r}"
        guess = difflib.get_close_matches(str(name), ["constituent", "office", "campaign"], n=1)
        hint = f"; did you mean {guess[0]}?" if guess else "; placeholders start with constituent, office or campaign"
        return f"{name!r} is not a placeholder{hint}"


def _limited_range(*args: int) -> range:
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise _LimitExceeded(f"range() may produce at most {MAX_RANGE:,} numbers")
    return numbers


def _check_text_size(size: int) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise _LimitExceeded(f"that would build text longer than {MAX_OUTPUT_CHARS:,} characters")


def _join(value: Iterable, d: str = "") -> str:
    items = [str(x) for x in islice(value, MAX_OUTPUT_CHARS + 1)]
    _check_text_size(sum(map(len, items)) + len(d) * max(len(items) - 1, 0))
    return d.join(items)


def _replace(value: str, old: str, new: str, count: int | None = None) -> str:
    value, old, new = str(value), str(old), str(new)
    hits = value.count(old) if count is None else min(value.count(old), max(count, 0))
    _check_text_size(len(value) + hits * (len(new) - len(old)))
    return value.replace(old, new) if count is None else value.replace(old, new, count)


def _indent(value: str, width: int = 4, first: bool = False, blank: bool = False) -> str:
    if not isinstance(width, int) or not 0 <= width <= 20:
        raise _LimitExceeded("indent() takes a width from 0 to 20")
    _check_text_size(len(str(value)) + (str(value).count("\n") + 1) * width)
    return FILTERS["indent"](str(value), width, first, blank)


def _wordwrap(value: str, width: int = 79, break_long_words: bool = True) -> str:
    if not isinstance(width, int) or not 20 <= width <= 1000:
        raise _LimitExceeded("wordwrap() takes a width from 20 to 1,000")
    # Jinja's wordwrap needs the environment only for its newline sequence.
    return FILTERS["wordwrap"](_environment(), str(value), width, break_long_words, "\n")


class _Guard(NodeTransformer):
    """Rewrites the parsed template: refuses unsafe tags and routes loops and `~` through checks."""

    def generic_visit(self, node, *args, **kwargs):
        for kind, message in REFUSED_TAGS.items():
            if isinstance(node, kind):
                raise TemplateProblem(message, node.lineno)
        return super().generic_visit(node, *args, **kwargs)

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if node.name == "self":
            raise TemplateProblem("'self' is not available in letters", node.lineno)
        return node

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            raise TemplateProblem("recursive loops are not available in letters", node.lineno)
        node = self.generic_visit(node)
        node.iter = _call("guard_iter", [node.iter], node.lineno)
        return node

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        # `x in items` and `a == b` read every item: each side pays for its size (through the sandbox's call).
        node = self.generic_visit(node)
        node.expr = _call("guard_compared", [node.expr], node.lineno)
        for operand in node.ops:
            operand.expr = _call("guard_compared", [operand.expr], node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return _call("guard_concat", list(node.nodes), node.lineno)


def _call(method: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(method, lineno=lineno), args, [], None, None, lineno=lineno)


class LetterEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            autoescape=False,  # letters are plain text; pages that show them escape them
            undefined=_LetterUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,
            cache_size=0,
        )
        self.globals.clear()
        self.globals["range"] = _limited_range
        filters = {name: FILTERS[name] for name in SAFE_FILTERS}
        filters.update(join=_join, replace=_replace, indent=_indent, wordwrap=_wordwrap)
        self.filters = {name: _charged(f, PER_ITEM_WEIGHT.get(name, 1)) for name, f in filters.items()}
        self.tests = {name: _charged(TESTS[name]) for name in SAFE_TESTS}

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's names
        _charge(1 + _size(getattr(__obj, "__self__", None)) + sum(map(_size, args)))
        result = super().call(__context, __obj, *args, **kwargs)
        _charge(_size(result))
        return result

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, PLACEHOLDER_TYPES):
            return attr in FIELD_NAMES[type(obj)]
        if isinstance(obj, str):
            return attr in SAFE_STR_METHODS
        if isinstance(obj, (list, tuple)):
            return attr in ("count", "index")
        if isinstance(obj, dict):
            return attr in ("get", "items", "keys", "values")
        return isinstance(obj, LoopContext)

    def getattr(self, obj: Any, attribute: str) -> Any:
        fields = _FAST_FIELDS.get(type(obj))
        if fields is not None and attribute in fields:
            return getattr(obj, attribute)  # placeholder fields are plain values: no checks needed
        if isinstance(obj, Undefined):
            # Report the missing name itself ("cycler" is not a placeholder), not its attributes.
            return obj._fail_with_undefined_error()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Undefined):
            return obj._fail_with_undefined_error()
        result = super().getitem(obj, argument)
        _charge(1 + _size(result))  # a slice copies what it returns
        return result

    def wrap_str_format(self, value: Any) -> None:
        # The sandbox would hand out a "safe" str.format; letters get no format at all (a format spec
        # such as {:>999999999} is a memory bomb), so the attribute check above refuses it.
        return None

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        sequences = (str, list, tuple)
        if operator == "%" and isinstance(left, str):
            raise _LimitExceeded("the % operator cannot format text in a letter; use placeholders")
        if operator == "**" and _is_number(left) and _is_number(right):
            if abs(right) > 64 or (isinstance(left, int) and left.bit_length() * abs(right) > 256):
                raise _LimitExceeded("that power is too large")
        if operator == "*":
            seq, times = (left, right) if isinstance(left, sequences) else (right, left)
            if isinstance(seq, sequences) and isinstance(times, int):
                _check_text_size(len(seq) * max(times, 0))
        if operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
            _check_text_size(len(left) + len(right))
        _charge(1 + _size(left) + _size(right))
        result = self.binop_table[operator](left, right)
        if isinstance(result, int) and abs(result) > MAX_INT:
            raise _LimitExceeded("that number is too large")
        _charge(_size(result))
        return result

    def guard_iter(self, iterable: Any) -> Any:
        budget = _budget.get()
        try:
            size = len(iterable)
        except TypeError:
            iterable = list(islice(iter(iterable), budget.iterations + 1))
            size = len(iterable)
        budget.iterations -= size
        if budget.iterations < 0:
            raise _LimitExceeded(f"loops may run at most {MAX_LOOP_ITERATIONS:,} times in one letter")
        budget.charge(1 + size)
        return iterable

    def guard_compared(self, value: Any) -> Any:
        """A side of a comparison: `call` (through which the template calls this) charges for its size."""
        return value

    def guard_concat(self, *parts: Any) -> str:
        texts = [str(p) for p in parts]
        size = sum(map(len, texts))
        _check_text_size(size)
        _charge(1 + size)
        return "".join(texts)


_FAST_FIELDS = {cls: FIELD_NAMES[cls] for cls in PLACEHOLDER_TYPES}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_env_lock = threading.Lock()
_env: LetterEnvironment | None = None
# Compiled templates, keyed by their part and source: an entry can never be stale; the hour's expiry only lets a
# template no campaign uses any more go. (The sources kept as keys, at most 512 of 20,000 characters, weigh less
# than the compiled code they map to.)
_compiled = bounded_cache("compiled letter templates", maxsize=MAX_CACHED_TEMPLATES, ttl=3600)


def _environment() -> LetterEnvironment:
    global _env
    if _env is None:
        with _env_lock:
            if _env is None:
                _env = LetterEnvironment()
    return _env


def compile_template(source: str, part: str = "body"):
    """The compiled template for `source`, from a cache keyed by the part and the source itself."""
    limit = MAX_SUBJECT_SOURCE if part == "subject" else MAX_TEMPLATE_CHARS
    if len(source) > limit:
        raise TemplateProblem(f"is {len(source):,} characters long; the limit is {limit:,}", None, part)
    key = (part, source)  # a str keeps its hash: a lookup costs no pass over the source, unlike a digest of it
    template = _compiled.get(key)
    if template is not None:
        return template
    env = _environment()
    try:
        tree = env.parse(clean_template_source(source))
        tree = _Guard().visit(tree)
        tree.set_environment(env)
        code = env.compile(tree, filename=TEMPLATE_FILENAME)
    except TemplateProblem as exc:
        exc.part = part
        raise
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_syntax_message(exc), exc.lineno, part) from None
    except (RecursionError, MemoryError, SyntaxError):
        # Parsing, guarding and compiling recurse once per level of nesting; Python also caps nested blocks.
        raise TemplateProblem(NESTS_TOO_DEEPLY, None, part) from None
    template = env.template_class.from_code(env, code, env.make_globals(None))
    _compiled[key] = template
    return template


def _syntax_message(exc: TemplateSyntaxError) -> str:
    message = exc.message or "syntax error"
    if message.startswith("No filter named"):
        message += f" (available: {', '.join(sorted(_environment().filters))})"
    return message


def _line_of(exc: BaseException, template: Any) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            line = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return line


def render_source(source: str, context: dict[str, Any], part: str, limit: int) -> str:
    """Render one template source (subject or body); raise TemplateProblem with the line at fault."""
    template = compile_template(source, part)
    budget = _new_budget()
    if budget.shared is not None and CLOCK() > budget.shared:  # spent by the earlier renders of a validation
        raise TemplateProblem(_too_slow(shared=True), None, part)
    token = _budget.set(budget)
    try:
        out: list[str] = []
        size = 0
        for chunk in template.root_render_func(template.new_context(context)):
            size += len(chunk)
            if size > limit:
                raise _LimitExceeded(f"the text is longer than {limit:,} characters")
            budget.charge(1 + len(chunk))
            out.append(chunk)
        return "".join(out)
    except (UndefinedError, SecurityError) as exc:
        raise TemplateProblem(_clean_message(exc), _line_of(exc, template), part) from None
    except RecursionError as exc:
        raise TemplateProblem(NESTS_TOO_DEEPLY, _line_of(exc, template), part) from None
    except Exception as exc:  # noqa: BLE001 - any failure inside organizer-written code is a template problem
        message = f"{type(exc).__name__}: {exc}"
        raise TemplateProblem(message, _line_of(exc, template), part) from None
    finally:
        _budget.reset(token)


def _clean_message(exc: Exception) -> str:
    message = str(exc)
    if isinstance(exc, SecurityError) and not isinstance(exc, _LimitExceeded):
        return f"not allowed: {message}"
    return message


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_template_source(source: str) -> str:
    """A template as stored: newlines normalized, invisible characters removed (done once, at save)."""
    return _INVISIBLE.sub("", source.replace("\r\n", "\n").replace("\r", "\n"))
