"""One ledger row → intake answers and its problems, through the chat intake's own parsers,
validators, required fields and rules (section 二's eligibility, one file per ID)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.errors import InvalidAnswer
from bot.forms import engine
from bot.forms.engine import FormState
from bot.forms.intake import INTAKE
from bot.forms.model import Problem
from bot.forms.parsers import parse_date
from bot.forms.rules import identity_of
from bot.forms.types import ParseContext
from bot.i18n import N_, Translator
from bot.imports.cells import Choices, cell_text, read_cell
from bot.imports.columns import BIRTH, ID_STANDINS, LEDGER_INTAKE, SEX, VILLAGE, ColumnMap

VALID, INVALID, DUPLICATE, HERE, ELSEWHERE = "valid", "invalid", "duplicate", "here", "elsewhere"
# What the ledger writes for sex, read against the ID number's 17th digit.
SEXES = {"男": "male", "女": "female", "male": "male", "female": "female"}


@dataclass
class RowResult:
    """A row's answers (when they read), the village it belongs to, and what is wrong."""

    line: int
    answers: dict[str, Any] = field(default_factory=dict)
    village: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str = VALID


class Villages:
    """The villages of the import's area, by code and by name."""

    def __init__(self, villages: Sequence[tuple[str, str]], only: str = "") -> None:
        self.codes = {code for code, _ in villages}
        self.by_name: dict[str, list[str]] = {}
        for code, name in villages:
            self.by_name.setdefault(_name_key(name), []).append(code)
        self.only = only  # the import's unit is itself a village: every row goes there

    def find(self, text: str) -> str:
        """The village a cell names (by code or name); raises InvalidAnswer."""
        if not text:
            if self.only:
                return self.only
            raise InvalidAnswer(N_("error.form.required"))
        key = _name_key(text)
        if key in self.codes:
            found = key
        else:
            codes = self.by_name.get(key) or self.by_name.get(key.removesuffix("委会"), [])
            if len(codes) > 1:
                raise InvalidAnswer(N_("import.error.village_ambiguous"), name=text)
            if not codes:
                raise InvalidAnswer(N_("import.error.village_unknown"), name=text)
            found = codes[0]
        if self.only and found != self.only:
            raise InvalidAnswer(N_("import.error.village_unknown"), name=text)
        return found


def _name_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


