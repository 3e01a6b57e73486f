"""An independent, naive walk of a message for the leak properties: which raw values a
policy hides from an audience, and what the audience may see anyway."""

from __future__ import annotations

import json
import re
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from coloan.policy.v1 import options_pb2 as opts
from masking import field_policy, rule_for

MESSAGE = FieldDescriptor.TYPE_MESSAGE
WKT = ("google.protobuf.Timestamp",)


def _action(fd: FieldDescriptor, audience: int) -> str:
    return str(rule_for(field_policy(fd), audience).WhichOneof("action"))  # type: ignore[arg-type]


def _descend(fd: FieldDescriptor) -> bool:
    mt = fd.message_type
    if fd.type != MESSAGE or mt is None:
        return False
    if mt.GetOptions().map_entry:
        return mt.fields_by_name["value"].type == MESSAGE
    return not mt.full_name.startswith("google.protobuf.")


def _values(msg: Message, fd: FieldDescriptor) -> list[Any]:
    v = getattr(msg, fd.name)
    if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
        return list(v.values())
    return list(v) if fd.is_repeated else [v]


def _children(msg: Message, fd: FieldDescriptor) -> list[Message]:
    return _values(msg, fd)


def hidden_values(msg: Message, audience: int) -> list[tuple[str, str]]:
    """(data class, raw text) of every string or bytes value whose transform for ``audience`` is not keep."""
    out: list[tuple[str, str]] = []
    for fd, _ in msg.ListFields():
        if _descend(fd):
            for child in _children(msg, fd):
                out += hidden_values(child, audience)
            continue
        if _action(fd, audience) == "keep":
            continue
        p = field_policy(fd)
        klass = opts.DataClass.Name(p.data_class) if p else "-"  # type: ignore[arg-type]
        for v in _values(msg, fd):
            v = getattr(v, "value", v)
            if isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            if isinstance(v, str):
                out.append((klass, v))
    return out


def released(msg: Message, audience: int, actions: tuple[str, ...] = ("keep",)) -> Message:
    """A copy of ``msg`` holding only the fields whose transform for ``audience`` is one of ``actions``."""
    copy = type(msg)()
    copy.CopyFrom(msg)
    _strip(copy, audience, actions)
    return copy


def _strip(msg: Message, audience: int, actions: tuple[str, ...]) -> None:
    for fd, _ in msg.ListFields():
        if _descend(fd):
            for child in _children(msg, fd):
                _strip(child, audience, actions)
        elif _action(fd, audience) not in actions:
            msg.ClearField(fd.name)


def texts(msg: Message) -> tuple[bytes, str]:
    """The serialized form and the JSON form of ``msg``."""
    js = json.dumps(json_format.MessageToDict(msg), ensure_ascii=False)
    return msg.SerializeToString(), js + json_format.MessageToJson(msg)


def value_at(msg: Any, path: str) -> Any:
    """The value at a receipt path such as ``profile.mobile``, ``schedule[2].due_at`` or ``notes[7]``."""
    for part in path.split("."):
        m = re.fullmatch(r"(\w+)(?:\[(\w+)\])?", part)
        assert m is not None
        msg = getattr(msg, m.group(1))
        if m.group(2) is not None:
            key = m.group(2)
            msg = msg[int(key)] if key.lstrip("-").isdigit() else msg[key]
    return msg
