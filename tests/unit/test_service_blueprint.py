"""Every operation of the contract names its operationId: ServiceBlueprint refuses one that
does not, whether a view function or a method of a MethodView."""

from __future__ import annotations

import pytest
from flask.views import MethodView

from app.http.smorest import ServiceBlueprint, operation


def test_a_view_function_without_an_operation_id_is_refused() -> None:
    blp = ServiceBlueprint("unnamed", __name__)
    with pytest.raises(TypeError, match="operation_id"):
        blp.route("/things")(lambda: None)


def test_a_method_view_with_an_unnamed_method_is_refused() -> None:
    blp = ServiceBlueprint("half-named", __name__)

    class Things(MethodView):
        @operation("listThings")
        def get(self) -> None:
            """List things."""

        def delete(self) -> None:
            """Delete things."""

    with pytest.raises(TypeError, match="delete"):
        blp.route("/things")(Things)


def test_a_method_view_names_its_operations_per_method() -> None:
    blp = ServiceBlueprint("named", __name__)

    class Things(MethodView):
        @operation("listThings")
        def get(self) -> None:
            """List things."""

    with pytest.raises(TypeError, match="not route"):
        blp.route("/things", operation_id="listThings")(Things)
    assert blp.route("/things")(Things) is Things