class RowReader:
    """Reads rows of one ledger: its column map, the area's villages, today, the translator."""

    def __init__(
        self, columns: ColumnMap, villages: Villages, today: date, t: Translator, zh: Translator
    ) -> None:
        self.columns = columns
        self.villages = villages
        self.t = t
        self.zh = zh
        self.choices = Choices(zh)
        self.context = ParseContext(today=today)
        self.today = today
        mapped = set(columns.columns)
        self.fields = [f for f in INTAKE.fields if f.name in mapped]
        self.confirmations = [f for f in INTAKE.fields if f.options.get("redo_on_no")]
        self.validated = [f for f in INTAKE.fields if f.validator is not None]

    def label(self, name: str) -> str:
        """A field as the report names it: the ledger's own header, else the form's label."""
        column = self.columns.columns.get(name)
        if column is not None and self.columns.headers[column]:
            return self.columns.headers[column]
        return self.t.plain(INTAKE.field(name).label)

    def _say(self, name: str, error: InvalidAnswer) -> str:
        return self.t.plain(
            "import.problem", field=self.label(name), why=error.render(self.t.plain)
        )

    def read(self, line: int, row: Sequence[object]) -> RowResult:
        """Parse every mapped cell; check agreement with the ID and the answers' completeness
        (the rules that need the database come in `judge`)."""
        result = RowResult(line)
        cells = self.columns.columns

        def cell(name: str) -> object:
            column = cells.get(name)
            return row[column] if column is not None and column < len(row) else None

        try:
            result.village = self.villages.find(cell_text(cell(VILLAGE)))
        except InvalidAnswer as error:  # only with a village column: without, all go to one
            result.problems.append(self._say(VILLAGE, error))
        answers: dict[str, Any] = {}
        for f in self.fields:
            try:
                answers.update(read_cell(f, cell(f.name), self.choices, self.zh, self.context))
            except InvalidAnswer as error:
                result.problems.append(self._say(f.name, error))
        if cell_text(cell("child_id")) == "":
            # No ID number: the sex and birth date columns answer the questions asked instead.
            for column, name in ID_STANDINS.items():
                standin = INTAKE.field(name)
                if name not in answers and cell_text(cell(column)) != "":
                    try:
                        answers.update(
                            read_cell(standin, cell(column), self.choices, self.zh, self.context)
                        )
                    except InvalidAnswer as error:
                        result.problems.append(self._say(name, error))
        for f in self.confirmations:
            if answers.get(str(f.options["redo_on_no"])):
                answers[f.name] = True
        answers = engine.relevant_answers(INTAKE, answers)
        for f in self.validated:
            if f.validator is not None and f.name in answers:
                try:
                    f.validator(answers[f.name], answers)
                except InvalidAnswer as error:
                    result.problems.append(self._say(f.name, error))
        self._agrees_with_id(result, answers, cell(SEX), cell(BIRTH))
        result.answers = answers
        if result.problems:
            result.status = INVALID
        return result

    def _agrees_with_id(
        self, result: RowResult, answers: dict[str, Any], sex: object, birth: object
    ) -> None:
        number = answers.get("child_id")
        if not number:
            return
        identity = identity_of(number)
        said = SEXES.get(cell_text(sex))
        if cell_text(sex) and said != identity.sex:
            result.problems.append(
                self.t.plain(
                    "import.problem",
                    field=self.label(SEX),
                    why=self.t.plain("import.error.sex_disagrees"),
                )
            )
        text = cell_text(birth)
        if text and not _same_birth(text, identity.birth_date, self.today):
            result.problems.append(
                self.t.plain(
                    "import.problem",
                    field=self.label(BIRTH),
                    why=self.t.plain("import.error.birth_disagrees"),
                )
            )

    def judge(self, result: RowResult, checks: IntakeChecks) -> None:
        """Missing answers and the intake's rules; the ID already on file here or elsewhere."""
        if result.status != VALID:
            return
        number = result.answers.get("child_id")
        if number:
            holder = checks.holder_of_id(number)
            if holder is not None and holder == result.village:
                result.status = HERE  # imported before: the same file again changes nothing
                return
        found = engine.problems(LEDGER_INTAKE, FormState(answers=result.answers), checks)
        for problem in found:
            text = self._problem(problem)
            if problem.warning:
                result.warnings.append(text)
            else:
                result.problems.append(text)
                if problem.action == "transfer":
                    result.status = ELSEWHERE
        if result.problems and result.status == VALID:
            result.status = INVALID

    def _problem(self, problem: Problem) -> str:
        if problem.key == "error.form.missing":
            names = "、".join(self.label(name) for name in problem.fields)
            return self.t.plain("import.missing", fields=names)
        # The columns the row can be corrected in (a rule may name questions ledgers lack).
        shown = [name for name in problem.fields if name in self.columns.columns]
        names = "、".join(self.label(name) for name in (shown or list(problem.fields))[:2])
        return self.t.plain(
            "import.problem", field=names, why=self.t.plain(problem.key, **problem.values)
        )


def _same_birth(text: str, birth: date, today: date) -> bool:
    """A ledger's 出生年月: a full date, or a year and month (2015年3月, 2015.03, 201503)."""
    try:
        return parse_date(text, today=today) == birth
    except InvalidAnswer:
        pass
    digits = [
        int(d)
        for d in "".join(
            c if c.isdigit() else " " for c in unicodedata.normalize("NFKC", text)
        ).split()
    ]
    if len(digits) == 1 and len(str(digits[0])) == 6:
        digits = [digits[0] // 100, digits[0] % 100]
    return digits[:2] == [birth.year, birth.month]


class IntakeChecks:
    """The database side of the intake's rules for one chunk of rows, looked up in bulk."""

    def __init__(
        self,
        today: date,
        holders: dict[str, str],
        names: Counter[tuple[str, date]],
        index: Callable[[str], list[str]],
    ) -> None:
        self.today = today
        self.holders = holders
        self.names = names
        self.index = index  # ID number → its blind indexes (one per configured key)

    def holder_of_id(self, id_number: str) -> str | None:
        for hashed in self.index(id_number):
            if hashed in self.holders:
                return self.holders[hashed]
        return None

    def same_name_and_birth(self, name: str, birth_date: date) -> int:
        return self.names[(name, birth_date)]
