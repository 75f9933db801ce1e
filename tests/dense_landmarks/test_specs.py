from dataclasses import dataclass

import pytest

from dense_landmarks.specs import dataclass_from_dict


@dataclass(frozen=True)
class _S:
    a: int = 1
    b: str = "x"


def test_dataclass_from_dict_builds_and_names_what_is_wrong():
    assert dataclass_from_dict(_S, {"a": 2}, "s") == _S(a=2)
    assert dataclass_from_dict(_S, {}, "s") == _S()
    with pytest.raises(ValueError, match=r"s: unknown field 'c'"):
        dataclass_from_dict(_S, {"c": 1}, "s")
    with pytest.raises(ValueError, match="s: expected an object, got list"):
        dataclass_from_dict(_S, [1], "s")
