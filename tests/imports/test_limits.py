"""Files beyond the import limits are refused while they are read, with their line, before any database work."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.imports import service
from app.indicators.models import IndicatorValue
from tests.imports.files import million_row_xlsx, sheet_xml, xlsx_with_sheet, zip_bomb

HEADER = "indicator,country,period,value,source,note\n"
ROW = "10.7.3,THA,{year},{value},IOM,\n"


def _refusal(data: bytes, limits: service.Limits | None = None) -> list[tuple[int, str]]:
    with pytest.raises(service.ImportRefused) as refused:
        service.read_table(data, limits)
    return refused.value.errors


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IndicatorValue)) or 0


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_parsing() -> None:
    bomb = zip_bomb(50)
    start = time.perf_counter()
    errors = _refusal(bomb)
    assert time.perf_counter() - start < 5  # well under 0.1 s; loose for busy test machines
    assert errors[0][0] == 0 and "compressed" in errors[0][1]


def test_an_xlsx_unpacking_to_more_than_the_limit_is_refused() -> None:
    data = xlsx_with_sheet(sheet_xml(2000))
    errors = _refusal(data, service.Limits(unpacked_bytes=20_000))
    assert "unpacks to" in errors[0][1]


def test_a_million_row_xlsx_is_refused_in_seconds() -> None:
    data = million_row_xlsx()
    start = time.perf_counter()
    errors = _refusal(data, service.Limits(zip_ratio=10_000))  # past the ratio check: the row limit refuses it
    assert time.perf_counter() - start < 5  # about 0.2 s; loose for busy test machines
    assert "more than 200,000 rows" in errors[0][1]


def test_an_xlsx_over_the_row_limit_without_declared_size_is_refused_before_parsing() -> None:
    data = xlsx_with_sheet(sheet_xml(1500, dimension=False))
    errors = _refusal(data, service.Limits(rows=1000))
    assert errors == [(0, errors[0][1])] and "more than 1,000 rows" in errors[0][1]


def test_rows_skipped_by_their_numbers_count_and_reading_stops_at_the_limit() -> None:
    head = sheet_xml(1, dimension=False).split(b"</sheetData>")[0]
    data = xlsx_with_sheet(head + b'<row r="900000"><c r="A900000"><v>1</v></c></row></sheetData></worksheet>')
    errors = _refusal(data, service.Limits(rows=1000))
    assert errors == [(1002, errors[0][1])] and "more than 1,000 rows" in errors[0][1]


def test_a_csv_over_the_row_limit_is_refused_at_the_first_line_beyond() -> None:
    data = (HEADER + "".join(ROW.format(year=2000 + n % 20, value=n) for n in range(12))).encode()
    errors = _refusal(data, service.Limits(rows=10))
    assert errors[0][0] == 12 and "more than 10 rows" in errors[0][1]


def test_a_line_with_too_many_columns_is_an_error_with_its_line(session: Session) -> None:
    data = (HEADER + ROW.format(year=2020, value=1).rstrip("\n") + ",x" * 40 + "\n").encode()
    plan = service.plan_values(session, data)
    assert plan.errors == [(2, "The line has more than 30 columns.")]


def test_a_header_with_too_many_columns_refuses_the_file() -> None:
    errors = _refusal(("a," * 40 + "b\n").encode())
    assert errors == [(1, "The line has more than 30 columns.")]


def test_a_cell_over_5000_characters_is_an_error_at_preview(session: Session) -> None:
    data = (HEADER + ROW.format(year=2020, value=1) + f"10.7.3,THA,2021,2,{'s' * 5001},\n").encode()
    plan = service.plan_values(session, data)
    assert plan.errors == [(3, "Column 5: A cell is longer than 5,000 characters.")]
    assert len(plan.new) == 1


def test_a_cell_over_128_kib_is_an_error_with_its_line_not_a_crash(session: Session) -> None:
    data = (HEADER + ROW.format(year=2020, value=1) + f"10.7.3,THA,2021,2,{'s' * 140_000},\n").encode()
    with pytest.raises(service.ImportRefused) as refused:
        service.plan_values(session, data)
    assert refused.value.errors == [(3, "A cell is longer than 5,000 characters.")]


def test_a_nul_byte_after_the_first_4_kb_is_an_error_with_its_line(session: Session) -> None:
    rows = "".join(ROW.format(year=f"{1990 + n // 12}-{n % 12 + 1:02d}", value=n) for n in range(200))
    data = (HEADER + rows + "10.7.3,THA,2030,1,IO\x00M,\n").encode()
    assert len(HEADER + rows) > 4096
    plan = service.plan_values(session, data)
    assert plan.errors == [(202, "Column 5 holds a NUL character, which cannot be stored: remove it.")]
    with pytest.raises(service.ImportRefused):
        service.apply_values(session, plan, user_id=None)
    assert _count(session) == 0


def test_a_quoted_header_cell_with_a_comma_is_one_column(session: Session) -> None:
    data = b'indicator,country,period,value,"source,note"\n10.7.3,THA,2020,1,IOM\n'
    with pytest.raises(service.ImportRefused) as refused:
        service.plan_values(session, data)
    assert refused.value.errors == [(1, "Unknown column(s): source,note.")]


def test_quoted_header_cells_are_read_as_their_text(session: Session) -> None:
    data = b'"indicator","country","period","value","source","note"\n10.7.3,THA,2020,1,"IOM, Bangkok",\n'
    plan = service.plan_values(session, data)
    assert not plan.errors and plan.new[0]["source"] == "IOM, Bangkok"


def test_a_row_edited_between_the_plan_and_the_write_is_a_conflict_and_nothing_is_written(session: Session) -> None:
    first = HEADER + ROW.format(year=2020, value=1) + ROW.format(year=2021, value=2)
    service.apply_values(session, service.plan_values(session, first.encode()), user_id=None)
    data = HEADER + ROW.format(year=2020, value=10) + ROW.format(year=2021, value=20) + ROW.format(year=2022, value=3)
    plan = service.plan_values(session, data.encode())
    assert (len(plan.new), len(plan.changed)) == (1, 2)
    edited = session.scalars(select(IndicatorValue).where(IndicatorValue.period == "2021")).one()
    session.execute(
        update(IndicatorValue)
        .where(IndicatorValue.id == edited.id)
        .values(value=99, version=IndicatorValue.version + 1)
    )
    with pytest.raises(service.ImportConflict) as conflict:
        service.apply_values(session, plan, user_id=None)
    assert conflict.value.status_code == 409
    assert [line for line, _m in conflict.value.errors] == [3]
    assert "changed by someone else" in conflict.value.errors[0][1]
    values = dict(session.execute(select(IndicatorValue.period, IndicatorValue.value)).all())
    session.expire_all()
    assert values == {"2020": 1.0, "2021": 99.0}  # the 2020 update and the 2022 insert were undone too
