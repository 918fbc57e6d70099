"""Which WebAssembly features a module actually uses, read from its bytes.

wasm-opt must be told which features it may use: too few and it rejects the
module, too many and its optimisations may introduce instructions the module
did not need (a baseline build quietly requiring, say, reference types). So we
decode the module — types, imports, tables, memories, globals, element and
data segments and every instruction — and enable exactly what is there.
(rustc's `target_features` section would say this, but `strip = true`
removes it.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import WasmDecodeError

# Feature name -> wasm-opt flag.
BINARYEN_FLAGS: dict[str, str] = {
    "sign-ext": "--enable-sign-ext",
    "mutable-globals": "--enable-mutable-globals",
    "nontrapping-float-to-int": "--enable-nontrapping-float-to-int",
    "bulk-memory": "--enable-bulk-memory",
    "bulk-memory-opt": "--enable-bulk-memory-opt",
    "simd": "--enable-simd",
    "relaxed-simd": "--enable-relaxed-simd",
    "reference-types": "--enable-reference-types",
    "multivalue": "--enable-multivalue",
    "threads": "--enable-threads",
    "tail-call": "--enable-tail-call",
    "exception-handling": "--enable-exception-handling",
    "memory64": "--enable-memory64",
    "multimemory": "--enable-multimemory",
    "extended-const": "--enable-extended-const",
    "call-indirect-overlong": "--enable-call-indirect-overlong",
}

_REF_TYPES = {0x70, 0x6F}  # funcref, externref
_VALUE_TYPES = {0x7F, 0x7E, 0x7D, 0x7C, 0x7B, *_REF_TYPES}



# Features binaryen split off in release 121, and the flag that covered them before: the
# native wasm-opt built from the `wasm-opt` crate is binaryen 116 (toolchain.toml).
SPLIT_RELEASE = 121
_SPLIT_OFF = {"bulk-memory-opt": "--enable-bulk-memory", "call-indirect-overlong": "--enable-reference-types"}


def binaryen_flags(features: set[str], binaryen_version: int) -> list[str]:
    """wasm-opt's flags enabling exactly `features` (or, before binaryen 121, the feature
    that then included them: the after-scan in optimize.py still rejects any new feature)."""
    flags = []
    for name in sorted(features):
        flag = _SPLIT_OFF[name] if binaryen_version < SPLIT_RELEASE and name in _SPLIT_OFF else BINARYEN_FLAGS[name]
        if flag not in flags:
            flags.append(flag)
    return flags


def without_data_count(module: bytes) -> bytes:
    """`module` without its DataCount section (id 12). Binaryen before 121 writes one whenever
    bulk memory is enabled, which it must be there for memory.copy/fill (bulk-memory-opt);
    the section only serves memory.init and data.drop, whose use `detect` reports anyway."""
    if module[:4] != b"\0asm":
        raise WasmDecodeError("not a WebAssembly module")
    scan = _Scan(module)
    kept = [module[:8]]
    while scan.pos < len(module):
        start = scan.pos
        section_id = scan.byte()
        size = scan.uleb()
        scan.pos += size
        if section_id != 12:
            kept.append(module[start:scan.pos])
    return b"".join(kept)


def detect(module: bytes) -> set[str]:
    """The set of post-MVP features `module` uses."""
    if module[:4] != b"\0asm":
        raise WasmDecodeError("not a WebAssembly module")
    scan = _Scan(module)
    scan.sections()
    return scan.features


@dataclass
class _Scan:
    data: bytes
    pos: int = 8
    features: set[str] = field(default_factory=set)
    multi_value_types: set[int] = field(default_factory=set)
    imported_tables: int = 0
    imported_memories: int = 0
    global_mutability: list[bool] = field(default_factory=list)  # index space order

    # --- primitive readers -------------------------------------------------------

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise WasmDecodeError("unexpected end of module")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result

    def uleb_len(self) -> tuple[int, int]:
        start = self.pos
        value = self.uleb()
        return value, self.pos - start

    def sleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result

    def skip(self, count: int) -> None:
        self.pos += count

    def name(self) -> None:
        self.skip(self.uleb())

    # --- sections ------------------------------------------------------------------

    def sections(self) -> None:
        handlers = {1: self.type_section, 2: self.import_section, 4: self.table_section,
                    5: self.memory_section, 6: self.global_section, 7: self.export_section,
                    9: self.element_section, 10: self.code_section, 11: self.data_section,
                    12: self.data_count_section, 13: self.tag_section}
        while self.pos < len(self.data):
            section_id = self.byte()
            size = self.uleb()
            end = self.pos + size
            handler = handlers.get(section_id)
            if handler:
                handler()
            self.pos = end

    def value_type(self) -> None:
        kind = self.byte()
        if kind == 0x7B:
            self.features.add("simd")
        elif kind == 0x6F or kind in (0x63, 0x64):
            self.features.add("reference-types")
            if kind in (0x63, 0x64):
                self.sleb()  # heap type

    def type_section(self) -> None:
        for index in range(self.uleb()):
            form = self.byte()
            if form != 0x60:
                raise WasmDecodeError(f"unsupported type form 0x{form:02x} (GC types)")
            params = self.uleb()
            for _ in range(params):
                self.value_type()
            results = self.uleb()
            for _ in range(results):
                self.value_type()
            if results > 1:
                self.features.add("multivalue")
            if results > 1 or params > 0:
                self.multi_value_types.add(index)

    def limits(self) -> int:
        flags = self.byte()
        self.uleb()
        if flags & 0x01:
            self.uleb()
        return flags

    def table_type(self) -> None:
        element = self.byte()
        if element == 0x6F:
            self.features.add("reference-types")
        self.limits()

    def memory_type(self) -> None:
        flags = self.limits()
        if flags & 0x02:
            self.features.add("threads")
        if flags & 0x04:
            self.features.add("memory64")

    def global_type(self) -> bool:
        """Reads a global's type; True when it is mutable."""
        self.value_type()
        mutable = self.byte() == 0x01
        self.global_mutability.append(mutable)
        return mutable

    def import_section(self) -> None:
        for _ in range(self.uleb()):
            self.name()
            self.name()
            kind = self.byte()
            if kind == 0x00:
                self.uleb()
            elif kind == 0x01:
                self.table_type()
                self.imported_tables += 1
            elif kind == 0x02:
                self.memory_type()
                self.imported_memories += 1
            elif kind == 0x03:
                if self.global_type():
                    self.features.add("mutable-globals")
            elif kind == 0x04:
                self.byte()
                self.uleb()
                self.features.add("exception-handling")

    def table_section(self) -> None:
        count = self.uleb()
        for _ in range(count):
            self.table_type()
        if count + self.imported_tables > 1:
            self.features.add("reference-types")

    def memory_section(self) -> None:
        count = self.uleb()
        for _ in range(count):
            self.memory_type()
        if count + self.imported_memories > 1:
            self.features.add("multimemory")

    def global_section(self) -> None:
        for _ in range(self.uleb()):
            self.global_type()
            self.const_expr()

    def export_section(self) -> None:
        for _ in range(self.uleb()):
            self.name()
            kind = self.byte()
            index = self.uleb()
            if kind == 0x03 and index < len(self.global_mutability) and self.global_mutability[index]:
                self.features.add("mutable-globals")

    def const_expr(self) -> None:
        """A constant expression; arithmetic in it means extended-const."""
        while True:
            opcode = self.byte()
            if opcode == 0x0B:
                return
            if opcode in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):
                self.features.add("extended-const")
            else:
                self.instruction(opcode)

    def element_section(self) -> None:
        for _ in range(self.uleb()):
            flags = self.uleb()
            if flags != 0:
                self.features.add("bulk-memory")
            if flags in (2, 6):
                self.uleb()  # table index
                self.features.add("reference-types")
            if flags & 0x01 == 0:
                self.const_expr()
            if flags & 0x03:
                self.byte()  # element kind or reference type
            count = self.uleb()
            for _ in range(count):
                if flags & 0x04:
                    self.const_expr()
                else:
                    self.uleb()

    def data_section(self) -> None:
        for _ in range(self.uleb()):
            flags = self.uleb()
            if flags == 1:
                self.features.add("bulk-memory")
            if flags == 2:
                self.uleb()
                self.features.add("multimemory")
            if flags != 1:
                self.const_expr()
            self.skip(self.uleb())

    def data_count_section(self) -> None:
        self.features.add("bulk-memory")

    def tag_section(self) -> None:
        self.features.add("exception-handling")

    def code_section(self) -> None:
        for _ in range(self.uleb()):
            size = self.uleb()
            end = self.pos + size
            for _ in range(self.uleb()):  # local declarations
                self.uleb()
                self.value_type()
            while self.pos < end:
                self.instruction(self.byte())
            self.pos = end

    # --- instructions ----------------------------------------------------------------

    def block_type(self) -> None:
        first = self.data[self.pos]
        if first == 0x40 or first in _VALUE_TYPES:
            self.value_type() if first != 0x40 else self.byte()
            return
        type_index = self.sleb()
        if type_index in self.multi_value_types:
            self.features.add("multivalue")

    def memarg(self) -> None:
        align = self.uleb()
        if align & 0x40:
            self.uleb()
            self.features.add("multimemory")
        self.uleb()

    def instruction(self, opcode: int) -> None:  # noqa: C901 - a decoder is a big switch
        if opcode in (0x02, 0x03, 0x04):
            self.block_type()
        elif opcode in (0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0xD2):
            self.uleb()
        elif opcode == 0x0E:
            for _ in range(self.uleb() + 1):
                self.uleb()
        elif opcode in (0x11, 0x13):
            self.uleb()
            table, width = self.uleb_len()
            if table != 0:
                self.features.add("reference-types")
            elif width > 1:
                self.features.add("call-indirect-overlong")
            if opcode == 0x13:
                self.features.add("tail-call")
        elif opcode == 0x12:
            self.uleb()
            self.features.add("tail-call")
        elif opcode in (0x06, 0x07, 0x08, 0x09, 0x18, 0x19, 0x0A, 0x1F):
            self.exception_instruction(opcode)
        elif opcode == 0x1C:
            for _ in range(self.uleb()):
                self.value_type()
            self.features.add("reference-types")
        elif opcode in (0x25, 0x26):
            self.uleb()
            self.features.add("reference-types")
        elif 0x28 <= opcode <= 0x3E:
            self.memarg()
        elif opcode in (0x3F, 0x40):
            if self.uleb() != 0:
                self.features.add("multimemory")
        elif opcode == 0x41:
            self.sleb()
        elif opcode == 0x42:
            self.sleb()
        elif opcode == 0x43:
            self.skip(4)
        elif opcode == 0x44:
            self.skip(8)
        elif 0xC0 <= opcode <= 0xC4:
            self.features.add("sign-ext")
        elif opcode == 0xD0:
            self.sleb()
            self.features.add("reference-types")
        elif opcode == 0xD1:
            self.features.add("reference-types")
        elif opcode == 0xFC:
            self.misc_instruction(self.uleb())
        elif opcode == 0xFD:
            self.simd_instruction(self.uleb())
        elif opcode == 0xFE:
            self.atomic_instruction(self.uleb())
        # Every other opcode (MVP numeric, control without immediates) has none.

    def exception_instruction(self, opcode: int) -> None:
        self.features.add("exception-handling")
        if opcode == 0x06:
            self.block_type()
        elif opcode in (0x07, 0x08, 0x09, 0x18):
            self.uleb()
        elif opcode == 0x1F:
            self.block_type()
            for _ in range(self.uleb()):
                kind = self.byte()
                if kind in (0x00, 0x01):
                    self.uleb()
                self.uleb()

    def misc_instruction(self, sub: int) -> None:
        if sub <= 7:
            self.features.add("nontrapping-float-to-int")
        elif sub == 8:
            self.uleb()
            self.byte()
            self.features.add("bulk-memory")
        elif sub == 9:
            self.uleb()
            self.features.add("bulk-memory")
        elif sub == 10:
            self.byte()
            self.byte()
            self.features.add("bulk-memory-opt")
        elif sub == 11:
            self.byte()
            self.features.add("bulk-memory-opt")
        elif sub in (12, 14):
            self.uleb()
            self.uleb()
            self.features.update({"bulk-memory", "reference-types"})
        elif sub == 13:
            self.uleb()
            self.features.add("bulk-memory")
        elif sub in (15, 16, 17):
            self.uleb()
            self.features.add("reference-types")
        else:
            raise WasmDecodeError(f"unknown 0xFC instruction {sub}")

    def simd_instruction(self, sub: int) -> None:
        self.features.add("simd" if sub < 0x100 else "relaxed-simd")
        if sub <= 11 or sub in (92, 93):
            self.memarg()
        elif sub in (12, 13):
            self.skip(16)
        elif 21 <= sub <= 34:
            self.byte()
        elif 84 <= sub <= 91:
            self.memarg()
            self.byte()

    def atomic_instruction(self, sub: int) -> None:
        self.features.add("threads")
        if sub == 0x03:
            self.byte()
        else:
            self.memarg()
