"""The one workflow shape: a table of moves with a handler per move, registered by name."""

import pytest

from core.workflow import Move, Step, Workflow


def _doors():
    return Workflow("door", [
        Move("open", {"shut"}, "open", "Open the door", {"anyone"}),
        Move("shut", {"open", "ajar"}, "shut", "Shut the door", {"anyone"}),
        Move("lock", {"shut"}, "locked", "Lock the door", {"keyholder"}, kinds={"front"}),
    ])


def test_a_move_is_found_by_its_name_or_by_where_it_leads():
    doors = _doors()
    assert doors.named("lock").target == "locked"
    assert doors.between("ajar", "shut").name == "shut"
    assert doors.between("open", "locked") is None


def test_the_moves_from_a_state_respect_the_kind_of_record():
    doors = _doors()
    assert [m.name for m in doors.from_state("shut")] == ["open", "lock"]
    assert [m.name for m in doors.from_state("shut", kind="back")] == ["open"]


def test_a_handler_for_a_move_the_table_lacks_is_refused_at_import_time():
    with pytest.raises(ValueError, match="no move called fly"):
        _doors().before_save("fly")


def test_a_move_has_at_most_one_handler_of_each_stage():
    doors = _doors()
    doors.before_save("open")(lambda step: None)
    with pytest.raises(ValueError, match="already has a handler"):
        doors.before_save("open")(lambda step: None)


def test_the_handlers_run_in_their_stage_with_the_step():
    doors, seen = _doors(), []
    doors.before_save("lock")(lambda step: seen.append(("before", step.reason)))
    doors.after_save("lock")(lambda step: seen.append(("after", step.source)))
    step = Step(obj=None, move=doors.named("lock"), actor=None, source="shut", reason="night")
    doors.run_before(step)
    doors.run_after(step)
    doors.run_before(Step(obj=None, move=doors.named("open"), actor=None, source="shut"))
    assert seen == [("before", "night"), ("after", "shut")]


def test_two_moves_with_one_name_are_refused():
    with pytest.raises(ValueError, match="two moves"):
        Workflow("x", [Move("a", {"s"}, "t", "A", set()), Move("a", {"t"}, "s", "A", set())])


def test_the_stages_a_move_has_handlers_for_are_listed():
    doors = _doors()
    doors.after_save("lock")(lambda step: None)
    assert doors.stages("lock") == {"after_save"}
    assert doors.stages("open") == set()
