"""The executor hook: a field that returns :class:`Precompiled` is already complete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


@dataclass(frozen=True, slots=True)
class Precompiled:
    """A field's finished response value (keys are response names, leaves serialised)."""

    value: Any


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        *rest: Any,
    ) -> Any:
        if isinstance(result, Precompiled):
            return result.value
        return super().complete_value(return_type, field_details_list, info, path, result, *rest)
