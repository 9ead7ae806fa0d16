"""Random wasm modules for differential testing (WAT text, for wat2wasm).

Each module exports parameterless functions returning i32 or i64, computed
from random expression trees over all four number types: integer and float
arithmetic, comparisons, conversions (trapping and saturating), sign
extension, select, memory loads and stores (some out of bounds), and small
loops. Float results are returned as bits with NaNs canonicalised, and the
trees avoid operations whose result the spec leaves open (NaN payloads and
signs), so any difference between two engines is a bug in one of them.
"""
import random

INT = ("i32", "i64")
FLT = ("f32", "f64")

BIN = {
    "i32": ["add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor",
            "shl", "shr_s", "shr_u", "rotl", "rotr"],
    "f32": ["add", "sub", "mul", "div", "min", "max"],
}
BIN["i64"] = BIN["i32"]
BIN["f64"] = BIN["f32"]
UN = {"i32": ["clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"],
      "i64": ["clz", "ctz", "popcnt", "extend8_s", "extend16_s", "extend32_s"],
      "f32": ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"]}
UN["f64"] = UN["f32"]
CMP_I = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
CMP_F = ["eq", "ne", "lt", "gt", "le", "ge"]
MEM_PAGES = 1


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def const(self, t):
        r = self.r
        if t == "i32":
            v = r.choice([0, 1, -1, 2**31 - 1, -2**31, r.randrange(-100, 100),
                          r.randrange(-2**31, 2**31)])
            return f"(i32.const {v})"
        if t == "i64":
            v = r.choice([0, 1, -1, 2**63 - 1, -2**63, r.randrange(-100, 100),
                          r.randrange(-2**63, 2**63)])
            return f"(i64.const {v})"
        v = r.choice(["0", "-0", "1", "-1", "0.5", "1e10", "-1e10", "inf", "-inf", "nan",
                      "3.5", "-2.5", "2147483648", "4294967295", "9.3e18", "1e-40",
                      f"{r.uniform(-1e6, 1e6):.6f}"])
        return f"({t}.const {v})"

    def expr(self, t, d):
        r = self.r
        if d <= 0 or r.random() < 0.15:
            if r.random() < 0.3:
                return f"(local.get ${t})"
            return self.const(t)
        k = r.random()
        if k < 0.35:
            op = r.choice(BIN[t])
            return f"({t}.{op} {self.expr(t, d - 1)} {self.expr(t, d - 1)})"
        if k < 0.5:
            op = r.choice(UN[t])
            if op == "eqz":
                return f"(i32.eqz {self.expr('i32', d - 1)})"
            return f"({t}.{op} {self.expr(t, d - 1)})"
        if k < 0.62:
            a = r.choice(INT + FLT)
            if t == "i32":
                op = r.choice(CMP_I if a in INT else CMP_F)
                return f"({a}.{op} {self.expr(a, d - 1)} {self.expr(a, d - 1)})"
            return self.convert(t, d)
        if k < 0.75:
            return self.convert(t, d)
        if k < 0.82:
            return (f"(select {self.expr(t, d - 1)} {self.expr(t, d - 1)} "
                    f"{self.expr('i32', d - 1)})")
        if k < 0.92:
            return self.load(t, d)
        return (f"(block (result {t}) {self.store(d)} {self.expr(t, d - 1)})")

    def convert(self, t, d):
        r = self.r
        if t == "i32":
            c = r.choice(["i32.wrap_i64:i64", "i32.trunc_f32_s:f32", "i32.trunc_f32_u:f32",
                          "i32.trunc_f64_s:f64", "i32.trunc_f64_u:f64",
                          "i32.trunc_sat_f32_s:f32", "i32.trunc_sat_f32_u:f32",
                          "i32.trunc_sat_f64_s:f64", "i32.trunc_sat_f64_u:f64"])
        elif t == "i64":
            c = r.choice(["i64.extend_i32_s:i32", "i64.extend_i32_u:i32", "i64.trunc_f32_s:f32",
                          "i64.trunc_f64_u:f64", "i64.trunc_sat_f64_s:f64",
                          "i64.trunc_sat_f32_u:f32", "i64.trunc_f64_s:f64"])
        elif t == "f32":
            c = r.choice(["f32.convert_i32_s:i32", "f32.convert_i32_u:i32",
                          "f32.convert_i64_s:i64", "f32.convert_i64_u:i64",
                          "f32.demote_f64:f64", "f32.reinterpret_i32:i32"])
        else:
            c = r.choice(["f64.convert_i32_s:i32", "f64.convert_i32_u:i32",
                          "f64.convert_i64_s:i64", "f64.convert_i64_u:i64",
                          "f64.promote_f32:f32", "f64.reinterpret_i64:i64"])
        op, a = c.split(":")
        return f"({op} {self.expr(a, d - 1)})"

    def addr(self, d):
        r = self.r
        if r.random() < 0.1:
            return self.expr("i32", d - 1)          # anything: may trap
        return f"(i32.and {self.expr('i32', d - 1)} (i32.const {MEM_PAGES * 65536 - 16}))"

    def load(self, t, d):
        r = self.r
        ops = {"i32": ["i32.load", "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u"],
               "i64": ["i64.load", "i64.load8_s", "i64.load32_u", "i64.load16_s"],
               "f32": ["f32.load"], "f64": ["f64.load"]}[t]
        off = r.choice([0, 0, 1, 3, 8])
        return f"({r.choice(ops)} offset={off} {self.addr(d)})"

    def store(self, d):
        r = self.r
        t = r.choice(INT)
        op = r.choice({"i32": ["i32.store", "i32.store8", "i32.store16"],
                       "i64": ["i64.store", "i64.store32", "i64.store8"]}[t])
        return f"({op} offset={r.choice([0, 2, 4])} {self.addr(d)} {self.expr(t, d - 1)})"

    def body(self, t, d):
        """A function body returning i32/i64 from an expression of type t."""
        r = self.r
        locals_ = "(local $i32 i32) (local $i64 i64) (local $f32 f32) (local $f64 f64)"
        init = "".join(f"(local.set ${lt} {self.const(lt)})" for lt in INT + FLT)
        if r.random() < 0.3:
            # a small loop that folds an expression into the local of type t
            n = r.randrange(1, 20)
            loop = (f"(local.set $i32 (i32.const 0))"
                    f"(block $out (loop $top "
                    f"(local.set ${t} {self.expr(t, d)})"
                    f"(br_if $out (i32.ge_u (i32.add (i32.load (i32.const 0)) (i32.const 0)) "
                    f"(i32.const 0x7fffffff)))"
                    f"(i32.store (i32.const 60000) (i32.add (i32.load (i32.const 60000)) (i32.const 1)))"
                    f"(br_if $top (i32.lt_u (i32.load (i32.const 60000)) (i32.const {n})))))"
                    f"(i32.store (i32.const 60000) (i32.const 0))")
            value = f"(local.get ${t})"
            init += loop
        else:
            value = self.expr(t, d)
        if t in INT:
            return t, f"{locals_} {init} {value}"
        it = "i32" if t == "f32" else "i64"
        canon = "0x7fc00000" if t == "f32" else "0x7ff8000000000000"
        return it, (f"{locals_} {init} (local.set ${t} {value}) "
                    f"(select ({it}.const {canon}) ({it}.reinterpret_{t} (local.get ${t})) "
                    f"({t}.ne (local.get ${t}) (local.get ${t})))")

    def module(self, nfuncs=24, depth=5):
        r = self.r
        data = "".join(f"\\{r.randrange(256):02x}" for _ in range(64))
        out = [f"(module (memory {MEM_PAGES}) (data (i32.const 0) \"{data}\")"]
        for i in range(nfuncs):
            rt, body = self.body(r.choice(INT + FLT), r.randrange(1, depth + 1))
            out.append(f"(func (export \"f{i}\") (result {rt}) {body})")
        out.append(")")
        return "\n".join(out)


if __name__ == "__main__":
    import sys
    print(Gen(int(sys.argv[1]) if len(sys.argv) > 1 else 1).module())
